/**
 * The workers as `npm start` runs them (`startConfiguredWorkers`, the default Camunda 8 binding)
 * against the server's own engine over loopback with ENGINE_AUTH=credentials: an internal
 * machine credential, and the `notifications` handler end to end — a BPMN service task, the
 * outbox, the user directory over `app_user.email`, and a real SMTP server started here.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { enqueueNotification, getNotification, OUTBOX } from '../../../src/domain/outbox.js';
import { separateWorkersProblem, startConfiguredWorkers } from '../../../workers/run.js';
import { startTestSmtpServer } from '../../helpers/smtp-server.js';
import { backends } from '../../helpers/databases.js';
import { eventually, useWorkerServer } from './worker-server.js';

/** A real SMTP server on a free port that records what it accepts. */
const startSmtp = () => startTestSmtpServer({ from: 'From' });

describe.each(backends)('the workers npm start runs, on $name', (backend) => {
  const server = useWorkerServer(backend);
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
  });

  const configFor = (env: Record<string, string>) => loadConfig({ LOG_LEVEL: 'silent', ENGINE_AUTH: 'credentials', ...env });
  const address = () => server.server.fastify.server.address() as AddressInfo;

  it('delivers a notification from a BPMN service task over SMTP to the address in app_user.email', async () => {
    // given a caseworker with an e-mail address and a reminder for her in the outbox
    const { rows } = await server.db.query<{ id: string }>(
      `insert into app_user (username, display_name, password_hash, email)
       values ('cw-notify', 'Caseworker', '$argon2id$test', 'fallmanagement@example.org') returning id`,
    );
    const { id: outboxId } = await enqueueNotification(
      server.db,
      {
        template: 'application-reminder',
        recipient: { user: rows[0].id },
        params: { applicationId: 'a1', caseId: 'c1', casePseudonym: 'K-TEST-0001', kind: 'id-card', deadline: '2026-02-01', daysLeft: 3 },
      },
      new Date(),
    );
    // and the workers started as npm start starts them, with SMTP configured
    const config = configFor({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Übergangsmanagement <noreply@example.org>' });
    const workers = await startConfiguredWorkers(config, { db: server.db, address: address() }, server.log);
    try {
      expect(workers?.types).toEqual([
        'application-reminders',
        'partner-referrals',
        'extension-approval',
        'case-phase',
        'case-intake',
        'case-reentry',
        'referral-outcome',
        'notifications',
      ]);
      // when an instance reaches the notifications service task
      const key = await server.start({}, 'workers-notify');
      // then the job completed with the handler's output, and the message went out once, to her
      await eventually(() => server.instance(key), (instance) => instance.state === 'COMPLETED');
      expect(await server.variables(key)).toEqual({ sent: 1, retried: 0, dead: 0 });
      expect(smtp.received).toEqual([
        { messageId: `<${outboxId}@${OUTBOX.messageIdDomain}>`, to: ['fallmanagement@example.org'], from: expect.stringContaining('<noreply@example.org>') },
      ]);
      expect((await getNotification(server.db, outboxId))?.status).toBe('sent');
    } finally {
      await workers?.stop();
    }
    // and the workers authenticated with an internal credential of this process, audited
    const credentials = await server.db.query<{ client_id: string; active: boolean }>(
      `select client_id, active from machine_credential where client_id like 'workers-%'`,
    );
    expect(credentials.rows).toEqual([{ client_id: expect.stringMatching(new RegExp(`-${address().port}$`)), active: true }]);
    const audit = await server.db.query<{ action: string; actor_type: string }>(
      `select action, actor_type from audit_log where action = 'machine-credential.rotate'`,
    );
    expect(audit.rows).toEqual([{ action: 'machine-credential.rotate', actor_type: 'system' }]);
  });

  it('rotates the internal credential at each start, so the previous secret stops working', async () => {
    // given the workers started once
    const secretHash = async () =>
      (await server.db.query<{ secret_hash: string }>(`select secret_hash from machine_credential where client_id like 'workers-%'`)).rows;
    await (await startConfiguredWorkers(configFor({}), { db: server.db, address: address() }, server.log))?.stop();
    const before = await secretHash();
    // when they start again
    await (await startConfiguredWorkers(configFor({}), { db: server.db, address: address() }, server.log))?.stop();
    // then the same credential has a new secret
    const after = await secretHash();
    expect(after).toHaveLength(1);
    expect(after[0].secret_hash).not.toBe(before[0].secret_hash);
  });

  it('leaves notifications in the outbox without SMTP_URL, saying so once', async () => {
    const warnings = () => server.logLines.filter((line) => String(line.msg).startsWith('SMTP_URL is not set')).length;
    const before = warnings();
    // when the workers start without SMTP_URL
    const workers = await startConfiguredWorkers(configFor({}), { db: server.db, address: address() }, server.log);
    await workers?.stop();
    // then nobody works on notifications jobs, and one warning says why
    expect(workers?.types).not.toContain('notifications');
    expect(warnings() - before).toBe(1);
  });

  it('starts no workers with WORKERS_PROTOCOL=off', async () => {
    expect(await startConfiguredWorkers(configFor({ WORKERS_PROTOCOL: 'off' }), { db: server.db, address: address() }, server.log)).toBeUndefined();
  });
});

