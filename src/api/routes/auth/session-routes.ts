import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditActor, appendAudit, recordAudit } from '../../../auth/audit.js';
import { FAILURE_WINDOW_MINUTES, checkSignIn } from '../../../auth/login.js';
import { checkPasswordPolicy, hashPassword } from '../../../auth/passwords.js';
import { createSession, deleteExpiredSessions, deleteOtherSessions, deleteSession } from '../../../auth/sessions.js';
import { sha256Hex } from '../../../auth/tokens.js';
import { findUser, setPasswordHash } from '../../../auth/users.js';
import { errors } from '../../errors.js';
import { SESSION_COOKIE, csrfTokenOf, requireUser, routeOf, sessionCookieOptions } from '../../plugins/auth.js';
import { passwordSchema, userSchema } from '../users/schemas.js';

const signedInSchema = {
  type: 'object',
  required: ['user', 'csrfToken'],
  properties: { user: userSchema, csrfToken: { type: 'string' } },
} as const;

/** Sign-in bodies are tiny; anything bigger is not a sign-in. */
const SMALL_BODY = 4 * 1024;

/**
 * Sign-in, sign-out, who am I, change my password.
 * `POST /api/auth/login` sets the session cookie and returns the CSRF token for unsafe requests.
 */
export default async function sessionRoutes(fastify: FastifyInstance) {
  const { loginRateLimit, sessionIdleMinutes, sessionMaxHours } = fastify.authSettings;
  const limits = { idleMinutes: sessionIdleMinutes, maxHours: sessionMaxHours };
  const rateLimit = { max: loginRateLimit, timeWindow: 60_000 };

  fastify.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit },
      bodyLimit: SMALL_BODY,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: passwordSchema },
        },
        response: { 200: signedInSchema },
      },
    },
    async (request, reply) => {
      const result = await checkSignIn(fastify.db, request.body.username, request.body.password);
      if (result.status === 'throttled') throw new errors.TOO_MANY_REQUESTS(`${FAILURE_WINDOW_MINUTES} minutes`);
      if (result.status === 'invalid') {
        await recordAudit(fastify.db, {
          actor: { type: 'anonymous', id: null },
          action: 'auth.login',
          recordType: result.userId ? 'user' : null,
          recordId: result.userId,
          route: routeOf(request),
          outcome: 'failure',
        });
        throw new errors.INVALID_CREDENTIALS();
      }
      // A session this browser had before is ended, not reused: a fresh token on every sign-in.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await deleteSession(fastify.db, sha256Hex(previous));
      await deleteExpiredSessions(fastify.db, limits);
      const session = await fastify.db.transaction(async (tx) => {
        const created = await createSession(tx, result.userId, limits);
        await appendAudit(tx, {
          actor: { type: 'user', id: result.userId },
          action: 'auth.login',
          recordType: 'user',
          recordId: result.userId,
          route: routeOf(request),
          outcome: 'success',
        });
        return created;
      });
      request.log.info({ userId: result.userId }, 'signed in');
      reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(request));
      return { user: await findUser(fastify.db, result.userId), csrfToken: session.csrfToken };
    },
  );

  fastify.post(
    '/api/auth/logout',
    { config: { access: 'authenticated' }, bodyLimit: SMALL_BODY },
    async (request, reply) => {
      const user = requireUser(request);
      await fastify.db.transaction(async (tx) => {
        await deleteSession(tx, user.sessionId);
        await appendAudit(tx, {
          actor: auditActor(user),
          action: 'auth.logout',
          recordType: 'user',
          recordId: user.userId,
          route: routeOf(request),
          outcome: 'success',
        });
      });
      clearCookie(request, reply);
      return reply.status(204).send();
    },
  );

  fastify.get(
    '/api/auth/me',
    { config: { access: 'authenticated' }, schema: { response: { 200: signedInSchema } } },
    async (request) => {
      const user = requireUser(request);
      // The page may have been reloaded: hand the CSRF token out again. Only same-origin script
      // can read this answer (no CORS), and only with the cookie (SameSite=Strict).
      return { user: await findUser(fastify.db, user.userId), csrfToken: csrfTokenOf(request) };
    },
  );

  fastify.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/auth/password',
    {
      config: { access: 'authenticated', rateLimit },
      bodyLimit: SMALL_BODY,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['currentPassword', 'newPassword'],
          properties: { currentPassword: passwordSchema, newPassword: passwordSchema },
        },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const account = await findUser(fastify.db, user.userId);
      if (!account) throw new errors.AUTHENTICATION_REQUIRED();
      // The same check and failure count as sign-in: a stolen session cannot guess on here.
      const result = await checkSignIn(fastify.db, account.username, request.body.currentPassword);
      if (result.status === 'throttled') throw new errors.TOO_MANY_REQUESTS(`${FAILURE_WINDOW_MINUTES} minutes`);
      if (result.status !== 'ok') throw new errors.CURRENT_PASSWORD_WRONG();
      const problem = checkPasswordPolicy(request.body.newPassword);
      if (problem) throw new errors.PASSWORD_POLICY(problem);
      const passwordHash = await hashPassword(request.body.newPassword);
      await fastify.db.transaction(async (tx) => {
        await setPasswordHash(tx, user.userId, passwordHash);
        // Whoever else holds a session of this account loses it with the old password.
        await deleteOtherSessions(tx, user.userId, user.sessionId);
        await appendAudit(tx, {
          actor: auditActor(user),
          action: 'user.password-change',
          recordType: 'user',
          recordId: user.userId,
          route: routeOf(request),
          outcome: 'success',
        });
      });
      return reply.status(204).send();
    },
  );
}

function clearCookie(request: FastifyRequest, reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request));
}
