/**
 * Acceptance 4 (issue 4): a referral called from the case — a declined referral moves on to the
 * next matching partner; a silent partner gets a reminder after the programme's deadline, then
 * the caseworker an escalation task; with no matching partner left, the caseworker takes over.
 */
import { describe, expect, it } from 'vitest';
import { createPartner } from '../../../src/domain/partners.js';
import { MESSAGES } from '../../../src/domain/process-contract.js';
import { createReferral, getReferral } from '../../../src/domain/referrals.js';
import { backends } from '../../helpers/databases.js';
import { useLifecycle } from './lifecycle-harness.js';

const DAY_MS = 86_400_000;

describe.each(backends)('partner referral on $name', (backend) => {
  const world = useLifecycle(backend, new Date('2027-01-04T08:00:00Z'));

  it('moves on after a decline, reminds a silent partner, escalates to the caseworker, and hands over when none is left', async () => {
    // given two supported-living partners in Erfurt and a case whose client consented to referrals
    const offers = [{ lifeDomain: 'housing' as const, service: 'supported-living' }];
    const first = await createPartner(world.db, { name: 'A Wohnhilfe Erfurt', type: 'housing', regions: ['erfurt'], capacity: null, dataSharingAgreement: true, offers, contacts: [] });
    const second = await createPartner(world.db, { name: 'B Betreutes Wohnen', type: 'housing', regions: ['erfurt'], capacity: 5, dataSharingAgreement: true, offers, contacts: [] });
    const { caseId, instanceKey } = await world.admit({ programmeId: 'puemas', expectedRelease: '2028-03-04' });
    await world.completeIntake(instanceKey);

    // when a referral is created for housing
    const referralId = await createReferral(world.db, { caseId, lifeDomain: 'housing', service: 'supported-living' }, world.now);
    await world.publish(MESSAGES.referralRequested.name, caseId, { referralId });
    // then the case calls the referral process, which asks the first partner by name
    const { rows } = await world.db.query<{ key: string }>(
      `select key from engine_instance where parent_instance_key = $1 and process_id = 'partner-referral'`,
      [instanceKey],
    );
    const referralInstance = rows[0].key;
    let referral = await getReferral(world.db, referralId);
    expect(referral).toMatchObject({ status: 'sent', sharingGround: 'consent' });
    expect(referral.attempts.map((a) => [a.partnerId, a.status])).toEqual([[first.id, 'sent']]);

    // when that partner declines
    await world.publish(MESSAGES.partnerAnswered.name, referralId, { accepted: false });
    // then the next matching partner is asked, with the programme's 14 days to answer
    referral = await getReferral(world.db, referralId);
    expect(referral.attempts.map((a) => [a.partnerId, a.status])).toEqual([
      [first.id, 'declined'],
      [second.id, 'sent'],
    ]);
    const dueAt = new Date(referral.attempts[1].answerDueAt);
    // (the simulated clock runs on from where a test set it, so allow the seconds the steps took)
    expect(dueAt.getTime() - world.now.getTime()).toBeGreaterThanOrEqual(14 * DAY_MS);
    expect(dueAt.getTime() - world.now.getTime()).toBeLessThan(14 * DAY_MS + 60_000);

    // when it stays silent past its deadline
    await world.clock(dueAt);
    // then it is reminded, and nobody is bothered yet
    const reminded = await world.db.query<{ reminded_at: Date | null }>('select reminded_at from referral_attempt where id = $1', [referral.attempts[1].id]);
    expect(new Date(reminded.rows[0].reminded_at!).getTime() - dueAt.getTime()).toBeLessThan(60_000);
    expect(await world.openTasks({ elementId: 'partner-silent' })).toEqual([]);
    // when it stays silent for half the answer period more
    await world.clock(new Date(dueAt.getTime() + 7 * DAY_MS));
    // then the caseworker gets the escalation
    const escalation = await world.task('partner-silent', referralInstance);
    expect(escalation.candidateGroups).toEqual(['social-service']);

    // when the caseworker moves on, and no matching partner is left
    await world.complete('partner-silent', { escalationOutcome: 'next-partner' }, referralInstance);
    // then the silent partner's request is closed and the caseworker refers by hand
    referral = await getReferral(world.db, referralId);
    expect(referral.status).toBe('no-partner');
    expect(referral.attempts.map((a) => a.status)).toEqual(['declined', 'expired']);
    await world.complete('refer-manually', { referralHandledManually: true }, referralInstance);
    expect(await world.instance(referralInstance)).toMatchObject({ state: 'COMPLETED' });
    expect(await world.elements(referralInstance, 'COMPLETED')).toEqual(
      expect.arrayContaining(['record-answer', 'remind-partner', 'expire-attempt', 'no-partner-left', 'referred-manually']),
    );
    expect(await world.elements(referralInstance, 'COMPLETED')).not.toContain('referral-refused');
    // and the case goes on
    expect(await world.instance(instanceKey)).toMatchObject({ state: 'ACTIVE', hasIncident: false });
  }, 60_000);

  it('sends nothing without consent or a legal basis, and hands the referral to the caseworker', async () => {
    // given a case whose client has not (yet) consented to anything
    const { caseId, instanceKey } = await world.admit({ programmeId: 'puemas', expectedRelease: '2028-06-04' });
    // when a referral is created
    const referralId = await createReferral(world.db, { caseId, lifeDomain: 'housing', service: 'supported-living' }, world.now);
    await world.publish(MESSAGES.referralRequested.name, caseId, { referralId });
    // then no partner is asked and the caseworker clears it up
    expect(await getReferral(world.db, referralId)).toMatchObject({ status: 'open', attempts: [], sharingGround: null });
    const { rows } = await world.db.query<{ key: string }>(
      `select key from engine_instance where parent_instance_key = $1 and process_id = 'partner-referral'`,
      [instanceKey],
    );
    await world.task('refer-manually', rows[0].key);
    expect(await world.elements(rows[0].key, 'COMPLETED')).toContain('referral-refused');
    expect(await world.elements(rows[0].key, 'COMPLETED')).not.toContain('no-partner-left');
  }, 60_000);
});
