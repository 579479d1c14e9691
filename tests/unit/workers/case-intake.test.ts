import { describe, expect, it } from 'vitest';
import type { NeedViewInput } from '../../../src/domain/cases.js';
import type { ConsentPurpose } from '../../../src/domain/consents.js';
import type { LifeDomain } from '../../../src/domain/programmes.js';
import { handler } from '../../../workers/case-intake/handler.js';
import type { CaseIntakeStore } from '../../../workers/case-intake/store.js';
import { InvalidVariableError } from '../../../workers/lib/variables.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';

const CASE = '00000000-0000-4000-8000-00000000c001';
const NOW = new Date('2027-01-05T09:00:00Z');

function fakeStore(options: { consents?: ConsentPurpose[]; elsewhere?: LifeDomain[] } = {}) {
  const consents = new Set(options.consents ?? []);
  const views: NeedViewInput[] = [];
  const store: CaseIntakeStore = {
    hasConsent: async (_caseId, purpose) => consents.has(purpose),
    async giveConsent(_caseId, purpose) {
      consents.add(purpose);
    },
    domainsHandledElsewhere: async () => options.elsewhere ?? [],
    async recordNeedView(input) {
      views.push(input);
    },
  };
  return { store, consents, views };
}

const run = (variables: Record<string, unknown>, store: CaseIntakeStore) =>
  handler({ caseId: CASE, ...variables }, { ...jobHelpers({ now: NOW }, 'case-intake'), store });

describe('case-intake handler', () => {
  it('records each consent ticked in the form', async () => {
    const { store, consents } = fakeStore();
    const output = await run({ record: 'consent', privacyNoticeGiven: true, consentDataProcessing: true, consentPartnerReferral: true, consentFinalReportSharing: false }, store);
    expect([...consents].sort()).toEqual(['data-processing', 'partner-referral']);
    expect(output).toEqual({ intakeRecorded: 2 });
  });

  it('records no consent twice (a retry, or one given before)', async () => {
    const { store } = fakeStore({ consents: ['data-processing'] });
    expect(await run({ record: 'consent', privacyNoticeGiven: true, consentDataProcessing: true }, store)).toEqual({ intakeRecorded: 0 });
  });

  it('needs the data-protection notice to have been given', async () => {
    await expect(run({ record: 'consent', consentDataProcessing: true }, fakeStore().store)).rejects.toBeInstanceOf(InvalidVariableError);
  });

  it('records one view of the needs, as numbers, skipping unrated domains and those handled elsewhere', async () => {
    const { store, views } = fakeStore({ elsewhere: ['work'] });
    const output = await run(
      { record: 'needs', needView: 'third-party', needRatings: { housing: '3', work: '2', finances: 1, health: null, family: '0' } },
      store,
    );
    expect(views).toEqual([
      { caseId: CASE, lifeDomain: 'housing', view: 'third-party', rating: 3 },
      { caseId: CASE, lifeDomain: 'finances', view: 'third-party', rating: 1 },
      { caseId: CASE, lifeDomain: 'family', view: 'third-party', rating: 0 },
    ]);
    expect(output).toEqual({ intakeRecorded: 3 });
  });

  it('refuses an unknown view, a rating out of range and an unknown record', async () => {
    const { store } = fakeStore();
    await expect(run({ record: 'needs', needView: 'neighbour', needRatings: {} }, store)).rejects.toBeInstanceOf(InvalidVariableError);
    await expect(run({ record: 'needs', needView: 'overall', needRatings: { housing: '4' } }, store)).rejects.toBeInstanceOf(InvalidVariableError);
    await expect(run({ record: 'needs', needView: 'overall', needRatings: 'high' }, store)).rejects.toBeInstanceOf(InvalidVariableError);
    await expect(run({ record: 'goals' }, store)).rejects.toBeInstanceOf(InvalidVariableError);
  });
});
