/**
 * OpenAPI: `@fastify/swagger` collects every route's JSON schema into one document, and
 * `@fastify/swagger-ui` serves it at `/docs` (`/docs/json` the document itself). Signed-in people
 * only: the API's shape is no secret, but nothing about it needs to be public either.
 * {@link registerOpenApi} must run before the first route is registered.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { declareScopeAccess } from '../../plugins/auth.js';

/** Starts collecting routes into the OpenAPI document (register before any route). */
export async function registerOpenApi(fastify: FastifyInstance): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      info: {
        title: 'Übergangsmanagement API',
        description:
          'Produkt-API (Sitzungs-Cookie, `x-csrf-token` bei ändernden Anfragen) und die Protokolle der Engine ' +
          '(`/v2`: Camunda 8 REST, `/engine-rest`: Camunda 7 External Tasks, mit Maschinen-Zugang). / ' +
          'Product API (session cookie, `x-csrf-token` on unsafe requests) and the engine protocols (machine credentials).',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'uebergang_session' },
          machine: { type: 'http', scheme: 'basic' },
        },
      },
    },
  });
}

/** `/docs`: the Swagger UI over the collected document, for signed-in people. */
export default async function docsRoutes(fastify: FastifyInstance) {
  declareScopeAccess(fastify, 'authenticated');
  // @fastify/swagger-ui redirects /docs/static/index.html to itself when a query string follows
  // (its pattern ends in `$`): an endless redirect. Send such requests to the page directly.
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/docs/static/index.html?')) return reply.redirect('/docs/');
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: false });
}
