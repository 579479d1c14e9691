import createError from '@fastify/error';

/**
 * The product's error codes. Clients (the UI translates them) rely on `code`; `detail` says what
 * was wrong in words. Any other thrown error becomes a 500 whose details are logged, not sent.
 */
export const errors = {
  NOT_FOUND: createError('NOT_FOUND', 'No route %s %s', 404),
  DATABASE_NOT_READY: createError('DATABASE_NOT_READY', 'The database is not ready: %s', 503),
} as const;
