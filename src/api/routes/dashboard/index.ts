/**
 * `GET /api/dashboard`: the supervisor's view over the cases of their teams (an admin: all) —
 * cases by phase and programme, overdue tasks, releases in the next six months, referrals whose
 * answer is overdue, open incidents. Pseudonyms and ids only.
 */
import type { FastifyInstance } from 'fastify';
import { readCaseFigures } from '../../../domain/case-queries.js';
import { toIsoDate } from '../../../domain/dates.js';
import { listActiveIncidents, listOverdueTasks } from '../../../engine/embedded/product-queries.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { SUPERVISION_ROLES, teamsOf, useProductErrors } from '../shared/product.js';

/** Registers the dashboard route. */
export default async function dashboardRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  useProductErrors(fastify);
  const { clock } = options.engine;

  fastify.get('/api/dashboard', { config: { access: SUPERVISION_ROLES } }, async (request) => {
    const scope = teamsOf(request);
    const now = clock.now();
    const figures = await readCaseFigures(fastify.db, scope, now, toIsoDate(now));
    const overdueTasks = (await listOverdueTasks(fastify.db, scope, now)).map(({ teamId: _teamId, ...task }) => task);
    const incidents = await listActiveIncidents(fastify.db, scope);
    return { ...figures, overdueTasks, incidents };
  });
}
