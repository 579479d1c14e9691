import createError from '@fastify/error';

/**
 * The product's error codes. Clients (the UI translates them) rely on `code`; `detail` says what
 * was wrong in words. Any other thrown error becomes a 500 whose details are logged, not sent.
 */
export const errors = {
  NOT_FOUND: createError('NOT_FOUND', 'No route %s %s', 404),
  DATABASE_NOT_READY: createError('DATABASE_NOT_READY', 'The database is not ready: %s', 503),
  /** Text or nesting that the database cannot store (src/api/plugins/storable-input.ts). */
  INVALID_INPUT: createError('INVALID_INPUT', 'Request refused: %s', 400),
  // Sign-in and access (src/api/plugins/auth.ts, src/api/routes/auth/)
  AUTHENTICATION_REQUIRED: createError('AUTHENTICATION_REQUIRED', 'Sign-in required', 401),
  /** One answer for unknown account, wrong password and deactivated account. */
  INVALID_CREDENTIALS: createError('INVALID_CREDENTIALS', 'Username or password is wrong', 401),
  FORBIDDEN: createError('FORBIDDEN', 'Your roles do not allow this', 403),
  CSRF_TOKEN_INVALID: createError('CSRF_TOKEN_INVALID', 'Request refused: %s', 403),
  TOO_MANY_REQUESTS: createError('TOO_MANY_REQUESTS', 'Too many attempts: try again in %s', 429),
  CURRENT_PASSWORD_WRONG: createError('CURRENT_PASSWORD_WRONG', 'The current password is wrong', 403),
  PASSWORD_POLICY: createError('PASSWORD_POLICY', 'The new password %s', 422),
  // Accounts and machine credentials (src/api/routes/users/, src/api/routes/auth/)
  USERNAME_TAKEN: createError('USERNAME_TAKEN', 'The username is taken', 409),
  INVALID_MEMBERSHIP: createError('INVALID_MEMBERSHIP', 'Invalid role membership: %s', 422),
  CLIENT_ID_TAKEN: createError('CLIENT_ID_TAKEN', 'The client id is taken', 409),
  MACHINE_CREDENTIAL_NOT_FOUND: createError('MACHINE_CREDENTIAL_NOT_FOUND', 'No such machine credential', 404),
  // The engine clock (src/api/routes/clock/)
  CLOCK_NOT_SIMULATED: createError('CLOCK_NOT_SIMULATED', 'The clock can be moved only when CLOCK=simulated', 409),
  CLOCK_BACKWARDS: createError('CLOCK_BACKWARDS', 'The clock cannot go back in time', 400),
  INVALID_DURATION: createError('INVALID_DURATION', 'Not an ISO 8601 duration: %s', 400),
  CLOCK_OUT_OF_RANGE: createError('CLOCK_OUT_OF_RANGE', 'The clock cannot be moved beyond %s', 400),
} as const;
