import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../errors.js';

/** An RFC 9457 problem details body, as every error response of the API carries it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code?: string;
}

/** Sends a problem+json body; 5xx details stay in the log, keyed by request id. */
export function sendProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  const problem: Problem = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: status >= 500 && status !== 503 ? 'Internal server error' : error.message,
    instance: request.url.split('?')[0],
  };
  if (error.code && status !== 500) problem.code = error.code;
  return reply.status(status).type('application/problem+json').send(problem);
}

/** Turns every error and unknown route into problem+json (RFC 9457). */
export default fp(
  async function problemPlugin(fastify: FastifyInstance) {
    fastify.setErrorHandler(sendProblem);
    fastify.setNotFoundHandler((request, reply) =>
      sendProblem(new errors.NOT_FOUND(request.method, request.url.split('?')[0]), request, reply),
    );
  },
  { name: 'problem' },
);
