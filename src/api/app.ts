import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import database from './plugins/database.js';
import problem from './plugins/problem.js';
import healthRoutes from './routes/health.js';

/** What the app plugin needs from its host. */
export interface AppOptions {
  config: Config;
  db: Database;
}

/** The whole HTTP application as one fastify plugin; `src/server.ts` is the thin entry. */
export default async function app(fastify: FastifyInstance, options: AppOptions) {
  await fastify.register(problem);
  await fastify.register(database, { db: options.db });
  await fastify.register(healthRoutes);
}
