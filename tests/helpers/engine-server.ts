/**
 * The real server on a free port for engine protocol tests: `ENGINE_AUTH=none` (clients connect
 * without credentials) and `CLOCK=simulated` (tests move time through the API), on a fresh
 * database of the given back-end. And the real `@camunda8/sdk` client for it, in strict
 * validation mode both ways, so that its own schemas check every request and response.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { Backend, TestDatabase } from './databases.js';

/** A running server on its own database; `close()` stops it and removes the database. */
export interface EngineServer {
  url: string;
  server: RunningServer;
  /** The PostgreSQL database the server uses; undefined on PGlite (it belongs to the server's process). */
  databaseUrl: string | undefined;
  close(): Promise<void>;
}

/** Starts the product's server (db → migrations → engine → app) on a fresh `backend` database. */
export async function startEngineServer(backend: Backend, env: Record<string, string> = {}): Promise<EngineServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-v2-'));
  // PostgreSQL: a fresh database the server connects to; PGlite: the server's own DATA_DIR.
  const database: TestDatabase | undefined = backend.name === 'postgres' ? await backend.create() : undefined;
  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: database?.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ENGINE_AUTH: 'none',
    CLOCK: 'simulated',
    ...env,
  });
  const server = await startServer(config, createLogger(config));
  return {
    url: server.url,
    server,
    databaseUrl: database?.url,
    async close() {
      await server.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An Orchestration Cluster API client of `@camunda8/sdk` for `url` (the loose variant: keys are
 * plain strings), validating requests and responses strictly. The SDK reads its environment
 * when it is imported, so the environment is set first and the SDK imported afterwards; the
 * address is passed explicitly too, because a test file may start several servers.
 */
export async function createSdkClient(url: string): Promise<CamundaClientLoose> {
  process.env.ZEEBE_REST_ADDRESS = url;
  process.env.CAMUNDA_AUTH_STRATEGY = 'NONE';
  process.env.CAMUNDA_SDK_VALIDATION = 'req:strict,res:strict';
  process.env.CAMUNDA_LOG_LEVEL ??= 'none';
  const { Camunda8 } = await import('@camunda8/sdk');
  const camunda = new Camunda8({ ZEEBE_REST_ADDRESS: url, CAMUNDA_AUTH_STRATEGY: 'NONE' });
  return camunda.getOrchestrationClusterApiClientLoose({}, { cached: false });
}
