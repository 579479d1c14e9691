/**
 * Runs instance events in a worker thread (piscina), so that bpmn-engine's CPU work leaves the
 * HTTP event loop and uses the second core. Every event recovers the instance from its stored
 * state: a live engine kept here could not know whether the transaction that produced it
 * committed (see engine.ts for the commit-confirmed cache of the in-thread executor).
 */
import type { Clock } from '../clock.js';
import type { ProcessModel } from './model.js';
import { LiveInstance, StaleEventError, type EventResult, type InstanceEvent } from './runtime.js';

/** One event for one instance, as sent to a worker thread. */
export interface InstanceTask {
  definitionKey: string;
  /** Sent only when the thread asked for it (a definition never changes once deployed). */
  model?: ProcessModel;
  /** The stored state, as JSON (see EventResult.state). */
  state: string | null;
  event: InstanceEvent;
  known: string[];
  clockKind: Clock['kind'];
  clockOffsetMs: number;
}

/**
 * A worker's answer: the result; or the execution id an event named that no longer waits; or
 * that the task must come again with the definition's model, which this thread has not seen.
 */
export type InstanceTaskResult = { result: EventResult } | { staleExecutionId: string } | { modelNeeded: true };

/** Parsed models by definition key: a definition never changes once deployed. */
const models = new Map<string, ProcessModel>();

/** The piscina task. */
export default async function applyInWorker(task: InstanceTask): Promise<InstanceTaskResult> {
  let model = models.get(task.definitionKey);
  if (!model) {
    if (!task.model) return { modelNeeded: true };
    model = task.model;
    models.set(task.definitionKey, model);
  }
  const clock: Clock = {
    kind: task.clockKind,
    now: () => new Date(Date.now() + task.clockOffsetMs),
    offsetMs: () => task.clockOffsetMs,
  };
  try {
    return { result: await new LiveInstance(model, clock).apply(task.state, task.event, new Set(task.known)) };
  } catch (error) {
    if (error instanceof StaleEventError) return { staleExecutionId: error.executionId };
    throw error;
  }
}
