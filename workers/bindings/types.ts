/** What `workers/run.ts` hands a binding, and what a binding hands back. */
import type { Logger } from '../lib/types.js';
import type { RetryBackOff, WorkerDefinition } from './job.js';

/** How the workers prove who they are to the engine. */
export type EngineCredentials =
  | { kind: 'none' }
  /** HTTP Basic with a machine credential (both protocols). */
  | { kind: 'basic'; clientId: string; secret: string }
  /** OAuth client credentials: a bearer token from `tokenUrl` (Camunda 8 binding only). */
  | { kind: 'oauth'; clientId: string; secret: string; tokenUrl: string };

/** Everything a binding needs; `workers/run.ts` fills in the defaults. */
export interface BindingOptions {
  /** Camunda 8: the REST address (`/v2` is appended when missing). Camunda 7: the `/engine-rest` URL. */
  address: string;
  credentials: EngineCredentials;
  definitions: readonly WorkerDefinition[];
  log: Logger;
  /** Names the worker in the engine (job `worker`, external task `workerId`). */
  workerName: string;
  /** How long an activated job stays locked to this worker. */
  jobTimeoutMs: number;
  /** Jobs worked on at once, per job type. */
  maxParallelJobs: number;
  /** How long one poll waits for a job before asking again. */
  pollTimeoutMs: number;
  backOff: RetryBackOff;
}

/** Running workers of one binding. */
export interface RunningBinding {
  /**
   * Stops polling, lets jobs in flight finish for up to `graceMs`, and gives the rest back to
   * the engine (they run again elsewhere or after a restart, without losing a retry).
   */
  stop(graceMs: number): Promise<void>;
}
