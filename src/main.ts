/**
 * `npm start`: configuration → database → migrations → API → workers. Start-up failures print
 * one line on stderr and exit with code 1; SIGTERM / SIGINT stop the workers (jobs in flight
 * finish or go back to the engine), then finish in-flight requests before exiting.
 */
import type { AddressInfo } from 'node:net';
import closeWithGrace from 'close-with-grace';
import { startConfiguredWorkers } from '../workers/run.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseUnreachableError } from './db/index.js';
import { createLogger } from './logger.js';
import { SHUTDOWN_GRACE_MS, startServer } from './server.js';
import { ensureUiBuilt } from './ui-build.js';

function fail(message: string): never {
  process.stderr.write(`uebergang: ${message}\n`);
  process.exit(1);
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
const log = createLogger(config);

try {
  const server = await startServer(config, log);
  log.info(
    { url: server.url, database: server.db.kind, engine: config.engine, clock: config.clock },
    `Übergangsmanagement is running at ${server.url}`,
  );
  // The browser app is built on the first start (and after its sources changed), in a process of
  // its own while the API already answers; its pages say so until it is ready. A failed build is
  // a warning, not a failed start.
  ensureUiBuilt().then(
    (built) => built && log.info('the web UI is built'),
    (error: unknown) => log.warn({ err: error }, 'the web UI could not be built; the API runs without it'),
  );
  // Over HTTP on loopback, as any worker would: the protocol path is the one that is tested.
  const workers = startConfiguredWorkers(config, { db: server.db, address: server.fastify.server.address() as AddressInfo }, log);
  // Registered before the workers are up: a signal during their start must still shut down cleanly.
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: log }, async ({ err }) => {
    if (err) log.error({ err }, 'shutting down after an uncaught error');
    // Before the server: the workers' last reports need its routes and its database.
    await (await workers.catch(() => undefined))?.stop();
    await server.close();
  });
  try {
    await workers;
  } catch (error) {
    await server.close();
    throw error;
  }
} catch (error) {
  if (error instanceof DatabaseUnreachableError) fail(error.message);
  fail(`start-up failed: ${(error as Error).message}`);
}
