/**
 * The task list over the product API: team scope, views, filters, sorting and pages; one task
 * with form, input and case summary; claim, unclaim, reassignment; completion checked against
 * the task's form; comments; filters saved per user.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { useProductApi } from './product-harness.js';

describe.each(backends)('task list on $name', (backend) => {
  const api = useProductApi(backend);
  const teamA: { caseId: string; pseudonym: string; instanceKey: string }[] = [];
  let teamB: { caseId: string };

  const tasksOf = async (person: Parameters<typeof api.as>[0], query = '') => (await api.as(person, 'GET', `/api/tasks${query}`)).body;
  const taskOfCase = async (caseId: string) => (await tasksOf('admin', `?caseId=${caseId}`)).items[0];

  beforeAll(async () => {
    teamA.push(await api.admit({ expectedRelease: '2027-03-31' }));
    teamA.push(await api.admit({ client: { firstName: 'Lena', lastName: 'Test', dateOfBirth: '1985-01-02' }, expectedRelease: '2027-01-31' }));
    const other = await api.as('other', 'POST', '/api/cases', {
      client: { firstName: 'Otto', lastName: 'Andere', dateOfBirth: '1970-12-24' },
      programmeId: 'puemas',
      teamId: 'team-b',
      expectedRelease: '2027-02-28',
    });
    expect(other.status).toBe(201);
    teamB = other.body;
  });

  it('shows a caseworker the tasks of their team only, a supervisor theirs, an admin all', async () => {
    // when
    const social = await tasksOf('social');
    const supervisor = await tasksOf('supervisor');
    const other = await tasksOf('other');
    const admin = await tasksOf('admin');
    // then
    const casesOf = (page: { items: { caseId: string }[] }) => page.items.map((item) => item.caseId).sort();
    expect(casesOf(social)).toEqual(teamA.map((c) => c.caseId).sort());
    expect(casesOf(supervisor)).toEqual(casesOf(social));
    expect(casesOf(other)).toEqual([teamB.caseId]);
    expect(admin.total).toBe(3);
    expect(social.items[0]).toMatchObject({
      taskKey: expect.stringMatching(/^\d+$/),
      name: 'Aufnahmegespräch',
      elementId: 'intake-interview',
      processId: 'transition-case',
      casePseudonym: expect.stringMatching(/^K-/),
      phase: 'intake',
      assignee: null,
      candidateGroups: ['social-service', 'psychological-service'],
      formId: 'api-intake',
      priority: 50,
    });
  });

  it('sorts by due date both ways and pages with a cursor', async () => {
    // when
    const ascending = await tasksOf('social', '?sort=due-asc');
    const descending = await tasksOf('social', '?sort=due-desc');
    const first = await tasksOf('social', '?sort=due-asc&limit=1');
    const second = await tasksOf('social', `?sort=due-asc&limit=1&cursor=${first.nextCursor}`);
    // then: the case released earlier has the earlier intake due date
    expect(ascending.items.map((t: { caseId: string }) => t.caseId)).toEqual([teamA[1].caseId, teamA[0].caseId]);
    expect(ascending.items[0].dueDate).toBe('2027-01-01T12:00:00.000Z');
    expect(descending.items.map((t: { caseId: string }) => t.caseId)).toEqual([teamA[0].caseId, teamA[1].caseId]);
    expect(first).toMatchObject({ total: 2, items: [{ caseId: teamA[1].caseId }], nextCursor: expect.any(String) });
    expect(second).toMatchObject({ total: 2, items: [{ caseId: teamA[0].caseId }], nextCursor: null });
  });

  it('filters by due date range, candidate group, process and phase', async () => {
    expect((await tasksOf('social', '?dueTo=2027-01-15T00:00:00Z')).items.map((t: { caseId: string }) => t.caseId)).toEqual([teamA[1].caseId]);
    expect((await tasksOf('social', '?dueFrom=2027-02-15T00:00:00Z')).items.map((t: { caseId: string }) => t.caseId)).toEqual([teamA[0].caseId]);
    expect((await tasksOf('social', '?candidateGroup=administration')).total).toBe(0);
    expect((await tasksOf('social', '?candidateGroup=psychological-service')).total).toBe(2);
    expect((await tasksOf('social', '?processId=other-process')).total).toBe(0);
    expect((await tasksOf('social', '?phase=aftercare')).total).toBe(0);
    expect((await tasksOf('social', '?phase=intake')).total).toBe(2);
  });

  it('refuses another team the task, and a malformed filter with 400', async () => {
    // given
    const task = await taskOfCase(teamA[0].caseId);
    // when
    const denied = await api.as('other', 'GET', `/api/tasks/${task.taskKey}`);
    const malformed = await api.as('social', 'GET', '/api/tasks?dueFrom=tomorrow');
    // then
    expect(denied.status).toBe(403);
    expect(malformed.status).toBe(400);
    expect(malformed.body.issues).toEqual([expect.objectContaining({ field: '/dueFrom' })]);
  });

  it('shows one task with its form, its input and its case summary', async () => {
    // given
    const task = await taskOfCase(teamA[0].caseId);
    // when
    const answer = await api.as('psych', 'GET', `/api/tasks/${task.taskKey}`);
    // then
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      taskKey: task.taskKey,
      form: { id: 'api-intake' },
      variables: { caseId: teamA[0].caseId, programmeId: 'puemas', teamId: 'team-a', expectedRelease: '2027-03-31' },
      case: { caseId: teamA[0].caseId, pseudonym: teamA[0].pseudonym, programmeId: 'puemas', phase: 'intake', expectedRelease: '2027-03-31', actualRelease: null, openApplications: [], openReferrals: [], lastContacts: [] },
    });
  });

  it('lets a caseworker claim and give back a task, keeps others off it, lets a supervisor reassign it', async () => {
    // given
    const task = await taskOfCase(teamA[0].caseId);
    // when: social claims
    expect((await api.as('social', 'POST', `/api/tasks/${task.taskKey}/claim`)).status).toBe(204);
    // then: it is theirs, and psych cannot take it
    expect((await tasksOf('social', '?view=mine')).items.map((t: { taskKey: string }) => t.taskKey)).toEqual([task.taskKey]);
    expect((await tasksOf('psych', '?view=mine')).total).toBe(0);
    const taken = await api.as('psych', 'POST', `/api/tasks/${task.taskKey}/claim`);
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('TASK_CLAIMED');
    // when: the supervisor reassigns it to psych
    expect((await api.as('supervisor', 'POST', `/api/tasks/${task.taskKey}/assign`, { assignee: 'api.psych' })).status).toBe(204);
    expect((await api.as('social', 'POST', `/api/tasks/${task.taskKey}/assign`, { assignee: 'api.social' })).status).toBe(403);
    // then
    expect((await tasksOf('psych', '?view=mine')).items.map((t: { taskKey: string }) => t.taskKey)).toEqual([task.taskKey]);
    // when: psych gives it back
    expect((await api.as('psych', 'POST', `/api/tasks/${task.taskKey}/unclaim`)).status).toBe(204);
    expect((await tasksOf('psych', '?view=mine')).total).toBe(0);
    expect((await tasksOf('psych', '?view=groups')).total).toBe(2);
  });

  it('refuses completion data that does not fit the form, field by field, and changes nothing', async () => {
    // given
    const task = await taskOfCase(teamA[1].caseId);
    // when
    const answer = await api.as('social', 'POST', `/api/tasks/${task.taskKey}/complete`, {
      variables: { sentenceMonths: 0, prisonerNumber: 'x1', socialTherapyInCustody: 'yes', releaseRegion: 'berlin' },
    });
    // then
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('FORM_VALIDATION');
    expect(answer.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(
      ['prisonerNumber', 'prisonerNumber', 'releaseRegion', 'sentenceMonths', 'socialTherapyInCustody'].sort(),
    );
    const missing = await api.as('social', 'POST', `/api/tasks/${task.taskKey}/complete`, { variables: {} });
    expect(missing.body.issues).toEqual([
      { field: 'sentenceMonths', message: expect.stringContaining('Pflichtfeld') },
      { field: 'releaseRegion', message: expect.stringContaining('Pflichtfeld') },
    ]);
    const foreign = await api.as('social', 'POST', `/api/tasks/${task.taskKey}/complete`, {
      variables: { sentenceMonths: 12, releaseRegion: 'erfurt', caseId: teamA[0].caseId },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.issues).toEqual([{ field: 'caseId', message: expect.stringContaining('not a field of this form') }]);
    expect((await taskOfCase(teamA[1].caseId)).taskKey).toBe(task.taskKey);
  });

  it('completes a task with data that fits its form, naming who completed it', async () => {
    // given
    const task = await taskOfCase(teamA[1].caseId);
    // when
    const answer = await api.as('social', 'POST', `/api/tasks/${task.taskKey}/complete`, {
      variables: { sentenceMonths: 18, prisonerNumber: 'EF1234', socialTherapyInCustody: false, releaseRegion: 'erfurt' },
    });
    // then
    expect(answer.status).toBe(204);
    expect(await taskOfCase(teamA[1].caseId)).toBeUndefined();
    const again = await api.as('social', 'POST', `/api/tasks/${task.taskKey}/complete`, { variables: {} });
    expect(again.status).toBe(409);
    const { rows } = await api.db.query<{ variables: Record<string, unknown> }>('select variables from engine_instance where key = $1', [teamA[1].instanceKey]);
    const { rows: users } = await api.db.query<{ id: string }>(`select id from app_user where username = 'api.social'`);
    expect(rows[0].variables).toMatchObject({ sentenceMonths: 18, releaseRegion: 'erfurt', decidedBy: users[0].id });
  });

  it('keeps comments on a task, with author and time', async () => {
    // given
    const task = await taskOfCase(teamA[0].caseId);
    // when
    const posted = await api.as('psych', 'POST', `/api/tasks/${task.taskKey}/comments`, { text: 'Termin verschoben' });
    const listed = await api.as('social', 'GET', `/api/tasks/${task.taskKey}/comments`);
    const denied = await api.as('other', 'GET', `/api/tasks/${task.taskKey}/comments`);
    // then
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({ id: expect.any(String), author: 'api.psych', createdAt: expect.any(String), text: 'Termin verschoben' });
    expect(listed.body).toEqual([posted.body]);
    expect(denied.status).toBe(403);
  });

  it('saves task-list filters on the server for each person separately', async () => {
    // when
    const saved = await api.as('social', 'POST', '/api/task-filters', { name: 'Meine fälligen', query: { view: 'mine', sort: 'due-asc' } });
    const mine = await api.as('social', 'GET', '/api/task-filters');
    const theirs = await api.as('psych', 'GET', '/api/task-filters');
    const deletedByOther = await api.as('psych', 'DELETE', `/api/task-filters/${saved.body.id}`);
    const deleted = await api.as('social', 'DELETE', `/api/task-filters/${saved.body.id}`);
    // then
    expect(saved.status).toBe(201);
    expect(mine.body).toEqual([{ id: saved.body.id, name: 'Meine fälligen', query: { view: 'mine', sort: 'due-asc', limit: 50 }, createdAt: expect.any(String) }]);
    expect(theirs.body).toEqual([]);
    expect(deletedByOther.status).toBe(404);
    expect(deleted.status).toBe(204);
    expect((await api.as('social', 'GET', '/api/task-filters')).body).toEqual([]);
  });
});
