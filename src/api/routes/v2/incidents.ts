import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { searchIncidents, type SearchRequest } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { keyParams, machineAccess, searchBodySchema } from './schemas.js';

/**
 * `POST /v2/incidents/search`, `GET /v2/incidents/{key}` and
 * `POST /v2/incidents/{key}/resolution` (a job incident makes its job activatable again).
 */
export default async function incidentRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { engine } = options.engine;

  fastify.post<{ Body: SearchRequest | null }>(
    '/incidents/search',
    { config: machineAccess, schema: { body: searchBodySchema } },
    async (request) => searchIncidents(fastify.db, request.body ?? {}),
  );

  fastify.get<{ Params: { incidentKey: string } }>(
    '/incidents/:incidentKey',
    { config: machineAccess, schema: { params: keyParams('incidentKey') } },
    async (request) => {
      const { incidentKey } = request.params;
      const { items } = await searchIncidents(fastify.db, { filter: { incidentKey } });
      if (!items[0]) throw new EngineError('NOT_FOUND', `incident ${incidentKey} not found`);
      return items[0];
    },
  );

  fastify.post<{ Params: { incidentKey: string } }>(
    '/incidents/:incidentKey/resolution',
    { config: machineAccess, schema: { params: keyParams('incidentKey') } },
    async (request, reply) => {
      await engine.resolveIncident(request.params.incidentKey);
      return reply.status(204).send();
    },
  );
}
