import { describe, expect, it } from 'vitest';
import type { ReminderCandidate } from '../../../src/domain/applications.js';
import { addDays } from '../../../src/domain/dates.js';
import type { NewNotification } from '../../../src/domain/outbox.js';
import { handler, PAGE_SIZE } from '../../../workers/application-reminders/handler.js';
import type { ApplicationReminderStore } from '../../../workers/application-reminders/store.js';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { InvalidVariableError } from '../../../workers/lib/variables.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';
import { NORDLICHT, PUEMAS } from '../../fixtures/domain/programmes.js';

const CASE = '00000000-0000-4000-8000-00000000c001';
const OWNER = '00000000-0000-4000-8000-0000000000a1';

function candidate(overrides: Partial<ReminderCandidate> = {}): ReminderCandidate {
  return {
    applicationId: '00000000-0000-4000-8000-0000000000b1',
    caseId: CASE,
    casePseudonym: 'K-ABCD-EFGH',
    caseStatus: 'open',
    teamId: 'erfurt',
    ownerId: OWNER,
    kind: 'citizens-income',
    status: 'planned',
    deadline: '2025-06-30',
    reminderLeadDays: PUEMAS.reminderLeadDays,
    ...overrides,
  };
}

/** An in-memory store: the ledger is a set keyed like the table's primary key. */
function fakeStore(candidates: ReminderCandidate[]) {
  const ledger = new Set<string>();
  const enqueued: { stage: string; notification: NewNotification }[] = [];
  const store: ApplicationReminderStore = {
    async listCandidates({ caseId, applicationId, limit, after }) {
      return candidates
        .filter((c) => (!caseId || c.caseId === caseId) && (!applicationId || c.applicationId === applicationId))
        .sort((a, b) => a.deadline.localeCompare(b.deadline) || a.applicationId.localeCompare(b.applicationId))
        .filter((c) => !after || `${c.deadline}|${c.applicationId}` > `${after.deadline}|${after.applicationId}`)
        .slice(0, limit);
    },
    async enqueueOnce({ applicationId, deadline, stage, notification }) {
      const key = `${applicationId}|${deadline}|${stage}`;
      if (ledger.has(key)) return null;
      ledger.add(key);
      enqueued.push({ stage, notification });
      return `outbox-${enqueued.length}`;
    },
  };
  return { store, enqueued };
}

function helpersAt(day: string, store: ApplicationReminderStore) {
  const clock = { now: new Date(`${day}T08:00:00Z`) };
  return { ...jobHelpers(clock, 'application-reminders'), store, clock };
}

