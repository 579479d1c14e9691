import type { FastifyInstance } from 'fastify';
import { auditActor } from '../../../auth/audit.js';
import {
  ClientIdTakenError,
  issueMachineCredential,
  issueMachineToken,
  listMachineCredentials,
  parseAuthorization,
  revokeMachineCredential,
  verifyMachineSecret,
} from '../../../auth/machine-credentials.js';
import { errors } from '../../errors.js';
import { requireUser, routeOf } from '../../plugins/auth.js';

const credentialSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    clientId: { type: 'string' },
    description: { type: 'string' },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

interface TokenBody {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  audience?: string;
}

/**
 * Machine credentials for workers (admin issues, lists, revokes) and the OAuth client-credentials
 * token endpoint the Camunda 8 SDK calls (`CAMUNDA_OAUTH_URL`): form-encoded or JSON body, or
 * HTTP Basic, answering `{access_token, token_type, expires_in}`.
 */
export default async function machineRoutes(fastify: FastifyInstance) {
  const rateLimit = { max: fastify.authSettings.loginRateLimit, timeWindow: 60_000 };

  // OAuth clients send form bodies; this parser exists in this plugin's scope only.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 4 * 1024 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  fastify.post<{ Body: TokenBody }>(
    '/api/auth/token',
    {
      config: { access: 'public', rateLimit },
      bodyLimit: 4 * 1024,
      schema: {
        body: {
          type: 'object',
          required: ['grant_type'],
          properties: {
            grant_type: { type: 'string', const: 'client_credentials' },
            client_id: { type: 'string', maxLength: 100 },
            client_secret: { type: 'string', maxLength: 200 },
            audience: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              access_token: { type: 'string' },
              token_type: { type: 'string' },
              expires_in: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const basic = parseAuthorization(request.headers.authorization);
      const clientId = basic?.scheme === 'basic' ? basic.clientId : request.body.client_id;
      const secret = basic?.scheme === 'basic' ? basic.secret : request.body.client_secret;
      const credentialId = clientId && secret ? await verifyMachineSecret(fastify.db, clientId, secret) : undefined;
      if (!credentialId) throw new errors.INVALID_CREDENTIALS();
      const { token, expiresIn } = await issueMachineToken(fastify.db, credentialId);
      request.log.info({ credentialId }, 'machine token issued');
      // OAuth 2.0 (RFC 6749 §5.1): token responses must not be cached.
      reply.header('cache-control', 'no-store');
      return { access_token: token, token_type: 'Bearer', expires_in: expiresIn };
    },
  );

  fastify.post<{ Body: { clientId: string; description?: string } }>(
    '/api/auth/machine-credentials',
    {
      config: { access: ['admin'] },
      bodyLimit: 4 * 1024,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['clientId'],
          properties: {
            clientId: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' },
            description: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          201: { type: 'object', properties: { credential: credentialSchema, secret: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const admin = requireUser(request);
      try {
        const issued = await issueMachineCredential(
          fastify.db,
          { ...request.body, createdBy: admin.userId },
          { actor: auditActor(admin), route: routeOf(request) },
        );
        reply.header('cache-control', 'no-store');
        return reply.status(201).send(issued);
      } catch (error) {
        if (error instanceof ClientIdTakenError) throw new errors.CLIENT_ID_TAKEN();
        throw error;
      }
    },
  );

  fastify.get(
    '/api/auth/machine-credentials',
    {
      config: { access: ['admin'] },
      schema: {
        response: { 200: { type: 'object', properties: { credentials: { type: 'array', items: credentialSchema } } } },
      },
    },
    async () => ({ credentials: await listMachineCredentials(fastify.db) }),
  );

  fastify.delete<{ Params: { id: string } }>(
    '/api/auth/machine-credentials/:id',
    {
      config: { access: ['admin'] },
      schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } },
    },
    async (request, reply) => {
      const revoked = await revokeMachineCredential(fastify.db, request.params.id, {
        actor: auditActor(request.principal),
        route: routeOf(request),
      });
      if (!revoked) throw new errors.MACHINE_CREDENTIAL_NOT_FOUND();
      return reply.status(204).send();
    },
  );
}
