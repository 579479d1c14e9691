/**
 * The Camunda 7 REST subset served under `/engine-rest` (register with that prefix): today the
 * external-task protocol, so that Camunda 7 workers (camunda-external-task-client-js) run
 * against this product unchanged. Encapsulated: its error and not-found handlers answer in
 * Camunda 7's `{type, message, code}` and leave the rest of the API on problem+json.
 */
import type { FastifyInstance } from 'fastify';
import type { EmbeddedEngine } from '../../../engine/index.js';
import { CamundaRestError, sendCamundaError } from './errors.js';
import externalTaskRoutes from './external-task.js';

/** Options of {@link engineRestRoutes}. */
export interface EngineRestOptions {
  engine: EmbeddedEngine;
}

/** Registers the Camunda 7 protocol routes with their error handling, in a scope of their own. */
export default async function engineRestRoutes(fastify: FastifyInstance, options: EngineRestOptions) {
  // camunda-external-task-client-js sends `unlock` without a body; other Camunda 7 clients send
  // an empty body labelled application/json, which Camunda 7 accepts and fastify would refuse.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') return done(null, undefined);
    return parseJson(request, text, done);
  });

  fastify.setErrorHandler(sendCamundaError);
  fastify.setNotFoundHandler({}, (request, reply) =>
    sendCamundaError(
      new CamundaRestError(404, 'NotFoundException', `No resource for ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  // Long polls would hold shutdown for up to their timeout: they answer with no tasks instead.
  const pendingPolls = new Set<AbortController>();
  fastify.addHook('preClose', async () => {
    for (const controller of pendingPolls) controller.abort();
  });

  await fastify.register(externalTaskRoutes, { engine: options.engine, pendingPolls });
}
