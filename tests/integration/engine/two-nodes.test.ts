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
});
