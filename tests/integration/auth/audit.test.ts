/** The audit trail: append-only, hash-chained, one chain under concurrent appenders, verifiable. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit, recordAudit, verifyAuditChain, type AuditEntry } from '../../../src/auth/audit.js';
import { migrate, type Database } from '../../../src/db/index.js';
import { openPglite } from '../../../src/db/pglite.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { call, createTestUser, signIn, useAuthServer } from '../../helpers/auth-server.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const entry = (action: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: { type: 'system', id: null },
  action,
  outcome: 'success',
  ...extra,
});

/** What an attacker with database access does first: switch the guard off. */
async function asAttacker(db: Database, sql: string, params: unknown[] = []) {
  await db.query('alter table audit_log disable trigger audit_log_append_only');
  try {
    await db.query(sql, params);
  } finally {
    await db.query('alter table audit_log enable trigger audit_log_append_only');
  }
}

describe.each(backends)('audit trail on $name', (backend) => {
  const handle = useDatabase(backend);

  it('chains appended rows and verifies them', async () => {
    await migrate(handle.db);
    for (let i = 0; i < 5; i++) {
      await recordAudit(handle.db, entry('case.read', { recordType: 'case', recordId: `c${i}`, details: { b: 1, a: ['x'] } }));
    }
    const result = await verifyAuditChain(handle.db, 2); // small batches: crossing batch borders
    expect(result).toMatchObject({ ok: true, rows: 5 });
    const { rows } = await handle.db.query<{ seq: string; prev_hash: string; hash: string }>(
      'select seq, prev_hash, hash from audit_log order by seq',
    );
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows', async () => {
    await expect(handle.db.query(`update audit_log set action = 'x' where seq = 1`)).rejects.toThrow(/append-only/);
    await expect(handle.db.query('delete from audit_log where seq = 1')).rejects.toThrow(/append-only/);
    await expect(handle.db.query('truncate audit_log')).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, rows: 5 });
  });

  it('names the row changed directly in SQL', async () => {
    await asAttacker(handle.db, `update audit_log set record_id = 'someone-else' where seq = 3`);
    expect(await verifyAuditChain(handle.db)).toEqual({
      ok: false,
      rows: 2,
      seq: 3,
      reason: 'row 3 was changed after it was written',
    });
    await asAttacker(handle.db, `update audit_log set record_id = 'c2' where seq = 3`);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true });
  });

  it('notices a changed row whose hash was recomputed, at the row after it', async () => {
    const { rows } = await handle.db.query<{ hash: string }>('select hash from audit_log where seq = 2');
    await asAttacker(handle.db, `update audit_log set hash = $1 where seq = 2`, ['f'.repeat(64)]);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: false, seq: 2 });
    await asAttacker(handle.db, `update audit_log set hash = $1 where seq = 2`, [rows[0].hash]);
    expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true });
  });

  it('names a removed row', async () => {
    await asAttacker(handle.db, 'delete from audit_log where seq = 4');
    expect(await verifyAuditChain(handle.db)).toEqual({ ok: false, rows: 3, seq: 4, reason: 'row 4 is missing' });
  });

  it('rolls the row back with the change it records', async () => {
    const fresh = await backend.create();
    try {
      await migrate(fresh.db);
      await expect(
        fresh.db.transaction(async (tx) => {
          await appendAudit(tx, entry('user.create'));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await recordAudit(fresh.db, entry('user.create'));
      const { rows } = await fresh.db.query<{ seq: string }>('select seq from audit_log');
      expect(rows.map((r) => Number(r.seq))).toEqual([1]);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: true, rows: 1 });
    } finally {
      await fresh.drop();
    }
  });
});

