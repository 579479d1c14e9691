/**
 * A modelled business outcome: the binding throws it as a BPMN error with `code`, caught by an
 * error boundary event in the diagram. Anything else a handler throws is a failure to retry.
 */
export class BpmnError extends Error {
  constructor(
    /** SCREAMING_SNAKE, matched by `errorCode` of the boundary event. */
    readonly code: string,
    message: string = code,
    /** Ids, dates and decisions only: they become process variables. */
    readonly variables: Readonly<Record<string, string | number | boolean | null>> = {},
  ) {
    super(message);
    this.name = 'BpmnError';
  }
}

/** Whether `error` is a modelled outcome rather than a failure. */
export function isBpmnError(error: unknown): error is BpmnError {
  return error instanceof BpmnError;
}
