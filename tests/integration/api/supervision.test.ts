/**
 * The supervisor's routes: the dashboard, the instance list and its CSV export, one instance
 * with history, incidents and open user tasks, retrying an incident, the heatmap.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { fixture, useProductApi } from './product-harness.js';

/** The day `months` months and `days` days from today (YYYY-MM-DD): the product's clock starts at today. */
function fromToday(months: number, days = 0): string {
  const day = new Date();
  day.setUTCMonth(day.getUTCMonth() + months);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

describe.each(backends)('supervision on $name', (backend) => {
  // Beyond the next six months now; ten months on within them, and the task due two weeks
  // before the release overdue.
  const ownRelease = fromToday(10, 7);
  const api = useProductApi(backend);
  let own: { caseId: string; pseudonym: string; instanceKey: string };
  let foreign: { caseId: string; instanceKey: string };
  let jobInstanceKey: string;

  beforeAll(async () => {
    own = await api.admit({ expectedRelease: ownRelease });
    foreign = (await api.as('other', 'POST', '/api/cases', {
      client: { firstName: 'Otto', lastName: 'Andere', dateOfBirth: '1970-12-24' }, programmeId: 'puemas', teamId: 'team-b', expectedRelease: fromToday(3),
    })).body;
    // an automated step of the own case that fails into an incident
    await api.as('owner', 'POST', '/api/deployments', { resources: [{ name: 'api-job.bpmn', content: await fixture('api-job.bpmn') }] });
    jobInstanceKey = (await api.as('owner', 'POST', '/api/simulation/instances', { processId: 'api-job', variables: { caseId: own.caseId } })).body.instanceKey;
    const [job] = await api.engine.engine.activateJobs({ type: 'api-check', worker: 'test', timeoutMs: 60_000, maxJobsToActivate: 1 });
    await api.engine.engine.failJob(job.jobKey, { retries: 0, errorMessage: 'Prüfdienst nicht erreichbar' });
  });

  it('shows the dashboard over the supervisor’s teams only', async () => {
    // when
    const answer = await api.as('supervisor', 'GET', '/api/dashboard');
    // then
    expect(answer.status).toBe(200);
    expect(answer.body.byPhase).toEqual({ intake: 1 });
    expect(answer.body.byProgramme).toEqual({ puemas: 1 });
    expect(answer.body.releasesNext6Months).toEqual([]);
    expect(answer.body.incidents).toEqual([expect.objectContaining({ instanceKey: jobInstanceKey, elementId: 'check', caseId: own.caseId })]);
    expect(answer.body.referralsWithoutAnswer).toEqual([]);
    // and: ten months on, the own case's release is near and its intake task overdue
    await api.as('admin', 'POST', '/api/clock/advance', { duration: 'P10M' });
    const later = (await api.as('supervisor', 'GET', '/api/dashboard')).body;
    expect(later.releasesNext6Months).toEqual([{ caseId: own.caseId, pseudonym: own.pseudonym, expectedRelease: ownRelease, teamId: 'team-a' }]);
    expect(later.overdueTasks.map((t: { caseId: string }) => t.caseId)).toEqual([own.caseId]);
    expect((await api.as('admin', 'GET', '/api/dashboard')).body.byPhase).toEqual({ intake: 2 });
  });

  it('lists the instances of the supervisor’s teams, filtered, and exports them as CSV', async () => {
    // when
    const list = await api.as('supervisor', 'GET', '/api/instances');
    const incidents = await api.as('supervisor', 'GET', '/api/instances?state=INCIDENT');
    const byPseudonym = await api.as('supervisor', 'GET', `/api/instances?q=${own.pseudonym}`);
    const csv = await api.as('supervisor', 'GET', '/api/instances.csv?processId=transition-case');
    // then
    expect(list.body.items.map((i: { instanceKey: string }) => i.instanceKey).sort()).toEqual([own.instanceKey, jobInstanceKey].sort());
    expect(list.body.total).toBe(2);
    expect(incidents.body.items.map((i: { instanceKey: string }) => i.instanceKey)).toEqual([jobInstanceKey]);
    expect(byPseudonym.body.total).toBe(2);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toBe('instanceKey,processId,version,state,hasIncident,caseId,casePseudonym,startedAt,endedAt');
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${own.instanceKey},transition-case,1,ACTIVE,false,${own.caseId},${own.pseudonym},`))]);
  });

  it('shows one instance with its history, incidents and open user tasks; another team’s is refused', async () => {
    // when
    const job = await api.as('supervisor', 'GET', `/api/instances/${jobInstanceKey}`);
    const kase = await api.as('supervisor', 'GET', `/api/instances/${own.instanceKey}`);
    const denied = await api.as('supervisor', 'GET', `/api/instances/${foreign.instanceKey}`);
    // then
    expect(job.body).toMatchObject({
      instanceKey: jobInstanceKey,
      processId: 'api-job',
      version: 1,
      state: 'ACTIVE',
      caseId: own.caseId,
      activeElementIds: ['check'],
      incidents: [{ incidentKey: expect.any(String), elementId: 'check', errorType: expect.any(String), message: 'Prüfdienst nicht erreichbar' }],
      openUserTasks: [],
    });
    expect(job.body.history.map((h: { elementId: string; state: string }) => [h.elementId, h.state])).toEqual([['start', 'COMPLETED'], ['check', 'ACTIVE']]);
    expect(kase.body.openUserTasks).toEqual([{ taskKey: expect.any(String), name: 'Aufnahmegespräch' }]);
    expect(denied.status).toBe(403);
  });

  it('retries an incident: the job can be taken again and the process runs to its end', async () => {
    // given
    const { incidents } = (await api.as('supervisor', 'GET', `/api/instances/${jobInstanceKey}`)).body;
    // when
    const retried = await api.as('supervisor', 'POST', `/api/incidents/${incidents[0].incidentKey}/retry`);
    const again = await api.as('supervisor', 'POST', `/api/incidents/${incidents[0].incidentKey}/retry`);
    // then
    expect(retried.status).toBe(204);
    expect(again.status).toBe(404);
    const [job] = await api.engine.engine.activateJobs({ type: 'api-check', worker: 'test', timeoutMs: 60_000, maxJobsToActivate: 1 });
    await api.engine.engine.completeJob(job.jobKey, {});
    expect((await api.as('supervisor', 'GET', `/api/instances/${jobInstanceKey}`)).body).toMatchObject({ state: 'COMPLETED', incidents: [] });
  });

  it('counts per element how often it ran and how long it took on average', async () => {
    // when
    const heatmap = await api.as('owner', 'GET', '/api/processes/api-job/heatmap?version=1');
    // then
    expect(heatmap.body.elements).toEqual({
      start: { count: 1, avgMs: expect.any(Number) },
      check: { count: 1, avgMs: expect.any(Number) },
      end: { count: 1, avgMs: expect.any(Number) },
    });
    expect(heatmap.body.elements.check.avgMs).toBeGreaterThan(0);
  });
});
