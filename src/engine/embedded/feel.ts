/**
 * FEEL through feelin, with Camunda 8's rules: a string is an expression only when it starts
 * with `=`; everything else is a literal. Results are turned into JSON values (dates become ISO
 * strings) because they end up in stored process variables.
 */
import { FeelDate, FeelDateTime, FeelDuration, FeelTime, date, dateAndTime, evaluate } from 'feelin';
import type { Clock } from '../clock.js';

/** Camunda 8's FEEL dialect (backtick names); the deploy-time check parses with the same. */
export const DIALECT = 'camunda';

/** Process variables: plain JSON. */
export type Variables = Record<string, unknown>;

/** An expression could not be evaluated; becomes an incident where Camunda raises one. */
export class FeelError extends Error {
  constructor(
    readonly expression: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`failed to evaluate expression '${expression}': ${message}`, options);
    this.name = 'FeelError';
  }
}

/** True when `value` is a Camunda 8 expression (`=…`). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.trimStart().startsWith('=');
}

/**
 * Evaluates `text` against `variables`: expressions through FEEL, literals as they are.
 * `now()` and `today()` follow the engine clock. Missing variables evaluate to null, as in
 * Camunda 8.
 */
export function evaluateValue(text: unknown, variables: Variables, clock: Clock): unknown {
  if (!isExpression(text)) return text;
  const expression = text.trimStart().slice(1);
  let value: unknown;
  try {
    ({ value } = evaluate(expression, contextFor(variables, clock), DIALECT));
  } catch (error) {
    throw new FeelError(text, (error as Error).message, { cause: error });
  }
  return toJson(value);
}

/** Evaluates a condition: true only for a FEEL `true` (null and non-booleans are false). */
export function evaluateCondition(text: string, variables: Variables, clock: Clock): boolean {
  return evaluateValue(text, variables, clock) === true;
}

/**
 * Evaluates a timer value and returns an ISO 8601 string the timer parser understands:
 * a duration (`P6M`), a cycle (`R/P1D`) or an instant with a UTC offset.
 */
export function evaluateTimer(text: string, variables: Variables, clock: Clock): string {
  if (!text.trimStart().startsWith('=')) return text.trim();
  let value: unknown;
  try {
    ({ value } = evaluate(text.trimStart().slice(1), contextFor(variables, clock), DIALECT));
  } catch (error) {
    throw new FeelError(text, (error as Error).message, { cause: error });
  }
  if (value instanceof FeelDateTime) return toInstant(value);
  if (value instanceof FeelDate) return `${value.iso}T00:00:00Z`;
  if (value instanceof FeelDuration || typeof value === 'string') return String(value);
  throw new FeelError(text, `a timer needs a date, date-time, duration or cycle, got ${JSON.stringify(toJson(value))}`);
}

function contextFor(variables: Variables, clock: Clock): Variables {
  return {
    ...variables,
    // feelin reads parameter names from the function's source: keep these plain functions.
    now: function now() {
      return dateAndTime(clock.now().toISOString());
    },
    today: function today() {
      return date(clock.now().toISOString().slice(0, 10));
    },
    // Camunda's extension; a missing variable reaches it as null.
    'is defined': function isDefined(value: unknown) {
      return value !== null && value !== undefined;
    },
  };
}

function toInstant(value: FeelDateTime): string {
  // A local date-time (no zone) is read as UTC, as the Zeebe engine does.
  const zoned = value.unwrap().toZonedDateTime(value.zone ?? 'UTC');
  return zoned.toInstant().toString();
}

/** Converts a FEEL result into plain JSON: temporal values become their ISO text. */
export function toJson(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof FeelDateTime || value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDuration) {
    return value.toString();
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'function') return null;
  if (typeof value === 'object') {
    const object: Variables = {};
    for (const [key, entry] of Object.entries(value as Variables)) object[key] = toJson(entry);
    return object;
  }
  return value;
}
