/**
 * Refuses request input that the database cannot store, for every route, before validation:
 * PostgreSQL's `text` and `jsonb` hold no NUL character (U+0000) and no lone UTF-16 surrogate,
 * and values nested thousands of levels deep overflow the stack of whatever serialises them
 * next (`JSON.stringify`, PostgreSQL's JSON parser). JSON carries all three without complaint,
 * so unchecked they fail as 500s in the middle of a transaction; here they are a 400 that names
 * the place.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../errors.js';

/** Deepest nesting of objects and arrays accepted in a request; business data needs a handful. */
export const MAX_NESTING = 100;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `where` and a property name as a place in a message: short, and escaped (it may hold the NUL). */
function placeOf(where: string, key: string): string {
  const quoted = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  return /^"[A-Za-z_$][\w$]*"$/.test(quoted) ? `${where}.${quoted.slice(1, -1)}` : `${where}[${quoted}]`;
}

/**
 * The first place in `value` that cannot be stored, described for the client (`where` names the
 * root, e.g. `body`), or undefined when all of it can. Stops descending at {@link MAX_NESTING},
 * so that it cannot overflow the stack itself.
 */
export function findUnstorable(value: unknown, where: string, depth = 0): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return `${where} contains a NUL character, which cannot be stored`;
    if (LONE_SURROGATE.test(value)) return `${where} contains an unpaired UTF-16 surrogate, which cannot be stored`;
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_NESTING) return `${where} is nested more than ${MAX_NESTING} levels deep`;
  for (const [key, child] of Object.entries(value)) {
    const place = Array.isArray(value) ? `${where}[${key}]` : placeOf(where, key);
    const problem = findUnstorable(key, `a property name in ${where}`, depth) ?? findUnstorable(child, place, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Checks path parameters, query string and parsed body of every request (see the module comment). */
export default fp(
  async function storableInputPlugin(fastify: FastifyInstance) {
    fastify.addHook('preValidation', async (request) => {
      const problem =
        findUnstorable(request.params, 'path') ?? findUnstorable(request.query, 'query') ?? findUnstorable(request.body, 'body');
      if (problem) throw new errors.INVALID_INPUT(problem);
    });
  },
  { name: 'storable-input' },
);
