/**
 * What every binding shares: running one job's handler and turning what it did into one of the
 * three outcomes (complete, BPMN error, failure with retries and back-off). A binding only
 * translates a {@link JobOutcome} into its protocol's calls, so the rules live here once.
 */
import { isBpmnError } from '../lib/bpmn-error.js';
import type { JobHelpers, JobInfo, Logger, Output, Variables } from '../lib/types.js';

/** A job type bound to its handler, with the store and ports that handler needs. */
export interface WorkerDefinition {
  /** The job type = worker folder name = `zeebe:taskDefinition type` = Camunda 7 topic. */
  readonly type: string;
  /** Runs the handler with the common helpers; the definition adds the handler's own. */
  run(variables: Variables, helpers: JobHelpers): Promise<Output>;
}

/** What the binding reports to the engine. */
export type JobOutcome =
  | { kind: 'complete'; variables: Output }
  | { kind: 'bpmn-error'; errorCode: string; errorMessage: string; variables: Output }
  | { kind: 'fail'; retries: number; retryBackOffMs: number; errorMessage: string };

/** Back-off between attempts of a failing job: `firstMs`, doubling per failure, at most `maxMs`. */
export interface RetryBackOff {
  firstMs: number;
  maxMs: number;
}

/** 10 s, 20 s, 40 s, … at most 10 minutes: long enough for a restarting database or mail server. */
export const DEFAULT_RETRY_BACK_OFF: RetryBackOff = Object.freeze({ firstMs: 10_000, maxMs: 600_000 });

/** Failures remembered per job key; beyond this the oldest is forgotten (its back-off restarts). */
const MAX_TRACKED_JOBS = 10_000;

/**
 * Counts failures per job, for the exponential back-off. The engines tell a worker how many
 * retries are left but not how many there were, so the count is kept here; a job failing on
 * several processes, or across a restart, starts again at the first back-off — harmless.
 */
export class FailureCounter {
  readonly #failures = new Map<string, number>();

  /** Records one more failure of `jobKey` and returns how many there were. */
  record(jobKey: string): number {
    const failures = (this.#failures.get(jobKey) ?? 0) + 1;
    this.#failures.delete(jobKey);
    this.#failures.set(jobKey, failures);
    if (this.#failures.size > MAX_TRACKED_JOBS) this.#failures.delete(this.#failures.keys().next().value!);
    return failures;
  }

  /** Forgets `jobKey` once it ended (completed, BPMN error, or out of retries). */
  forget(jobKey: string): void {
    this.#failures.delete(jobKey);
  }
}

/** Delay before the next attempt after the `failures`-th failure. */
export function retryBackOffMs(failures: number, backOff: RetryBackOff): number {
  return Math.min(backOff.maxMs, backOff.firstMs * 2 ** Math.max(0, failures - 1));
}

/**
 * What a failure is reported as: the error's code (`ECONNREFUSED`, `REFERRAL_NOT_FOUND`,
 * SQLSTATE `23505`) or else its class name — never its message, which can quote data (a
 * database error quotes the offending value; an SMTP answer quotes addresses). The engine
 * shows it in the incident.
 */
export function failureCode(error: unknown): string {
  if (!(error instanceof Error)) return 'NON_ERROR_THROWN';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
  return /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(error.name) ? error.name : 'Error';
}

/**
 * A clock reading the engine's time: `engineNow` is the engine's time when it activated the job
 * (its lock deadline minus the lock duration the worker asked for: both protocols send the
 * deadline, computed on the engine's clock). So a handler sees the simulated time in simulation
 * mode, on the embedded engine in this process or another, or a real cluster's clock — without
 * a clock endpoint and without knowing which engine runs. Time runs on from there.
 * Without a usable deadline it is the wall clock.
 */
export function engineClock(engineNow: number | undefined): () => Date {
  if (engineNow === undefined || !Number.isFinite(engineNow)) return () => new Date();
  const offsetMs = engineNow - Date.now();
  return () => new Date(Date.now() + offsetMs);
}

/** One activated job as a binding hands it over. */
export interface ActivatedJob {
  info: JobInfo;
  variables: Variables;
  /** The engine's time at activation (epoch ms), if the protocol told it. */
  engineNow: number | undefined;
}

/** Runs `definition`'s handler on `job` and decides the outcome; never throws. */
export async function executeJob(
  definition: WorkerDefinition,
  job: ActivatedJob,
  context: { log: Logger; failures: FailureCounter; backOff: RetryBackOff },
): Promise<JobOutcome> {
  const { info } = job;
  // Ids only: job type and key. Handlers add their own ids (case, referral) as they go.
  const log = context.log.child({ jobType: info.type, jobKey: info.key });
  const helpers: JobHelpers = { now: engineClock(job.engineNow), log, job: info };
  try {
    const variables = await definition.run(job.variables, helpers);
    context.failures.forget(info.key);
    log.debug('job completed');
    return { kind: 'complete', variables };
  } catch (error) {
    if (isBpmnError(error)) {
      context.failures.forget(info.key);
      log.info({ errorCode: error.code }, 'job ended with a BPMN error');
      return { kind: 'bpmn-error', errorCode: error.code, errorMessage: error.message, variables: { ...error.variables } };
    }
    const errorCode = failureCode(error);
    const retries = Math.max(0, info.retries - 1);
    if (retries === 0) {
      context.failures.forget(info.key);
      log.warn({ errorCode, retries }, 'job failed without retries left: incident');
      return { kind: 'fail', retries, retryBackOffMs: 0, errorMessage: errorCode };
    }
    const retryBackOff = retryBackOffMs(context.failures.record(info.key), context.backOff);
    log.warn({ errorCode, retries, retryBackOffMs: retryBackOff }, 'job failed; retried after the back-off');
    return { kind: 'fail', retries, retryBackOffMs: retryBackOff, errorMessage: errorCode };
  }
}

/**
 * The jobs a binding is working on, so that a stop can wait for them and give back those that
 * do not finish in time (their late outcome is then not reported).
 */
export class InFlightJobs<J> {
  readonly #jobs = new Map<string, { job: J; done: Promise<void>; abandoned: boolean }>();

  /** Tracks `work` on `job` under `key`; returns whether its outcome may still be reported. */
  track(key: string, job: J, work: (stillOurs: () => boolean) => Promise<void>): Promise<void> {
    const entry = { job, done: Promise.resolve(), abandoned: false };
    entry.done = work(() => !entry.abandoned).finally(() => {
      if (this.#jobs.get(key) === entry) this.#jobs.delete(key);
    });
    this.#jobs.set(key, entry);
    return entry.done;
  }

  /**
   * Waits up to `graceMs` for the tracked jobs; returns those still running, now abandoned
   * (their outcome will not be reported: the caller gives them back to the engine).
   */
  async drain(graceMs: number): Promise<J[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.#jobs.values()].map((entry) => entry.done)), timeout]);
    clearTimeout(timer);
    const left = [...this.#jobs.values()];
    for (const entry of left) entry.abandoned = true;
    this.#jobs.clear();
    return left.map((entry) => entry.job);
  }
}
