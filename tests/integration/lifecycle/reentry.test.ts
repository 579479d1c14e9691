/**
 * Acceptance 5 (issue 4): a drop-out closes the case early (whatever the case was doing); a
 * re-entry needs a supervisor's approval and yields a new case linked to the old one, with a
 * transition-case instance of its own. A rejected re-entry opens nothing.
 */
import { describe, expect, it } from 'vitest';
import { closeCase, getCase } from '../../../src/domain/cases.js';
import { MESSAGES, PROCESSES } from '../../../src/domain/process-contract.js';
import { backends } from '../../helpers/databases.js';
import { useLifecycle } from './lifecycle-harness.js';

describe.each(backends)('re-entry on $name', (backend) => {
  const world = useLifecycle(backend, new Date('2027-01-04T08:00:00Z'));

  async function droppedOutCase() {
    const { caseId, instanceKey } = await world.admit({ programmeId: 'puemas', expectedRelease: '2027-12-01' });
    await world.completeIntake(instanceKey);
    // the client withdraws: the API closes the case, then tells the process
    await closeCase(world.db, caseId, 'drop-out', world.now);
    await world.publish(MESSAGES.caseClosed.name, caseId, { closureReason: 'drop-out' });
    return { caseId, instanceKey };
  }

  async function requestReentry(previousCaseId: string) {
    const { processInstanceKey } = await world.post<{ processInstanceKey: string }>('/process-instances', {
      processDefinitionId: PROCESSES.caseReentry,
      variables: { previousCaseId, teamId: world.staff.teamId },
    });
    return String(processInstanceKey);
  }

  it('closes the case early on a drop-out and ends everything it was doing', async () => {
    const { caseId, instanceKey } = await droppedOutCase();
    expect(await world.readCase(caseId)).toMatchObject({ status: 'closed', phase: 'closed', closureReason: 'drop-out' });
    expect(await world.instance(instanceKey)).toMatchObject({ state: 'COMPLETED', hasIncident: false });
    expect(await world.elements(instanceKey, 'TERMINATED')).toContain('integration-planning');
    expect(await world.openTasks({ processInstanceKey: instanceKey })).toEqual([]);
  }, 60_000);

  it('opens a linked case with its own lifecycle once a supervisor approves the re-entry', async () => {
    // given a case closed after a drop-out
    const { caseId } = await droppedOutCase();
    // when re-entry is asked for
    await world.clock('2027-03-01T09:00:00Z');
    const reentryKey = await requestReentry(caseId);
    // then a supervisor must approve it
    const approval = await world.task('approve-reentry', reentryKey);
    expect(approval.candidateGroups).toEqual(['supervisor']);
    expect(await world.db.query('select id from transition_case where previous_case_id = $1', [caseId])).toMatchObject({ rows: [] });
    // when the supervisor approves, with a new expected release date
    await world.complete('approve-reentry', { reentryDecision: 'approved', decidedBy: world.staff.supervisorId, newExpectedRelease: '2028-01-15' }, reentryKey);
    // then a new open case links to the old one, approved by the supervisor
    const { rows } = await world.db.query<{ id: string; reentry_approved_by: string }>(
      'select id, reentry_approved_by from transition_case where previous_case_id = $1',
      [caseId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].reentry_approved_by).toBe(world.staff.supervisorId);
    const linked = await getCase(world.db, rows[0].id);
    expect(linked).toMatchObject({ status: 'open', phase: 'intake', previousCaseId: caseId, expectedReleaseDate: '2028-01-15' });
    // and its own transition-case instance starts with the intake
    const children = await world.db.query<{ key: string; variables: Record<string, unknown> }>(
      `select key, variables from engine_instance where parent_instance_key = $1 and process_id = 'transition-case'`,
      [reentryKey],
    );
    expect(children.rows[0].variables).toMatchObject({ caseId: linked.id, programmeId: 'puemas', expectedRelease: '2028-01-15' });
    await world.task('record-consent', children.rows[0].key);
  }, 60_000);

  it('opens nothing when the supervisor rejects the re-entry', async () => {
    const { caseId } = await droppedOutCase();
    const reentryKey = await requestReentry(caseId);
    await world.complete('approve-reentry', { reentryDecision: 'rejected', decidedBy: world.staff.supervisorId }, reentryKey);
    expect(await world.instance(reentryKey)).toMatchObject({ state: 'COMPLETED' });
    expect(await world.elements(reentryKey, 'COMPLETED')).toContain('reentry-rejected');
    expect((await world.db.query('select id from transition_case where previous_case_id = $1', [caseId])).rows).toEqual([]);
  }, 60_000);
});
