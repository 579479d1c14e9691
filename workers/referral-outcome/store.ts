/** The referral-outcome handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import { getCase } from '../../src/domain/cases.js';
import { getProgramme } from '../../src/domain/programmes.js';
import { getReferral, recordReferralAnswer, type Referral } from '../../src/domain/referrals.js';

/** What the handler reads and writes. */
export interface ReferralOutcomeStore {
  /** @throws DomainError REFERRAL_NOT_FOUND */
  getReferral(referralId: string): Promise<Referral>;
  /** @throws DomainError REFERRAL_NOT_SENT when that partner has no open attempt */
  recordAnswer(input: { referralId: string; partnerId: string; answer: 'accepted' | 'declined' | 'expired' }, now: Date): Promise<Referral>;
  /** @returns false when the attempt was reminded before */
  markReminded(attemptId: string, now: Date): Promise<boolean>;
  /** The programme's answer period of the case's referrals, in days. */
  referralAnswerDays(caseId: string): Promise<number>;
}

const SQL = {
  remind: `update referral_attempt set reminded_at = $2 where id = $1 and reminded_at is null and status = 'sent'`,
} as const;

/** The store over SQL. */
export function createReferralOutcomeStore(db: Database): ReferralOutcomeStore {
  return {
    getReferral: (referralId) => getReferral(db, referralId),
    recordAnswer: (input, now) => recordReferralAnswer(db, input, now),
    markReminded: async (attemptId, now) => (await db.query(SQL.remind, [attemptId, now])).rowCount === 1,
    referralAnswerDays: async (caseId) => (await getProgramme(db, (await getCase(db, caseId)).programmeId)).referralAnswerDays,
  };
}
