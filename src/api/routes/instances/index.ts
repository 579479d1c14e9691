/**
 * Process instances for supervisors: search, CSV export of the same search, one instance with
 * its history, incidents and open user tasks (the task is one step away), and retrying an
 * incident. Scoped to the cases of the caller's teams (an admin: every instance).
 */
import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../../../auth/audit.js';
import { errors } from '../../errors.js';
import {
  readIncidentScope,
  readInstance,
  searchInstances,
  type InstanceQuery,
} from '../../../engine/embedded/product-queries.js';
import type { EngineRuntime } from '../../../engine/index.js';
import {
  assertTeamVisible,
  auditOf,
  decodeCursor,
  encodeCursor,
  productErrors,
  SUPERVISION_ROLES,
  keyParam,
  teamGuard,
  teamsOf,
  useProductErrors,
} from '../shared/product.js';
import { csvQuery, incidentParams, instanceParams, instanceQuery } from './schemas.js';

const CSV_COLUMNS = ['instanceKey', 'processId', 'version', 'state', 'hasIncident', 'caseId', 'casePseudonym', 'startedAt', 'endedAt'] as const;

/** Registers the instance and incident routes. */
export default async function instanceRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  useProductErrors(fastify);
  const db = fastify.db;
  const { engine } = options.engine;

  /** Refuses (403, audited) a record without a case to anyone but an admin, and another team's. */
  async function assertVisible(request: FastifyRequest, teamId: string | null, recordType: string, recordId: string) {
    if (teamId !== null) return assertTeamVisible(request, teamId, recordType, recordId);
    if (teamsOf(request) === 'all') return;
    await recordAudit(db, auditOf(request, { action: 'access.denied', recordType, recordId, outcome: 'denied' }));
    throw new errors.FORBIDDEN();
  }

  fastify.get<{ Querystring: InstanceQuery & { limit: number; cursor?: string } }>(
    '/api/instances',
    { config: { access: SUPERVISION_ROLES }, schema: { querystring: instanceQuery } },
    async (request) => {
      const { limit, cursor, ...query } = request.query;
      const offset = decodeCursor(cursor);
      const page = await searchInstances(db, { scope: teamsOf(request), query, limit, offset });
      const items = page.items.map(({ teamId: _teamId, ...item }) => item);
      return { items, total: page.total, nextCursor: offset + items.length < page.total ? encodeCursor(offset + items.length) : null };
    },
  );

  fastify.get<{ Querystring: InstanceQuery & { limit: number; cursor?: string } }>(
    '/api/instances.csv',
    { config: { access: SUPERVISION_ROLES }, schema: { querystring: csvQuery } },
    async (request, reply) => {
      const { limit, cursor, ...query } = request.query;
      const page = await searchInstances(db, { scope: teamsOf(request), query, limit, offset: decodeCursor(cursor) });
      await recordAudit(db, auditOf(request, { action: 'instance.export', recordType: 'process-instance', details: { rows: page.items.length } }));
      const csv = stringify(
        page.items.map((item) => CSV_COLUMNS.map((column) => item[column] ?? '')),
        // Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe.
        { header: true, columns: [...CSV_COLUMNS], cast: { boolean: (value) => String(value), string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value) } },
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="instances.csv"')
        .send(csv);
    },
  );

  fastify.get<{ Params: { instanceKey: string } }>(
    '/api/instances/:instanceKey',
    {
      config: { access: SUPERVISION_ROLES },
      preValidation: teamGuard(async (request) => {
        const key = keyParam(request, 'instanceKey');
        const instance = key ? await readInstance(db, key) : undefined;
        return instance ? { teamId: instance.teamId, recordType: 'process-instance', recordId: instance.instanceKey } : undefined;
      }),
      schema: { params: instanceParams },
    },
    async (request) => {
      const instance = await readInstance(db, request.params.instanceKey);
      if (!instance) throw new productErrors.INSTANCE_NOT_FOUND(request.params.instanceKey);
      await assertVisible(request, instance.teamId, 'process-instance', instance.instanceKey);
      const { teamId: _teamId, ...rest } = instance;
      return rest;
    },
  );

  fastify.post<{ Params: { incidentKey: string } }>(
    '/api/incidents/:incidentKey/retry',
    {
      config: { access: SUPERVISION_ROLES },
      preValidation: teamGuard(async (request) => {
        const key = keyParam(request, 'incidentKey');
        const scope = key ? await readIncidentScope(db, key) : undefined;
        return scope ? { teamId: scope.teamId, recordType: 'incident', recordId: key! } : undefined;
      }),
      schema: { params: incidentParams },
    },
    async (request, reply) => {
      const scope = await readIncidentScope(db, request.params.incidentKey);
      if (!scope) throw new productErrors.INCIDENT_NOT_FOUND(request.params.incidentKey);
      await assertVisible(request, scope.teamId, 'incident', request.params.incidentKey);
      await engine.resolveIncident(request.params.incidentKey);
      await recordAudit(
        db,
        auditOf(request, { action: 'incident.retry', recordType: 'incident', recordId: request.params.incidentKey, teamId: scope.teamId }),
      );
      return reply.status(204).send();
    },
  );
}
