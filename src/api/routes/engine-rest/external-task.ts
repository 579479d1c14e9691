/**
 * Camunda 7's external-task protocol over the engine's jobs: a topic is a job type, a task id is
 * a job key. What camunda-external-task-client-js 3.1 calls — fetchAndLock (with long polling),
 * complete, failure, bpmnError, extendLock, unlock — answered as Camunda 7 answers it.
 *
 * Deliberate differences, because the engine has Camunda 8 semantics underneath:
 * - `localVariables` of a completion are checked but not stored: they would end with the task
 *   anyway, and this dialect has no Camunda 7 output parameters that could read them.
 * - A task whose lock ran out (or that was unlocked) can still be completed, failed or
 *   answered with a BPMN error by any worker, as long as no other worker has fetched it since;
 *   Camunda 7 likewise accepts a late completion from the worker whose lock ran out.
 * - Filters the engine cannot apply while activating (business key, process definition,
 *   process variables, version tag) are refused with 400 rather than ignored.
 * - Retries are the job's retries (Camunda 8 starts with the modelled count; Camunda 7 with null).
 */
import type { FastifyInstance } from 'fastify';
import type { EmbeddedEngine } from '../../../engine/index.js';
import type { ActivatedJob } from '../../../engine/embedded/engine.js';
import { CamundaRestError, invalidRequest, sendJson, taskNotFound } from './errors.js';
import {
  bpmnErrorSchema,
  completeSchema,
  extendLockSchema,
  failureSchema,
  fetchAndLockSchema,
  MAX_ASYNC_RESPONSE_TIMEOUT_MS,
  unlockSchema,
  type BpmnErrorBody,
  type CompleteBody,
  type ExtendLockBody,
  type FailureBody,
  type FetchAndLockBody,
  type FetchTopic,
  type TaskParams,
} from './schemas.js';
import { formatCamundaDate, fromTypedVariables, toTypedVariables } from './variables.js';

/**
 * How long a long poll waits for a wake-up before it looks again. Wake-ups come only for jobs
 * made by this process; jobs made by another API process on the same database, or whose retry
 * back-off ended, are found by looking again.
 */
export const LONG_POLL_RECHECK_MS = 2_000;

/** Topic filters the engine cannot apply while it activates jobs. */
const UNSUPPORTED_FILTERS = [
  'businessKey',
  'processDefinitionId',
  'processDefinitionIdIn',
  'processDefinitionKey',
  'processDefinitionKeyIn',
  'processDefinitionVersionTag',
  'processVariables',
] as const;

/** Options of {@link externalTaskRoutes}. */
export interface ExternalTaskRoutesOptions {
  engine: EmbeddedEngine;
  /** Long polls in flight; the prefix plugin ends them all when the server closes. */
  pendingPolls: Set<AbortController>;
}

/** Largest int64: a longer id would fail the key column's cast instead of finding nothing. */
const MAX_KEY = 2n ** 63n - 1n;

/** A task id is a job key: an int64 in decimal. Anything else names no task. */
function checkTaskId(id: string): void {
  if (!/^\d{1,19}$/.test(id) || BigInt(id) > MAX_KEY) throw taskNotFound(id);
}

/** Turns the engine's NOT_FOUND for a job into Camunda 7's answer for an unknown task. */
async function onTask<T>(id: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') throw taskNotFound(id);
    throw error;
  }
}

/**
 * Runs a job command for `workerId`: the engine refuses it under the job's lock when another
 * worker holds it, and the refusal is answered with Camunda 7's message (`what` is its wording
 * per command).
 */
async function asLockHolder(
  engine: EmbeddedEngine,
  id: string,
  workerId: string,
  what: string,
  command: () => Promise<void>,
): Promise<void> {
  try {
    await onTask(id, command);
  } catch (error) {
    if ((error as { code?: string }).code !== 'CONFLICT') throw error;
    const holder = (await engine.jobWorker(id)) ?? 'another worker';
    throw new CamundaRestError(400, 'RestException', `${what} '${workerId}'. It is locked by worker '${holder}'.`);
  }
}

