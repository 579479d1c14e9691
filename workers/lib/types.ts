/**
 * The shape of a worker handler, after graphile-worker's `Task`/`JobHelpers` and the Camunda 8
 * SDK's job interfaces: a plain async function of (variables, helpers) that returns output
 * variables, throws {@link BpmnError} for a modelled outcome, or throws anything else to be
 * retried. `workers/run.ts` maps those three outcomes once per engine.
 */
import type { Logger } from 'pino';

export type { Logger };

/** What the binding knows about the job being worked on; ids only. */
export interface JobInfo {
  /** The job's key (Camunda 8) or id (external task). */
  key: string;
  /** The job type = the worker folder name = `zeebe:taskDefinition type`. */
  type: string;
  /** Retries left after this attempt fails. */
  retries: number;
  processInstanceKey?: string;
  elementId?: string;
}

/**
 * What every handler gets. Data access is not here but in each handler's own `store`
 * (see `workers/<job-type>/store.ts`), so a handler runs in a unit test with plain objects.
 */
export interface JobHelpers {
  /** The clock: the wall clock, or the simulation clock in simulation mode. */
  now(): Date;
  /** A child logger carrying job type and key. Log ids only: never names, birth dates or free text. */
  log: Logger;
  job: JobInfo;
}

/** Process variables as they arrive: untrusted until a handler has read them. */
export type Variables = Readonly<Record<string, unknown>>;

/** Output variables: ids, dates (ISO strings), counts and decisions. */
export type Output = Record<string, string | number | boolean | null>;

/** A worker handler. `H` adds the handler's own store and ports to {@link JobHelpers}. */
export type Handler<O extends Output = Output, H extends JobHelpers = JobHelpers> = (
  variables: Variables,
  helpers: H,
) => Promise<O>;
