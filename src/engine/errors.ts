/** What went wrong with an engine command; the HTTP layers map `code` to a status. */
export type EngineErrorCode = 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS' | 'CONFLICT';

/** The status each engine error code answers with over HTTP. */
export const ENGINE_ERROR_STATUS: Record<EngineErrorCode, number> = {
  NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
};

/** A command the engine refuses; nothing was changed. */
export class EngineError extends Error {
  readonly statusCode: number;
  readonly issues: readonly { elementId: string; rule: string; message: string }[];
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options?: ErrorOptions & { issues?: readonly { elementId: string; rule: string; message: string }[] },
  ) {
    super(message, options);
    /** Deploy-time check findings, per element, for the modeler to show. */
    this.issues = options?.issues ?? [];
    this.name = 'EngineError';
    this.statusCode = ENGINE_ERROR_STATUS[code];
  }
}
