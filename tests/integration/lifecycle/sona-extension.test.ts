/**
 * Acceptance 2 (issue 4): SoNa NRW aftercare lasts 12 months; an extension to 18 months is
 * checked, approved by a supervisor and moves the end of aftercare; a further request beyond
 * the programme's cap of 24 months in total is rejected by rule, before any supervisor sees it.
 */
import { describe, expect, it } from 'vitest';
import { recordRelease } from '../../../src/domain/cases.js';
import { getExtension, requestExtension } from '../../../src/domain/extensions.js';
import { MESSAGES } from '../../../src/domain/process-contract.js';
import { backends } from '../../helpers/databases.js';
import { midnight, useLifecycle } from './lifecycle-harness.js';

describe.each(backends)('SoNa extension on $name', (backend) => {
  const world = useLifecycle(backend, new Date('2027-01-04T08:00:00Z'));

  it('extends aftercare to 18 months on approval and rejects a request beyond 24 months in total', async () => {
    // given a SoNa case released early, on 2027-03-01: 12 months of aftercare until 2028-03-01
    const { caseId, instanceKey } = await world.admit({ programmeId: 'sona-nrw', expectedRelease: '2028-01-10' });
    await world.completeIntake(instanceKey);
    await world.complete('integration-planning', { integrationPlanAgreed: true }, instanceKey);
    await world.clock('2027-03-01T09:00:00Z');
    // (as the API does: the release in the domain first, then the message)
    await recordRelease(world.db, caseId, '2027-03-01', world.now);
    await world.publish(MESSAGES.releaseRecorded.name, caseId, { actualRelease: '2027-03-01' });
    await world.complete('release-handover', { housingSecured: true }, instanceKey);
    expect(await world.readCase(caseId)).toMatchObject({ phase: 'aftercare', aftercareEndsOn: '2028-03-01' });
    expect((await world.timers(instanceKey))['aftercare-period']).toEqual(midnight('2028-03-01'));

    // when the caseworker asks for 6 more months a month before the end
    await world.clock('2028-02-01T09:00:00Z');
    const first = await requestExtension(world.db, { caseId, months: 6, justification: 'Wohnung noch nicht stabil' }, world.now);
    await world.publish(MESSAGES.extensionRequested.name, caseId, { extensionId: first });
    // then the rules pass it on to a supervisor, who approves it
    const approval = await world.task('approve-extension', instanceKey);
    expect(approval.candidateGroups).toEqual(['supervisor']);
    await world.complete('approve-extension', { extensionApprovalDecision: 'approved', decidedBy: world.staff.supervisorId }, instanceKey);
    // and aftercare now lasts 18 months, the period waits for the new end
    expect(await getExtension(world.db, first)).toMatchObject({ status: 'approved', decidedBy: world.staff.supervisorId });
    expect(await world.readCase(caseId)).toMatchObject({ phase: 'aftercare', aftercareEndsOn: '2028-09-01' });
    expect((await world.timers(instanceKey))['aftercare-period']).toEqual(midnight('2028-09-01'));

    // when a further 7 months are asked for (25 months in total)
    await world.clock('2028-08-01T09:00:00Z');
    const second = await requestExtension(world.db, { caseId, months: 7, justification: 'weiterer Bedarf' }, world.now);
    await world.publish(MESSAGES.extensionRequested.name, caseId, { extensionId: second });
    // then the rules reject it, no supervisor task is created, and the end stays
    expect(await getExtension(world.db, second)).toMatchObject({ status: 'rejected', rejectionCode: 'EXTENSION_CAP_EXCEEDED' });
    expect(await world.openTasks({ elementId: 'approve-extension' })).toEqual([]);
    expect(await world.readCase(caseId)).toMatchObject({ aftercareEndsOn: '2028-09-01' });
    expect((await world.timers(instanceKey))['aftercare-period']).toEqual(midnight('2028-09-01'));
    expect(await world.elements(instanceKey, 'COMPLETED')).toContain('extension-refused');

    // and the review comes at the end of the 18 months
    await world.clock('2028-08-31T23:00:00Z');
    expect(await world.openTasks({ elementId: 'aftercare-review', processInstanceKey: instanceKey })).toEqual([]);
    await world.clock(midnight('2028-09-01'));
    await world.complete('aftercare-review', { closureReason: 'regular' }, instanceKey);
    expect(await world.readCase(caseId)).toMatchObject({ status: 'closed', closureReason: 'regular' });
  }, 60_000);
});
