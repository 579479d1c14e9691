import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { readMigrations } from '../../src/db/index.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { backends, type TestDatabase } from '../helpers/databases.js';

describe.each(backends)('API server on $name', (backend) => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-server-'));
    // PostgreSQL: a fresh database the server connects to; PGlite: the server's own DATA_DIR.
    if (backend.name === 'postgres') database = await backend.create();
    const config = loadConfig({ PORT: '0', DATABASE_URL: database?.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger(config));
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers GET /health with 200', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers GET /ready once the database is reachable and migrated', async () => {
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    const latest = Math.max(...(await readMigrations()).map((m) => m.id));
    expect(await response.json()).toMatchObject({ status: 'ready', database: backend.name, migration: latest });
  });

  it("answers the router's own refusals (a path that does not decode) with problem+json", async () => {
    const response = await fetch(`${server.url}/v2/process-instances/%zz`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 400, code: 'FST_ERR_BAD_URL' });
  });

  it('finishes an in-flight request on shutdown, then closes the database', async () => {
    // Hold the database so that /ready is still running when shutdown starts.
    const held = server.db.transaction(async (tx) => {
      await tx.query('lock table system_info in access exclusive mode');
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    const inFlight = fetch(`${server.url}/ready`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const closing = server.close();

    const response = await inFlight;
    expect(response.status).toBe(200);
    await closing;
    await held;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await expect(server.db.query('select 1')).rejects.toThrow();
  });
});
