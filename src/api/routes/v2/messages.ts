import type { FastifyInstance } from 'fastify';
import { DEFAULT_TENANT } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { checkTenant, machineAccess, millisSchema, variablesSchema } from './schemas.js';

interface PublicationBody {
  name: string;
  correlationKey?: string;
  timeToLive?: number;
  messageId?: string;
  variables?: Record<string, unknown>;
  tenantId?: string;
}

/**
 * `POST /v2/messages/publication` (to every matching subscription and message start event,
 * buffered for `timeToLive` ms) and `POST /v2/messages/correlation` (now or never: answers the
 * instance that took it, 404 when none did).
 */
export default async function messageRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { engine } = options.engine;
  const messageProperties = {
    name: { type: 'string', minLength: 1, maxLength: 1000 },
    correlationKey: { type: 'string', maxLength: 1000 },
    variables: variablesSchema,
    tenantId: { type: 'string' },
  } as const;

  fastify.post<{ Body: PublicationBody }>(
    '/messages/publication',
    {
      config: machineAccess,
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: {
            ...messageProperties,
            timeToLive: { ...millisSchema, minimum: 0 },
            messageId: { type: 'string', maxLength: 1000 },
          },
        },
      },
    },
    async (request) => {
      const body = request.body;
      checkTenant(body.tenantId);
      const { messageKey } = await engine.publishMessage({
        name: body.name,
        correlationKey: body.correlationKey,
        variables: body.variables,
        timeToLiveMs: body.timeToLive,
        messageId: body.messageId || undefined,
      });
      return { tenantId: DEFAULT_TENANT, messageKey };
    },
  );

  fastify.post<{ Body: Omit<PublicationBody, 'timeToLive' | 'messageId'> }>(
    '/messages/correlation',
    { config: machineAccess, schema: { body: { type: 'object', required: ['name'], properties: messageProperties } } },
    async (request) => {
      const body = request.body;
      checkTenant(body.tenantId);
      const { messageKey, processInstanceKey } = await engine.correlateMessage({
        name: body.name,
        correlationKey: body.correlationKey,
        variables: body.variables,
      });
      return { tenantId: DEFAULT_TENANT, messageKey, processInstanceKey };
    },
  );
}
