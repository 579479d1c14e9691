import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../../db/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

/** Makes the database available as `fastify.db`; its owner (`server.ts`) closes it. */
export default fp(
  async function databasePlugin(fastify: FastifyInstance, options: { db: Database }) {
    fastify.decorate('db', options.db);
  },
  { name: 'database' },
);
