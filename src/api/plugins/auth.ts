/**
 * Sign-in state and access control for every route.
 *
 * - Every route declares `config: { access }` (see {@link Access}); registering a route without
 *   one throws, so the server refuses to start. At request time one `onRequest` hook resolves
 *   the principal and enforces the declaration before the body is even read.
 * - People: a server-side session named by a random token in an httpOnly, SameSite=Strict cookie
 *   (Secure over TLS). Unsafe methods also need the session's CSRF token in `x-csrf-token`
 *   (synchronizer token: returned at sign-in and by GET /api/auth/me).
 * - Machines (`access: 'machine'`, /v2 and /engine-rest): HTTP Basic with a machine credential
 *   or a bearer token from POST /api/auth/token — never a cookie, so no CSRF exposure.
 */
import cookie, { type CookieSerializeOptions } from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { assertAccess, decideAccess, type Access } from '../../auth/access.js';
import { auditActor, recordAudit } from '../../auth/audit.js';
import { parseAuthorization, verifyMachineSecret, verifyMachineToken } from '../../auth/machine-credentials.js';
import type { MachinePrincipal, Principal, UserPrincipal } from '../../auth/roles.js';
import { lookupSession, type ActiveSession } from '../../auth/sessions.js';
import { safeEqual } from '../../auth/tokens.js';
import type { Config } from '../../config.js';
import { errors } from '../errors.js';

/** The settings of sign-in and access, as the routes and hooks need them. */
export type AuthSettings = Pick<
  Config,
  'engineAuth' | 'sessionIdleMinutes' | 'sessionMaxHours' | 'cookieSecure' | 'loginRateLimit'
>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; required on every route (see src/auth/access.ts). */
    access?: Access;
  }
  interface FastifyRequest {
    /** Who this request acts for, set by the access hook; null on public routes. */
    principal: Principal | null;
  }
  interface FastifyInstance {
    authSettings: AuthSettings;
  }
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'uebergang_session';
/** Header carrying the CSRF token on unsafe requests of a cookie session. */
export const CSRF_HEADER = 'x-csrf-token';

/** Everything else (POST, PUT, PATCH, DELETE, and any other method) needs the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token of each request's session, kept from the access hook for GET /api/auth/me. */
const csrfTokens = new WeakMap<FastifyRequest, string>();

/** The CSRF token of the session the request was authenticated with, if it came with a cookie. */
export function csrfTokenOf(request: FastifyRequest): string | undefined {
  return csrfTokens.get(request);
}

const kScopeAccess = Symbol('uebergang.scopeAccess');

/**
 * Declares `access` for every route registered in the plugin scope `instance` (and below) that
 * does not declare its own — for plugins whose route definitions are not ours to edit (the
 * health routes; swagger-ui later). Call it in an encapsulated plugin, never on the root.
 */
export function declareScopeAccess(instance: FastifyInstance, access: Access): void {
  assertAccess(access, 'scope');
  (instance as unknown as Record<symbol, Access>)[kScopeAccess] = access;
}

