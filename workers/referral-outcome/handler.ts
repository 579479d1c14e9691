/**
 * `referral-outcome`: records what became of the partner asked last (`partnerId`, the
 * `partner-referrals` output) for a referral, in the domain tables:
 * - `accepted` / `declined` (the partner answered) and `expired` (silent after reminder and
 *   escalation, the caseworker moves on): the attempt is closed, and a decline or expiry reopens
 *   the referral for the next matching partner. When the API recorded the answer first, or on a
 *   retry, nothing changes: the referral's status is reported as it is.
 * - `reminded`: the silent partner was reminded (once per attempt); the caseworker's escalation
 *   follows after half the programme's answer period (`escalationDueAt`).
 */
import type { Handler, JobHelpers } from '../lib/types.js';
import { InvalidVariableError, requireId } from '../lib/variables.js';
import type { ReferralOutcomeStore } from './store.js';

/** Helpers of this handler. */
export interface ReferralOutcomeHelpers extends JobHelpers {
  store: ReferralOutcomeStore;
}

/** Output variables. */
export type ReferralOutcomeOutput = {
  referralStatus: string;
  /** Only after `reminded`: when the caseworker's escalation falls due (ISO instant). */
  escalationDueAt?: string;
};

/** The outcomes the diagram records. */
export const OUTCOMES = ['accepted', 'declined', 'expired', 'reminded'] as const;

const DAY_MS = 86_400_000;

/** The handler. Variables: `referralId`, `partnerId`, `outcome`. */
export const handler: Handler<ReferralOutcomeOutput, ReferralOutcomeHelpers> = async (variables, helpers) => {
  const referralId = requireId(variables, 'referralId');
  const partnerId = requireId(variables, 'partnerId');
  const outcome = variables.outcome;
  if (!(OUTCOMES as readonly unknown[]).includes(outcome)) throw new InvalidVariableError('outcome', OUTCOMES.join(', '));
  const now = helpers.now();
  const log = helpers.log.child({ referralId, partnerId, outcome });
  const referral = await helpers.store.getReferral(referralId);
  const attempt = referral.attempts.filter((a) => a.partnerId === partnerId).at(-1);
  if (!attempt) throw new Error(`Referral ${referralId} was never sent to partner ${partnerId}`);

  if (outcome === 'reminded') {
    if (attempt.status === 'sent' && (await helpers.store.markReminded(attempt.id, now))) log.info('partner reminded');
    const answerDays = await helpers.store.referralAnswerDays(referral.caseId);
    const escalationDueAt = new Date(now.getTime() + Math.ceil(answerDays / 2) * DAY_MS);
    return { referralStatus: referral.status, escalationDueAt: escalationDueAt.toISOString() };
  }
  if (attempt.status !== 'sent') {
    // Recorded before (by the API when the partner answered, or by this step on a retry).
    return { referralStatus: referral.status };
  }
  const updated = await helpers.store.recordAnswer({ referralId, partnerId, answer: outcome as 'accepted' | 'declined' | 'expired' }, now);
  log.info('referral answer recorded');
  return { referralStatus: updated.status };
};
