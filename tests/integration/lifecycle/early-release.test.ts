/**
 * Acceptance 3 and 6 (issue 4): an early release moves the start of the intensive phase and the
 * application deadlines; the case's daily application check, worked on by two worker processes
 * against one database, sends each reminder exactly once per due date and stage.
 */
import { describe, expect, it } from 'vitest';
import { listApplications, planStandardApplications } from '../../../src/domain/applications.js';
import { changeExpectedReleaseDate } from '../../../src/domain/cases.js';
import { MESSAGES } from '../../../src/domain/process-contract.js';
import { backends } from '../../helpers/databases.js';
import { midnight, useLifecycle } from './lifecycle-harness.js';

describe.each(backends)('early release and application reminders on $name', (backend) => {
  const world = useLifecycle(backend, new Date('2027-01-04T08:00:00Z'), { workerProcesses: 2 });

  it('moves the intensive-phase start and the application deadlines when the release comes earlier', async () => {
    // given a PÜMaS case expecting release on 2028-03-04, its standard applications planned
    const { caseId, instanceKey } = await world.admit({ programmeId: 'puemas', expectedRelease: '2028-03-04' });
    await world.completeIntake(instanceKey);
    await world.complete('integration-planning', { integrationPlanAgreed: true }, instanceKey);
    await planStandardApplications(world.db, caseId, world.staff.caseworkerId, world.now);
    expect((await world.timers(instanceKey))['custody-wait']).toEqual(midnight('2027-09-04'));
    const deadline = async (kind: string) => (await listApplications(world.db, caseId)).find((a) => a.kind === kind)?.deadline;
    expect(await deadline('citizens-income')).toBe('2028-02-05');

    // when the release is brought forward to 2027-12-01 (the domain first, then the message, as the API does)
    await world.clock('2027-02-01T09:00:00Z');
    await changeExpectedReleaseDate(world.db, caseId, '2027-12-01', world.now);
    await world.publish(MESSAGES.expectedReleaseChanged.name, caseId, { expectedRelease: '2027-12-01' });

    // then the intensive phase waits for 2027-06-01 and the deadlines follow the new date
    expect((await world.timers(instanceKey))['custody-wait']).toEqual(midnight('2027-06-01'));
    expect(await deadline('citizens-income')).toBe('2027-11-03');
    expect(await deadline('housing-entitlement')).toBe('2027-10-06');
    expect(await world.elements(instanceKey, 'COMPLETED')).toContain('refresh-custody');
    expect(await world.elements(instanceKey, 'TERMINATED')).toContain('custody-wait');

    // and the intensive phase starts at the new date, not the old one
    await world.clock('2027-05-31T23:58:00Z');
    expect((await world.readCase(caseId)).phase).toBe('custody');
    await world.clock(midnight('2027-06-01'));
    expect((await world.readCase(caseId)).phase).toBe('intensive');
    await world.task('release-preparation', instanceKey);
  }, 60_000);

  it('sends each application reminder once per due date and stage, with two worker processes', async () => {
    // given six open cases released on 2027-12-01, each with the programme's applications
    const cases: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { caseId } = await world.admit({ programmeId: 'puemas', expectedRelease: '2027-12-01' });
      await planStandardApplications(world.db, caseId, world.staff.caseworkerId, world.now);
      cases.push(caseId);
    }
    // when the daily check runs on each of these days (twice within every reminder stage)
    // (a minute later each day: the next check falls due a day after the previous one ran, and the
    // simulated clock runs on for the milliseconds each step takes)
    const days = ['2027-10-20', '2027-10-21', '2027-10-31', '2027-11-01', '2027-11-04', '2027-11-05'];
    for (const [i, day] of days.entries()) {
      await world.clock(`${day}T06:0${i}:00Z`);
    }
    // then the Bürgergeld application of every case was reminded 14 and 3 days before and escalated once
    const { rows } = await world.db.query<{ case_id: string; stage: string; template: string; recipient: unknown }>(
      `select a.case_id, r.stage, o.template, o.recipient from application_reminder r
         join application a on a.id = r.application_id join outbox o on o.id = r.outbox_id
       where a.kind = 'citizens-income' and a.case_id = any($1) order by a.case_id, r.enqueued_at`,
      [cases],
    );
    for (const caseId of cases) {
      expect(rows.filter((row) => row.case_id === caseId).map((row) => [row.stage, row.template])).toEqual([
        ['lead-14', 'application-reminder'],
        ['lead-3', 'application-reminder'],
        ['overdue', 'application-overdue'],
      ]);
    }
    // and no notification exists without its ledger entry: nothing was enqueued twice
    const counts = await world.db.query<{ outbox: number; ledger: number }>(
      `select (select count(*)::int from outbox where case_id = any($1) and template like 'application-%') as outbox,
              (select count(*)::int from application_reminder r join application a on a.id = r.application_id
                where a.case_id = any($1)) as ledger`,
      [cases],
    );
    expect(counts.rows[0].outbox).toBe(counts.rows[0].ledger);
    // the checks ran as jobs of the cases' own instances, once a day on each of those days
    const jobs = await world.db.query<{ case_id: string; n: number }>(
      `select i.variables ->> 'caseId' as case_id, count(*)::int as n from engine_job j join engine_instance i on i.key = j.instance_key
       where j.type = 'application-reminders' and j.state = 'COMPLETED' and i.variables ->> 'caseId' = any($1) group by 1`,
      [cases],
    );
    expect(jobs.rows.map((row) => row.n)).toEqual(cases.map(() => days.length));
    // and the two worker processes shared the work
    const workers = await world.db.query<{ worker: string }>(
      `select distinct worker from engine_job where type in ('application-reminders', 'case-phase', 'case-intake') and worker is not null order by worker`,
    );
    expect(workers.rows.map((row) => row.worker)).toEqual(['lifecycle-test-0', 'lifecycle-test-1']);
  }, 60_000);
});