/** Method and route pattern of a request, as the audit trail records it (no values from the URL). */
export function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? ''}`;
}

/** Cookie attributes of the session cookie for this request. */
export function sessionCookieOptions(request: FastifyRequest): CookieSerializeOptions {
  const { cookieSecure } = request.server.authSettings;
  // request.protocol honours X-Forwarded-Proto only from proxies named in TRUST_PROXY.
  const secure = cookieSecure === 'always' || (cookieSecure === 'auto' && request.protocol === 'https');
  // No Max-Age: the cookie ends with the browser session (shared PCs); the server limits apply.
  return { path: '/', httpOnly: true, sameSite: 'strict', secure };
}

/** The signed-in person of a request, for handlers of routes declared for people. */
export function requireUser(request: FastifyRequest): UserPrincipal {
  if (request.principal?.kind !== 'user') throw new errors.AUTHENTICATION_REQUIRED();
  return request.principal;
}

/** The live session named by the request's cookie, or undefined. */
export async function sessionOf(request: FastifyRequest): Promise<ActiveSession | undefined> {
  const token = request.cookies[SESSION_COOKIE];
  if (!token || token.length > 100) return undefined;
  const { sessionIdleMinutes, sessionMaxHours } = request.server.authSettings;
  return lookupSession(request.server.db, token, { idleMinutes: sessionIdleMinutes, maxHours: sessionMaxHours });
}

/**
 * Authenticates an engine client from its Authorization header: HTTP Basic with a machine
 * credential's client id and secret, or a bearer token from POST /api/auth/token. With
 * ENGINE_AUTH=none every caller passes as an anonymous machine. Routes declared
 * `access: 'machine'` get this automatically; it is exported for protocol handlers that need it
 * elsewhere.
 * @returns the machine principal, or undefined when the credentials are missing or wrong
 */
export async function authenticateMachine(request: FastifyRequest): Promise<MachinePrincipal | undefined> {
  if (request.server.authSettings.engineAuth === 'none') return { kind: 'machine', credentialId: null };
  const authorization = parseAuthorization(request.headers.authorization);
  if (!authorization) return undefined;
  const credentialId =
    authorization.scheme === 'basic'
      ? await verifyMachineSecret(request.server.db, authorization.clientId, authorization.secret)
      : await verifyMachineToken(request.server.db, authorization.token);
  return credentialId ? { kind: 'machine', credentialId } : undefined;
}

/**
 * Refuses an unsafe request of a cookie session that does not carry the session's CSRF token,
 * or that the browser marks as coming from another site.
 */
function checkCsrf(request: FastifyRequest, csrfToken: string): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new errors.CSRF_TOKEN_INVALID('cross-site request');
  }
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !safeEqual(sent, csrfToken)) {
    throw new errors.CSRF_TOKEN_INVALID(`the ${CSRF_HEADER} header is missing or does not match the session`);
  }
}

/** Registers cookies, the rate limiter, the principal and the access hooks on the root instance. */
export default fp(
  async function authPlugin(fastify: FastifyInstance, options: { config: AuthSettings }) {
    fastify.decorate('authSettings', Object.freeze({ ...options.config }));
    fastify.decorateRequest('principal', null);
    await fastify.register(cookie);
    // Opt-in per route (`config.rateLimit`): the sign-in and token routes use it. In memory,
    // per process; the per-account failure count in the database holds across processes.
    await fastify.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => new errors.TOO_MANY_REQUESTS(context.after),
    });

    // A route without a declaration must not exist: throwing here fails its registration and
    // with it the start of the server.
    fastify.addHook('onRoute', function checkRouteAccess(route) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      // `this` is the instance the route is registered on; a scope declaration is inherited.
      const scopeAccess = (this as unknown as Record<symbol, Access | undefined>)[kScopeAccess];
      if (route.config?.access === undefined && scopeAccess !== undefined) {
        route.config = { ...route.config, access: scopeAccess };
      }
      assertAccess(route.config?.access, `${methods} ${route.url}`);
    });

    fastify.addHook('onRequest', async (request, reply) => {
      const access = request.routeOptions.config.access;
      if (access === undefined) {
        // Only the not-found handler has no declaration (routes without one cannot register).
        if (request.is404) return;
        throw new errors.FORBIDDEN();
      }
      if (access === 'public') return;

      if (access === 'machine') {
        const machine = await authenticateMachine(request);
        if (!machine) {
          // Bearer, not Basic: a Basic challenge would make browsers prompt and cache passwords.
          reply.header('www-authenticate', 'Bearer realm="uebergang"');
          throw new errors.AUTHENTICATION_REQUIRED();
        }
        request.principal = machine;
        return;
      }

      const session = await sessionOf(request);
      if (!session) throw new errors.AUTHENTICATION_REQUIRED();
      request.principal = session.principal;
      csrfTokens.set(request, session.csrfToken);
      if (!SAFE_METHODS.has(request.method)) checkCsrf(request, session.csrfToken);
      if (decideAccess(access, session.principal) === 'forbidden') {
        await recordAudit(request.server.db, {
          actor: auditActor(session.principal),
          action: 'access.denied',
          route: routeOf(request),
          outcome: 'denied',
        });
        throw new errors.FORBIDDEN();
      }
    });
  },
  { name: 'auth', dependencies: ['database'] },
);
