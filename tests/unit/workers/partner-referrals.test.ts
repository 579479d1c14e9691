import { describe, expect, it } from 'vitest';
import type { PartnerMatch } from '../../../src/domain/partners.js';
import type { Referral, SendReferral } from '../../../src/domain/referrals.js';
import type { Prescription } from '../../../src/domain/sociotherapy.js';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { handler } from '../../../workers/partner-referrals/handler.js';
import type { PartnerReferralStore, ReferralContext } from '../../../workers/partner-referrals/store.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';

const CASE = '00000000-0000-4000-8000-00000000c001';
const REFERRAL = '00000000-0000-4000-8000-00000000e001';
const PARTNER_A = '00000000-0000-4000-8000-0000000000a1';
const PARTNER_B = '00000000-0000-4000-8000-0000000000b1';
const NOW = new Date('2025-05-02T09:00:00Z');

function prescription(overrides: Partial<Prescription> = {}): Prescription {
  return {
    id: '00000000-0000-4000-8000-0000000000f1',
    illnessCaseId: '00000000-0000-4000-8000-0000000000f2',
    illnessCaseStartedOn: '2024-01-10',
    prescriberKind: 'specialist',
    units: 30,
    issuedOn: '2025-04-20',
    copaymentExempt: false,
    otherUnitsOfIllnessCase: 0,
    ...overrides,
  };
}

function context(overrides: Partial<ReferralContext> = {}, referral: Partial<Referral> = {}): ReferralContext {
  return {
    referral: {
      id: REFERRAL,
      caseId: CASE,
      lifeDomain: 'housing',
      service: 'supported-living',
      prescriptionId: null,
      status: 'open',
      sharingGround: null,
      copaymentCents: null,
      attempts: [],
      ...referral,
    },
    case: { id: CASE, status: 'open', releaseRegion: 'erfurt', programmeId: 'puemas' },
    referralAnswerDays: 14,
    lifeDomainHandledElsewhere: false,
    sharingGround: 'consent',
    prescription: null,
    ...overrides,
  };
}

function sociotherapy(p: Partial<Prescription> | null, overrides: Partial<ReferralContext> = {}): ReferralContext {
  return context(
    { prescription: p === null ? null : prescription(p), ...overrides },
    { lifeDomain: 'health', service: 'sociotherapy', prescriptionId: p === null ? null : prescription(p).id },
  );
}

/** Candidates are what the SQL match returns; `full` partners lose the race for the last place. */
function fakeStore(ctx: ReferralContext, candidates: PartnerMatch[] = [match(PARTNER_A), match(PARTNER_B)], full: string[] = []) {
  const calls = { find: [] as unknown[], sent: [] as SendReferral[], noPartner: 0 };
  const store: PartnerReferralStore = {
    loadContext: async () => ctx,
    async findPartners(criteria) {
      calls.find.push(criteria);
      return candidates.filter((c) => !criteria.excludePartnerIds.includes(c.partnerId));
    },
    async sendToFirstFreePartner(input) {
      calls.sent.push(input);
      const free = input.candidates.find((c) => !full.includes(c.partnerId));
      return free ? { partnerId: free.partnerId, attemptId: `attempt-${free.partnerId}` } : null;
    },
    async markNoPartner() {
      calls.noPartner++;
    },
  };
  return { store, calls };
}

function match(partnerId: string): PartnerMatch {
  return { partnerId, freeCapacity: 2, dataSharingAgreement: true };
}

async function run(store: PartnerReferralStore, now = NOW) {
  return handler({ caseId: CASE, referralId: REFERRAL }, { ...jobHelpers({ now }, 'partner-referrals'), store });
}

async function refusal(store: PartnerReferralStore, now = NOW): Promise<string> {
  const error = await run(store, now).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BpmnError);
  return (error as BpmnError).code;
}

