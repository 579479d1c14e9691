import { describe, expect, it } from 'vitest';
import type { Referral } from '../../../src/domain/referrals.js';
import { InvalidVariableError } from '../../../workers/lib/variables.js';
import { handler } from '../../../workers/referral-outcome/handler.js';
import type { ReferralOutcomeStore } from '../../../workers/referral-outcome/store.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';

const REFERRAL = '00000000-0000-4000-8000-00000000f001';
const PARTNER_A = '00000000-0000-4000-8000-00000000a001';
const PARTNER_B = '00000000-0000-4000-8000-00000000a002';
const NOW = new Date('2027-02-01T09:00:00Z');
const DAY_MS = 86_400_000;

function referral(attempts: [string, 'sent' | 'declined' | 'accepted' | 'expired'][], status: Referral['status'] = 'sent'): Referral {
  return {
    id: REFERRAL,
    caseId: '00000000-0000-4000-8000-00000000c001',
    lifeDomain: 'housing',
    service: 'supported-living',
    prescriptionId: null,
    status,
    sharingGround: 'consent',
    copaymentCents: null,
    attempts: attempts.map(([partnerId, s], i) => ({
      id: `00000000-0000-4000-8000-0000000b000${i}`,
      partnerId,
      status: s,
      sentAt: NOW,
      answerDueAt: NOW,
      answeredAt: null,
    })),
  };
}

function fakeStore(initial: Referral, answerDays = 14) {
  const calls: unknown[] = [];
  const reminded = new Set<string>();
  const store: ReferralOutcomeStore = {
    getReferral: async () => initial,
    async recordAnswer(input) {
      calls.push(input);
      return { ...initial, status: input.answer === 'accepted' ? 'accepted' : 'open' };
    },
    async markReminded(attemptId) {
      if (reminded.has(attemptId)) return false;
      reminded.add(attemptId);
      calls.push({ reminded: attemptId });
      return true;
    },
    referralAnswerDays: async () => answerDays,
  };
  return { store, calls };
}

const run = (variables: Record<string, unknown>, store: ReferralOutcomeStore) =>
  handler({ referralId: REFERRAL, ...variables }, { ...jobHelpers({ now: NOW }, 'referral-outcome'), store });

describe('referral-outcome handler', () => {
  it('records a decline of the partner asked last; the referral opens for the next one', async () => {
    const { store, calls } = fakeStore(referral([[PARTNER_A, 'declined'], [PARTNER_B, 'sent']]));
    expect(await run({ partnerId: PARTNER_B, outcome: 'declined' }, store)).toEqual({ referralStatus: 'open' });
    expect(calls).toEqual([{ referralId: REFERRAL, partnerId: PARTNER_B, answer: 'declined' }]);
  });

  it('records an acceptance', async () => {
    const { store } = fakeStore(referral([[PARTNER_A, 'sent']]));
    expect(await run({ partnerId: PARTNER_A, outcome: 'accepted' }, store)).toEqual({ referralStatus: 'accepted' });
  });

  it('changes nothing when the answer was recorded before (by the API, or a retry)', async () => {
    const { store, calls } = fakeStore(referral([[PARTNER_A, 'accepted']], 'accepted'));
    expect(await run({ partnerId: PARTNER_A, outcome: 'accepted' }, store)).toEqual({ referralStatus: 'accepted' });
    expect(calls).toEqual([]);
  });

  it('closes a silent partner’s request as expired', async () => {
    const { store, calls } = fakeStore(referral([[PARTNER_A, 'sent']]));
    expect(await run({ partnerId: PARTNER_A, outcome: 'expired' }, store)).toEqual({ referralStatus: 'open' });
    expect(calls).toEqual([{ referralId: REFERRAL, partnerId: PARTNER_A, answer: 'expired' }]);
  });

  it('reminds a silent partner once and escalates after half the programme’s answer period', async () => {
    const { store, calls } = fakeStore(referral([[PARTNER_A, 'sent']]), 14);
    const first = await run({ partnerId: PARTNER_A, outcome: 'reminded' }, store);
    const again = await run({ partnerId: PARTNER_A, outcome: 'reminded' }, store);
    expect(first).toEqual({ referralStatus: 'sent', escalationDueAt: new Date(NOW.getTime() + 7 * DAY_MS).toISOString() });
    expect(again).toEqual(first);
    expect(calls).toHaveLength(1);
    const odd = fakeStore(referral([[PARTNER_A, 'sent']]), 5);
    expect((await run({ partnerId: PARTNER_A, outcome: 'reminded' }, odd.store)).escalationDueAt).toBe(new Date(NOW.getTime() + 3 * DAY_MS).toISOString());
  });

  it('refuses a partner never asked and an unknown outcome', async () => {
    const { store } = fakeStore(referral([[PARTNER_A, 'sent']]));
    await expect(run({ partnerId: PARTNER_B, outcome: 'declined' }, store)).rejects.toThrow(/never sent/);
    await expect(run({ partnerId: PARTNER_A, outcome: 'maybe' }, store)).rejects.toBeInstanceOf(InvalidVariableError);
  });
});
