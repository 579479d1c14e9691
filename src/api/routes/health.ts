import type { FastifyInstance } from 'fastify';
import { currentMigration, readMigrations } from '../../db/index.js';
import { errors } from '../errors.js';

/** `GET /health`: the process is alive. `GET /ready`: database reachable, migrations applied. */
export default async function healthRoutes(fastify: FastifyInstance) {
  const latest = Math.max(0, ...(await readMigrations()).map((m) => m.id));

  fastify.get('/health', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  fastify.get('/ready', { logLevel: 'warn' }, async () => {
    let migration: number;
    let installationId: string;
    try {
      migration = await currentMigration(fastify.db);
      const { rows } = await fastify.db.query<{ installation_id: string }>('select installation_id from system_info');
      installationId = rows[0].installation_id;
    } catch (error) {
      throw new errors.DATABASE_NOT_READY('database unreachable', { cause: error });
    }
    if (migration < latest) throw new errors.DATABASE_NOT_READY(`migration ${migration} of ${latest} applied`);
    return { status: 'ready', database: fastify.db.kind, migration, installationId };
  });
}
