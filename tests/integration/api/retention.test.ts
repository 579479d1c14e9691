/**
 * Retention under the simulated clock (issue 5, acceptance 4): a case closed 5 years and a day
 * ago is anonymised, one closed 4 years ago is untouched; health data goes after 10 years; a
 * dry run changes nothing. And the right of access: everything about one client, for the admin.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toIsoDate } from '../../../src/domain/dates.js';
import { backends } from '../../helpers/databases.js';
import { useProductApi } from './product-harness.js';

describe.each(backends)('retention on $name', (backend) => {
  const api = useProductApi(backend);

  /** Admits, releases today (engine clock) and closes a case, with a note and a health referral. */
  async function closedCaseToday(firstName: string) {
    const admitted = await api.admit({ client: { firstName, lastName: 'Alt', dateOfBirth: '1975-03-03' } });
    const today = toIsoDate(api.engine.clock.now());
    expect((await api.as('social', 'POST', `/api/cases/${admitted.caseId}/referrals`, { lifeDomain: 'health', service: 'sociotherapy' })).status).toBe(201);
    expect((await api.as('social', 'POST', `/api/cases/${admitted.caseId}/release`, { actualRelease: today })).status).toBe(200);
    expect((await api.as('social', 'POST', `/api/cases/${admitted.caseId}/close`, { reason: 'regular' })).status).toBe(200);
    await api.db.query(`insert into note (case_id, body, created_at) values ($1, 'Freitext', now())`, [admitted.caseId]);
    return admitted;
  }
  const advance = async (duration: string) => expect((await api.as('admin', 'POST', '/api/clock/advance', { duration })).status).toBe(200);
  const clientOf = async (caseId: string) =>
    (await api.db.query<{ family_name: string; given_names: string; birth_date: string; anonymised_at: Date | null; notes: number; health: number }>(
      `select cl.family_name, cl.given_names, cl.birth_date::text, cl.anonymised_at,
         (select count(*)::int from note where case_id = c.id) as notes,
         (select count(*)::int from referral where case_id = c.id and life_domain = 'health') as health
       from transition_case c join client cl on cl.id = c.client_id where c.id = $1`,
      [caseId],
    )).rows[0];

  it('anonymises a client whose case closed 5 years and a day ago, leaves one closed 4 years ago, deletes health data after 10', async () => {
    // given: case A closed now, then a year and a day later case B
    const a = await closedCaseToday('Alfred');
    await advance('P1Y1D');
    const b = await closedCaseToday('Berta');
    await advance('P4Y');
    // when: a dry run
    const dry = await api.as('admin', 'POST', '/api/retention/run', { dryRun: true });
    // then: it names A only and changes nothing
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.anonymise.clients.map((c: { pseudonym: string }) => c.pseudonym)).toEqual([a.pseudonym]);
    expect(dry.body.deleteHealthData.clients).toEqual([]);
    expect(await clientOf(a.caseId)).toMatchObject({ given_names: 'Alfred', anonymised_at: null, notes: 1 });

    // when: the real run
    const run = await api.as('admin', 'POST', '/api/retention/run', { dryRun: false });
    // then: A is anonymised (names, birth date, free text), its health referral kept; B untouched
    expect(run.body.anonymise.clients.map((c: { pseudonym: string }) => c.pseudonym)).toEqual([a.pseudonym]);
    expect(await clientOf(a.caseId)).toMatchObject({
      family_name: 'anonymisiert', given_names: 'anonymisiert', birth_date: '1900-01-01', anonymised_at: expect.any(Date), notes: 0, health: 1,
    });
    expect(await clientOf(b.caseId)).toMatchObject({ given_names: 'Berta', family_name: 'Alt', birth_date: '1975-03-03', anonymised_at: null, notes: 1, health: 1 });
    const audited = await api.db.query<{ action: string; record_id: string }>(`select action, record_id from audit_log where action like 'retention.%'`);
    expect(audited.rows).toHaveLength(1);
    expect(audited.rows[0].action).toBe('retention.anonymise');

    // when: ten years and a day after A's release
    await advance('P5Y');
    const later = await api.as('admin', 'POST', '/api/retention/run', { dryRun: false });
    // then: A's health data is gone, B is anonymised now (9 years), its health data kept
    expect(later.body.deleteHealthData.clients.map((c: { pseudonym: string }) => c.pseudonym)).toEqual([a.pseudonym]);
    expect(await clientOf(a.caseId)).toMatchObject({ health: 0 });
    expect(await clientOf(b.caseId)).toMatchObject({ given_names: 'anonymisiert', health: 1 });
  });

  it('refuses the retention run to everyone but an admin', async () => {
    expect((await api.as('supervisor', 'POST', '/api/retention/run', { dryRun: true })).status).toBe(403);
  });
});

