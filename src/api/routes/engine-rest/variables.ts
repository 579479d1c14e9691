/**
 * Camunda 7 typed variables (`{name: {type, value, valueInfo}}`) to and from the engine's plain
 * JSON variables (Camunda 8 semantics: one JSON value per name, no type beside it). Pure.
 *
 * In: String, Boolean, Short, Integer, Long, Double, Json (value is a JSON string), Object with
 * `serializationDataFormat: application/json`, Null, Date. Types are matched case-insensitively
 * (camunda-external-task-client-js sends them in lower case). A Date becomes an ISO 8601 string
 * in UTC, the form FEEL's `date and time()` reads.
 * Out: the type follows from the JSON value; an ISO date string therefore comes back as String,
 * because the engine keeps no type beside a value.
 */
import type { Variables } from '../../../engine/embedded/feel.js';
import { invalidRequest } from './errors.js';

/** One variable as Camunda 7 writes it. */
export interface TypedValue {
  type?: string | null;
  value?: unknown;
  valueInfo?: Record<string, unknown> | null;
}

/** Variables as Camunda 7 writes them: name → typed value. */
export type TypedVariables = Record<string, TypedValue>;

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const INT16 = { min: -(2 ** 15), max: 2 ** 15 - 1 };

/**
 * Converts typed variables from a Camunda 7 client into engine variables.
 * @throws CamundaRestError (400) naming the variable when a type is unsupported or a value does
 *   not fit its type
 */
export function fromTypedVariables(typed: TypedVariables | null | undefined): Variables {
  const variables: Variables = {};
  for (const [name, entry] of Object.entries(typed ?? {})) {
    variables[name] = fromTypedValue(name, entry ?? {});
  }
  return variables;
}

function fromTypedValue(name: string, { type, value, valueInfo }: TypedValue): unknown {
  // A transient variable must not be stored; this engine has no scope that outlives nothing.
  if (valueInfo?.transient === true) {
    throw invalidRequest(`Cannot set variable '${name}': transient variables are not supported by this engine`);
  }
  const kind = (type ?? (value === null || value === undefined ? 'null' : inferType(value))).toLowerCase();
  const refuse = (why: string) => invalidRequest(`Cannot convert value '${String(value)}' of variable '${name}' to type ${type}: ${why}`);
  if (value === null || value === undefined) {
    // Camunda 7 allows a null of any type; the engine has just null.
    return null;
  }
  switch (kind) {
    case 'null':
      return null;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw refuse('not a string');
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw refuse('not a boolean');
    case 'short':
      return integer(value, INT16, refuse);
    case 'integer':
      return integer(value, INT32, refuse);
    case 'long':
      return integer(value, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }, refuse);
    case 'double': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number === 'number' && Number.isFinite(number)) return number;
      throw refuse('not a finite number');
    }
    case 'json':
      return parseJson(value, refuse);
    case 'object':
      // Only JSON-serialised objects can be read without the Java class they came from.
      if (String(valueInfo?.serializationDataFormat ?? '').toLowerCase() !== 'application/json') {
        throw refuse('only objects serialised as application/json are supported');
      }
      return parseJson(value, refuse);
    case 'date': {
      // Camunda 7 writes yyyy-MM-dd'T'HH:mm:ss.SSSZ, e.g. 2027-01-04T08:00:00.000+0100.
      const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
      if (Number.isNaN(time)) throw refuse('not a date-time');
      return new Date(time).toISOString();
    }
    default:
      throw invalidRequest(`Cannot set variable '${name}': unsupported value type '${type}'`);
  }
}

function integer(value: unknown, range: { min: number; max: number }, refuse: (why: string) => Error): number {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw refuse('not an integer');
  if (number < range.min || number > range.max) throw refuse('out of range');
  return number;
}

function parseJson(value: unknown, refuse: (why: string) => Error): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw refuse('not valid JSON');
  }
}

/** The Camunda 7 type name a plain JSON value is reported with. */
function inferType(value: unknown): string {
  if (value === null || value === undefined) return 'Null';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return 'Double';
    return value >= INT32.min && value <= INT32.max ? 'Integer' : 'Long';
  }
  return 'Json';
}

/** Converts engine variables into Camunda 7 typed variables for a client. */
export function toTypedVariables(variables: Variables): Record<string, Required<TypedValue>> {
  const typed: Record<string, Required<TypedValue>> = {};
  for (const [name, value] of Object.entries(variables)) {
    const type = inferType(value);
    typed[name] = {
      type,
      value: type === 'Json' ? JSON.stringify(value) : (value ?? null),
      valueInfo: {},
    };
  }
  return typed;
}

/** A date as Camunda 7 writes it (`yyyy-MM-dd'T'HH:mm:ss.SSSZ`, here always in UTC). */
export function formatCamundaDate(date: Date | string): string {
  return new Date(date).toISOString().replace(/Z$/, '+0000');
}
