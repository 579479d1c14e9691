/**
 * The domain's error codes in one table. The API maps `status` to the HTTP status; the UI
 * translates by `code`. Messages carry ids and codes, never names or free text.
 */
export const DOMAIN_ERRORS = {
  CASE_NOT_FOUND: 404,
  CLIENT_NOT_FOUND: 404,
  PROGRAMME_NOT_FOUND: 404,
  PARTNER_NOT_FOUND: 404,
  REFERRAL_NOT_FOUND: 404,
  APPLICATION_NOT_FOUND: 404,
  EXTENSION_NOT_FOUND: 404,
  PRESCRIPTION_NOT_FOUND: 404,
  CONSENT_NOT_FOUND: 404,
  INVALID_INPUT: 422,
  INVALID_DATE: 422,
  UNKNOWN_LIFE_DOMAIN: 422,
  INVALID_PROGRAMME: 422,
  CASE_CLOSED: 409,
  CASE_ALREADY_RELEASED: 409,
  CASE_NOT_RELEASED: 409,
  OPEN_CASE_EXISTS: 409,
  LIFE_DOMAIN_HANDLED_ELSEWHERE: 409,
  REENTRY_APPROVAL_REQUIRED: 409,
  REENTRY_CASE_NOT_CLOSED: 409,
  APPLICATION_STATUS_TRANSITION: 409,
  EXTENSION_ALREADY_DECIDED: 409,
  REFERRAL_NOT_SENT: 409,
  CONSENT_ALREADY_WITHDRAWN: 409,
} as const;

/** One of the codes in {@link DOMAIN_ERRORS}. */
export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

/** A rule of the domain refused an input or a state change. */
export class DomainError extends Error {
  /** The HTTP status the API answers with. */
  readonly status: number;

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DomainError';
    this.status = DOMAIN_ERRORS[code];
  }
}

/** Throws INVALID_INPUT unless `condition` holds: for argument checks that read as one line. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DomainError('INVALID_INPUT', message);
}
