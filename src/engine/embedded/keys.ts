import type { Queryable } from '../../db/index.js';

/** Keys are taken from the `engine_key` sequence in blocks of this size (its increment). */
const BLOCK = 100n;

/**
 * Hands out int64 keys (as strings, as the Camunda 8 API serialises them). Each process takes a
 * block of 100 from the database sequence, so keys stay unique across API processes sharing one
 * database while costing one round trip per hundred keys.
 */
export function createKeyAllocator() {
  let next = 0n;
  let end = 0n;
  return async function nextKey(db: Queryable): Promise<string> {
    if (next >= end) {
      const { rows } = await db.query<{ base: string }>(`select nextval('engine_key')::text as base`);
      next = BigInt(rows[0].base);
      end = next + BLOCK;
    }
    return String(next++);
  };
}

/** Returns the next key; see {@link createKeyAllocator}. */
export type KeyAllocator = ReturnType<typeof createKeyAllocator>;
