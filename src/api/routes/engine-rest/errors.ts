/**
 * Errors and replies of the Camunda 7 protocol routes. Camunda 7 clients read an error body
 * `{type, message, code}` (its ExceptionDto), not problem+json, and
 * camunda-external-task-client-js parses a body only when its content-type is exactly
 * `application/json` — so every reply of this prefix goes through {@link sendJson}.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EngineError } from '../../../engine/index.js';

/** The error body of Camunda 7's REST API. */
export interface CamundaErrorBody {
  type: string;
  message: string;
  /**
   * Camunda 7's numeric error code (0 unless an engine sets one). For refusals by the product's
   * access check it carries the product's code instead (`AUTHENTICATION_REQUIRED`), as every
   * access refusal of the server does.
   */
  code: number | string;
}

/** A refusal in Camunda 7's terms: its HTTP status, exception type and message. */
export class CamundaRestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'CamundaRestError';
  }
}

/** Camunda 7's answer for an unknown task id, word for word. */
export function taskNotFound(id: string): CamundaRestError {
  return new CamundaRestError(404, 'RestException', `External task with id ${id} does not exist`);
}

/** Camunda 7's answer for a malformed request (body, variables, limits). */
export function invalidRequest(message: string): CamundaRestError {
  return new CamundaRestError(400, 'InvalidRequestException', message);
}

/**
 * Sends `body` as JSON with `content-type: application/json` exactly. fastify appends
 * `; charset=utf-8` to a JSON content-type unless the reply has a serializer of its own, and
 * camunda-external-task-client-js then silently ignores the body.
 */
export function sendJson(reply: FastifyReply, statusCode: number, body: unknown): FastifyReply {
  return reply.code(statusCode).header('content-type', 'application/json').serializer(JSON.stringify).send(body);
}

/** Exception types for the product's access refusals, named as Camunda 7 names them. */
const ACCESS_REFUSALS: Record<string, string> = {
  AUTHENTICATION_REQUIRED: 'AuthenticationException',
  FORBIDDEN: 'AuthorizationException',
};

/**
 * The error handler of the prefix: every error becomes Camunda 7's `{type, message, code}`.
 * 5xx details are logged here, once, and not sent.
 */
export function sendCamundaError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  let status = 500;
  let body: CamundaErrorBody = { type: 'ProcessEngineException', message: 'Internal server error', code: 0 };
  const fastifyError = error as FastifyError;
  if (error instanceof CamundaRestError) {
    status = error.statusCode;
    body = { type: error.type, message: error.message, code: 0 };
  } else if (error instanceof EngineError) {
    // NOT_FOUND is answered with the task id's message by the routes; other refusals keep theirs.
    status = error.statusCode === 404 ? 404 : 400;
    body = { type: status === 404 ? 'RestException' : 'BadUserRequestException', message: error.message, code: 0 };
  } else if (fastifyError.code && ACCESS_REFUSALS[fastifyError.code]) {
    status = fastifyError.statusCode ?? 401;
    body = { type: ACCESS_REFUSALS[fastifyError.code], message: error.message, code: fastifyError.code };
  } else if (fastifyError.validation || (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500)) {
    // Schema validation, malformed JSON, wrong media type, body too large.
    status = fastifyError.statusCode ?? 400;
    body = { type: 'InvalidRequestException', message: error.message, code: 0 };
  }
  if (status >= 500) request.log.error({ err: error }, 'engine-rest request failed');
  return sendJson(reply, status, body);
}