describe.each(backends)('client export on $name', (backend) => {
  const api = useProductApi(backend);

  it('exports everything stored about one client to the admin, audited', async () => {
    // given
    const admitted = await api.admit({ client: { firstName: 'Clara', lastName: 'Auskunft', dateOfBirth: '1991-11-11' } });
    await api.as('social', 'POST', `/api/cases/${admitted.caseId}/referrals`, { lifeDomain: 'housing', service: 'supported-living' });
    await api.as('social', 'POST', `/api/cases/${admitted.caseId}/extensions`, { months: 3, justification: 'Wohnung fehlt noch' });
    const { rows } = await api.db.query<{ client_id: string }>('select client_id from transition_case where id = $1', [admitted.caseId]);
    const clientId = rows[0].client_id;
    // when
    const exported = await api.as('admin', 'GET', `/api/clients/${clientId}/export`);
    const denied = await api.as('supervisor', 'GET', `/api/clients/${clientId}/export`);
    // then
    expect(exported.status).toBe(200);
    expect(exported.body.client).toMatchObject({ id: clientId, givenNames: 'Clara', familyName: 'Auskunft', birthDate: '1991-11-11', pseudonym: admitted.pseudonym });
    expect(exported.body.cases).toHaveLength(1);
    expect(exported.body.cases[0]).toMatchObject({ id: admitted.caseId, referrals: [expect.objectContaining({ service: 'supported-living' })] });
    expect(exported.body.cases[0].extensions).toEqual([expect.objectContaining({ justification: 'Wohnung fehlt noch' })]);
    expect(exported.body.audit.map((r: { action: string }) => r.action)).toContain('case.admit');
    expect(denied.status).toBe(403);
    const audit = await api.db.query('select action, record_id from audit_log order by seq desc limit 2');
    expect(audit.rows).toContainEqual({ action: 'client.export', record_id: clientId });
  });
});

describe.each(backends)('the daily retention run on $name', (backend) => {
  // Only the interval is faked: the run is due once a day, and the test cannot wait a day.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  const api = useProductApi(backend);
  afterAll(() => {
    vi.useRealTimers();
  });

  it('anonymises on its own once a day, as the system', async () => {
    // given: a case closed, and 5 years and 2 days later on the simulated clock
    const admitted = await api.admit({ client: { firstName: 'Daniel', lastName: 'Täglich', dateOfBirth: '1960-06-06' } });
    const today = toIsoDate(api.engine.clock.now());
    await api.as('social', 'POST', `/api/cases/${admitted.caseId}/release`, { actualRelease: today });
    await api.as('social', 'POST', `/api/cases/${admitted.caseId}/close`, { reason: 'regular' });
    await api.as('admin', 'POST', '/api/clock/advance', { duration: 'P5Y2D' });
    // when: a day passes
    vi.advanceTimersByTime(24 * 3600 * 1000);
    // then
    const audited = async () =>
      (await api.db.query(`select actor_type, action from audit_log where action = 'retention.anonymise'`)).rows;
    for (let i = 0; i < 100 && (await audited()).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await audited()).toEqual([{ actor_type: 'system', action: 'retention.anonymise' }]);
    const { rows } = await api.db.query('select cl.given_names from transition_case c join client cl on cl.id = c.client_id where c.id = $1', [admitted.caseId]);
    expect(rows).toEqual([{ given_names: 'anonymisiert' }]);
  });
});
