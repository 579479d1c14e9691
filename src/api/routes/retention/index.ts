/**
 * Retention: `POST /api/retention/run {dryRun}` (admin) runs it at once or reports what it would
 * do; a daily run starts with the server (src/domain/retention.ts holds the rules).
 */
import type { FastifyInstance } from 'fastify';
import { auditActor } from '../../../auth/audit.js';
import type { Config } from '../../../config.js';
import { runRetention } from '../../../domain/retention.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { routeOf } from '../../plugins/auth.js';
import { useProductErrors } from '../shared/product.js';
import { runBody } from './schemas.js';

/** How often the scheduled run comes. */
export const RETENTION_INTERVAL_MS = 24 * 3600 * 1000;

/** Registers the retention route and the daily run. */
export default async function retentionRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime; config: Config }) {
  useProductErrors(fastify);
  const { clock } = options.engine;
  const policy = { retentionYears: options.config.retentionYears, retentionHealthYears: options.config.retentionHealthYears };

  fastify.post<{ Body: { dryRun: boolean } }>(
    '/api/retention/run',
    { config: { access: ['admin'] }, schema: { body: runBody } },
    async (request) => {
      const report = await runRetention(fastify.db, policy, clock.now(), {
        dryRun: request.body.dryRun,
        actor: auditActor(request.principal),
        route: routeOf(request),
      });
      request.log.info(
        { dryRun: report.dryRun, anonymised: report.anonymise.clients.length, healthDeleted: report.deleteHealthData.clients.length },
        'retention run',
      );
      return report;
    },
  );

  // The daily run: one at a time; a failure is logged and the next day tries again.
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const runScheduled = () => {
    running ??= runRetention(fastify.db, policy, clock.now(), { dryRun: false, actor: { type: 'system', id: null } })
      .then((report) =>
        fastify.log.info(
          { anonymised: report.anonymise.clients.length, healthDeleted: report.deleteHealthData.clients.length },
          'scheduled retention run',
        ),
      )
      .catch((error: unknown) => fastify.log.error({ err: error }, 'scheduled retention run failed'))
      .finally(() => (running = undefined));
  };
  fastify.addHook('onReady', async () => {
    timer = setInterval(runScheduled, RETENTION_INTERVAL_MS);
    timer.unref();
  });
  fastify.addHook('preClose', async () => {
    clearInterval(timer);
    await running;
  });
}
