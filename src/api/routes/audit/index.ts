import type { FastifyInstance } from 'fastify';
import { auditActor, listAudit, recordAudit } from '../../../auth/audit.js';
import { errors } from '../../errors.js';
import { requireUser, routeOf } from '../../plugins/auth.js';

const auditRowSchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actorType: { type: 'string' },
    actorId: { type: ['string', 'null'] },
    action: { type: 'string' },
    recordType: { type: ['string', 'null'] },
    recordId: { type: ['string', 'null'] },
    teamId: { type: ['string', 'null'] },
    route: { type: ['string', 'null'] },
    outcome: { type: 'string' },
    details: { type: ['object', 'null'], additionalProperties: true },
    hash: { type: 'string' },
  },
} as const;

/**
 * `GET /api/audit`: the audit trail, newest first, read only (no route changes or deletes
 * audit rows). An admin reads every row; a supervisor the rows of the teams they supervise.
 * Reading it is itself audited.
 */
export default async function auditRoutes(fastify: FastifyInstance) {
  fastify.get<{ Querystring: { limit: number; beforeSeq?: number } }>(
    '/api/audit',
    {
      config: { access: ['supervisor', 'admin'] },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            // A bigint column: a larger number would fail the query instead of finding no rows.
            beforeSeq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              rows: { type: 'array', items: auditRowSchema },
              nextBeforeSeq: { type: ['integer', 'null'] },
            },
          },
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const teamIds = user.memberships.some((m) => m.role === 'admin')
        ? 'all'
        : user.memberships.filter((m) => m.role === 'supervisor' && m.teamId).map((m) => m.teamId!);
      if (teamIds !== 'all' && teamIds.length === 0) throw new errors.FORBIDDEN();
      const page = await listAudit(fastify.db, { teamIds, ...request.query });
      await recordAudit(fastify.db, {
        actor: auditActor(user),
        action: 'audit.read',
        recordType: 'audit',
        route: routeOf(request),
        outcome: 'success',
        details: { count: page.rows.length, beforeSeq: request.query.beforeSeq ?? null },
      });
      return page;
    },
  );
}
