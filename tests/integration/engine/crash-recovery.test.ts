/**
 * The server is SIGKILLed while 200 instances are mid-flight (jobs locked, completions in flight,
 * timers pending, user tasks open). After a restart every instance finishes, and no job
 * completion is lost or applied twice. Driven over HTTP only (Camunda 8 REST v2).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/index.js';
import { openPglite } from '../../../src/db/pglite.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { TEST_DATABASE_URL, createPostgresDatabase, dropPostgresDatabase } from '../../helpers/databases.js';
import { spawnProduct, stopProduct, waitForUrl, type ProductProcess } from '../../helpers/product.js';

const INSTANCES = 200;
const JOB_TYPE = 'crash-work';

type Target = { name: string; env(): Promise<Record<string, string>>; open(): Promise<Database>; cleanup(): Promise<void> };

function pgliteTarget(): Target {
  let dir = '';
  return {
    name: 'pglite',
    async env() {
      dir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-crash-'));
      return { DATA_DIR: dir };
    },
    open: () => openPglite(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function postgresTarget(): Target {
  let url = '';
  return {
    name: 'postgres',
    async env() {
      url = await createPostgresDatabase();
      return { DATABASE_URL: url };
    },
    open: () => openPostgres(url),
    cleanup: () => dropPostgresDatabase(url),
  };
}

const targets = TEST_DATABASE_URL ? [pgliteTarget(), postgresTarget()] : [pgliteTarget()];

async function call<T>(base: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}/v2${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function activate(base: string, max: number): Promise<{ jobKey: string }[]> {
  const { body } = await call<{ jobs: { jobKey: string }[] }>(base, '/jobs/activation', {
    type: JOB_TYPE,
    worker: 'crash-test',
    timeout: 2_000,
    maxJobsToActivate: max,
    requestTimeout: 0,
  });
  return body.jobs;
}

const complete = (base: string, jobKey: string) => call(base, `/jobs/${jobKey}/completion`, { variables: { workedOn: jobKey } });

describe.each(targets)('SIGKILL mid-flight on $name', (target) => {
  const products: ProductProcess[] = [];
  afterAll(async () => {
    for (const product of products) if (product.child.exitCode === null) product.child.kill('SIGKILL');
    await target.cleanup();
  });

  it('finishes every instance after a restart, each job completed exactly once', { timeout: 180_000 }, async () => {
    const env = { ENGINE_AUTH: 'none', ...(await target.env()) };
    const first = spawnProduct(env);
    products.push(first);
    const base = await waitForUrl(first, 30_000);

    const form = new FormData();
    const xml = await readFile(new URL('../../fixtures/bpmn/crash/crash-recovery.bpmn', import.meta.url));
    form.append('resources', new Blob([xml], { type: 'application/xml' }), 'crash-recovery.bpmn');
    expect((await fetch(`${base}/v2/deployments`, { method: 'POST', body: form })).status).toBe(200);

    for (let i = 0; i < INSTANCES; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          call(base, '/process-instances', { processDefinitionId: 'crash-recovery', variables: { n: i + j } }),
        ),
      );
    }
    // Some jobs completed (their instances wait on a timer or a user task), some locked and
    // left, some completions still on the wire when the server dies.
    const jobs = await activate(base, 160);
    expect(jobs.length).toBe(160);
    for (const job of jobs.slice(0, 80)) await complete(base, job.jobKey);
    const inFlight = jobs.slice(80, 120).map((job) => complete(base, job.jobKey).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 15));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await Promise.all(inFlight);

    const second = spawnProduct(env);
    products.push(second);
    const again = await waitForUrl(second, 30_000);
    const deadline = Date.now() + 120_000;
    let completedTasks = 0;
    while (Date.now() < deadline) {
      for (const job of await activate(again, 100)) {
        const { status } = await complete(again, job.jobKey);
        expect([204, 404]).toContain(status);
      }
      const { body: tasks } = await call<{ items: { userTaskKey: string }[] }>(again, '/user-tasks/search', {
        filter: { state: 'CREATED' },
        page: { limit: 100 },
      });
      for (const task of tasks.items) {
        const { status } = await call(again, `/user-tasks/${task.userTaskKey}/completion`, { variables: {} });
        if (status === 204) completedTasks++;
      }
      if (completedTasks >= INSTANCES) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await stopProduct(second)).toBe(0);

    const db = await target.open();
    try {
      const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0].n;
      expect(await count(`select count(*)::int as n from engine_instance where state = 'COMPLETED'`)).toBe(INSTANCES);
      expect(await count(`select count(*)::int as n from engine_instance where state <> 'COMPLETED'`)).toBe(0);
      // Exactly one completed job and one completed service-task element per instance.
      const perInstance = await db.query<{ jobs: number; elements: number }>(
        `select (select count(*)::int from engine_job j where j.instance_key = i.key and j.state = 'COMPLETED') as jobs,
                (select count(*)::int from engine_element_instance e where e.instance_key = i.key
                   and e.element_id = 'work' and e.state = 'COMPLETED') as elements
         from engine_instance i`,
      );
      expect(perInstance.rows.every((row) => row.jobs === 1 && row.elements === 1)).toBe(true);
      expect(await count(`select count(*)::int as n from engine_instance where variables ? 'workedOn'`)).toBe(INSTANCES);
      expect(completedTasks).toBe(INSTANCES);
    } finally {
      await db.close();
    }
  });
});