describe('application-reminders handler', () => {
  it('reminds the owner 14 days before the deadline', async () => {
    // given a planned application due 2025-06-30 in a PÜMaS case (leads 14 and 3 days)
    const { store, enqueued } = fakeStore([candidate()]);
    // when the worker runs on 2025-06-16
    const output = await handler({}, helpersAt('2025-06-16', store));
    // then one reminder goes to the owner, 14 days left
    expect(output).toEqual({ remindersEnqueued: 1, escalationsEnqueued: 0, overdue: false });
    expect(enqueued).toEqual([
      {
        stage: 'lead-14',
        notification: {
          template: 'application-reminder',
          recipient: { user: OWNER },
          caseId: CASE,
          params: {
            applicationId: candidate().applicationId,
            caseId: CASE,
            casePseudonym: 'K-ABCD-EFGH',
            kind: 'citizens-income',
            deadline: '2025-06-30',
            daysLeft: 14,
          },
        },
      },
    ]);
  });

  it('sends nothing 15 days before the deadline', async () => {
    const { store, enqueued } = fakeStore([candidate()]);
    await handler({}, helpersAt('2025-06-15', store));
    expect(enqueued).toEqual([]);
  });

  it('sends each stage exactly once over every day of the period, then escalates once', async () => {
    // given one application, and the worker running every day from 20 days before to 5 days after
    const { store, enqueued } = fakeStore([candidate()]);
    for (let offset = -20; offset <= 5; offset++) {
      // when it runs twice a day
      await handler({}, helpersAt(addDays('2025-06-30', offset), store));
      await handler({}, helpersAt(addDays('2025-06-30', offset), store));
    }
    // then: 14 days before, 3 days before, and one escalation the day after the deadline
    expect(enqueued.map((e) => e.stage)).toEqual(['lead-14', 'lead-3', 'overdue']);
  });

  it('counts the deadline day itself as not yet overdue', async () => {
    const { store, enqueued } = fakeStore([candidate()]);
    const output = await handler({}, helpersAt('2025-06-30', store));
    expect(output.overdue).toBe(false);
    expect(enqueued.map((e) => e.stage)).toEqual(['lead-3']);
  });

  it('escalates an overdue application to the supervisors of the case team', async () => {
    const { store, enqueued } = fakeStore([candidate()]);
    const output = await handler({ caseId: CASE }, helpersAt('2025-07-01', store));
    expect(output).toEqual({ remindersEnqueued: 0, escalationsEnqueued: 1, overdue: true });
    expect(enqueued[0].notification.template).toBe('application-overdue');
    expect(enqueued[0].notification.recipient).toEqual({ teamSupervisors: 'erfurt' });
  });

  it('sends only the most urgent stage when it first runs late', async () => {
    const { store, enqueued } = fakeStore([candidate()]);
    await handler({}, helpersAt('2025-06-28', store));
    await handler({}, helpersAt('2025-06-29', store));
    expect(enqueued.map((e) => e.stage)).toEqual(['lead-3']);
  });

  it('never reminds for a closed case, even if a row slips through', async () => {
    const { store, enqueued } = fakeStore([candidate({ caseStatus: 'closed' })]);
    const output = await handler({}, helpersAt('2025-07-05', store));
    expect(output).toEqual({ remindersEnqueued: 0, escalationsEnqueued: 0, overdue: false });
    expect(enqueued).toEqual([]);
  });

  it('does not remind about a submitted application', async () => {
    const { store, enqueued } = fakeStore([candidate({ status: 'submitted' })]);
    await handler({}, helpersAt('2025-06-16', store));
    expect(enqueued).toEqual([]);
  });

  it("uses the programme's own lead days (21 and 7 for a programme added as data)", async () => {
    const { store, enqueued } = fakeStore([candidate({ reminderLeadDays: NORDLICHT.reminderLeadDays })]);
    await handler({}, helpersAt('2025-06-08', store)); // 22 days before: nothing
    await handler({}, helpersAt('2025-06-09', store)); // 21 days before
    await handler({}, helpersAt('2025-06-16', store)); // 14 days before: not a stage here
    await handler({}, helpersAt('2025-06-23', store)); // 7 days before
    expect(enqueued.map((e) => e.stage)).toEqual(['lead-21', 'lead-7']);
  });

  it('counts days in German time: 23:30 UTC on 10 March is already 11 March in Berlin', async () => {
    const { store, enqueued } = fakeStore([candidate({ deadline: '2025-03-25' })]);
    const helpers = { ...jobHelpers({ now: new Date('2025-03-10T23:30:00Z') }), store };
    await handler({}, helpers);
    expect(enqueued.map((e) => e.stage)).toEqual(['lead-14']);
  });

  it('walks through every page of candidates', async () => {
    // given more applications than fit on two pages, all due in 3 days
    const many = Array.from({ length: PAGE_SIZE * 2 + 7 }, (_, i) =>
      candidate({ applicationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
    );
    const { store } = fakeStore(many);
    const output = await handler({}, helpersAt('2025-06-27', store));
    expect(output.remindersEnqueued).toBe(PAGE_SIZE * 2 + 7);
  });

  it('logs ids and the stage, nothing else about the case', async () => {
    const { store } = fakeStore([candidate()]);
    const helpers = helpersAt('2025-06-16', store);
    await handler({}, helpers);
    const [line] = helpers.lines;
    expect(line).toMatchObject({ applicationId: candidate().applicationId, caseId: CASE, stage: 'lead-14' });
    expect(JSON.stringify(helpers.lines)).not.toContain('K-ABCD-EFGH');
  });

  it('treats a malformed id variable as a defect to retry, not a business outcome', async () => {
    const { store } = fakeStore([]);
    const attempt = handler({ caseId: 'Erika' }, helpersAt('2025-06-16', store));
    await expect(attempt).rejects.toBeInstanceOf(InvalidVariableError);
    await expect(attempt).rejects.not.toBeInstanceOf(BpmnError);
  });
});
