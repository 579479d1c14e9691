/**
 * Request schemas shared by the Camunda 8 REST API v2 routes. The shapes follow the requests
 * `@camunda8/sdk` 8.8 sends (its generated zod schemas are the reference): int64 values such as
 * `timeout` arrive as digit strings in strict mode and are coerced to numbers by fastify's ajv
 * (`coerceTypes`), keys stay digit strings.
 */
import { EngineError } from '../../../engine/errors.js';
import { DEFAULT_TENANT } from '../../../engine/embedded/search.js';
import { MAX_DURATION_MS, MAX_INT32, MIN_INT32 } from '../../limits.js';

/** Every /v2 route is for engine clients: workers, the modeler, tests (see src/auth/access.ts). */
export const machineAccess = { access: 'machine' } as const;

/** A key as a digit string; 18 digits at most so that it always fits a PostgreSQL bigint. */
export const keySchema = { type: 'string', pattern: '^-?[0-9]{1,18}$' } as const;

/** Path parameters made of one key named `name`. */
export function keyParams<Name extends string>(name: Name) {
  return {
    type: 'object',
    required: [name],
    properties: { [name]: keySchema } as Record<Name, typeof keySchema>,
  } as const;
}

/**
 * An int64 count of milliseconds; the SDK sends a string or a number. Bounded so that it still
 * makes a storable deadline when added to the clock (see src/api/limits.ts).
 */
export const millisSchema = { type: 'integer', maximum: MAX_DURATION_MS } as const;

/** A value of a 32-bit integer column: retries, versions. */
export const int32Schema = { type: 'integer', minimum: MIN_INT32, maximum: MAX_INT32 } as const;

/** Process variables: a JSON object. */
export const variablesSchema = { type: 'object', additionalProperties: true } as const;

/** The body of every `…/search` request: filter, sort and page are checked by the search module. */
export const searchBodySchema = {
  type: ['object', 'null'],
  properties: {
    filter: { type: 'object' },
    sort: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        required: ['field'],
        properties: { field: { type: 'string' }, order: { type: 'string', enum: ['ASC', 'DESC', 'asc', 'desc'] } },
      },
    },
    page: {
      type: 'object',
      properties: {
        from: { type: 'integer', minimum: 0 },
        limit: { type: 'integer', minimum: 1 },
        after: { type: 'string', maxLength: 300 },
        before: { type: 'string', maxLength: 300 },
      },
    },
  },
} as const;

/** The embedded engine has one tenant; a request for another one is refused, not ignored. */
export function checkTenant(tenantId: string | undefined | null): void {
  if (tenantId !== undefined && tenantId !== null && tenantId !== DEFAULT_TENANT) {
    throw new EngineError('INVALID_ARGUMENT', `tenant '${tenantId}' does not exist: this engine has only '${DEFAULT_TENANT}'`);
  }
}

/** Refuses a request field this engine does not implement, naming it, when it is set. */
export function refuseUnsupported(name: string, value: unknown): void {
  const set = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null && value !== false;
  if (set) throw new EngineError('INVALID_ARGUMENT', `${name} is not supported by this engine`);
}
