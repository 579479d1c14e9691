/**
 * The Camunda 8 REST API v2 subset served by the embedded engine under `/v2`, so that
 * `@camunda8/sdk` 8.8 job workers and clients run against it unchanged (strict validation
 * included): topology, deployments, process definitions and instances, element instances,
 * jobs, user tasks, messages, incidents, variables and — with `CLOCK=simulated` — the clock.
 *
 * Errors are RFC 9457 problem details, as Camunda's are: engine refusals (`EngineError`) carry
 * their status and code and go through the app's one error handler (src/api/plugins/problem.ts).
 * Every route is declared `access: 'machine'`.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { EngineRuntime } from '../../../engine/index.js';
import { MAX_RESOURCE_BYTES } from '../../../engine/lint/index.js';
import clockRoutes from './clock.js';
import deploymentRoutes from './deployments.js';
import elementInstanceRoutes from './element-instances.js';
import incidentRoutes from './incidents.js';
import jobRoutes from './jobs.js';
import messageRoutes from './messages.js';
import processDefinitionRoutes from './process-definitions.js';
import processInstanceRoutes from './process-instances.js';
import topologyRoutes from './topology.js';
import userTaskRoutes from './user-tasks.js';
import variableRoutes from './variables.js';

/** What the /v2 routes need from the app. */
export interface V2Options {
  engine: EngineRuntime;
}

/** What each resource's routes get: the engine and a signal that fires when the server closes. */
export interface V2RouteOptions extends V2Options {
  /** Aborted on shutdown, so that long polls answer at once instead of holding the close. */
  closing: AbortSignal;
}

/** Registers the /v2 routes; register with `{ prefix: '/v2' }`. Encapsulated: multipart stays in here. */
export default async function v2Routes(fastify: FastifyInstance, options: V2Options) {
  // The SDK sends `content-type: application/json` also with no body (cancel, resolve…);
  // fastify's own parser refuses that, Camunda treats it as an empty request.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  await fastify.register(multipart, {
    // One byte over the engine's limit, so that a too-large file is reported by name (see deployments.ts).
    limits: { fileSize: MAX_RESOURCE_BYTES + 1, files: 100, fields: 10, fieldSize: 1024 },
  });

  const closing = new AbortController();
  fastify.addHook('preClose', async () => closing.abort());
  // Not `...options`: that would carry the prefix into every child and double it.
  const routeOptions: V2RouteOptions = { engine: options.engine, closing: closing.signal };
  await fastify.register(topologyRoutes, routeOptions);
  await fastify.register(deploymentRoutes, routeOptions);
  await fastify.register(processDefinitionRoutes, routeOptions);
  await fastify.register(processInstanceRoutes, routeOptions);
  await fastify.register(elementInstanceRoutes, routeOptions);
  await fastify.register(jobRoutes, routeOptions);
  await fastify.register(userTaskRoutes, routeOptions);
  await fastify.register(messageRoutes, routeOptions);
  await fastify.register(incidentRoutes, routeOptions);
  await fastify.register(variableRoutes, routeOptions);
  await fastify.register(clockRoutes, routeOptions);
}
