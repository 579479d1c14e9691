/**
 * `npm start`: configuration → database → migrations → API. Start-up failures print one line
 * on stderr and exit with code 1; SIGTERM / SIGINT finish in-flight requests before exiting.
 */
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseUnreachableError } from './db/index.js';
import { createLogger } from './logger.js';
import { SHUTDOWN_GRACE_MS, startServer } from './server.js';

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
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: log }, async ({ err }) => {
    if (err) log.error({ err }, 'shutting down after an uncaught error');
    await server.close();
  });
} catch (error) {
  if (error instanceof DatabaseUnreachableError) fail(error.message);
  fail(`start-up failed: ${(error as Error).message}`);
}