/** Registers the /external-task routes (the prefix plugin adds `/engine-rest`). */
export default async function externalTaskRoutes(fastify: FastifyInstance, options: ExternalTaskRoutesOptions) {
  const { engine, pendingPolls } = options;
  const access = { access: 'machine' } as const;

  fastify.post<{ Body: FetchAndLockBody }>(
    '/external-task/fetchAndLock',
    { config: access, schema: fetchAndLockSchema },
    async (request, reply) => {
      const body = request.body;
      const timeoutMs = body.asyncResponseTimeout ?? 0;
      if (timeoutMs > MAX_ASYNC_RESPONSE_TIMEOUT_MS) {
        throw invalidRequest(
          `The asynchronous response timeout cannot be set to a value greater than ${MAX_ASYNC_RESPONSE_TIMEOUT_MS} milliseconds`,
        );
      }
      if (body.sorting?.some((sorting) => sorting.sortOrder === 'desc')) {
        // Jobs are activated oldest first; newest first would need the engine to order them so.
        throw invalidRequest('Sorting by createTime in descending order is not supported by this engine');
      }
      const topics = body.topics ?? [];
      for (const topic of topics) {
        const filter = UNSUPPORTED_FILTERS.find((name) => topic[name] !== undefined && topic[name] !== null);
        if (filter) {
          throw invalidRequest(`Topic '${topic.topicName}': the filter '${filter}' is not supported by this engine`);
        }
      }
      const maxTasks = body.maxTasks ?? 0;
      // There are no tenants here: a topic asking for some tenants' tasks finds none.
      const fetchable = topics.filter((topic) => !topic.tenantIdIn?.length);

      const controller = new AbortController();
      pendingPolls.add(controller);
      // A client that gives up (or a server that closes) ends the wait; nothing is locked then.
      const onClose = () => {
        if (!reply.raw.writableEnded) controller.abort();
      };
      reply.raw.once('close', onClose);
      try {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          if (controller.signal.aborted) return sendJson(reply, 200, []);
          const tasks = await lockTasks(engine, body.workerId, fetchable, maxTasks);
          const remaining = deadline - Date.now();
          if (tasks.length > 0 || remaining <= 0 || maxTasks === 0 || fetchable.length === 0) {
            return sendJson(reply, 200, tasks);
          }
          await engine.waitForJobs(
            fetchable.map((topic) => topic.topicName),
            Math.min(remaining, LONG_POLL_RECHECK_MS),
            controller.signal,
          );
        }
      } finally {
        pendingPolls.delete(controller);
        reply.raw.removeListener('close', onClose);
      }
    },
  );

  fastify.post<{ Params: TaskParams; Body: CompleteBody }>(
    '/external-task/:id/complete',
    { config: access, schema: completeSchema },
    async (request, reply) => {
      const { id } = request.params;
      checkTaskId(id);
      const variables = fromTypedVariables(request.body.variables);
      // Checked for the client's sake; not stored (see the module comment).
      fromTypedVariables(request.body.localVariables);
      const workerId = request.body.workerId;
      await asLockHolder(engine, id, workerId, `External Task ${id} cannot be completed by worker`, () =>
        engine.completeJob(id, variables, { worker: workerId }),
      );
      return reply.code(204).send();
    },
  );

  fastify.post<{ Params: TaskParams; Body: FailureBody }>(
    '/external-task/:id/failure',
    { config: access, schema: failureSchema },
    async (request, reply) => {
      const { id } = request.params;
      checkTaskId(id);
      const { workerId, errorMessage, retries, retryTimeout } = request.body;
      // errorDetails (a stack trace, typically) is not kept: the engine stores one message per job.
      await asLockHolder(engine, id, workerId, `Failure of External Task ${id} cannot be reported by worker`, () =>
        engine.failJob(
          id,
          { retries: retries ?? 0, errorMessage: errorMessage ?? undefined, retryBackOffMs: retryTimeout ?? 0 },
          { worker: workerId },
        ),
      );
      return reply.code(204).send();
    },
  );

  fastify.post<{ Params: TaskParams; Body: BpmnErrorBody }>(
    '/external-task/:id/bpmnError',
    { config: access, schema: bpmnErrorSchema },
    async (request, reply) => {
      const { id } = request.params;
      checkTaskId(id);
      const { workerId, errorCode, errorMessage } = request.body;
      const variables = fromTypedVariables(request.body.variables);
      await asLockHolder(engine, id, workerId, `Bpmn error of External Task ${id} cannot be reported by worker`, () =>
        engine.throwJobError(id, { errorCode, errorMessage: errorMessage ?? undefined, variables }, { worker: workerId }),
      );
      return reply.code(204).send();
    },
  );

  fastify.post<{ Params: TaskParams; Body: ExtendLockBody }>(
    '/external-task/:id/extendLock',
    { config: access, schema: extendLockSchema },
    async (request, reply) => {
      const { id } = request.params;
      checkTaskId(id);
      const { workerId, newDuration } = request.body;
      // The extension itself is atomic (it names the worker); this read only picks the message.
      const holder = await engine.jobWorker(id);
      if (holder !== undefined && holder !== workerId) {
        throw new CamundaRestError(
          400,
          'RestException',
          `The lock of the External Task ${id} cannot be extended by worker '${workerId}'. It is locked by worker '${holder}'.`,
        );
      }
      // The engine does not tell "no such task" from "lock ran out": both answer 404 here.
      await onTask(id, () => engine.extendJobLock(id, workerId, newDuration));
      return reply.code(204).send();
    },
  );

  fastify.post<{ Params: TaskParams }>(
    '/external-task/:id/unlock',
    { config: access, schema: unlockSchema },
    async (request, reply) => {
      const { id } = request.params;
      checkTaskId(id);
      await onTask(id, () => engine.unlockJob(id));
      return reply.code(204).send();
    },
  );
}