describe('partner-referrals handler', () => {
  it('sends to the first matching partner by life domain, service and release region', async () => {
    const { store, calls } = fakeStore(context());
    const output = await run(store);
    expect(calls.find).toEqual([
      { service: 'supported-living', lifeDomain: 'housing', region: 'erfurt', excludePartnerIds: [] },
    ]);
    expect(output).toEqual({
      partnerId: PARTNER_A,
      referralAttemptId: `attempt-${PARTNER_A}`,
      answerDueAt: '2025-05-16T09:00:00.000Z', // the programme's 14 days to answer
      copaymentCents: null,
      sharingGround: 'consent',
    });
  });

  it('moves on to the next partner after a decline, never asking the same one twice', async () => {
    const declined = {
      id: 'attempt-1',
      partnerId: PARTNER_A,
      status: 'declined' as const,
      sentAt: NOW,
      answerDueAt: NOW,
      answeredAt: NOW,
    };
    const { store, calls } = fakeStore(context({}, { attempts: [declined] }));
    const output = await run(store);
    expect(calls.find).toEqual([expect.objectContaining({ excludePartnerIds: [PARTNER_A] })]);
    expect(output.partnerId).toBe(PARTNER_B);
  });

  it('takes the next candidate when the first has just lost its last free place', async () => {
    const { store } = fakeStore(context(), undefined, [PARTNER_A]);
    expect((await run(store)).partnerId).toBe(PARTNER_B);
  });

  it('reports NO_MATCHING_PARTNER and marks the referral when every candidate is full', async () => {
    const { store, calls } = fakeStore(context(), undefined, [PARTNER_A, PARTNER_B]);
    expect(await refusal(store)).toBe('NO_MATCHING_PARTNER');
    expect(calls.noPartner).toBe(1);
  });

  it('reports NO_MATCHING_PARTNER when no partner fits at all', async () => {
    const { store, calls } = fakeStore(context(), []);
    expect(await refusal(store)).toBe('NO_MATCHING_PARTNER');
    expect(calls.sent).toEqual([]);
  });

  it('lets data leave with a recorded legal basis instead of consent', async () => {
    const { store } = fakeStore(context({ sharingGround: 'legal-basis' }));
    expect((await run(store)).sharingGround).toBe('legal-basis');
  });

  it('refuses without consent and without a legal basis, and sends nothing', async () => {
    const { store, calls } = fakeStore(context({ sharingGround: null }));
    expect(await refusal(store)).toBe('REFERRAL_NO_SHARING_GROUND');
    expect(calls.find).toEqual([]);
    expect(calls.sent).toEqual([]);
  });

  it('refuses for a closed case', async () => {
    const { store } = fakeStore(context({ case: { id: CASE, status: 'closed', releaseRegion: 'erfurt', programmeId: 'puemas' } }));
    expect(await refusal(store)).toBe('CASE_CLOSED');
  });

  it('refuses in a life domain handled by another programme', async () => {
    const { store, calls } = fakeStore(context({ lifeDomainHandledElsewhere: true }));
    expect(await refusal(store)).toBe('LIFE_DOMAIN_HANDLED_ELSEWHERE');
    expect(calls.sent).toEqual([]);
  });

  it('refuses a referral already accepted', async () => {
    const { store } = fakeStore(context({}, { status: 'accepted' }));
    expect(await refusal(store)).toBe('REFERRAL_NOT_OPEN');
  });

  it('answers a retry of an already sent referral with the same attempt, sending nothing new', async () => {
    const sent = { id: 'attempt-9', partnerId: PARTNER_B, status: 'sent' as const, sentAt: NOW, answerDueAt: NOW, answeredAt: null };
    const { store, calls } = fakeStore(context({}, { status: 'sent', sharingGround: 'consent', attempts: [sent] }));
    const output = await run(store);
    expect(output).toMatchObject({ partnerId: PARTNER_B, referralAttemptId: 'attempt-9' });
    expect(calls.sent).toEqual([]);
  });

  describe('Soziotherapie', () => {
    it('needs a prescription', async () => {
      const { store, calls } = fakeStore(sociotherapy(null));
      expect(await refusal(store)).toBe('SOCIOTHERAPY_PRESCRIPTION_REQUIRED');
      expect(calls.sent).toEqual([]);
    });

    it('accepts a GP prescription of 5 units', async () => {
      const { store } = fakeStore(sociotherapy({ prescriberKind: 'gp', units: 5 }));
      expect((await run(store)).partnerId).toBe(PARTNER_A);
    });

    it('refuses a GP prescription of 6 units', async () => {
      const { store } = fakeStore(sociotherapy({ prescriberKind: 'gp', units: 6 }));
      expect(await refusal(store)).toBe('SOCIOTHERAPY_GP_UNITS_EXCEEDED');
    });

    it('accepts 6 units and more from a specialist', async () => {
      const { store } = fakeStore(sociotherapy({ prescriberKind: 'specialist', units: 6 }));
      expect((await run(store)).copaymentCents).toBe(6 * 700);
    });

    it('allows exactly 120 hours per illness case', async () => {
      const { store } = fakeStore(sociotherapy({ units: 20, otherUnitsOfIllnessCase: 100 }));
      expect((await run(store)).partnerId).toBe(PARTNER_A);
    });

    it('refuses the 121st hour of an illness case', async () => {
      const { store } = fakeStore(sociotherapy({ units: 21, otherUnitsOfIllnessCase: 100 }));
      expect(await refusal(store)).toBe('SOCIOTHERAPY_HOURS_EXCEEDED');
    });

    it('allows a referral on the last day of the 3 years of an illness case', async () => {
      const { store } = fakeStore(sociotherapy({ illnessCaseStartedOn: '2022-05-03', issuedOn: '2025-04-01' }));
      expect((await run(store, new Date('2025-05-02T09:00:00Z'))).partnerId).toBe(PARTNER_A);
    });

    it('refuses once the 3 years of the illness case are over', async () => {
      const { store } = fakeStore(sociotherapy({ illnessCaseStartedOn: '2022-05-02', issuedOn: '2025-04-01' }));
      expect(await refusal(store, new Date('2025-05-02T09:00:00Z'))).toBe('SOCIOTHERAPY_PERIOD_EXPIRED');
    });

    it('charges a co-payment of 7 EUR per unit', async () => {
      const { store, calls } = fakeStore(sociotherapy({ prescriberKind: 'gp', units: 5 }));
      expect((await run(store)).copaymentCents).toBe(3500);
      expect(calls.sent[0].copaymentCents).toBe(3500);
    });

    it('charges nothing when the client is exempt', async () => {
      const { store } = fakeStore(sociotherapy({ units: 30, copaymentExempt: true }));
      expect((await run(store)).copaymentCents).toBe(0);
    });

    it('checks consent before the prescription: no data leaves either way', async () => {
      const { store } = fakeStore(sociotherapy(null, { sharingGround: null }));
      expect(await refusal(store)).toBe('REFERRAL_NO_SHARING_GROUND');
    });
  });

  it('refuses a referral of another case as a defect, not an outcome', async () => {
    const { store } = fakeStore(context({}, { caseId: '00000000-0000-4000-8000-00000000c999' }));
    const error = await run(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BpmnError);
  });
});
