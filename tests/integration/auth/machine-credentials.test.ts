/** Workers authenticate as machines on /v2 and /engine-rest: Basic or Bearer, never a cookie. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenWithRoutes } from '../../helpers/auth-app.js';
import { call, createTestUser, signIn, type Session } from '../../helpers/auth-server.js';
import { backends, useDatabase } from '../../helpers/databases.js';

/** Machine routes that answer with the principal, declared as the engine's protocol routes are. */
async function engineRoutes(root: FastifyInstance) {
  const whoami = async (request: { principal: unknown }) => ({ principal: request.principal });
  root.get('/test/machine/whoami', { config: { access: 'machine' } }, whoami);
  root.post('/test/machine/whoami', { config: { access: 'machine' } }, whoami);
}

const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

describe.each(backends)('machine credentials on $name', (backend) => {
  const handle = useDatabase(backend);
  let url: string;
  let fastify: FastifyInstance;
  let admin: Session;
  let clientId: string;
  let secret: string;
  let credentialId: string;

  beforeAll(async () => {
    ({ url, fastify } = await listenWithRoutes(handle.db, { LOGIN_RATE_LIMIT: '1000' }, engineRoutes));
    await createTestUser(handle.db, 'machine.admin', [{ role: 'admin', teamId: null }]);
    admin = await signIn(url, 'machine.admin');
  });
  afterAll(() => fastify?.close());

  it('are issued by an admin, with the secret shown once and stored hashed', async () => {
    const issued = await call(url, 'POST', '/api/auth/machine-credentials', {
      session: admin,
      body: { clientId: 'worker-1', description: 'reminder workers' },
    });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    ({ secret } = issued.body);
    ({ clientId, id: credentialId } = issued.body.credential);
    expect(clientId).toBe('worker-1');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const { rows } = await handle.db.query<{ secret_hash: string }>('select secret_hash from machine_credential');
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].secret_hash).not.toContain(secret);
    const listed = await call(url, 'GET', '/api/auth/machine-credentials', { session: admin });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await call(url, 'POST', '/api/auth/machine-credentials', { session: admin, body: { clientId } })).body.code).toBe(
      'CLIENT_ID_TAKEN',
    );
  });

  it('open the engine routes with HTTP Basic; wrong or missing credentials get 401', async () => {
    const ok = await call(url, 'GET', '/test/machine/whoami', { headers: { authorization: basic(clientId, secret) } });
    expect(ok.status).toBe(200);
    expect(ok.body.principal).toEqual({ kind: 'machine', credentialId });

    for (const authorization of [basic(clientId, 'wrong'), basic('nobody', secret), 'Basic !!!', '']) {
      const refused = await call(url, 'GET', '/test/machine/whoami', { headers: authorization ? { authorization } : {} });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="uebergang"');
    }
  });

  it('are not a person and a person is not a machine', async () => {
    expect((await call(url, 'GET', '/test/machine/whoami', { session: admin })).status).toBe(401);
    expect((await call(url, 'GET', '/api/auth/me', { headers: { authorization: basic(clientId, secret) } })).status).toBe(401);
  });

  it('exchange client credentials for a bearer token, form-encoded (Camunda SDK) or JSON', async () => {
    const form = await call(url, 'POST', '/api/auth/token', {
      body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${encodeURIComponent(secret)}&audience=zeebe-api`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(form.headers.get('cache-control')).toBe('no-store');

    const json = await call(url, 'POST', '/api/auth/token', {
      body: { grant_type: 'client_credentials' },
      headers: { authorization: basic(clientId, secret) },
    });
    expect(json.status).toBe(200);

    const bearer = await call(url, 'POST', '/test/machine/whoami', {
      headers: { authorization: `Bearer ${form.body.access_token}` },
    });
    expect(bearer.status).toBe(200);
    expect(bearer.body.principal).toEqual({ kind: 'machine', credentialId });

    const wrong = await call(url, 'POST', '/api/auth/token', {
      body: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' },
    });
    expect(wrong.status).toBe(401);
    expect((await call(url, 'GET', '/test/machine/whoami', { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
  });

  it('refuse an expired bearer token', async () => {
    const token = await call(url, 'POST', '/api/auth/token', {
      body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
    });
    await handle.db.query(`update machine_token set expires_at = now() - interval '1 second'`);
    const answer = await call(url, 'GET', '/test/machine/whoami', { headers: { authorization: `Bearer ${token.body.access_token}` } });
    expect(answer.status).toBe(401);
  });

  it('stop working, Basic and Bearer, once revoked', async () => {
    const token = await call(url, 'POST', '/api/auth/token', {
      body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
    });
    const revoked = await call(url, 'DELETE', `/api/auth/machine-credentials/${credentialId}`, { session: admin });
    expect(revoked.status).toBe(204);
    expect((await call(url, 'GET', '/test/machine/whoami', { headers: { authorization: basic(clientId, secret) } })).status).toBe(401);
    expect(
      (await call(url, 'GET', '/test/machine/whoami', { headers: { authorization: `Bearer ${token.body.access_token}` } })).status,
    ).toBe(401);
    const { rows } = await handle.db.query<{ action: string }>(
      `select action from audit_log where record_id = $1 order by seq`,
      [credentialId],
    );
    expect(rows.map((r) => r.action)).toEqual(['machine-credential.issue', 'machine-credential.revoke']);
  });
});

describe.each(backends)('ENGINE_AUTH=none on $name', (backend) => {
  const handle = useDatabase(backend);
  let url: string;
  let fastify: FastifyInstance;
  beforeAll(async () => {
    ({ url, fastify } = await listenWithRoutes(handle.db, { ENGINE_AUTH: 'none' }, engineRoutes));
  });
  afterAll(() => fastify?.close());

  it('lets engine clients in without credentials, and nobody into the product API', async () => {
    const answer = await call(url, 'GET', '/test/machine/whoami');
    expect(answer.status).toBe(200);
    expect(answer.body.principal).toEqual({ kind: 'machine', credentialId: null });
    expect((await call(url, 'GET', '/api/users')).status).toBe(401);
  });
});