/** Locks up to `maxTasks` tasks over `topics`, in topic order, as Camunda 7's LockedExternalTaskDto. */
async function lockTasks(engine: EmbeddedEngine, workerId: string, topics: FetchTopic[], maxTasks: number) {
  const locked: ReturnType<typeof toLockedTask>[] = [];
  for (const topic of topics) {
    const wanted = maxTasks - locked.length;
    if (wanted <= 0) break;
    const names = topic.variables ?? undefined;
    const jobs = await engine.activateJobs({
      type: topic.topicName,
      worker: workerId,
      timeoutMs: topic.lockDuration,
      maxJobsToActivate: wanted,
      fetchVariable: names?.length ? names : undefined,
    });
    for (const job of jobs) {
      // An empty list asks for no variables; the engine reads an empty list as "all".
      if (names && names.length === 0) job.variables = {};
      locked.push(toLockedTask(job, topic));
    }
  }
  return locked;
}

/** An activated job in the shape of Camunda 7's LockedExternalTaskDto. */
function toLockedTask(job: ActivatedJob, topic: FetchTopic) {
  return {
    id: job.jobKey,
    topicName: job.type,
    workerId: job.worker,
    lockExpirationTime: formatCamundaDate(job.deadline),
    // Camunda 7's processDefinitionId names one deployed version, its key the BPMN process id.
    processDefinitionId: job.processDefinitionKey,
    processDefinitionKey: job.processDefinitionId,
    processDefinitionVersionTag: null,
    processInstanceId: job.processInstanceKey,
    activityId: job.elementId,
    activityInstanceId: job.elementInstanceKey,
    executionId: job.elementInstanceKey,
    retries: job.retries,
    errorMessage: null,
    errorDetails: null,
    businessKey: null,
    tenantId: null,
    priority: 0,
    variables: toTypedVariables(job.variables),
    // zeebe:taskHeaders are this dialect's counterpart of camunda:properties.
    extensionProperties: topic.includeExtensionProperties ? job.customHeaders : {},
  };
}
