/** Sign-in, sessions, cookies and CSRF over real HTTP, on every back-end. */
import { describe, expect, it } from 'vitest';
import { MAX_FAILURES_PER_ACCOUNT } from '../../../src/auth/login.js';
import { backends } from '../../helpers/databases.js';
import {
  TEST_PASSWORD,
  call,
  createTestUser,
  sessionCookie,
  signIn,
  useAuthServer,
  type Session,
} from '../../helpers/auth-server.js';

describe.each(backends)('sign-in on $name', (backend) => {
  const app = useAuthServer(backend, { LOGIN_RATE_LIMIT: '1000', SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '12' });

  it('signs in with the right password: httpOnly SameSite=Strict cookie, user and CSRF token', async () => {
    const user = await createTestUser(app.db, 'erika.sozial', [{ role: 'social-service', teamId: 'team-a' }]);

    const answer = await call(app.url, 'POST', '/api/auth/login', {
      body: { username: 'Erika.Sozial', password: TEST_PASSWORD },
    });

    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({
      id: user.id,
      username: 'erika.sozial',
      memberships: [{ role: 'social-service', teamId: 'team-a' }],
    });
    expect(answer.body.user).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(answer.body)).not.toContain('argon2');
    expect(answer.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('uebergang_session='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Path=\//i);
    expect(cookie).not.toMatch(/; Secure/i); // plain HTTP without a trusted proxy
  });

  it('refuses a NUL character in a sign-in or a new account with 400, which PostgreSQL text cannot hold', async () => {
    // given an admin, and requests carrying U+0000 in fields that end up in SQL parameters
    await createTestUser(app.db, 'nul.admin', [{ role: 'admin', teamId: null }]);
    const admin = await signIn(app.url, 'nul.admin');
    const { rows: before } = await app.db.query<{ n: number }>('select count(*)::int as n from app_user');

    // when they are sent
    const login = await call(app.url, 'POST', '/api/auth/login', { body: { username: 'nul\u0000admin', password: TEST_PASSWORD } });
    const created = await call(app.url, 'POST', '/api/users', {
      session: admin,
      body: { username: 'nul.user', displayName: 'Nul\u0000', password: TEST_PASSWORD, memberships: [] },
    });

    // then both are refused as bad requests naming the field, and no account was made
    expect(login).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT', detail: expect.stringContaining('body.username') } });
    expect(created).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT', detail: expect.stringContaining('body.displayName') } });
    const { rows: after } = await app.db.query<{ n: number }>('select count(*)::int as n from app_user');
    expect(after[0].n).toBe(before[0].n);
  });

  it('answers an unknown user and a wrong password with the same 401', async () => {
    await createTestUser(app.db, 'wrong.pw', [{ role: 'admin', teamId: null }]);
    const wrong = await call(app.url, 'POST', '/api/auth/login', { body: { username: 'wrong.pw', password: 'not the password' } });
    const unknown = await call(app.url, 'POST', '/api/auth/login', { body: { username: 'nobody', password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CREDENTIALS', detail: 'Username or password is wrong' });
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('refuses a deactivated account like a wrong password', async () => {
    await createTestUser(app.db, 'left.team', [{ role: 'admin', teamId: null }]);
    const session = await signIn(app.url, 'left.team');
    await app.db.query(`update app_user set active = false where username = 'left.team'`);

    expect((await call(app.url, 'POST', '/api/auth/login', { body: { username: 'left.team', password: TEST_PASSWORD } })).body.code).toBe(
      'INVALID_CREDENTIALS',
    );
    // and the session it already had stops working
    expect((await call(app.url, 'GET', '/api/auth/me', { session })).status).toBe(401);
  });

  it('tells who is signed in, with the CSRF token again after a reload, and signs out', async () => {
    await createTestUser(app.db, 'me.myself', [{ role: 'supervisor', teamId: 'team-a' }]);
    const session = await signIn(app.url, 'me.myself');

    const me = await call(app.url, 'GET', '/api/auth/me', { session });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: 'me.myself' }, csrfToken: session.csrfToken });

    const out = await call(app.url, 'POST', '/api/auth/logout', { session });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^uebergang_session=;.*Expires=Thu, 01 Jan 1970/i);
    expect((await call(app.url, 'GET', '/api/auth/me', { session })).status).toBe(401);
    expect((await call(app.url, 'GET', '/api/auth/me')).body.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('gives a new session on every sign-in and ends the one the browser had', async () => {
    await createTestUser(app.db, 'twice', [{ role: 'admin', teamId: null }]);
    const first = await signIn(app.url, 'twice');
    const again = await call(app.url, 'POST', '/api/auth/login', {
      body: { username: 'twice', password: TEST_PASSWORD },
      headers: { cookie: first.cookie },
    });
    const second: Session = { cookie: sessionCookie(again.headers), csrfToken: again.body.csrfToken };
    expect(second.cookie).not.toBe(first.cookie);
    expect((await call(app.url, 'GET', '/api/auth/me', { session: first })).status).toBe(401);
    expect((await call(app.url, 'GET', '/api/auth/me', { session: second })).status).toBe(200);
  });

  it('stores only the SHA-256 of the session token', async () => {
    await createTestUser(app.db, 'hashed', [{ role: 'admin', teamId: null }]);
    const session = await signIn(app.url, 'hashed');
    const token = session.cookie.split('=')[1];
    const { rows } = await app.db.query<{ token_hash: string }>(
      `select s.token_hash from user_session s join app_user u on u.id = s.user_id where u.username = 'hashed'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(token);
  });

  describe('CSRF', () => {
    it('refuses an unsafe request of a cookie session without the x-csrf-token header', async () => {
      await createTestUser(app.db, 'csrf.victim', [{ role: 'admin', teamId: null }]);
      const session = await signIn(app.url, 'csrf.victim');
      const body = { username: 'made.by.csrf', displayName: 'X', password: 'a long enough password', memberships: [] };

      const missing = await call(app.url, 'POST', '/api/users', { session, csrf: false, body });
      const wrong = await call(app.url, 'POST', '/api/users', { session, csrf: 'x'.repeat(43), body });
      const otherSession = await call(app.url, 'POST', '/api/auth/logout', {
        session,
        csrf: (await signIn(app.url, 'csrf.victim')).csrfToken,
      });

      for (const answer of [missing, wrong, otherSession]) {
        expect(answer.status).toBe(403);
        expect(answer.body.code).toBe('CSRF_TOKEN_INVALID');
      }
      const { rows } = await app.db.query(`select 1 from app_user where username = 'made.by.csrf'`);
      expect(rows).toHaveLength(0);
      // the session survived the refused sign-out
      expect((await call(app.url, 'GET', '/api/auth/me', { session })).status).toBe(200);
    });

    it('refuses an unsafe request the browser marks as cross-site, even with the token', async () => {
      await createTestUser(app.db, 'cross.site', [{ role: 'admin', teamId: null }]);
      const session = await signIn(app.url, 'cross.site');
      const answer = await call(app.url, 'POST', '/api/auth/logout', { session, headers: { 'sec-fetch-site': 'cross-site' } });
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('CSRF_TOKEN_INVALID');
      const sameOrigin = await call(app.url, 'POST', '/api/auth/logout', { session, headers: { 'sec-fetch-site': 'same-origin' } });
      expect(sameOrigin.status).toBe(204);
    });

    it('does not ask for the token on safe methods', async () => {
      await createTestUser(app.db, 'reader', [{ role: 'admin', teamId: null }]);
      const session = await signIn(app.url, 'reader');
      expect((await call(app.url, 'GET', '/api/auth/me', { session, csrf: false })).status).toBe(200);
    });
  });

  describe('session expiry', () => {
    it('ends a session idle for longer than SESSION_IDLE_MINUTES', async () => {
      await createTestUser(app.db, 'idle', [{ role: 'admin', teamId: null }]);
      const session = await signIn(app.url, 'idle');
      const idleFor = async (minutes: number) =>
        app.db.query(
          `update user_session set last_seen_at = now() - make_interval(mins => $1)
           where user_id = (select id from app_user where username = 'idle')`,
          [minutes],
        );

      await idleFor(29);
      expect((await call(app.url, 'GET', '/api/auth/me', { session })).status).toBe(200);
      await idleFor(31);
      expect((await call(app.url, 'GET', '/api/auth/me', { session })).status).toBe(401);
    });

    it('ends a session SESSION_MAX_HOURS after sign-in however active', async () => {
      await createTestUser(app.db, 'busy', [{ role: 'admin', teamId: null }]);
      const session = await signIn(app.url, 'busy');
      const { rows } = await app.db.query<{ hours: number }>(
        `select round(extract(epoch from expires_at - created_at) / 3600)::int as hours from user_session
         where user_id = (select id from app_user where username = 'busy')`,
      );
      expect(rows[0].hours).toBe(12);
      await app.db.query(
        `update user_session set expires_at = now() - interval '1 second'
         where user_id = (select id from app_user where username = 'busy')`,
      );
      expect((await call(app.url, 'GET', '/api/auth/me', { session })).status).toBe(401);
    });
  });

  describe('password change', () => {
    it('needs the current password, keeps this session and ends the others', async () => {
      await createTestUser(app.db, 'changer', [{ role: 'social-service', teamId: 'team-a' }]);
      const here = await signIn(app.url, 'changer');
      const elsewhere = await signIn(app.url, 'changer');

      const wrong = await call(app.url, 'POST', '/api/auth/password', {
        session: here,
        body: { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' },
      });
      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('CURRENT_PASSWORD_WRONG');
      const short = await call(app.url, 'POST', '/api/auth/password', {
        session: here,
        body: { currentPassword: TEST_PASSWORD, newPassword: 'short' },
      });
      expect(short.status).toBe(422);
      expect(short.body.code).toBe('PASSWORD_POLICY');

      const changed = await call(app.url, 'POST', '/api/auth/password', {
        session: here,
        body: { currentPassword: TEST_PASSWORD, newPassword: 'a brand new passphrase' },
      });
      expect(changed.status).toBe(204);
      expect((await call(app.url, 'GET', '/api/auth/me', { session: here })).status).toBe(200);
      expect((await call(app.url, 'GET', '/api/auth/me', { session: elsewhere })).status).toBe(401);
      await expect(signIn(app.url, 'changer')).rejects.toThrow(/401/);
      await signIn(app.url, 'changer', 'a brand new passphrase');
    });
  });

  it('throttles one account name after repeated failures, across addresses, even with the right password', async () => {
    await createTestUser(app.db, 'guessed', [{ role: 'admin', teamId: null }]);
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      const answer = await call(app.url, 'POST', '/api/auth/login', { body: { username: 'guessed', password: `guess ${i}` } });
      expect(answer.status).toBe(401);
    }
    const right = await call(app.url, 'POST', '/api/auth/login', { body: { username: 'GUESSED', password: TEST_PASSWORD } });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('TOO_MANY_REQUESTS');
    // The same limit for a name that does not exist: the answer tells nothing about existence.
    for (let i = 0; i <= MAX_FAILURES_PER_ACCOUNT; i++) {
      await call(app.url, 'POST', '/api/auth/login', { body: { username: 'ghost', password: `guess ${i}` } });
    }
    expect((await call(app.url, 'POST', '/api/auth/login', { body: { username: 'ghost', password: 'x' } })).status).toBe(429);
  });

  it('audits sign-in, failure and sign-out by user id, never by name', async () => {
    const user = await createTestUser(app.db, 'audited.person', [{ role: 'admin', teamId: null }]);
    await call(app.url, 'POST', '/api/auth/login', { body: { username: 'audited.person', password: 'wrong password' } });
    const session = await signIn(app.url, 'audited.person');
    await call(app.url, 'POST', '/api/auth/logout', { session });

    const { rows } = await app.db.query<{ action: string; outcome: string; actor_id: string | null; route: string }>(
      `select action, outcome, actor_id, route from audit_log where record_id = $1 and action like 'auth.%' order by seq`,
      [user.id],
    );
    expect(rows).toEqual([
      { action: 'auth.login', outcome: 'failure', actor_id: null, route: 'POST /api/auth/login' },
      { action: 'auth.login', outcome: 'success', actor_id: user.id, route: 'POST /api/auth/login' },
      { action: 'auth.logout', outcome: 'success', actor_id: user.id, route: 'POST /api/auth/logout' },
    ]);
    const { rows: all } = await app.db.query('select * from audit_log');
    expect(JSON.stringify(all)).not.toContain('audited.person');
  });

  it('refuses a body over the limit of the sign-in route with 413 and a malformed one with 400', async () => {
    const big = await call(app.url, 'POST', '/api/auth/login', {
      body: { username: 'x', password: 'y'.repeat(10_000) },
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toContain('application/problem+json');
    const bad = await call(app.url, 'POST', '/api/auth/login', { body: { username: 'x' } });
    expect(bad.status).toBe(400);
    const form = await call(app.url, 'POST', '/api/auth/login', {
      body: 'username=x&password=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415); // a cross-site HTML form cannot sign anyone in
  });

  it('sends security headers with a same-origin CSP', async () => {
    const answer = await call(app.url, 'GET', '/health');
    const csp = answer.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
  });
});

describe.each(backends)('sign-in limits and TLS on $name', (backend) => {
  const app = useAuthServer(backend, { LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '127.0.0.1' });

  it('marks the cookie Secure when a trusted proxy says the request came over HTTPS', async () => {
    await createTestUser(app.db, 'behind.tls', [{ role: 'admin', teamId: null }]);
    const answer = await call(app.url, 'POST', '/api/auth/login', {
      body: { username: 'behind.tls', password: TEST_PASSWORD },
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.getSetCookie()[0]).toMatch(/; Secure/i);
  });

  it('rate-limits sign-in attempts per client address with 429 problem+json', async () => {
    const attempt = (address: string) =>
      call(app.url, 'POST', '/api/auth/login', {
        body: { username: 'someone', password: 'whatever it is' },
        headers: { 'x-forwarded-for': address },
      });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await attempt('198.51.100.1'));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    expect(answers[3].body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(answers[3].headers.get('content-type')).toContain('application/problem+json');
    expect(answers[3].headers.get('retry-after')).toMatch(/^\d+$/);
    // another address has its own budget
    expect((await attempt('198.51.100.2')).status).toBe(401);
  });
});
