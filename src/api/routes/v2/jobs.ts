import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { DEFAULT_TENANT } from '../../../engine/embedded/search.js';
import type { V2RouteOptions } from './index.js';
import { checkTenant, int32Schema, keyParams, machineAccess, millisSchema, refuseUnsupported, variablesSchema } from './schemas.js';

/** Long-poll time when the client asks for the default (`requestTimeout` 0 or absent), as Zeebe's gateway. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Longest long poll served; a client asking for more gets this (and simply polls again). */
export const MAX_REQUEST_TIMEOUT_MS = 60_000;
/**
 * Longest sleep between two activation attempts of one long poll. New jobs of this process wake
 * it at once; this bounds the delay for jobs that became activatable otherwise (a retry
 * back-off that ran out, another API process on the same database).
 */
const RECHECK_MS = 500;

interface ActivationBody {
  type: string;
  worker?: string;
  timeout: number;
  maxJobsToActivate: number;
  fetchVariable?: string[];
  requestTimeout?: number;
  tenantIds?: string[];
}

const jobKeyParams = keyParams('jobKey');

/**
 * Jobs for workers: `POST /v2/jobs/activation` (long polling), `POST /v2/jobs/{key}/completion`,
 * `/failure`, `/error`, and `PATCH /v2/jobs/{key}` (retries, timeout).
 */
export default async function jobRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { engine } = options.engine;

  fastify.post<{ Body: ActivationBody }>(
    '/jobs/activation',
    {
      config: machineAccess,
      schema: {
        body: {
          type: 'object',
          required: ['type', 'timeout', 'maxJobsToActivate'],
          properties: {
            type: { type: 'string', minLength: 1, maxLength: 1000 },
            worker: { type: 'string', maxLength: 1000 },
            timeout: { ...millisSchema, minimum: 1 },
            maxJobsToActivate: { type: 'integer', minimum: 1, maximum: 10_000 },
            fetchVariable: { type: 'array', items: { type: 'string' } },
            requestTimeout: millisSchema,
            tenantIds: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      for (const tenantId of body.tenantIds ?? []) checkTenant(tenantId);
      // Negative: answer at once; 0 or absent: the default; otherwise that long, within bounds.
      const wait =
        body.requestTimeout === undefined || body.requestTimeout === 0
          ? DEFAULT_REQUEST_TIMEOUT_MS
          : Math.min(Math.max(body.requestTimeout, 0), MAX_REQUEST_TIMEOUT_MS);
      const until = Date.now() + wait;
      // A worker that stops cancels its poll: stop waiting for it (and never activate for it).
      const gone = new AbortController();
      reply.raw.on('close', () => gone.abort());
      const stop = AbortSignal.any([gone.signal, options.closing]);
      // The server may learn that a worker left only as it answers: jobs activated for a worker
      // that never got them go back at once instead of waiting for their lock to run out.
      const giveBackIfUndelivered = (jobKeys: string[]) => {
        const giveBack = () => {
          for (const jobKey of jobKeys) engine.unlockJob(jobKey).catch(() => undefined);
        };
        if (gone.signal.aborted) return giveBack();
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) giveBack();
        });
      };
      for (;;) {
        if (gone.signal.aborted) return reply.status(204).send();
        const jobs = await engine.activateJobs({
          type: body.type,
          worker: body.worker ?? '',
          timeoutMs: body.timeout,
          maxJobsToActivate: body.maxJobsToActivate,
          fetchVariable: body.fetchVariable,
        });
        if (jobs.length > 0) giveBackIfUndelivered(jobs.map((job) => job.jobKey));
        const remaining = until - Date.now();
        if (jobs.length > 0 || remaining <= 0 || stop.aborted) {
          return {
            jobs: jobs.map((job) => ({
              ...job,
              deadline: Date.parse(job.deadline),
              tenantId: DEFAULT_TENANT,
              kind: 'BPMN_ELEMENT',
              listenerEventType: 'UNSPECIFIED',
            })),
          };
        }
        await engine.waitForJobs([body.type], Math.min(remaining, RECHECK_MS), stop);
      }
    },
  );

  fastify.post<{ Params: { jobKey: string }; Body: { variables?: Record<string, unknown> | null; result?: unknown } | undefined }>(
    '/jobs/:jobKey/completion',
    {
      config: machineAccess,
      schema: {
        params: jobKeyParams,
        body: { type: ['object', 'null'], properties: { variables: { ...variablesSchema, type: ['object', 'null'] } } },
      },
    },
    async (request, reply) => {
      refuseUnsupported('result (job results of task listeners and ad-hoc subprocesses)', request.body?.result);
      await engine.completeJob(request.params.jobKey, request.body?.variables ?? {});
      return reply.status(204).send();
    },
  );

  fastify.post<{
    Params: { jobKey: string };
    Body: { retries?: number; errorMessage?: string; retryBackOff?: number; variables?: Record<string, unknown> } | undefined;
  }>(
    '/jobs/:jobKey/failure',
    {
      config: machineAccess,
      schema: {
        params: jobKeyParams,
        body: {
          type: ['object', 'null'],
          properties: {
            retries: { ...int32Schema, minimum: 0 },
            errorMessage: { type: 'string' },
            retryBackOff: { ...millisSchema, minimum: 0 },
            variables: variablesSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      if (body.variables && Object.keys(body.variables).length > 0) {
        throw new EngineError('INVALID_ARGUMENT', 'variables on a job failure are not supported by this engine');
      }
      // Camunda's default: no retries left, which raises an incident.
      await engine.failJob(request.params.jobKey, {
        retries: body.retries ?? 0,
        errorMessage: body.errorMessage,
        retryBackOffMs: body.retryBackOff,
      });
      return reply.status(204).send();
    },
  );

  fastify.post<{
    Params: { jobKey: string };
    Body: { errorCode: string; errorMessage?: string | null; variables?: Record<string, unknown> | null };
  }>(
    '/jobs/:jobKey/error',
    {
      config: machineAccess,
      schema: {
        params: jobKeyParams,
        body: {
          type: 'object',
          required: ['errorCode'],
          properties: {
            errorCode: { type: 'string', minLength: 1 },
            errorMessage: { type: ['string', 'null'] },
            variables: { ...variablesSchema, type: ['object', 'null'] },
          },
        },
      },
    },
    async (request, reply) => {
      await engine.throwJobError(request.params.jobKey, {
        errorCode: request.body.errorCode,
        errorMessage: request.body.errorMessage ?? undefined,
        variables: request.body.variables ?? {},
      });
      return reply.status(204).send();
    },
  );

  fastify.patch<{ Params: { jobKey: string }; Body: { changeset: { retries?: number | null; timeout?: number | null } } }>(
    '/jobs/:jobKey',
    {
      config: machineAccess,
      schema: {
        params: jobKeyParams,
        body: {
          type: 'object',
          required: ['changeset'],
          properties: {
            changeset: {
              type: 'object',
              properties: {
                retries: { ...int32Schema, type: ['integer', 'null'] },
                timeout: { ...millisSchema, type: ['integer', 'null'], minimum: 1 },
              },
            },
            operationReference: { type: 'integer' },
          },
        },
      },
    },
    async (request, reply) => {
      const { retries, timeout } = request.body.changeset;
      await engine.updateJob(request.params.jobKey, { retries: retries ?? undefined, timeoutMs: timeout ?? undefined });
      return reply.status(204).send();
    },
  );
}
