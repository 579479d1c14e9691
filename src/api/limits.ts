/**
 * Numeric bounds shared by the request schemas of every protocol. They exist because both
 * stores write a date as ISO 8601 text: a time after 9999-12-31 becomes `+010000-…`, which
 * PostgreSQL does not read back, and an integer beyond its column type fails the statement.
 * A request outside them is refused with 400 instead of failing inside a transaction.
 */

/** Largest 32-bit integer: retries, versions and other `integer` columns. */
export const MAX_INT32 = 2 ** 31 - 1;

/** Smallest 32-bit integer. */
export const MIN_INT32 = -(2 ** 31);

/**
 * Longest duration a client may ask for in milliseconds (job timeouts, lock durations, retry
 * back-offs, message time-to-live): about 317 years, far beyond any use.
 */
export const MAX_DURATION_MS = 1e13;

/**
 * Latest time the simulated clock can be moved to (1 January 9000, UTC): with the longest
 * duration added, every deadline stays before the year 10000.
 */
export const LATEST_CLOCK_TIME_MS = Date.UTC(9000, 0, 1);
