/**
 * Binding 1 (the default): `@camunda8/sdk` job workers over the Camunda 8 REST API — against
 * the embedded engine's own `/v2` or a real cluster, the same code. One job worker per job type.
 */
import type { Camunda8 } from '@camunda8/sdk';
import { executeJob, FailureCounter, InFlightJobs, type JobOutcome } from './job.js';
import type { BindingOptions, EngineCredentials, RunningBinding } from './types.js';

type CamundaClientLoose = ReturnType<Camunda8['getOrchestrationClusterApiClientLoose']>;
/** The SDK's job with the actions this binding uses. */
type SdkJob = Parameters<Parameters<CamundaClientLoose['createJobWorker']>[0]['jobHandler']>[0];

/** The receipt the SDK's job handler signature asks for (what its job actions return). */
const RECEIPT = 'JOB_ACTION_RECEIPT' as const;

/** The error message of a job given back at shutdown; the engine keeps its retries. */
export const SHUTDOWN_ERROR = 'WORKER_SHUTDOWN';

/** Starts one SDK job worker per definition. */
export async function startCamunda8Binding(options: BindingOptions): Promise<RunningBinding> {
  const client = await createClient(options);
  const failures = new FailureCounter();
  const inFlight = new InFlightJobs<SdkJob>();
  const log = options.log;

  const workers = options.definitions.map((definition) =>
    client.createJobWorker({
      jobType: definition.type,
      workerName: options.workerName,
      jobTimeoutMs: options.jobTimeoutMs,
      maxParallelJobs: options.maxParallelJobs,
      pollTimeoutMs: options.pollTimeoutMs,
      // A failed poll (engine restarting, network) is retried after this pause, not at once.
      pollIntervalMs: 1_000,
      jobHandler: async (job) => {
        await inFlight.track(String(job.jobKey), job, async (stillOurs) => {
          const outcome = await executeJob(
            definition,
            {
              info: {
                key: String(job.jobKey),
                type: definition.type,
                retries: job.retries,
                processInstanceKey: String(job.processInstanceKey),
                elementId: job.elementId,
              },
              variables: job.variables,
              // Strict validation sends int64 values as strings: Number() takes both.
              engineNow: Number(job.deadline) - options.jobTimeoutMs,
            },
            { log, failures, backOff: options.backOff },
          );
          if (stillOurs()) await report(job, outcome);
        });
        return RECEIPT;
      },
    }),
  );

  /** Reports the outcome; a report that fails is logged and the job comes back after its lock. */
  async function report(job: SdkJob, outcome: JobOutcome): Promise<void> {
    try {
      if (outcome.kind === 'complete') await job.complete(outcome.variables);
      else if (outcome.kind === 'bpmn-error') {
        await job.error({ errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, variables: outcome.variables });
      } else {
        await job.fail({ retries: outcome.retries, errorMessage: outcome.errorMessage, retryBackOff: outcome.retryBackOffMs });
      }
    } catch (error) {
      log.warn({ jobKey: String(job.jobKey), status: (error as { status?: unknown }).status }, 'job outcome not reported; the job returns after its lock');
    }
  }

  return {
    async stop(graceMs) {
      // No new polls. A pending long poll is not cancelled but left to be answered (the
      // embedded engine answers its polls at once when its server closes): a poll aborted
      // while it connects leaves the server a connection without a request, which holds up
      // its close for a minute. A job such a late answer brings is not run; it returns after
      // its lock. Not awaited: the poll may outlast the grace.
      for (const worker of workers) void worker.stopGracefully({ waitUpToMs: graceMs }).catch(() => undefined);
      for (const job of await inFlight.drain(graceMs)) {
        await job
          .fail({ retries: job.retries, errorMessage: SHUTDOWN_ERROR, retryBackOff: 0 })
          .catch(() => log.warn({ jobKey: String(job.jobKey) }, 'job not given back; it returns after its lock'));
      }
    },
  };
}

async function createClient(options: BindingOptions): Promise<CamundaClientLoose> {
  // Loaded only when this binding runs: the SDK is large, and `camunda7`/`off` do without it.
  const { Camunda8 } = await import('@camunda8/sdk');
  const camunda = new Camunda8({
    ZEEBE_REST_ADDRESS: options.address,
    ...sdkCredentials(options.credentials),
    // Its own console logger would bypass pino and its redaction; failures are logged here.
    CAMUNDA_LOG_LEVEL: 'none',
    // Tokens stay in memory: a token file on disk would outlive the process.
    CAMUNDA_TOKEN_DISK_CACHE_DISABLE: true,
  });
  return camunda.getOrchestrationClusterApiClientLoose({}, { cached: false });
}

function sdkCredentials(credentials: EngineCredentials) {
  switch (credentials.kind) {
    case 'none':
      return { CAMUNDA_AUTH_STRATEGY: 'NONE' } as const;
    case 'basic':
      return {
        CAMUNDA_AUTH_STRATEGY: 'BASIC',
        CAMUNDA_BASIC_AUTH_USERNAME: credentials.clientId,
        CAMUNDA_BASIC_AUTH_PASSWORD: credentials.secret,
      } as const;
    case 'oauth':
      return {
        CAMUNDA_AUTH_STRATEGY: 'OAUTH',
        ZEEBE_CLIENT_ID: credentials.clientId,
        ZEEBE_CLIENT_SECRET: credentials.secret,
        CAMUNDA_OAUTH_URL: credentials.tokenUrl,
      } as const;
  }
}
