/**
 * Acceptance 1 (issue 4): a PÜMaS case admitted 14 months before its expected release — the
 * intensive phase starts exactly at release − 6 months, the release starts 6 months of
 * aftercare with monthly contacts, and the end-of-period review closes the case.
 */
import { describe, expect, it } from 'vitest';
import { MESSAGES } from '../../../src/domain/process-contract.js';
import { backends } from '../../helpers/databases.js';
import { midnight, useLifecycle } from './lifecycle-harness.js';

describe.each(backends)('PÜMaS lifecycle on $name', (backend) => {
  const world = useLifecycle(backend, new Date('2027-01-04T08:00:00Z'));

  it('runs intake → custody → intensive phase at release − 6 months → release → 6 months aftercare → closure', async () => {
    // given a client admitted on 2027-01-04 with release expected 14 months later
    const { caseId, instanceKey } = await world.admit({ programmeId: 'puemas', expectedRelease: '2028-03-04' });
    expect((await world.readCase(caseId)).phase).toBe('intake');

    // when the intake is done
    await world.completeIntake(instanceKey);
    await world.complete('integration-planning', { measureDebtCounselling: true, integrationPlanAgreed: true }, instanceKey);
    // then the case is in custody and the intensive phase waits for 2027-09-04
    expect(await world.readCase(caseId)).toMatchObject({ phase: 'custody', eligibility: 'eligible' });
    expect((await world.timers(instanceKey))['custody-wait']).toEqual(midnight('2027-09-04'));
    const consents = await world.db.query('select purpose from consent k join transition_case c on c.client_id = k.client_id where c.id = $1 order by purpose', [caseId]);
    expect(consents.rows.map((row) => row.purpose)).toEqual(['data-processing', 'partner-referral']);
    const views = await world.db.query('select count(*)::int as n from need_view v join need n on n.id = v.need_id where n.case_id = $1', [caseId]);
    expect(views.rows[0].n).toBe(4 * 7);

    // when the clock stands two minutes before release − 6 months
    await world.clock('2027-09-03T23:58:00Z');
    expect((await world.readCase(caseId)).phase).toBe('custody');
    // and then reaches it
    await world.clock(midnight('2027-09-04'));
    expect((await world.readCase(caseId)).phase).toBe('intensive');
    await world.task('release-preparation', instanceKey);

    // when the release is recorded on the expected date
    await world.clock('2028-03-04T08:00:00Z');
    await world.publish(MESSAGES.releaseRecorded.name, caseId, { actualRelease: '2028-03-04' });
    // then aftercare runs for the programme's 6 months
    expect(await world.readCase(caseId)).toMatchObject({ phase: 'aftercare', actualReleaseDate: '2028-03-04', aftercareEndsOn: '2028-09-04' });
    await world.complete('release-handover', { housingSecured: true, jobcenterAppointmentSet: true }, instanceKey);
    expect((await world.timers(instanceKey))['aftercare-period']).toEqual(midnight('2028-09-04'));

    // when a crisis is reported, an intervention task is there at once, for both services
    await world.publish(MESSAGES.crisisReported.name, caseId);
    const crisis = await world.task('crisis-intervention', instanceKey);
    expect(crisis.candidateGroups).toEqual(['social-service', 'psychological-service']);
    expect(new Date(crisis.dueDate!).getTime() - world.now.getTime()).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
    await world.complete('crisis-intervention', { crisisOutcome: 'resolved' }, instanceKey);

    // when a contact falls due each month and is documented
    for (const month of ['04', '05', '06', '07', '08']) {
      await world.clock(`2028-${month}-04T08:00:00Z`);
      await world.complete('regular-contact', { contactKind: 'home-visit', contactPlace: 'home', clientReached: true }, instanceKey);
    }
    expect(await world.openTasks({ elementId: 'aftercare-review', processInstanceKey: instanceKey })).toEqual([]);
    // and the aftercare period ends
    await world.clock(midnight('2028-09-04'));
    const review = await world.task('aftercare-review', instanceKey);
    expect(review.candidateGroups).toEqual(['social-service']);
    // and a last crisis is still open when the review closes the case
    await world.publish(MESSAGES.crisisReported.name, caseId);
    await world.task('crisis-intervention', instanceKey);
    await world.complete('aftercare-review', { closureReason: 'regular' }, instanceKey);

    // then the case is closed regularly, its instance completed, and no task of it stays open
    expect(await world.readCase(caseId)).toMatchObject({ phase: 'closed', status: 'closed', closureReason: 'regular' });
    expect(await world.instance(instanceKey)).toMatchObject({ state: 'COMPLETED', hasIncident: false });
    expect(await world.openTasks({ processInstanceKey: instanceKey })).toEqual([]);
    expect(await world.elements(instanceKey, 'COMPLETED')).toEqual(
      expect.arrayContaining(['custody-wait', 'start-intensive', 'released-while-preparing', 'start-aftercare', 'aftercare-period', 'close-case', 'case-completed']),
    );
    expect(await world.openTasks({ processInstanceKey: instanceKey })).toEqual([]);
  }, 60_000);

  it('closes the case as not eligible when the overall judgement says so', async () => {
    const { caseId, instanceKey } = await world.admit({ programmeId: 'puemas', expectedRelease: '2029-01-10' });
    await world.completeIntake(instanceKey, 'not-eligible');
    expect(await world.readCase(caseId)).toMatchObject({ status: 'closed', eligibility: 'not-eligible', closureReason: 'not-eligible' });
    expect(await world.instance(instanceKey)).toMatchObject({ state: 'COMPLETED', hasIncident: false });
    expect(await world.elements(instanceKey, 'COMPLETED')).toContain('closed-not-eligible');
  }, 60_000);
});
