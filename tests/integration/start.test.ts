/** The product as `npm start` runs it: real child processes, real HTTP, real signals. */
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/db/index.js';
import { TEST_DATABASE_URL, createPostgresDatabase, dropPostgresDatabase } from '../helpers/databases.js';
import { spawnProduct, stopProduct, waitForUrl } from '../helpers/product.js';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-start-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function readyBody(url: string) {
  const response = await fetch(`${url}/ready`);
  expect(response.status).toBe(200);
  return (await response.json()) as { installationId: string; database: string };
}

describe('npm start with no database configured', () => {
  it('answers /health within 15 s and keeps its data across a restart', async () => {
    const dataDir = await tempDir();
    const started = Date.now();
    const first = spawnProduct({ DATA_DIR: dataDir });
    const url = await waitForUrl(first, 15_000);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(15_000);
    const before = await readyBody(url);
    expect(before.database).toBe('pglite');

    // A second process on the same data directory would corrupt it: refused.
    const intruder = spawnProduct({ DATA_DIR: dataDir });
    expect(await intruder.exited).toBe(1);
    expect(intruder.stderr).toMatch(/DATA_DIR .* is in use by process \d+/);

    expect(await stopProduct(first)).toBe(0);

    const second = spawnProduct({ DATA_DIR: dataDir });
    const after = await readyBody(await waitForUrl(second));
    expect(after.installationId).toBe(before.installationId);
    expect(await stopProduct(second)).toBe(0);
  });
});

describe('start-up failures', () => {
  it('names host and port in one line and exits within 10 s when PostgreSQL is not there', async () => {
    const port = await closedPort();
    const started = Date.now();
    const product = spawnProduct({ DATABASE_URL: `postgres://app:secret@127.0.0.1:${port}/uebergang` });
    expect(await product.exited).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const lines = product.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(product.stderr + product.stdout).not.toContain('secret');
  });

  it('stops with exit code 1 and names the key of a bad setting', async () => {
    const product = spawnProduct({ PORT: 'eighty' });
    expect(await product.exited).toBe(1);
    expect(product.stderr.trim()).toBe('uebergang: Configuration error: PORT must be a port number from 0 to 65535 (got "eighty")');
  });
});

describe.skipIf(!TEST_DATABASE_URL)('two processes starting together on one PostgreSQL', () => {
  it('applies each migration once and both become ready', async () => {
    const url = await createPostgresDatabase();
    try {
      const products = [spawnProduct({ DATABASE_URL: url }), spawnProduct({ DATABASE_URL: url })];
      const urls = await Promise.all(products.map((product) => waitForUrl(product)));
      const bodies = await Promise.all(urls.map(readyBody));
      expect(bodies[0].installationId).toBe(bodies[1].installationId);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('select id, count(*)::int as n from schema_migrations group by id order by id');
      await client.end();
      expect(rows).toEqual((await readMigrations()).map((m) => ({ id: m.id, n: 1 })));

      expect(await Promise.all(products.map(stopProduct))).toEqual([0, 0]);
    } finally {
      await dropPostgresDatabase(url);
    }
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
