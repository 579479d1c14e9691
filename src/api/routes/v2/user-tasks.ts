import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { searchUserTasks, type SearchRequest } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { keyParams, machineAccess, searchBodySchema, variablesSchema } from './schemas.js';

const userTaskKeyParams = keyParams('userTaskKey');

/**
 * Zeebe user tasks (`zeebe:userTask`): `POST /v2/user-tasks/search`, `GET /v2/user-tasks/{key}`,
 * `POST /v2/user-tasks/{key}/assignment`, `DELETE /v2/user-tasks/{key}/assignee` and
 * `POST /v2/user-tasks/{key}/completion`.
 */
export default async function userTaskRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { engine } = options.engine;

  const findTask = async (userTaskKey: string) => {
    const { items } = await searchUserTasks(fastify.db, { filter: { userTaskKey } });
    if (!items[0]) throw new EngineError('NOT_FOUND', `user task ${userTaskKey} not found`);
    return items[0];
  };

  fastify.post<{ Body: SearchRequest | null }>(
    '/user-tasks/search',
    { config: machineAccess, schema: { body: searchBodySchema } },
    async (request) => searchUserTasks(fastify.db, request.body ?? {}),
  );

  fastify.get<{ Params: { userTaskKey: string } }>(
    '/user-tasks/:userTaskKey',
    { config: machineAccess, schema: { params: userTaskKeyParams } },
    async (request) => findTask(request.params.userTaskKey),
  );

  fastify.post<{ Params: { userTaskKey: string }; Body: { assignee: string; allowOverride?: boolean | null; action?: string | null } }>(
    '/user-tasks/:userTaskKey/assignment',
    {
      config: machineAccess,
      schema: {
        params: userTaskKeyParams,
        body: {
          type: 'object',
          required: ['assignee'],
          properties: {
            assignee: { type: 'string', minLength: 1, maxLength: 256 },
            allowOverride: { type: ['boolean', 'null'] },
            action: { type: ['string', 'null'] },
          },
        },
      },
    },
    async (request, reply) => {
      const { userTaskKey } = request.params;
      const { assignee, allowOverride } = request.body;
      if (allowOverride === false) {
        const task = await findTask(userTaskKey);
        if (task.assignee !== undefined && task.assignee !== assignee) {
          throw new EngineError('CONFLICT', `user task ${userTaskKey} is already assigned to someone else`);
        }
      }
      await engine.assignUserTask(userTaskKey, assignee);
      return reply.status(204).send();
    },
  );

  fastify.delete<{ Params: { userTaskKey: string } }>(
    '/user-tasks/:userTaskKey/assignee',
    { config: machineAccess, schema: { params: userTaskKeyParams } },
    async (request, reply) => {
      await engine.assignUserTask(request.params.userTaskKey, null);
      return reply.status(204).send();
    },
  );

  fastify.post<{ Params: { userTaskKey: string }; Body: { variables?: Record<string, unknown> | null; action?: string | null } | undefined }>(
    '/user-tasks/:userTaskKey/completion',
    {
      config: machineAccess,
      schema: {
        params: userTaskKeyParams,
        body: {
          type: ['object', 'null'],
          properties: { variables: { ...variablesSchema, type: ['object', 'null'] }, action: { type: ['string', 'null'] } },
        },
      },
    },
    async (request, reply) => {
      await engine.completeUserTask(request.params.userTaskKey, request.body?.variables ?? {});
      return reply.status(204).send();
    },
  );
}
