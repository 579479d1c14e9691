/**
 * `partner-referrals`: sends a referral to the next matching partner — same life domain and
 * service, the case's release region, a free place, not asked before for this referral.
 * Referral data leaves only with the client's consent for `partner-referral` or a recorded
 * legal basis. Soziotherapie needs a prescription within its statutory limits (see
 * src/domain/sociotherapy.ts: 5 GP units, 120 hours in 3 years, 7 EUR co-payment per unit).
 * Called again after a decline or a silent partner, it moves on to the next partner.
 */
import { toIsoDate } from '../../src/domain/dates.js';
import { checkSociotherapy, SERVICES_REQUIRING_PRESCRIPTION } from '../../src/domain/sociotherapy.js';
import { BpmnError } from '../lib/bpmn-error.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { requireId } from '../lib/variables.js';
import type { PartnerReferralStore } from './store.js';

/** Helpers of this handler. */
export interface PartnerReferralHelpers extends JobHelpers {
  store: PartnerReferralStore;
}

/** Output variables. */
export type PartnerReferralOutput = {
  partnerId: string;
  referralAttemptId: string;
  /** ISO instant; the diagram's reminder timer waits until then. */
  answerDueAt: string;
  /** Co-payment for a prescribed service (0 when exempt), null for other services. */
  copaymentCents: number | null;
  sharingGround: string;
};

/** The modelled outcomes this handler throws as BPMN errors. */
export const PARTNER_REFERRAL_ERRORS = [
  'CASE_CLOSED',
  'LIFE_DOMAIN_HANDLED_ELSEWHERE',
  'REFERRAL_NOT_OPEN',
  'REFERRAL_NO_SHARING_GROUND',
  'SOCIOTHERAPY_PRESCRIPTION_REQUIRED',
  'SOCIOTHERAPY_GP_UNITS_EXCEEDED',
  'SOCIOTHERAPY_PERIOD_EXPIRED',
  'SOCIOTHERAPY_HOURS_EXCEEDED',
  'NO_MATCHING_PARTNER',
] as const;

const DAY_MS = 86_400_000;

/** The handler. Variables: `caseId`, `referralId`. */
export const handler: Handler<PartnerReferralOutput, PartnerReferralHelpers> = async (variables, helpers) => {
  const caseId = requireId(variables, 'caseId');
  const referralId = requireId(variables, 'referralId');
  const now = helpers.now();
  const context = await helpers.store.loadContext(referralId, now);
  const { referral } = context;
  if (referral.caseId !== caseId) throw new Error(`Referral ${referralId} does not belong to case ${caseId}`);
  const log = helpers.log.child({ caseId, referralId });

  if (context.case.status !== 'open') throw new BpmnError('CASE_CLOSED', `Case ${caseId} is closed`);
  if (context.lifeDomainHandledElsewhere) {
    throw new BpmnError('LIFE_DOMAIN_HANDLED_ELSEWHERE', `Life domain ${referral.lifeDomain} is handled elsewhere`);
  }
  if (referral.status === 'sent') {
    // A retry after the attempt was committed but before the job completed: same answer again.
    const attempt = referral.attempts.filter((a) => a.status === 'sent').at(-1);
    if (attempt && referral.sharingGround) {
      return output(attempt.partnerId, attempt.id, attempt.answerDueAt, referral.copaymentCents, referral.sharingGround);
    }
  }
  if (referral.status !== 'open' && referral.status !== 'no-partner') {
    throw new BpmnError('REFERRAL_NOT_OPEN', `Referral ${referralId} is ${referral.status}`);
  }
  if (!context.sharingGround) {
    throw new BpmnError(
      'REFERRAL_NO_SHARING_GROUND',
      `Neither consent nor a legal basis lets the data of case ${caseId} go to a partner`,
    );
  }

  let copaymentCents: number | null = null;
  if (SERVICES_REQUIRING_PRESCRIPTION.includes(referral.service)) {
    const verdict = checkSociotherapy(context.prescription, toIsoDate(now));
    if (!verdict.ok) throw new BpmnError(verdict.code, verdict.detail);
    copaymentCents = verdict.copaymentCents;
  }

  const candidates = await helpers.store.findPartners({
    service: referral.service,
    lifeDomain: referral.lifeDomain,
    region: context.case.releaseRegion,
    excludePartnerIds: referral.attempts.map((a) => a.partnerId),
  });
  const answerDueAt = new Date(now.getTime() + context.referralAnswerDays * DAY_MS);
  const sent =
    candidates.length > 0
      ? await helpers.store.sendToFirstFreePartner({
          referralId,
          candidates,
          sentAt: now,
          answerDueAt,
          sharingGround: context.sharingGround,
          copaymentCents,
        })
      : null;
  if (!sent) {
    await helpers.store.markNoPartner(referralId);
    log.info({ asked: referral.attempts.length }, 'no matching partner left');
    throw new BpmnError('NO_MATCHING_PARTNER', `No matching partner left for referral ${referralId}`);
  }
  log.info({ partnerId: sent.partnerId, attemptId: sent.attemptId }, 'referral sent');
  return output(sent.partnerId, sent.attemptId, answerDueAt, copaymentCents, context.sharingGround);
};

function output(
  partnerId: string,
  attemptId: string,
  answerDueAt: Date,
  copaymentCents: number | null,
  sharingGround: string,
): PartnerReferralOutput {
  return { partnerId, referralAttemptId: attemptId, answerDueAt: answerDueAt.toISOString(), copaymentCents, sharingGround };
}
