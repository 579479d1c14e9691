import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import app from './api/app.js';
import { sendProblem } from './api/plugins/problem.js';
import { ensureFirstAdministrator, printFirstAdministrator } from './auth/first-administrator.js';
import type { Config } from './config.js';
import { startEngine, type EngineRuntime } from './engine/index.js';
import { migrate, openDatabase, type Database } from './db/index.js';
import { loadDemoData } from './domain/demo.js';
import { deployProductProcesses } from './domain/deploy-processes.js';
import type { Logger } from './logger.js';

/** A started product: its HTTP address and the one way to stop it. */
export interface RunningServer {
  url: string;
  fastify: FastifyInstance;
  db: Database;
  /** Stops accepting connections, finishes in-flight requests, then closes the database. */
  close(): Promise<void>;
}

/** How long in-flight requests may take to finish once shutdown starts. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Largest request body by default; routes that take files raise it for themselves. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** fastify's form of TRUST_PROXY: a hop count becomes the function fastify would make of it. */
function trustProxyOption(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust === false ? false : [...trust];
}

/**
 * db → migrations → first administrator → api, then listen. The thin entry that `main.ts` and
 * the tests share.
 */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const db = await openDatabase(config);
  const fastify = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    return503OnClosing: true,
    // Which proxies may name the client's address and protocol (rate limits, Secure cookies).
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    // The router's own refusals (a path that does not decode, a parameter that is too long)
    // answer in the same problem+json shape as every other error.
    frameworkErrors: (error, request, reply) => sendProblem(error, request, reply),
  });
  // Responses still in flight when shutdown starts end their connection, so that close() does
  // not wait for idle keep-alive sockets (Node closes only those idle at the moment it starts).
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  // Runs after the server has stopped accepting and the last in-flight request has finished.
  fastify.addHook('onClose', () => db.close());
  let engine: EngineRuntime | undefined;
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    // In demo mode the demo accounts (admin included) get DEMO_PASSWORD instead (domain/demo.ts).
    const firstAdministrator = config.demo ? undefined : await ensureFirstAdministrator(db);
    if (firstAdministrator) {
      log.info({ userId: firstAdministrator.userId }, 'first administrator created');
      printFirstAdministrator(firstAdministrator);
    }
    engine = startEngine(config, db, log);
    // The product's own processes and forms; a byte-identical file keeps its version.
    await deployProductProcesses(engine.engine, log);
    if (config.demo) await loadDemoData({ db, engine: engine.engine, password: config.demoPassword!, log });
    // Before the database closes: the scheduler must not start a transaction on a closed pool.
    fastify.addHook('preClose', () => engine?.close());
    await fastify.register(app, { config, db, engine });
    await fastify.listen({ port: config.port, host: config.host });
  } catch (error) {
    await engine?.close();
    await fastify.close().catch(() => db.close()).catch(() => {});
    throw error;
  }
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, fastify, db, close: () => fastify.close() };
}
