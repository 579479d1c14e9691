/**
 * `DEMO=1`: the server deploys the product's processes and loads the demo into an empty
 * database — one account per role with DEMO_PASSWORD, partners in Erfurt and Gera, a dozen
 * cases in every phase, each with a running instance standing where its case stands. Without
 * DEMO nothing of it exists, but the processes are deployed all the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../../src/domain/demo.js';
import { deployProductProcesses } from '../../../src/domain/deploy-processes.js';
import { createSystemClock } from '../../../src/engine/clock.js';
import { createEmbeddedEngine } from '../../../src/engine/embedded/engine.js';
import { captureLogger } from '../../fixtures/domain/helpers.js';
import { backends } from '../../helpers/databases.js';
import { startEngineServer, type EngineServer } from '../../helpers/engine-server.js';

const PASSWORD = 'demo-passwort-2027';

describe.each(backends)('demo data on $name', (backend) => {
  let demo: EngineServer;
  let plain: EngineServer;

  beforeAll(async () => {
    demo = await startEngineServer(backend, { DEMO: '1', DEMO_PASSWORD: PASSWORD });
    plain = await startEngineServer(backend);
  }, 120_000);
  afterAll(async () => {
    await demo?.close();
    await plain?.close();
  });

  const login = (server: EngineServer, username: string) =>
    fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });

  it('lets every demo user sign in with DEMO_PASSWORD', async () => {
    for (const user of DEMO_USERS) {
      const response = await login(demo, user.username);
      expect(response.status, user.username).toBe(200);
    }
  });

  it('has a dozen cases in every phase, each with an instance that stands where its case stands', async () => {
    const db = demo.server.db;
    const { rows } = await db.query<{ phase: string; n: number }>('select phase, count(*)::int as n from transition_case group by phase order by phase');
    expect(Object.fromEntries(rows.map((row) => [row.phase, row.n]))).toEqual({ aftercare: 3, closed: 1, custody: 3, intake: 2, intensive: 3 });
    const instances = await db.query<{ phase: string; state: string; active: string[] }>(
      `select c.phase, i.state,
         array(select e.element_id from engine_element_instance e where e.instance_key = i.key and e.state = 'ACTIVE' order by e.element_id) as active
       from transition_case c join engine_instance i on i.process_id = 'transition-case' and i.variables ->> 'caseId' = c.id::text
       order by c.opened_at`,
    );
    expect(instances.rows).toHaveLength(12);
    for (const row of instances.rows) {
      expect(row.state).toBe(row.phase === 'closed' ? 'COMPLETED' : 'ACTIVE');
      const where = { intake: 'record-consent', custody: 'custody-wait', intensive: 'prepare-release', aftercare: 'aftercare-period', closed: undefined }[row.phase];
      if (where) expect(row.active, row.phase).toContain(where);
    }
    const incidents = await db.query<{ n: number }>(`select count(*)::int as n from engine_incident where state = 'ACTIVE'`);
    expect(incidents.rows[0].n).toBe(0);
    const partners = await db.query<{ region: string }>('select distinct unnest(regions) as region from partner order by region');
    expect(partners.rows.map((row) => row.region)).toEqual(['erfurt', 'ostthueringen']);
    const referrals = await db.query<{ status: string }>('select status from referral');
    expect(referrals.rows.map((row) => row.status)).toEqual(['sent', 'sent']);
  });

  it('loads nothing without DEMO, but deploys the product processes', async () => {
    const db = plain.server.db;
    expect((await db.query('select id from transition_case')).rows).toEqual([]);
    expect((await db.query('select id from partner')).rows).toEqual([]);
    expect((await db.query(`select id from app_user where username in ('owner', 'caseworker', 'caseworker2', 'supervisor')`)).rows).toEqual([]);
    expect((await login(plain, 'caseworker')).status).toBe(401);
    const deployed = await db.query<{ process_id: string }>('select distinct process_id from engine_process_definition order by process_id');
    expect(deployed.rows.map((row) => row.process_id)).toEqual(['case-reentry', 'partner-referral', 'transition-case', 'wait-until']);
  });

  it('keeps the deployed versions when the same files are deployed again (a restart)', async () => {
    const engine = createEmbeddedEngine({ db: plain.server.db, clock: createSystemClock(), log: captureLogger().log });
    const again = await deployProductProcesses(engine, captureLogger().log);
    expect(new Set(again.processes.map((process) => process.version))).toEqual(new Set([1]));
    expect(again.forms.length).toBeGreaterThan(10);
    expect(new Set(again.forms.map((form) => form.version))).toEqual(new Set([1]));
    await engine.close();
  });
});
