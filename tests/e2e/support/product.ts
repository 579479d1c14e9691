/**
 * The real product for the end-to-end tests: `startServer` (db → migrations → engine → API and
 * UI) on a fresh embedded database with the simulated clock, its workers as `npm start` runs
 * them, and accounts of each role.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';
import { startConfiguredWorkers } from '../../../workers/run.js';
import type { Membership } from '../../../src/auth/roles.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { startServer, type RunningServer } from '../../../src/server.js';
import { createTestUser, TEST_PASSWORD } from '../../helpers/auth-server.js';

export { TEST_PASSWORD };

/**
 * Time for one e2e step or start-up: a browser and a server share 2 cores with the rest of the
 * suite in CI, so the vitest default (30 s) is too tight for a step that waits on workers.
 */
export const E2E_TIMEOUT_MS = 120_000;

/** Options of `expect.poll` in the e2e tests: its default (1 s) is for idle machines. */
export const POLL = { timeout: 20_000, interval: 100 } as const;

/** A running product for one test file. */
export interface E2eProduct {
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

/** The accounts every e2e test can sign in with ({@link TEST_PASSWORD}). */
export const ACCOUNTS: Record<string, Membership[]> = {
  'e2e.owner': [{ role: 'process-owner', teamId: null }],
  'e2e.worker': [{ role: 'social-service', teamId: 'team-a' }],
  'e2e.supervisor': [{ role: 'supervisor', teamId: 'team-a' }],
};

/** Starts the product on a fresh PGlite database, with the accounts of {@link ACCOUNTS}. */
export async function startProduct(env: Record<string, string> = {}): Promise<E2eProduct> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-e2e-'));
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CLOCK: 'simulated',
    ENGINE_AUTH: 'none',
    ...env,
  });
  const log = createLogger(config);
  // The first administrator's password line is not for the test output.
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  let server: RunningServer;
  try {
    server = await startServer(config, log);
  } finally {
    write.mockRestore();
  }
  for (const [username, memberships] of Object.entries(ACCOUNTS)) await createTestUser(server.db, username, memberships);
  // The workers, as `npm start` runs them: the case's automated steps between its user tasks.
  const workers = await startConfiguredWorkers(config, { db: server.db, address: server.fastify.server.address() as AddressInfo }, log);
  return {
    url: server.url,
    server,
    async close() {
      await workers?.stop();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
