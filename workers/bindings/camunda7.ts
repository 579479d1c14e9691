/**
 * Binding 2: `camunda-external-task-client-js` over the Camunda 7 external-task protocol
 * (`/engine-rest`). It proves that protocol end to end and serves teams migrating Camunda 7
 * workers. One client per job type (= topic), each with its own long poll, as the Camunda 8
 * binding has one job worker per type.
 */
import { BasicAuthInterceptor, Client, Variables, type ClientOptions, type Interceptor, type Task, type TaskService } from 'camunda-external-task-client-js';
import { executeJob, failureCode, FailureCounter, InFlightJobs, type JobOutcome } from './job.js';
import type { BindingOptions, RunningBinding } from './types.js';

/** Retries of a task that never failed: Camunda 7 sends `null` until a worker sets them. */
export const DEFAULT_RETRIES = 3;

/** Pause between two polls; also the pause after a failed poll (the client has no back-off). */
const POLL_INTERVAL_MS = 500;

interface HeldTask {
  task: Task;
  taskService: TaskService;
}

/** Starts one external-task client per definition. */
export async function startCamunda7Binding(options: BindingOptions): Promise<RunningBinding> {
  if (options.credentials.kind === 'oauth') {
    throw new Error('The Camunda 7 binding authenticates with HTTP Basic only (no OAuth token URL)');
  }
  const { log } = options;
  const failures = new FailureCounter();
  const inFlight = new InFlightJobs<HeldTask>();
  // Aborts the pending long polls at stop, so that they neither delay shutdown nor lock tasks
  // for a worker that is leaving (the server locks nothing for a poll whose client went away).
  // Only polls (fetchAndLock, the one request with `topics`): reports of jobs in flight go on.
  const polls = new AbortController();
  const interceptors: Interceptor[] = [(config) => (config.json?.topics ? { ...config, signal: polls.signal } : config)];
  let stopping = false;
  if (options.credentials.kind === 'basic') {
    interceptors.push(new BasicAuthInterceptor({ username: options.credentials.clientId, password: options.credentials.secret }));
  }

  const clients = options.definitions.map((definition) => {
    const clientOptions: ClientOptions & { maxParallelExecutions: number } = {
      baseUrl: options.address,
      workerId: options.workerName,
      maxTasks: options.maxParallelJobs,
      maxParallelExecutions: options.maxParallelJobs,
      lockDuration: options.jobTimeoutMs,
      asyncResponseTimeout: options.pollTimeoutMs,
      interval: POLL_INTERVAL_MS,
      autoPoll: false,
      interceptors,
    };
    const client = new Client(clientOptions);
    // An unreachable engine fails every poll: logged when it starts and when it ends, not each time.
    let failing = false;
    client.on('poll:error', (error: unknown) => {
      if (failing || polls.signal.aborted) return;
      failing = true;
      log.warn({ jobType: definition.type, errorCode: failureCode(error), status: (error as { httpStatusCode?: unknown }).httpStatusCode }, 'polling for jobs fails');
    });
    client.on('poll:success', () => {
      if (!failing) return;
      failing = false;
      log.info({ jobType: definition.type }, 'polling for jobs works again');
    });
    client.subscribe(definition.type, { lockDuration: options.jobTimeoutMs }, async ({ task, taskService }) => {
      // A poll answered just as the stop began: the client hands its tasks over regardless.
      if (stopping) return void (await taskService.unlock(task).catch(() => undefined));
      await inFlight.track(task.id, { task, taskService }, async (stillOurs) => {
        const outcome = await executeJob(
          definition,
          {
            info: {
              key: task.id,
              type: definition.type,
              retries: task.retries ?? DEFAULT_RETRIES,
              processInstanceKey: task.processInstanceId,
              elementId: task.activityId,
            },
            variables: task.variables.getAll(),
            engineNow: Date.parse(task.lockExpirationTime) - options.jobTimeoutMs,
          },
          { log, failures, backOff: options.backOff },
        );
        if (stillOurs()) await report({ task, taskService }, outcome);
      });
    });
    client.start();
    return client;
  });

  /** Reports the outcome; a report that fails is logged and the task comes back after its lock. */
  async function report({ task, taskService }: HeldTask, outcome: JobOutcome): Promise<void> {
    try {
      if (outcome.kind === 'complete') await taskService.complete(task, new Variables().setAll(outcome.variables));
      else if (outcome.kind === 'bpmn-error') {
        await taskService.handleBpmnError(task, outcome.errorCode, outcome.errorMessage, new Variables().setAll(outcome.variables));
      } else {
        await taskService.handleFailure(task, {
          errorMessage: outcome.errorMessage,
          retries: outcome.retries,
          retryTimeout: outcome.retryBackOffMs,
        });
      }
    } catch (error) {
      log.warn({ jobKey: task.id, status: (error as { httpStatusCode?: unknown }).httpStatusCode }, 'job outcome not reported; the job returns after its lock');
    }
  }

  return {
    async stop(graceMs) {
      stopping = true;
      for (const client of clients) client.stop();
      polls.abort();
      for (const { task, taskService } of await inFlight.drain(graceMs)) {
        // Unlocked, not failed: the task keeps its retries and runs again at the next poll.
        await taskService.unlock(task).catch(() => log.warn({ jobKey: task.id }, 'job not given back; it returns after its lock'));
      }
    },
  };
}
