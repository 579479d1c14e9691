/**
 * The partner network: search, one partner with offers and contact persons, and adding a
 * partner (supervisors and admins). Partners are organisations, shared by every team.
 */
import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../../domain/case-queries.js';
import { createPartner, getPartner, searchPartners, type NewPartner } from '../../../domain/partners.js';
import type { LifeDomain } from '../../../domain/programmes.js';
import { appendRequestAudit, CASEWORK_ROLES, SUPERVISION_ROLES, useProductErrors } from '../shared/product.js';
import { partnerBody, partnerParams, partnerQuery } from './schemas.js';

/** Registers the partner routes. */
export default async function partnerRoutes(fastify: FastifyInstance) {
  useProductErrors(fastify);
  const db = fastify.db;

  fastify.get<{ Querystring: { q?: string; region?: string; lifeDomain?: LifeDomain } }>(
    '/api/partners',
    { config: { access: CASEWORK_ROLES }, schema: { querystring: partnerQuery } },
    async (request) => {
      const { q, region, lifeDomain } = request.query;
      return searchPartners(db, { name: q, region, lifeDomain });
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/partners/:id',
    { config: { access: CASEWORK_ROLES }, schema: { params: partnerParams } },
    async (request) => getPartner(db, request.params.id),
  );

  fastify.post<{ Body: NewPartner }>(
    '/api/partners',
    { config: { access: SUPERVISION_ROLES }, schema: { body: partnerBody } },
    async (request, reply) => {
      const partner = await db.transaction(async (tx) => {
        const created = await createPartner(inTransaction(tx, db.kind), request.body);
        await appendRequestAudit(tx, request, { action: 'partner.create', recordType: 'partner', recordId: created.id });
        return created;
      });
      return reply.status(201).send(partner);
    },
  );
}
