/**
 * The product's app plugin on a fastify instance of the test's own, listening on a free port:
 * the test sees every route as it registers (an `onRoute` hook added before the app), which
 * `startServer` does not expose. Otherwise as `src/server.ts` builds it.
 */
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import app from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { migrate, type Database } from '../../src/db/index.js';
import { startEngine, type EngineRuntime } from '../../src/engine/index.js';
import { createLogger } from '../../src/logger.js';
import { BODY_LIMIT_BYTES } from '../../src/server.js';

/** A route as registered: its method, its URL pattern, its declared access and its schemas. */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: unknown;
  /** The route's request schemas (`body`, `params`, `querystring`), for tests that derive requests. */
  schema?: { body?: unknown; params?: unknown; querystring?: unknown };
}

/**
 * The app on `db` (with its engine), plus `extra` routes registered next to it, listening on
 * 127.0.0.1, with every route it registered, and the engine runtime (a test that must see
 * only the effects of its own requests stops its background loop). Rejects as the server's start
 * would.
 */
export async function listenWithRoutes(
  db: Database,
  env: Record<string, string> = {},
  extra?: (fastify: FastifyInstance) => Promise<void>,
): Promise<{ url: string; routes: RegisteredRoute[]; fastify: FastifyInstance; engine: EngineRuntime }> {
  await migrate(db);
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const fastify = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });
  const engine = startEngine(config, db, createLogger(config));
  let engineClosed: Promise<void> | undefined;
  const closeEngine = () => (engineClosed ??= engine.close());
  fastify.addHook('preClose', closeEngine);
  const routes: RegisteredRoute[] = [];
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, access: route.config?.access, schema: route.schema as RegisteredRoute['schema'] });
    }
  });
  try {
    await fastify.register(app, { config, db, engine });
    if (extra) await fastify.register(extra);
    await fastify.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await closeEngine();
    await fastify.close().catch(() => {});
    throw error;
  }
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, routes, fastify, engine };
}
