/**
 * The task list over 10,000 open user tasks in 10 teams (1,000 cases, 10 tasks each): a
 * caseworker's page holds exactly their team's tasks, counted and sorted right, page after page.
 * (Stored straight in the engine's tables: the engine itself is not what this measures.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/auth/sessions.js';
import { call } from '../../helpers/auth-server.js';
import { createTestUser } from '../../helpers/auth-server.js';
import { backends } from '../../helpers/databases.js';
import { useProductApi } from './product-harness.js';

describe.each(backends)('task list with 10,000 open tasks on $name', (backend) => {
  const api = useProductApi(backend);
  let session: { cookie: string; csrfToken: string };

  beforeAll(async () => {
    const { rows } = await api.db.query<{ key: string }>(`select key::text from engine_process_definition where process_id = 'transition-case'`);
    await api.db.exec(`
      insert into team (id, name) select 'scale-' || t, 'Scale ' || t from generate_series(0, 9) t;
      insert into client (id, pseudonym, family_name, given_names, birth_date)
        select ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'K-SCAL-' || lpad(i::text, 4, '0'), 'N', 'N', '1980-01-01'
        from generate_series(0, 999) i;
      insert into transition_case (id, client_id, programme_id, facility, team_id, release_region, expected_release_date)
        select ('00000000-0000-4000-9000-' || lpad(i::text, 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
          'puemas', 'Erfurt', 'scale-' || (i % 10), 'erfurt', date '2027-01-01' + i
        from generate_series(0, 999) i;
      insert into engine_instance (key, definition_key, process_id, version, state, variables, started_at)
        select 9000000000000000 + i, ${rows[0].key}, 'transition-case', 1, 'ACTIVE',
          jsonb_build_object('caseId', '00000000-0000-4000-9000-' || lpad((i % 1000)::text, 12, '0')), now()
        from generate_series(0, 9999) i;
      insert into engine_user_task (key, instance_key, element_instance_key, element_id, execution_id, process_id, definition_key,
          state, candidate_groups, due_date, priority, created_at)
        select 9100000000000000 + i, 9000000000000000 + i, 9200000000000000 + i, 'intake-interview', 'x' || i, 'transition-case',
          ${rows[0].key}, 'CREATED', '{social-service}', timestamptz '2027-01-01 12:00Z' + make_interval(mins => i), 50, now()
        from generate_series(0, 9999) i;
      analyze;
    `);
    const user = await createTestUser(api.db, 'scale.social', [{ role: 'social-service', teamId: 'scale-3' }]);
    const created = await createSession(api.db, user.id, { idleMinutes: 30, maxHours: 1 });
    session = { cookie: `uebergang_session=${created.token}`, csrfToken: created.csrfToken };
  }, 120_000);

  it('pages through exactly the 1,000 tasks of the caseworker’s team, by due date', async () => {
    // when: every page of 500
    const keys: string[] = [];
    let cursor: string | null = '';
    let total = 0;
    while (cursor !== null) {
      const answer = await call(api.url, 'GET', `/api/tasks?sort=due-asc&limit=500${cursor ? `&cursor=${cursor}` : ''}`, { session });
      expect(answer.status).toBe(200);
      total = answer.body.total;
      keys.push(...answer.body.items.map((item: { taskKey: string; dueDate: string }) => item.taskKey));
      cursor = answer.body.nextCursor;
    }
    // then: tasks i with i % 10 == 3 (their case's team is scale-3), earliest due first
    const expected = Array.from({ length: 1000 }, (_, n) => String(9_100_000_000_000_000n + BigInt(10 * n + 3)));
    expect(total).toBe(1000);
    expect(keys).toEqual(expected);
  });

  it('narrows to one case and sorts the newest due first', async () => {
    const one = await call(api.url, 'GET', '/api/tasks?caseId=00000000-0000-4000-9000-000000000003', { session });
    const latest = await call(api.url, 'GET', '/api/tasks?sort=due-desc&limit=1', { session });
    expect(one.body.total).toBe(10);
    expect(latest.body.items[0].taskKey).toBe('9100000000009993');
  });
});
