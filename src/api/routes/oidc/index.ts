/**
 * Optional OIDC sign-in (Keycloak or similar) with `openid-client`: authorization code flow with
 * PKCE, state and nonce. `GET /api/auth/oidc/login` sends the browser to the issuer;
 * `GET /api/auth/oidc/callback` checks the answer, maps the ID token's `preferred_username` to an
 * active local account (roles stay managed here; nobody is created on the fly), opens a session
 * as the password sign-in does and sends the browser to the app. Without OIDC_ISSUER_URL both
 * answer 404 OIDC_NOT_CONFIGURED.
 */
import createError from '@fastify/error';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { appendAudit, recordAudit } from '../../../auth/audit.js';
import { createSession } from '../../../auth/sessions.js';
import type { Config } from '../../../config.js';
import { SESSION_COOKIE, routeOf, sessionCookieOptions } from '../../plugins/auth.js';
import { callbackQuery } from './schemas.js';

const oidcErrors = {
  OIDC_NOT_CONFIGURED: createError('OIDC_NOT_CONFIGURED', 'OIDC sign-in is not configured', 404),
  OIDC_UNAVAILABLE: createError('OIDC_UNAVAILABLE', 'The OIDC issuer cannot be reached', 503),
  OIDC_FAILED: createError('OIDC_FAILED', 'OIDC sign-in failed: %s', 401),
  OIDC_NO_ACCOUNT: createError('OIDC_NO_ACCOUNT', 'No active account for this sign-in', 403),
};

/** The flow's secrets between the two requests; Lax: it must come back with the issuer's redirect. */
const FLOW_COOKIE = 'uebergang_oidc';
const FLOW_PATH = '/api/auth/oidc';
const FLOW_SECONDS = 600;

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
}

/** Where the issuer sends the browser back: this server's own callback. */
function callbackUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${FLOW_PATH}/callback`;
}

/** Registers the OIDC sign-in routes. */
export default async function oidcRoutes(fastify: FastifyInstance, options: { config: Config }) {
  const { oidcIssuerUrl, oidcClientId, oidcClientSecret } = options.config;
  const { sessionIdleMinutes, sessionMaxHours } = fastify.authSettings;
  let discovered: Promise<client.Configuration> | undefined;

  /** The issuer's configuration, discovered once; a failure is retried on the next sign-in. */
  function issuer(): Promise<client.Configuration> {
    if (!oidcIssuerUrl || !oidcClientId || !oidcClientSecret) return Promise.reject(new oidcErrors.OIDC_NOT_CONFIGURED());
    const url = new URL(oidcIssuerUrl);
    // Plain HTTP only to an issuer on this machine (development, tests).
    const local = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    discovered ??= client
      .discovery(url, oidcClientId, oidcClientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((error: unknown) => {
        discovered = undefined;
        throw new oidcErrors.OIDC_UNAVAILABLE(undefined, { cause: error });
      });
    return discovered;
  }

  fastify.get('/api/auth/oidc/login', { config: { access: 'public' } }, async (request, reply) => {
    const configuration = await issuer();
    const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const target = client.buildAuthorizationUrl(configuration, {
      redirect_uri: callbackUrl(request),
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    reply.setCookie(FLOW_COOKIE, Buffer.from(JSON.stringify(flow)).toString('base64url'), {
      ...sessionCookieOptions(request),
      sameSite: 'lax',
      path: FLOW_PATH,
      maxAge: FLOW_SECONDS,
    });
    return reply.redirect(target.href);
  });

  fastify.get(
    '/api/auth/oidc/callback',
    { config: { access: 'public' }, schema: { querystring: callbackQuery } },
    async (request, reply) => {
      const configuration = await issuer();
      const flow = readFlow(request.cookies[FLOW_COOKIE]);
      reply.clearCookie(FLOW_COOKIE, { path: FLOW_PATH });
      if (!flow) throw new oidcErrors.OIDC_FAILED('the sign-in was not started here or took too long');
      const current = new URL(request.url, callbackUrl(request));
      let username: string | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(configuration, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        username = typeof claims?.preferred_username === 'string' ? claims.preferred_username.toLowerCase() : undefined;
      } catch (error) {
        request.log.warn({ err: { name: (error as Error).name, code: (error as { code?: string }).code } }, 'OIDC sign-in refused');
        throw new oidcErrors.OIDC_FAILED('the issuer’s answer did not check out');
      }
      const { rows } = username
        ? await fastify.db.query<{ id: string }>('select id from app_user where username = $1 and active', [username])
        : { rows: [] };
      if (!rows[0]) {
        await recordAudit(fastify.db, { actor: { type: 'anonymous', id: null }, action: 'auth.login.oidc', route: routeOf(request), outcome: 'failure' });
        throw new oidcErrors.OIDC_NO_ACCOUNT();
      }
      const userId = rows[0].id;
      const session = await fastify.db.transaction(async (tx) => {
        const created = await createSession(tx, userId, { idleMinutes: sessionIdleMinutes, maxHours: sessionMaxHours });
        await appendAudit(tx, {
          actor: { type: 'user', id: userId },
          action: 'auth.login.oidc',
          recordType: 'user',
          recordId: userId,
          route: routeOf(request),
          outcome: 'success',
        });
        return created;
      });
      request.log.info({ userId }, 'signed in with OIDC');
      reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(request));
      // The app reads its CSRF token from GET /api/auth/me.
      return reply.redirect('/');
    },
  );
}

/** The flow cookie's content, or undefined when it is missing or not ours. */
function readFlow(cookie: string | undefined): Flow | undefined {
  if (!cookie || cookie.length > 1000) return undefined;
  try {
    const flow = JSON.parse(Buffer.from(cookie, 'base64url').toString()) as Partial<Flow>;
    if (typeof flow.state === 'string' && typeof flow.nonce === 'string' && typeof flow.verifier === 'string') return flow as Flow;
  } catch {
    // not ours
  }
  return undefined;
}