/** `npm run workers` (workers/main.ts) as a process of its own, with the given environment. */
function spawnWorkers(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: new URL('../../..', import.meta.url).pathname,
    env: { ...process.env, LOG_LEVEL: 'info', DATABASE_URL: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

describe('the workers in a process of their own (npm run workers)', () => {
  it('says what is missing instead of starting without a database, an engine or a protocol', () => {
    expect(separateWorkersProblem(loadConfig({}))).toMatch(/needs DATABASE_URL/);
    expect(separateWorkersProblem(loadConfig({ DATABASE_URL: 'postgres://db/x' }))).toMatch(/needs WORKERS_ENGINE_URL/);
    expect(
      separateWorkersProblem(loadConfig({ DATABASE_URL: 'postgres://db/x', WORKERS_ENGINE_URL: 'http://api:3000', WORKERS_PROTOCOL: 'off' })),
    ).toMatch(/nothing to run/);
    expect(separateWorkersProblem(loadConfig({ DATABASE_URL: 'postgres://db/x', WORKERS_ENGINE_URL: 'http://api:3000' }))).toBeUndefined();
  });

  it('exits with code 1 and one line on stderr when it cannot run', async () => {
    const workers = spawnWorkers({});
    expect(await workers.exited).toBe(1);
    expect(workers.output()).toMatch(/^uebergang-workers: needs DATABASE_URL/);
  });
});

describe.each(backends.filter((backend) => backend.name === 'postgres'))('npm run workers against an API node, on $name', (backend) => {
  const server = useWorkerServer(backend);

  it('works on the jobs of the API node with its machine credential and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    // given a notification in the outbox and an SMTP server
    const smtp = await startSmtp();
    const { rows } = await server.db.query<{ id: string }>(
      `insert into app_user (username, display_name, password_hash, email)
       values ('cw-separate', 'Caseworker', '$argon2id$test', 'team@example.org') returning id`,
    );
    await enqueueNotification(
      server.db,
      {
        template: 'application-reminder',
        recipient: { user: rows[0].id },
        params: { applicationId: 'a2', caseId: 'c2', casePseudonym: 'K-TEST-0002', kind: 'id-card', deadline: '2026-02-01', daysLeft: 3 },
      },
      new Date(),
    );
    // and the workers started as a process of their own
    const workers = spawnWorkers({
      DATABASE_URL: server.databaseUrl,
      WORKERS_ENGINE_URL: server.url,
      WORKERS_CLIENT_ID: server.credential.clientId,
      WORKERS_CLIENT_SECRET: server.credential.secret,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'noreply@example.org',
    });
    try {
      // when an instance reaches the notifications service task
      const key = await server.start({}, 'workers-notify');
      // then the separate process did the job
      await eventually(() => server.instance(key), (instance) => instance.state === 'COMPLETED');
      expect(smtp.received.map((mail) => mail.to)).toEqual([['team@example.org']]);
    } finally {
      workers.child.kill('SIGTERM');
      expect(await workers.exited).toBe(0);
      await smtp.close();
    }
    expect(workers.output()).toContain('workers are running');
  });
});

