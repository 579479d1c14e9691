import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../../../engine/errors.js';
import {
  DEFAULT_TENANT,
  readInstanceOutcome,
  searchProcessInstances,
  type SearchRequest,
} from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import {
  checkTenant,
  int32Schema,
  keyParams,
  keySchema,
  machineAccess,
  millisSchema,
  refuseUnsupported,
  searchBodySchema,
  variablesSchema,
} from './schemas.js';

interface CreateBody {
  processDefinitionId?: string;
  processDefinitionKey?: string;
  processDefinitionVersion?: number;
  variables?: Record<string, unknown>;
  tenantId?: string;
  startInstructions?: unknown[];
  runtimeInstructions?: unknown[];
  awaitCompletion?: boolean;
  fetchVariables?: string[];
  requestTimeout?: number;
  tags?: string[];
}

/** How long `awaitCompletion` waits by default (Camunda's gateway default request timeout). */
const DEFAULT_AWAIT_MS = 10_000;
/** How often an awaited instance is looked at. */
const AWAIT_POLL_MS = 25;

/**
 * `POST /v2/process-instances` (create, optionally awaiting completion),
 * `POST /v2/process-instances/{key}/cancellation`, `POST /v2/process-instances/search`,
 * `GET /v2/process-instances/{key}`.
 */
export default async function processInstanceRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { engine } = options.engine;

  fastify.post<{ Body: CreateBody }>(
    '/process-instances',
    {
      config: machineAccess,
      schema: {
        body: {
          type: 'object',
          properties: {
            processDefinitionId: { type: 'string', minLength: 1 },
            processDefinitionKey: keySchema,
            processDefinitionVersion: int32Schema,
            variables: variablesSchema,
            tenantId: { type: 'string' },
            operationReference: { type: 'integer' },
            startInstructions: { type: 'array' },
            runtimeInstructions: { type: 'array' },
            awaitCompletion: { type: 'boolean' },
            fetchVariables: { type: 'array', items: { type: 'string' } },
            requestTimeout: millisSchema,
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      checkTenant(body.tenantId);
      refuseUnsupported('startInstructions', body.startInstructions);
      refuseUnsupported('runtimeInstructions', body.runtimeInstructions);
      refuseUnsupported('tags', body.tags);
      if (!body.processDefinitionId && !body.processDefinitionKey) {
        throw new EngineError('INVALID_ARGUMENT', 'processDefinitionId or processDefinitionKey is required');
      }
      const created = await engine.createInstance({
        processDefinitionId: body.processDefinitionKey ? undefined : body.processDefinitionId,
        processDefinitionKey: body.processDefinitionKey,
        // -1 is the API's "latest version".
        version: body.processDefinitionVersion !== undefined && body.processDefinitionVersion >= 0 ? body.processDefinitionVersion : undefined,
        variables: body.variables ?? {},
      });
      let variables: Record<string, unknown> = {};
      if (body.awaitCompletion) {
        variables = await awaitCompletion(created.processInstanceKey, body.requestTimeout, options.closing);
        if (body.fetchVariables?.length) {
          variables = Object.fromEntries(Object.entries(variables).filter(([name]) => body.fetchVariables!.includes(name)));
        }
      }
      return {
        processDefinitionId: created.processDefinitionId,
        processDefinitionVersion: created.version,
        tenantId: DEFAULT_TENANT,
        variables,
        processDefinitionKey: created.processDefinitionKey,
        processInstanceKey: created.processInstanceKey,
      };
    },
  );

  /** Waits for the instance to complete; its variables, or a 504 problem when time runs out. */
  async function awaitCompletion(key: string, requestTimeout: number | undefined, closing: AbortSignal) {
    const until = Date.now() + (requestTimeout && requestTimeout > 0 ? requestTimeout : DEFAULT_AWAIT_MS);
    for (;;) {
      const outcome = await readInstanceOutcome(fastify.db, key);
      if (outcome?.state === 'COMPLETED') return outcome.variables;
      if (outcome?.state === 'TERMINATED') {
        throw new EngineError('CONFLICT', `process instance ${key} was terminated before it completed`);
      }
      if (Date.now() >= until || closing.aborted) {
        throw Object.assign(new Error(`process instance ${key} did not complete within the request timeout`), {
          statusCode: 504,
          code: 'DEADLINE_EXCEEDED',
        });
      }
      await sleep(AWAIT_POLL_MS);
    }
  }

  fastify.post<{ Params: { processInstanceKey: string } }>(
    '/process-instances/:processInstanceKey/cancellation',
    { config: machineAccess, schema: { params: keyParams('processInstanceKey') } },
    async (request, reply) => {
      await engine.cancelInstance(request.params.processInstanceKey);
      return reply.status(204).send();
    },
  );

  fastify.post<{ Body: SearchRequest | null }>(
    '/process-instances/search',
    { config: machineAccess, schema: { body: searchBodySchema } },
    async (request) => searchProcessInstances(fastify.db, request.body ?? {}),
  );

  fastify.get<{ Params: { processInstanceKey: string } }>(
    '/process-instances/:processInstanceKey',
    { config: machineAccess, schema: { params: keyParams('processInstanceKey') } },
    async (request) => {
      const { processInstanceKey } = request.params;
      const { items } = await searchProcessInstances(fastify.db, { filter: { processInstanceKey } });
      if (!items[0]) throw new EngineError('NOT_FOUND', `process instance ${processInstanceKey} not found`);
      return items[0];
    },
  );
}
