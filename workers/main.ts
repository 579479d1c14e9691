/**
 * `npm run workers`: the worker handlers in a process of their own, for teams on PostgreSQL who
 * run the API nodes with `WORKERS_PROTOCOL=off` (or workers against a Camunda 8 cluster). It
 * polls `WORKERS_ENGINE_URL` with `WORKERS_CLIENT_ID` / `WORKERS_CLIENT_SECRET` and reads the
 * domain data from `DATABASE_URL`. Embedded PGlite belongs to one process: with it the workers
 * run inside `npm start`.
 */
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { DatabaseUnreachableError, openDatabase } from '../src/db/index.js';
import { createLogger } from '../src/logger.js';
import { separateWorkersProblem, startConfiguredWorkers } from './run.js';

/** How long a stop waits for the jobs in flight. */
const STOP_GRACE_MS = 10_000;

function fail(message: string): never {
  process.stderr.write(`uebergang-workers: ${message}\n`);
  process.exit(1);
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}
const problem = separateWorkersProblem(config);
if (problem) fail(problem);
const log = createLogger(config);
try {
  const db = await openDatabase(config);
  // The address is used only without WORKERS_ENGINE_URL, which this process requires.
  const workers = await startConfiguredWorkers(config, { db, address: { address: '127.0.0.1', family: 'IPv4', port: config.port } }, log);
  log.info({ types: workers?.types, engine: config.workersEngineUrl }, 'workers are running');
  closeWithGrace({ delay: STOP_GRACE_MS + 1_000, logger: log }, async ({ err }) => {
    if (err) log.error({ err }, 'shutting down after an uncaught error');
    await workers?.stop(STOP_GRACE_MS);
    await db.close();
  });
} catch (error) {
  if (error instanceof DatabaseUnreachableError) fail(error.message);
  fail(`start-up failed: ${(error as Error).message}`);
}
