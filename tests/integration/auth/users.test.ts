/** Account management: admin only, validated, audited, never showing a hash. */
import { describe, expect, it } from 'vitest';
import { call, createTestUser, signIn, useAuthServer } from '../../helpers/auth-server.js';
import { backends } from '../../helpers/databases.js';

describe.each(backends)('users on $name', (backend) => {
  const app = useAuthServer(backend, { LOGIN_RATE_LIMIT: '1000' });

  const newUser = (username: string, memberships: unknown[], password = 'long enough password') => ({
    username,
    displayName: 'Maria Beispiel',
    password,
    memberships,
  });

  it('lets an admin create an account with team memberships that can then sign in', async () => {
    const admin = await createTestUser(app.db, 'users.admin', [{ role: 'admin', teamId: null }]);
    await app.db.query(`insert into team (id, name) values ('team-nord', 'Nord') on conflict do nothing`);
    const session = await signIn(app.url, 'users.admin');

    const created = await call(app.url, 'POST', '/api/users', {
      session,
      body: newUser('M.Beispiel', [{ role: 'social-service', teamId: 'team-nord' }, { role: 'process-owner' }]),
    });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'm.beispiel',
      displayName: 'Maria Beispiel',
      active: true,
      memberships: [
        { role: 'process-owner', teamId: null },
        { role: 'social-service', teamId: 'team-nord' },
      ],
    });
    expect(JSON.stringify(created.body)).not.toMatch(/argon|password/i);
    await signIn(app.url, 'm.beispiel', 'long enough password');

    const { rows } = await app.db.query<{ actor_id: string; route: string; details: unknown }>(
      `select actor_id, route, details from audit_log where action = 'user.create' and record_id = $1`,
      [created.body.id],
    );
    expect(rows).toEqual([
      {
        actor_id: admin.id,
        route: 'POST /api/users',
        details: { roles: ['process-owner', 'social-service@team-nord'] },
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('Maria');
  });

  it.each([
    ['a taken username', newUser('users.admin', []), 409, 'USERNAME_TAKEN'],
    ['a team that does not exist', newUser('u1', [{ role: 'supervisor', teamId: 'nowhere' }]), 422, 'INVALID_MEMBERSHIP'],
    ['a caseworker role without a team', newUser('u2', [{ role: 'administration' }]), 422, 'INVALID_MEMBERSHIP'],
    ['admin held for a team', newUser('u3', [{ role: 'admin', teamId: 'team-nord' }]), 422, 'INVALID_MEMBERSHIP'],
    ['a role that does not exist', newUser('u4', [{ role: 'janitor' }]), 400, 'FST_ERR_VALIDATION'],
    ['a short password', newUser('u5', [], 'short'), 422, 'PASSWORD_POLICY'],
    ['a username with spaces', newUser('has space', []), 400, 'FST_ERR_VALIDATION'],
  ])('refuses %s', async (_what, body, status, code) => {
    const session = await signIn(app.url, 'users.admin');
    const answer = await call(app.url, 'POST', '/api/users', { session, body });
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    const { rows } = await app.db.query(`select 1 from app_user where username like 'u_'`);
    expect(rows).toEqual([]);
  });

  it('lists accounts for an admin and audits the read', async () => {
    const session = await signIn(app.url, 'users.admin');
    const listed = await call(app.url, 'GET', '/api/users', { session });
    expect(listed.status).toBe(200);
    expect(listed.body.users.map((u: { username: string }) => u.username)).toContain('m.beispiel');
    expect(JSON.stringify(listed.body)).not.toMatch(/argon/);
    const { rows } = await app.db.query(`select details from audit_log where action = 'user.list'`);
    expect(rows).toEqual([{ details: { count: listed.body.users.length } }]);
  });

  it('refuses a supervisor', async () => {
    await createTestUser(app.db, 'users.supervisor', [{ role: 'supervisor', teamId: 'team-nord' }]);
    const session = await signIn(app.url, 'users.supervisor');
    expect((await call(app.url, 'GET', '/api/users', { session })).body.code).toBe('FORBIDDEN');
    expect((await call(app.url, 'POST', '/api/users', { session, body: newUser('u6', []) })).body.code).toBe('FORBIDDEN');
  });
});
