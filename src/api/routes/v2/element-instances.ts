import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { searchElementInstances, type SearchRequest } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { keyParams, machineAccess, searchBodySchema } from './schemas.js';

/** `POST /v2/element-instances/search` and `GET /v2/element-instances/{key}`: the token history. */
export default async function elementInstanceRoutes(fastify: FastifyInstance, _options: V2RouteOptions) {
  fastify.post<{ Body: SearchRequest | null }>(
    '/element-instances/search',
    { config: machineAccess, schema: { body: searchBodySchema } },
    async (request) => searchElementInstances(fastify.db, request.body ?? {}),
  );

  fastify.get<{ Params: { elementInstanceKey: string } }>(
    '/element-instances/:elementInstanceKey',
    { config: machineAccess, schema: { params: keyParams('elementInstanceKey') } },
    async (request) => {
      const { elementInstanceKey } = request.params;
      const { items } = await searchElementInstances(fastify.db, { filter: { elementInstanceKey } });
      if (!items[0]) throw new EngineError('NOT_FOUND', `element instance ${elementInstanceKey} not found`);
      return items[0];
    },
  );
}