describe.skipIf(!backends.some((b) => b.name === 'postgres'))('audit trail with two API processes on one PostgreSQL', () => {
  const handle = useDatabase(backends.find((b) => b.name === 'postgres')!);

  it('keeps one valid chain when two pools append at the same time', async () => {
    await migrate(handle.db);
    // Two pools of their own: as two API processes would connect.
    const [first, second] = await Promise.all([openPostgres(handle.url!, { max: 5 }), openPostgres(handle.url!, { max: 5 })]);
    try {
      const appends = [first, second].flatMap((db, p) =>
        Array.from({ length: 40 }, (_, i) => recordAudit(db, entry('case.read', { recordId: `p${p}-${i}` }))),
      );
      const seqs = await Promise.all(appends);
      expect(new Set(seqs).size).toBe(80);
      expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, rows: 80 });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe.each(backends)('npm run audit:verify on $name', (backend) => {
  it('exits 0 on an intact chain and 1 naming the row changed in SQL', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-audit-'));
    const created = backend.name === 'postgres' ? await backend.create() : undefined;
    const open = () => (created ? openPostgres(created.url!) : openPglite(dataDir));
    const env = created ? { DATABASE_URL: created.url } : { DATA_DIR: dataDir, DATABASE_URL: '' };
    try {
      // PGlite: one process per DATA_DIR, so the database is closed while the command runs.
      let db = await open();
      await migrate(db);
      for (let i = 0; i < 3; i++) await recordAudit(db, entry('case.read', { recordId: `c${i}` }));
      await db.close();

      const intact = await runVerify(env);
      expect(intact.code).toBe(0);
      expect(intact.stdout).toMatch(/^audit trail intact: 3 rows, last hash [0-9a-f]{64}\n$/);

      db = await open();
      await asAttacker(db, `update audit_log set outcome = 'denied' where seq = 2`);
      await db.close();
      const broken = await runVerify(env);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toBe('audit trail BROKEN at row 2: row 2 was changed after it was written (1 rows before it intact)\n');
    } finally {
      await created?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

async function runVerify(env: Record<string, string | undefined>): Promise<{ code: number; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/audit-verify.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  if (code === 2) throw new Error(stderr);
  return { code: code as number, stdout };
}

describe.each(backends)('GET /api/audit on $name', (backend) => {
  const app = useAuthServer(backend, { LOGIN_RATE_LIMIT: '1000' });

  it('pages through the trail for an admin, newest first, and audits the read', async () => {
    await createTestUser(app.db, 'audit.admin', [{ role: 'admin', teamId: null }]);
    const session = await signIn(app.url, 'audit.admin');
    for (let i = 0; i < 3; i++) await recordAudit(app.db, entry('case.read', { recordId: `c${i}` }));
    const { rows } = await app.db.query<{ n: string }>('select max(seq) as n from audit_log');
    const newest = Number(rows[0].n);

    const first = await call(app.url, 'GET', '/api/audit?limit=2', { session });
    expect(first.status).toBe(200);
    expect(first.body.rows.map((r: { seq: number }) => r.seq)).toEqual([newest, newest - 1]);
    expect(first.body.nextBeforeSeq).toBe(newest - 1);
    const second = await call(app.url, 'GET', `/api/audit?limit=2&beforeSeq=${first.body.nextBeforeSeq}`, { session });
    expect(second.body.rows.map((r: { seq: number }) => r.seq)).toEqual([newest - 2, newest - 3]);

    const { rows: reads } = await app.db.query('select seq from audit_log where action = $1', ['audit.read']);
    expect(reads).toHaveLength(2);
    expect(await verifyAuditChain(app.db)).toMatchObject({ ok: true });
  });

  it('shows a supervisor the rows of the teams they supervise only', async () => {
    const supervisor = await createTestUser(app.db, 'audit.supervisor', [
      { role: 'supervisor', teamId: 'team-a' },
      { role: 'social-service', teamId: 'team-b' },
    ]);
    await recordAudit(app.db, entry('case.read', { recordType: 'case', recordId: 'case-a', teamId: 'team-a' }));
    await recordAudit(app.db, entry('case.read', { recordType: 'case', recordId: 'case-b', teamId: 'team-b' }));
    const session = await signIn(app.url, 'audit.supervisor');

    const answer = await call(app.url, 'GET', '/api/audit?limit=200', { session });
    expect(answer.status).toBe(200);
    expect(answer.body.rows.length).toBeGreaterThan(0);
    expect(answer.body.rows.every((r: { teamId: string }) => r.teamId === 'team-a')).toBe(true);
    expect(JSON.stringify(answer.body)).not.toContain(supervisor.username);
  });

  it('offers no way to change or delete audit rows', async () => {
    await createTestUser(app.db, 'audit.deleter', [{ role: 'admin', teamId: null }]);
    const session = await signIn(app.url, 'audit.deleter');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect((await call(app.url, method, '/api/audit', { session })).status).toBe(404);
      expect((await call(app.url, method, '/api/audit/1', { session })).status).toBe(404);
    }
  });

  it('refuses a caseworker and validates the page size', async () => {
    await createTestUser(app.db, 'audit.caseworker', [{ role: 'social-service', teamId: 'team-a' }]);
    const caseworker = await signIn(app.url, 'audit.caseworker');
    const refused = await call(app.url, 'GET', '/api/audit', { session: caseworker });
    expect(refused.status).toBe(403);
    const { rows } = await app.db.query(`select 1 from audit_log where action = 'access.denied' and route = 'GET /api/audit'`);
    expect(rows.length).toBeGreaterThan(0);

    await createTestUser(app.db, 'audit.admin2', [{ role: 'admin', teamId: null }]);
    const admin = await signIn(app.url, 'audit.admin2');
    expect((await call(app.url, 'GET', '/api/audit?limit=1000', { session: admin })).status).toBe(400);
  });

  it('refuses a beforeSeq beyond a bigint with 400 instead of failing the query', async () => {
    await createTestUser(app.db, 'audit.admin3', [{ role: 'admin', teamId: null }]);
    const admin = await signIn(app.url, 'audit.admin3');
    const answer = await call(app.url, 'GET', '/api/audit?beforeSeq=99999999999999999999', { session: admin });
    expect(answer.status).toBe(400);
  });
});
