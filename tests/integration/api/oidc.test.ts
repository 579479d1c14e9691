/**
 * OIDC sign-in against a small issuer of the test's own (discovery, authorize, token with PKCE,
 * JWKS; ID tokens signed RS256 with jose): a known account gets a session, an unknown one and a
 * forged state are refused; without configuration the routes answer 404.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenWithRoutes } from '../../helpers/auth-app.js';
import { createTestUser } from '../../helpers/auth-server.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const CLIENT_ID = 'uebergang';
const CLIENT_SECRET = 'issuer-test-secret';

/** A minimal OIDC issuer: one client, codes for whichever `preferred_username` the test picks. */
async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; nonce: string; username: string; redirectUri: string }>();
  let nextUsername = 'oidc.person';
  let issuerUrl = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, issuerUrl);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: issuerUrl,
        authorization_endpoint: `${issuerUrl}/authorize`,
        token_endpoint: `${issuerUrl}/token`,
        jwks_uri: `${issuerUrl}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge')!,
        nonce: url.searchParams.get('nonce')!,
        username: nextUsername,
        redirectUri: url.searchParams.get('redirect_uri')!,
      });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        void (async () => {
          const form = new URLSearchParams(body);
          const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
          const grant = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          // client_secret_basic or client_secret_post, as Keycloak takes either
          const authenticated =
            req.headers.authorization === `Basic ${basic}` || (form.get('client_id') === CLIENT_ID && form.get('client_secret') === CLIENT_SECRET);
          if (!authenticated || !grant || grant.challenge !== challenge || grant.redirectUri !== form.get('redirect_uri')) {
            return json(400, { error: 'invalid_grant' });
          }
          const idToken = await new SignJWT({ nonce: grant.nonce, preferred_username: grant.username })
            .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
            .setIssuer(issuerUrl)
            .setAudience(CLIENT_ID)
            .setSubject(`sub-${grant.username}`)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(privateKey as CryptoKey);
          json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
        })();
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: issuerUrl,
    signInAs(username: string) {
      nextUsername = username;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `name=value` of a cookie a response sets. */
function cookieFrom(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(';')[0];
}

describe.each(backends)('OIDC sign-in on $name', (backend) => {
  const handle = useDatabase(backend);
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let app: Awaited<ReturnType<typeof listenWithRoutes>>;

  beforeAll(async () => {
    issuer = await startIssuer();
    app = await listenWithRoutes(handle.db, { OIDC_ISSUER_URL: issuer.url, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET });
    await createTestUser(handle.db, 'oidc.person', [{ role: 'social-service', teamId: 'team-a' }]);
  });
  afterAll(async () => {
    await app?.fastify.close();
    await issuer?.close();
  });

  /** Walks the browser's redirects: app → issuer → app callback. */
  async function signInThroughIssuer(tamper?: (callback: URL) => void) {
    const start = await fetch(`${app.url}/api/auth/oidc/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const flow = cookieFrom(start, 'uebergang_oidc')!;
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    tamper?.(callback);
    return fetch(callback, { redirect: 'manual', headers: { cookie: flow } });
  }

  it('signs a known account in: a session that /api/auth/me accepts, audited', async () => {
    // given
    issuer.signInAs('oidc.person');
    // when
    const answer = await signInThroughIssuer();
    // then
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe('/');
    const session = cookieFrom(answer, 'uebergang_session')!;
    const me = await fetch(`${app.url}/api/auth/me`, { headers: { cookie: session } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe('oidc.person');
    const { rows } = await handle.db.query(`select outcome from audit_log where action = 'auth.login.oidc'`);
    expect(rows).toEqual([{ outcome: 'success' }]);
  });

  it('refuses a person without a local account, and a forged state', async () => {
    // given
    issuer.signInAs('somebody.else');
    // when
    const unknown = await signInThroughIssuer();
    issuer.signInAs('oidc.person');
    const forged = await signInThroughIssuer((callback) => callback.searchParams.set('state', 'forged'));
    // then
    expect(unknown.status).toBe(403);
    expect(((await unknown.json()) as { code: string }).code).toBe('OIDC_NO_ACCOUNT');
    expect(cookieFrom(unknown, 'uebergang_session')).toBeUndefined();
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('OIDC_FAILED');
  });
});

describe.each(backends)('OIDC sign-in without configuration on $name', (backend) => {
  const handle = useDatabase(backend);
  let app: Awaited<ReturnType<typeof listenWithRoutes>>;
  beforeAll(async () => {
    app = await listenWithRoutes(handle.db);
  });
  afterAll(() => app?.fastify.close());

  it('answers 404 OIDC_NOT_CONFIGURED', async () => {
    const answer = await fetch(`${app.url}/api/auth/oidc/login`, { redirect: 'manual' });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { code: string }).code).toBe('OIDC_NOT_CONFIGURED');
  });
});
