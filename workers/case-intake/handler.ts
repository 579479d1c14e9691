/**
 * `case-intake`: stores what the intake forms decided in the domain tables, so that process
 * variables need not carry it for longer than one step.
 * - `record: 'consent'`: each consent ticked in the form (`consentDataProcessing`,
 *   `consentPartnerReferral`, `consentFinalReportSharing`) is recorded for the client, unless a
 *   consent for that purpose is in force already (a retry records nothing twice).
 * - `record: 'needs'`: one view (`needView`: professional, client, third-party or overall) of the
 *   needs assessment, `needRatings` = { <life domain>: 0–3 }; domains another programme handles
 *   are skipped, unrated ones too.
 */
import type { NeedViewKind } from '../../src/domain/cases.js';
import type { ConsentPurpose } from '../../src/domain/consents.js';
import { LIFE_DOMAINS, type LifeDomain } from '../../src/domain/programmes.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { InvalidVariableError, requireId } from '../lib/variables.js';
import type { CaseIntakeStore } from './store.js';

/** Helpers of this handler. */
export interface CaseIntakeHelpers extends JobHelpers {
  store: CaseIntakeStore;
}

/** Output variables: how many rows were written (no content). */
export type CaseIntakeOutput = { intakeRecorded: number };

/** Form field → consent purpose. */
export const CONSENT_FIELDS: Readonly<Record<string, ConsentPurpose>> = Object.freeze({
  consentDataProcessing: 'data-processing',
  consentPartnerReferral: 'partner-referral',
  consentFinalReportSharing: 'final-report-sharing',
});

const VIEWS: readonly NeedViewKind[] = ['professional', 'client', 'third-party', 'overall'];

/** The handler. Variables: `caseId`, `record`, and the form fields named above. */
export const handler: Handler<CaseIntakeOutput, CaseIntakeHelpers> = async (variables, helpers) => {
  const caseId = requireId(variables, 'caseId');
  const now = helpers.now();
  const log = helpers.log.child({ caseId });
  if (variables.record === 'consent') {
    if (variables.privacyNoticeGiven !== true) throw new InvalidVariableError('privacyNoticeGiven', 'true (the form requires it)');
    let recorded = 0;
    for (const [field, purpose] of Object.entries(CONSENT_FIELDS)) {
      if (variables[field] !== true) continue;
      if (await helpers.store.hasConsent(caseId, purpose, now)) continue;
      await helpers.store.giveConsent(caseId, purpose, now);
      recorded++;
    }
    log.info({ recorded }, 'consents recorded');
    return { intakeRecorded: recorded };
  }
  if (variables.record === 'needs') {
    const view = variables.needView;
    if (!VIEWS.includes(view as NeedViewKind)) throw new InvalidVariableError('needView', VIEWS.join(', '));
    const ratings = variables.needRatings;
    if (!ratings || typeof ratings !== 'object' || Array.isArray(ratings)) {
      throw new InvalidVariableError('needRatings', 'an object of ratings per life domain');
    }
    const elsewhere = new Set(await helpers.store.domainsHandledElsewhere(caseId));
    let recorded = 0;
    for (const lifeDomain of LIFE_DOMAINS) {
      const rating = readRating((ratings as Record<string, unknown>)[lifeDomain], lifeDomain);
      if (rating === undefined || elsewhere.has(lifeDomain)) continue;
      await helpers.store.recordNeedView({ caseId, lifeDomain, view: view as NeedViewKind, rating }, now);
      recorded++;
    }
    log.info({ view, recorded }, 'needs recorded');
    return { intakeRecorded: recorded };
  }
  throw new InvalidVariableError('record', 'consent or needs');
};

/** A rating 0–3 (forms send select values as text); null or absent: not rated. */
function readRating(value: unknown, lifeDomain: LifeDomain): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const rating = typeof value === 'string' ? Number(value) : value;
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 0 || rating > 3) {
    throw new InvalidVariableError(`needRatings.${lifeDomain}`, 'a rating from 0 to 3');
  }
  return rating;
}
