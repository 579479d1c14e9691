import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { readProcessDefinitionXml, searchProcessDefinitions, type SearchRequest } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { keyParams, machineAccess, searchBodySchema } from './schemas.js';

/**
 * `POST /v2/process-definitions/search`, `GET /v2/process-definitions/{key}` and
 * `GET /v2/process-definitions/{key}/xml` (the deployed BPMN, byte for byte as text/xml).
 */
export default async function processDefinitionRoutes(fastify: FastifyInstance, _options: V2RouteOptions) {
  fastify.post<{ Body: SearchRequest | null }>(
    '/process-definitions/search',
    { config: machineAccess, schema: { body: searchBodySchema } },
    async (request) => searchProcessDefinitions(fastify.db, request.body ?? {}),
  );

  fastify.get<{ Params: { processDefinitionKey: string } }>(
    '/process-definitions/:processDefinitionKey',
    { config: machineAccess, schema: { params: keyParams('processDefinitionKey') } },
    async (request) => {
      const { processDefinitionKey } = request.params;
      const { items } = await searchProcessDefinitions(fastify.db, { filter: { processDefinitionKey } });
      if (!items[0]) throw new EngineError('NOT_FOUND', `process definition ${processDefinitionKey} not found`);
      return items[0];
    },
  );

  fastify.get<{ Params: { processDefinitionKey: string } }>(
    '/process-definitions/:processDefinitionKey/xml',
    { config: machineAccess, schema: { params: keyParams('processDefinitionKey') } },
    async (request, reply) => {
      const xml = await readProcessDefinitionXml(fastify.db, request.params.processDefinitionKey);
      if (xml === undefined) {
        throw new EngineError('NOT_FOUND', `process definition ${request.params.processDefinitionKey} not found`);
      }
      return reply.type('text/xml; charset=utf-8').send(xml);
    },
  );
}
