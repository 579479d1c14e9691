import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { readVariable, searchVariables, type SearchRequest } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { keyParams, machineAccess, searchBodySchema } from './schemas.js';

/**
 * `POST /v2/variables/search` (values as JSON text, truncated as Camunda truncates them) and
 * `GET /v2/variables/{key}` (the whole value).
 */
export default async function variableRoutes(fastify: FastifyInstance, _options: V2RouteOptions) {
  fastify.post<{ Body: SearchRequest | null }>(
    '/variables/search',
    { config: machineAccess, schema: { body: searchBodySchema } },
    async (request) => searchVariables(fastify.db, request.body ?? {}),
  );

  fastify.get<{ Params: { variableKey: string } }>(
    '/variables/:variableKey',
    { config: machineAccess, schema: { params: keyParams('variableKey') } },
    async (request) => {
      const variable = await readVariable(fastify.db, request.params.variableKey);
      if (!variable) throw new EngineError('NOT_FOUND', `variable ${request.params.variableKey} not found`);
      return variable;
    },
  );
}
