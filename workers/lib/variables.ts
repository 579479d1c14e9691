/**
 * Reading process variables. A missing or malformed variable is a modelling defect, not a
 * business outcome: it throws a plain error, so the job is retried and then becomes an incident.
 */
import { isUuid } from '../../src/domain/ids.js';
import type { Variables } from './types.js';

/** A variable the diagram does not provide as the handler needs it. */
export class InvalidVariableError extends Error {
  constructor(readonly variable: string, expected: string) {
    super(`Process variable ${variable} must be ${expected}`);
    this.name = 'InvalidVariableError';
  }
}

/** A required id (UUID). */
export function requireId(variables: Variables, name: string): string {
  const value = variables[name];
  if (!isUuid(value)) throw new InvalidVariableError(name, 'an id');
  return value;
}

/** An optional id (UUID); null and absent are both "not given". */
export function optionalId(variables: Variables, name: string): string | undefined {
  const value = variables[name];
  if (value === undefined || value === null) return undefined;
  if (!isUuid(value)) throw new InvalidVariableError(name, 'an id');
  return value;
}

/** An optional value from a fixed set. */
export function optionalOneOf<T extends string>(variables: Variables, name: string, allowed: readonly T[]): T | undefined {
  const value = variables[name];
  if (value === undefined || value === null) return undefined;
  if (!(allowed as readonly unknown[]).includes(value)) throw new InvalidVariableError(name, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** An optional whole number within [min, max]. */
export function optionalInt(variables: Variables, name: string, min: number, max: number): number | undefined {
  const value = variables[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidVariableError(name, `a whole number from ${min} to ${max}`);
  }
  return value;
}
