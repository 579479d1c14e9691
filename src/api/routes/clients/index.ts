/**
 * `GET /api/clients/:clientId/export` (admin): everything stored about one client (DSGVO
 * Art. 15), audited in the transaction that read it.
 */
import type { FastifyInstance } from 'fastify';
import { exportClient } from '../../../domain/client-export.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { appendRequestAudit, useProductErrors } from '../shared/product.js';
import { clientParams } from './schemas.js';

/** Registers the client export route. */
export default async function clientRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  useProductErrors(fastify);
  const { clock } = options.engine;

  fastify.get<{ Params: { clientId: string } }>(
    '/api/clients/:clientId/export',
    { config: { access: ['admin'] }, schema: { params: clientParams } },
    async (request, reply) => {
      const document = await fastify.db.transaction(async (tx) => {
        const exported = await exportClient(tx, request.params.clientId, clock.now());
        await appendRequestAudit(tx, request, { action: 'client.export', recordType: 'client', recordId: request.params.clientId });
        return exported;
      });
      request.log.info({ clientId: request.params.clientId }, 'client data exported');
      return reply.header('content-disposition', `attachment; filename="client-${request.params.clientId}.json"`).send(document);
    },
  );
}
