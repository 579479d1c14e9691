/**
 * Cases over the product API: admission starts `transition-case` (all or nothing), the scoped
 * list, the audited detail (issue 5, acceptance 2: one read, one audit row), the timeline, and
 * the lifecycle commands the process hears as messages.
 */
import { describe, expect, it } from 'vitest';
import { createSession } from '../../../src/auth/sessions.js';
import { backends } from '../../helpers/databases.js';
import { fixture, useProductApi } from './product-harness.js';

const count = async (api: { db: { query: (sql: string) => Promise<{ rows: { n: number }[] }> } }, table: string) =>
  (await api.db.query(`select count(*)::int as n from ${table}`)).rows[0].n;

describe.each(backends)('cases on $name', (backend) => {
  const api = useProductApi(backend);
  const cookieOf = async (person: 'social') => {
    const { rows } = await api.db.query<{ id: string }>('select id from app_user where username = $1', [`api.${person}`]);
    const session = await createSession(api.db, rows[0].id, { idleMinutes: 30, maxHours: 1 });
    return { cookie: `uebergang_session=${session.token}` };
  };

  it('admits a client: a case with a pseudonym, and a transition-case instance with the contract start variables', async () => {
    // when
    const answer = await api.as('social', 'POST', '/api/cases', {
      client: { firstName: 'Max', lastName: 'Beispiel', dateOfBirth: '1990-05-17' },
      programmeId: 'puemas',
      teamId: 'team-a',
      expectedRelease: '2027-06-30',
    });
    // then
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ caseId: expect.any(String), pseudonym: expect.stringMatching(/^K-\w{4}-\w{4}$/), instanceKey: expect.stringMatching(/^\d+$/) });
    const { rows } = await api.db.query<{ process_id: string; variables: unknown; business_key: string }>(
      'select process_id, variables, business_key from engine_instance where key = $1',
      [answer.body.instanceKey],
    );
    expect(rows).toEqual([{
      process_id: 'transition-case',
      business_key: answer.body.caseId,
      variables: { caseId: answer.body.caseId, programmeId: 'puemas', teamId: 'team-a', expectedRelease: '2027-06-30' },
    }]);
  });

  it('refuses to admit into a team outside the caller’s, and an invalid birth date', async () => {
    const foreign = await api.as('social', 'POST', '/api/cases', {
      client: { firstName: 'A', lastName: 'B', dateOfBirth: '1990-01-01' }, programmeId: 'puemas', teamId: 'team-b', expectedRelease: '2027-01-01',
    });
    const badDate = await api.as('social', 'POST', '/api/cases', {
      client: { firstName: 'A', lastName: 'B', dateOfBirth: '1990-02-30' }, programmeId: 'puemas', teamId: 'team-a', expectedRelease: '2027-01-01',
    });
    expect(foreign.status).toBe(403);
    expect(badDate.status).toBe(400);
    expect(badDate.body.issues).toEqual([expect.objectContaining({ field: '/client/dateOfBirth' })]);
  });

  it('writes exactly one audit row for one read of a case detail, which shows the personal data', async () => {
    // given
    const admitted = await api.admit({ client: { firstName: 'Anna', lastName: 'Probe', dateOfBirth: '1988-08-08' } });
    const before = await count(api, 'audit_log');
    // when
    const answer = await api.as('supervisor', 'GET', `/api/cases/${admitted.caseId}`);
    // then
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      caseId: admitted.caseId,
      pseudonym: admitted.pseudonym,
      phase: 'intake',
      status: 'open',
      expectedRelease: '2027-06-30',
      instanceKey: admitted.instanceKey,
      client: { firstName: 'Anna', lastName: 'Probe', dateOfBirth: '1988-08-08' },
    });
    expect(await count(api, 'audit_log')).toBe(before + 1);
    const { rows } = await api.db.query('select action, record_type, record_id, team_id, route, outcome, actor_type from audit_log order by seq desc limit 1');
    expect(rows).toEqual([{
      action: 'case.read', record_type: 'case', record_id: admitted.caseId, team_id: 'team-a',
      route: 'GET /api/cases/:caseId', outcome: 'success', actor_type: 'user',
    }]);
  });

  it('refuses the case of another team to a caseworker, audited as denied, and leaves it out of their list', async () => {
    // given
    const admitted = await api.admit();
    // when
    const denied = await api.as('other', 'GET', `/api/cases/${admitted.caseId}`);
    const list = await api.as('other', 'GET', '/api/cases');
    const ownList = await api.as('social', 'GET', `/api/cases?q=${admitted.pseudonym.slice(2, 6)}`);
    // then
    expect(denied.status).toBe(403);
    const { rows } = await api.db.query('select action, outcome from audit_log order by seq desc limit 1');
    expect(rows).toEqual([{ action: 'access.denied', outcome: 'denied' }]);
    expect(list.body.items.map((c: { caseId: string }) => c.caseId)).not.toContain(admitted.caseId);
    expect(ownList.body.items.map((c: { caseId: string }) => c.caseId)).toContain(admitted.caseId);
    expect(JSON.stringify(ownList.body)).not.toContain('Beispiel');
  });

  it('moves the expected release, records the release and closes the case; the process hears the closure', async () => {
    // given: the intake task done, so that the instance waits for case-closed
    const admitted = await api.admit();
    const task = (await api.as('admin', 'GET', `/api/tasks?caseId=${admitted.caseId}`)).body.items[0];
    await api.as('social', 'POST', `/api/tasks/${task.taskKey}/complete`, { variables: { sentenceMonths: 12, releaseRegion: 'erfurt' } });
    // when
    const moved = await api.as('social', 'PUT', `/api/cases/${admitted.caseId}/expected-release`, { expectedRelease: '2027-05-31' });
    const released = await api.as('social', 'POST', `/api/cases/${admitted.caseId}/release`, { actualRelease: '2027-05-30' });
    const twice = await api.as('social', 'POST', `/api/cases/${admitted.caseId}/release`, { actualRelease: '2027-05-30' });
    const closed = await api.as('supervisor', 'POST', `/api/cases/${admitted.caseId}/close`, { reason: 'regular' });
    // then
    expect(moved.body).toMatchObject({ expectedRelease: '2027-05-31' });
    expect(released.body).toMatchObject({ actualRelease: '2027-05-30', phase: 'aftercare' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('CASE_ALREADY_RELEASED');
    expect(closed.body).toMatchObject({ status: 'closed', phase: 'closed', closureReason: 'regular' });
    const { rows } = await api.db.query('select state from engine_instance where key = $1', [admitted.instanceKey]);
    expect(rows).toEqual([{ state: 'COMPLETED' }]);
    const timeline = await api.as('social', 'GET', `/api/cases/${admitted.caseId}/timeline`);
    expect(timeline.body.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['admitted', 'task-completed', 'released', 'closed']));
    const audited = await api.db.query<{ action: string }>(`select action from audit_log where record_id = $1 order by seq`, [admitted.caseId]);
    expect(audited.rows.map((r) => r.action)).toEqual(['case.admit', 'case.expected-release', 'case.release', 'case.close', 'case.timeline.read']);
  });

  it('renders the final report as a PDF for the case’s team, audited', async () => {
    // given
    const admitted = await api.admit();
    // when
    const report = await fetch(`${api.url}/api/cases/${admitted.caseId}/final-report`, { headers: await cookieOf('social') });
    const denied = await api.as('other', 'GET', `/api/cases/${admitted.caseId}/final-report`);
    // then
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await report.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(denied.status).toBe(403);
    const { rows } = await api.db.query('select action from audit_log where record_id = $1 order by seq', [admitted.caseId]);
    expect(rows).toEqual([{ action: 'case.admit' }, { action: 'case.final-report.read' }, { action: 'access.denied' }]);
  });

  it('starts a re-entry request for a closed case and keeps the justification as a note, not as a variable', async () => {
    // given
    await api.as('owner', 'POST', '/api/deployments', { resources: [{ name: 'case-reentry.bpmn', content: await fixture('case-reentry.bpmn') }] });
    const admitted = await api.admit();
    await api.as('social', 'POST', `/api/cases/${admitted.caseId}/close`, { reason: 'drop-out' });
    // when
    const answer = await api.as('social', 'POST', `/api/cases/${admitted.caseId}/reentry`, { justification: 'Rückfall nach Entlassung' });
    // then
    expect(answer.status).toBe(202);
    const { rows } = await api.db.query('select process_id, variables from engine_instance where key = $1', [answer.body.instanceKey]);
    expect(rows).toEqual([{ process_id: 'case-reentry', variables: { previousCaseId: admitted.caseId, teamId: 'team-a' } }]);
    const notes = await api.db.query('select body from note where case_id = $1', [admitted.caseId]);
    expect(notes.rows).toEqual([{ body: 'Rückfall nach Entlassung' }]);
  });

  it('refuses a re-entry of an open case', async () => {
    const admitted = await api.admit({ programmeId: 'sona-nrw' });
    const answer = await api.as('social', 'POST', `/api/cases/${admitted.caseId}/reentry`, { justification: 'Rückfall' });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('REENTRY_CASE_NOT_CLOSED');
  });

  it('lists programmes for everyone and teams as far as the caller sees', async () => {
    const programmes = await api.as('owner', 'GET', '/api/programmes');
    const teams = await api.as('other', 'GET', '/api/teams');
    const all = await api.as('admin', 'GET', '/api/teams');
    expect(programmes.body.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining(['puemas', 'sona-nrw']));
    expect(teams.body).toEqual([{ id: 'team-b', name: 'team-b' }]);
    expect(all.body.map((t: { id: string }) => t.id)).toEqual(['team-a', 'team-b']);
  });
});

describe.each(backends)('admission without a deployed process on $name', (backend) => {
  const api = useProductApi(backend, { deploy: false });

  it('keeps nothing of the case when its process cannot start', async () => {
    // given
    const before = { clients: await count(api, 'client'), cases: await count(api, 'transition_case'), instances: await count(api, 'engine_instance') };
    // when
    const answer = await api.as('social', 'POST', '/api/cases', {
      client: { firstName: 'Max', lastName: 'Beispiel', dateOfBirth: '1990-05-17' }, programmeId: 'puemas', teamId: 'team-a', expectedRelease: '2027-06-30',
    });
    // then
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('PROCESS_NOT_DEPLOYED');
    expect({ clients: await count(api, 'client'), cases: await count(api, 'transition_case'), instances: await count(api, 'engine_instance') }).toEqual(before);
  });
});
