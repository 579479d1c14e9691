/**
 * Issue 5, acceptance 3: a whole case lifecycle through the product API, for a client named
 * "Erika Mustermann", born 1980-02-29, on the server as `npm start` builds it with
 * LOG_LEVEL=debug, every line it logs captured: neither the name nor the birth date appears.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Session } from '../../helpers/auth-server.js';
import { backends, createPostgresDatabase, dropPostgresDatabase } from '../../helpers/databases.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const fixture = (name: string) => readFile(path.join(ROOT, 'tests/fixtures/api', name), 'utf8');

describe.each(backends)('a lifecycle with debug logs on $name', (backend) => {
  let child: ChildProcess;
  let logs = '';
  let url = '';
  let dataDir = '';
  let databaseUrl: string | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-logs-'));
    if (backend.name === 'postgres') databaseUrl = await createPostgresDatabase();
    child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/api/logging-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'debug', CLOCK: 'simulated', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, WORKERS_PROTOCOL: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (logs += chunk));
    child.stderr!.on('data', (chunk) => (logs += chunk));
    const deadline = Date.now() + 45_000;
    while (!url) {
      const match = /"harness":"ready","url":"([^"]+)"/.exec(logs);
      if (match) url = match[1];
      else if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server not ready: ${logs.slice(-2000)}`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  });

  const signIn = async (username: string): Promise<Session> => {
    const answer = await call(url, 'POST', '/api/auth/login', { body: { username, password: PASSWORD } });
    expect(answer.status).toBe(200);
    return { cookie: answer.headers.getSetCookie()[0].split(';')[0], csrfToken: answer.body.csrfToken };
  };
  const ok = async (session: Session, method: string, pathname: string, body?: unknown) => {
    const answer = await call(url, method, pathname, { session, body });
    expect(answer.status, `${method} ${pathname}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
    return answer.body;
  };

  it('logs neither the client’s name nor the birth date', { timeout: 90_000 }, async () => {
    // given: people, and the process deployed
    const social = await signIn('life.social');
    const supervisor = await signIn('life.supervisor');
    const admin = await signIn('life.admin');
    const owner = await signIn('life.owner');
    await ok(owner, 'POST', '/api/deployments', {
      resources: [
        { name: 'transition-case.bpmn', content: await fixture('transition-case.bpmn') },
        { name: 'api-intake.form', content: await fixture('api-intake.form') },
      ],
    });

    // when: the lifecycle, including refused requests that carry the personal data
    const refused = await call(url, 'POST', '/api/cases', {
      session: social,
      body: { client: { firstName: 'Erika', lastName: 'Mustermann', dateOfBirth: '1980-02-30' }, programmeId: 'puemas', teamId: 'team-a', expectedRelease: '2027-04-30' },
    });
    expect(refused.status).toBe(400);
    const admitted = await ok(social, 'POST', '/api/cases', {
      client: { firstName: 'Erika', lastName: 'Mustermann', dateOfBirth: '1980-02-29' },
      programmeId: 'puemas',
      teamId: 'team-a',
      expectedRelease: '2027-04-30',
    });
    const detail = await ok(social, 'GET', `/api/cases/${admitted.caseId}`);
    expect(detail.client).toMatchObject({ firstName: 'Erika', lastName: 'Mustermann', dateOfBirth: '1980-02-29' });
    await ok(social, 'GET', `/api/cases?q=${admitted.pseudonym.slice(2, 6)}`);
    const tasks = await ok(social, 'GET', `/api/tasks?caseId=${admitted.caseId}`);
    const taskKey = tasks.items[0].taskKey;
    await ok(social, 'GET', `/api/tasks/${taskKey}`);
    await ok(social, 'POST', `/api/tasks/${taskKey}/claim`);
    await ok(social, 'POST', `/api/tasks/${taskKey}/comments`, { text: 'Gespräch mit Erika Mustermann, geb. 1980-02-29' });
    const invalid = await call(url, 'POST', `/api/tasks/${taskKey}/complete`, { session: social, body: { variables: { sentenceMonths: 'Erika Mustermann', releaseRegion: '1980-02-29' } } });
    expect(invalid.status).toBe(400);
    await ok(social, 'POST', `/api/tasks/${taskKey}/complete`, { variables: { sentenceMonths: 24, releaseRegion: 'erfurt', prisonerNumber: 'EF4711' } });
    await ok(social, 'POST', `/api/cases/${admitted.caseId}/referrals`, { lifeDomain: 'housing', service: 'supported-living' });
    await ok(social, 'POST', `/api/cases/${admitted.caseId}/applications`, { kind: 'id-card' });
    await ok(social, 'PUT', `/api/cases/${admitted.caseId}/expected-release`, { expectedRelease: '2027-03-31' });
    await ok(social, 'POST', `/api/cases/${admitted.caseId}/release`, { actualRelease: '2027-03-31' });
    await ok(social, 'POST', `/api/cases/${admitted.caseId}/extensions`, { months: 2, justification: 'Erika Mustermann braucht länger' });
    await ok(supervisor, 'GET', '/api/dashboard');
    await ok(supervisor, 'GET', '/api/instances.csv');
    await ok(supervisor, 'POST', `/api/cases/${admitted.caseId}/close`, { reason: 'regular' });
    await ok(social, 'GET', `/api/cases/${admitted.caseId}/timeline`);
    await ok(admin, 'GET', `/api/clients/${detail.client.clientId}/export`);
    await ok(admin, 'POST', '/api/retention/run', { dryRun: true });
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));

    // then: the logs are there, at debug level, with ids — and without the personal data
    expect(logs).toContain('"level":20');
    expect(logs).toContain(admitted.caseId);
    expect(logs).toContain('incoming request');
    for (const secret of ['Erika', 'Mustermann', '1980-02-29', 'MUSTERMANN', 'erika']) expect(logs).not.toContain(secret);
  });
});
