/**
 * Two engine nodes (separate connection pools, as two API processes would have) on one
 * PostgreSQL database: no job is handed to both, no completion or timer is applied twice.
 */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Database } from '../../../src/db/index.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { createSystemClock } from '../../../src/engine/clock.js';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../../src/engine/embedded/engine.js';
import { TEST_DATABASE_URL, createPostgresDatabase, dropPostgresDatabase } from '../../helpers/databases.js';

const INSTANCES = 120;

describe.skipIf(!TEST_DATABASE_URL)('two engine nodes on one PostgreSQL', () => {
  let url: string;
  const pools: Database[] = [];
  const nodes: EmbeddedEngine[] = [];

  beforeAll(async () => {
    url = await createPostgresDatabase();
    for (let i = 0; i < 2; i++) {
      const db = await openPostgres(url);
      pools.push(db);
      nodes.push(createEmbeddedEngine({ db, clock: createSystemClock(), log: pino({ level: 'silent' }) }));
    }
    await migrate(pools[0]);
    const xml = await readFile(new URL('../../fixtures/bpmn/crash/crash-recovery.bpmn', import.meta.url), 'utf8');
    await nodes[0].deploy([{ name: 'crash-recovery.bpmn', content: xml }]);
  });
  afterAll(async () => {
    await Promise.all(pools.map((db) => db.close()));
    if (url) await dropPostgresDatabase(url);
  });

  it('hands every job to one node only and applies every completion and timer once', { timeout: 120_000 }, async () => {
    // Given instances started through both nodes at once
    await Promise.all(
      Array.from({ length: INSTANCES }, (_, i) => nodes[i % 2].createInstance({ processDefinitionId: 'crash-recovery' })),
    );

    // When both nodes activate and complete jobs at the same time, each also trying the
    // other's jobs, and both fire timers
    const seen = [new Set<string>(), new Set<string>()];
    let refused = 0;
    await Promise.all(
      nodes.map(async (node, n) => {
        for (let round = 0; round < 40; round++) {
          const jobs = await node.activateJobs({ type: 'crash-work', worker: `node-${n}`, timeoutMs: 60_000, maxJobsToActivate: 10 });
          for (const job of jobs) seen[n].add(job.jobKey);
          await Promise.all(
            jobs.flatMap((job) => [
              // The same completion from both nodes at once: exactly one of the two is refused.
              node.completeJob(job.jobKey, { by: n }).catch(() => (refused += 1)),
              nodes[1 - n].completeJob(job.jobKey, { by: 1 - n }).catch(() => (refused += 1)),
            ]),
          );
          if (jobs.length === 0 && round > 2) break;
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await Promise.all(nodes.map((node) => node.fireDueTimers(1_000)));

    // Then no job went to both nodes, each instance has exactly one completed job and one
    // fired timer, and every instance waits at its user task
    expect([...seen[0]].filter((key) => seen[1].has(key))).toEqual([]);
    expect(seen[0].size + seen[1].size).toBe(INSTANCES);
    expect(refused).toBe(INSTANCES);
    const { rows } = await pools[0].query<{ jobs: number; timers: number; tasks: number }>(
      `select (select count(*)::int from engine_job j where j.instance_key = i.key and j.state = 'COMPLETED') as jobs,
              (select count(*)::int from engine_element_instance e where e.instance_key = i.key
                 and e.element_id = 'pause' and e.state = 'COMPLETED') as timers,
              (select count(*)::int from engine_user_task t where t.instance_key = i.key) as tasks
       from engine_instance i`,
    );
    expect(rows).toHaveLength(INSTANCES);
    expect(rows.every((row) => row.jobs === 1 && row.timers === 1 && row.tasks === 1)).toBe(true);
  });

  it('reads the waits after the lock when the instance changed while its completion waited for the lock', async () => {
    // given an instance waiting at its job, and another node's transaction holding the instance
    // that adds a wait (a timer row) and moves the revision on
    const { processInstanceKey } = await nodes[0].createInstance({ processDefinitionId: 'crash-recovery' });
    const [job] = (await nodes[0].activateJobs({ type: 'crash-work', worker: 'w', timeoutMs: 60_000, maxJobsToActivate: 200 })).filter(
      (candidate) => candidate.processInstanceKey === processInstanceKey,
    );
    const other = await openPostgres(url);
    let completion: Promise<void> | undefined;
    await other.transaction(async (tx) => {
      await tx.query('select key from engine_instance where key = $1 for update', [processInstanceKey]);
      await tx.query(
        `insert into engine_timer (key, instance_key, element_id, execution_id, due_at) values ($1, $2, 'elsewhere', 'elsewhere-1', now() + interval '1 day')`,
        ['9000000000000001', processInstanceKey],
      );
      await tx.query('update engine_instance set revision = revision + 1 where key = $1', [processInstanceKey]);
      // when the job is completed meanwhile (on a node that does not hold the instance live)
      completion = nodes[1].completeJob(job.jobKey);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    await completion;
    await other.close();
    // then the completion knew the timer the other transaction added: the engine does not know
    // it, so it was ended, not left behind
    const { rows } = await pools[0].query('select execution_id from engine_timer where instance_key = $1', [processInstanceKey]);
    expect(rows.map((row) => row.execution_id)).not.toContain('elsewhere-1');
  });
});
