/**
 * Referrals (Förderketten): a request for a service in one life domain; each partner asked is
 * one attempt. A decline or a silent partner moves the referral back to `open`, and the next
 * matching partner is asked — never one asked before for the same referral.
 */
import type { Database, Queryable } from '../db/types.js';
import { assertDomainHandledHere, assertOpen, getCase } from './cases.js';
import type { SharingGround } from './consents.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';
import type { PartnerMatch } from './partners.js';
import type { LifeDomain } from './programmes.js';

/** Where a referral stands. */
export type ReferralStatus = 'open' | 'sent' | 'accepted' | 'no-partner' | 'withdrawn';

/** One partner asked. */
export interface ReferralAttempt {
  id: string;
  partnerId: string;
  status: 'sent' | 'accepted' | 'declined' | 'expired';
  sentAt: Date;
  answerDueAt: Date;
  answeredAt: Date | null;
}

/** A referral with its attempts, oldest first. */
export interface Referral {
  id: string;
  caseId: string;
  lifeDomain: LifeDomain;
  service: string;
  prescriptionId: string | null;
  status: ReferralStatus;
  sharingGround: SharingGround | null;
  copaymentCents: number | null;
  attempts: ReferralAttempt[];
}

/** The module's queries, named. */
export const SQL = {
  insert: `insert into referral (case_id, life_domain, service, prescription_id, created_at)
    values ($1, $2, $3, $4, $5) returning id`,
  get: `select id, case_id as "caseId", life_domain as "lifeDomain", service, prescription_id as "prescriptionId",
      status, sharing_ground as "sharingGround", copayment_cents as "copaymentCents"
    from referral where id = $1`,
  lock: `select id from referral where id = $1 for update`,
  attempts: `select id, partner_id as "partnerId", status, sent_at as "sentAt", answer_due_at as "answerDueAt",
      answered_at as "answeredAt" from referral_attempt where referral_id = $1 order by sent_at, id`,
  lockPartner: `select capacity,
      (select count(*)::int from referral_attempt a where a.partner_id = p.id and a.status in ('sent', 'accepted')) as load
    from partner p where id = $1 and active for update`,
  insertAttempt: `insert into referral_attempt (referral_id, partner_id, sent_at, answer_due_at)
    values ($1, $2, $3, $4) returning id`,
  markSent: `update referral set status = 'sent', sharing_ground = $2, copayment_cents = $3 where id = $1`,
  answer: `update referral_attempt set status = $3, answered_at = $4
    where referral_id = $1 and partner_id = $2 and status = 'sent'`,
  setStatus: `update referral set status = $2 where id = $1`,
} as const;

/**
 * Creates a referral in a life domain the programme handles for this case.
 * @throws DomainError CASE_CLOSED, LIFE_DOMAIN_HANDLED_ELSEWHERE
 */
export async function createReferral(
  db: Queryable,
  input: { caseId: string; lifeDomain: LifeDomain; service: string; prescriptionId?: string },
  now: Date,
): Promise<string> {
  ensure(input.service?.trim(), 'service is required');
  assertOpen(await getCase(db, input.caseId));
  await assertDomainHandledHere(db, input.caseId, input.lifeDomain);
  const { rows } = await db.query<{ id: string }>(SQL.insert, [
    input.caseId,
    input.lifeDomain,
    input.service,
    input.prescriptionId ?? null,
    now,
  ]);
  return rows[0].id;
}

/** Reads a referral with its attempts. @throws DomainError REFERRAL_NOT_FOUND */
export async function getReferral(db: Queryable, id: string): Promise<Referral> {
  const { rows } = isUuid(id) ? await db.query<Omit<Referral, 'attempts'>>(SQL.get, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('REFERRAL_NOT_FOUND', `No referral ${id}`);
  const attempts = (await db.query<ReferralAttempt>(SQL.attempts, [id])).rows;
  return { ...rows[0], attempts };
}

/** Input of {@link sendToFirstFreePartner}. */
export interface SendReferral {
  referralId: string;
  candidates: PartnerMatch[];
  sentAt: Date;
  answerDueAt: Date;
  sharingGround: SharingGround;
  copaymentCents: number | null;
}

/**
 * Sends the referral to the first candidate that still has a free place. The partner row is
 * locked while its load is counted, so two referrals racing for the last place cannot both win.
 * @returns the partner and attempt, or null when every candidate is full by now
 */
export async function sendToFirstFreePartner(
  db: Database,
  input: SendReferral,
): Promise<{ partnerId: string; attemptId: string } | null> {
  return db.transaction(async (tx) => {
    await lockReferral(tx, input.referralId);
    for (const candidate of input.candidates) {
      const { rows } = await tx.query<{ capacity: number | null; load: number }>(SQL.lockPartner, [
        candidate.partnerId,
      ]);
      if (rows.length === 0) continue;
      if (rows[0].capacity !== null && rows[0].load >= rows[0].capacity) continue;
      const attempt = await tx.query<{ id: string }>(SQL.insertAttempt, [
        input.referralId,
        candidate.partnerId,
        input.sentAt,
        input.answerDueAt,
      ]);
      await tx.query(SQL.markSent, [input.referralId, input.sharingGround, input.copaymentCents]);
      return { partnerId: candidate.partnerId, attemptId: attempt.rows[0].id };
    }
    return null;
  });
}

/**
 * Records the partner's answer. A decline (or `expired`: no answer after reminder and
 * escalation) reopens the referral for the next partner.
 * @throws DomainError REFERRAL_NOT_SENT when that partner has no open attempt
 */
export async function recordReferralAnswer(
  db: Database,
  input: { referralId: string; partnerId: string; answer: 'accepted' | 'declined' | 'expired' },
  now: Date,
): Promise<Referral> {
  ensure(['accepted', 'declined', 'expired'].includes(input.answer), `Unknown answer ${input.answer}`);
  return db.transaction(async (tx) => {
    await lockReferral(tx, input.referralId);
    const { rowCount } = await tx.query(SQL.answer, [input.referralId, input.partnerId, input.answer, now]);
    if (rowCount === 0) {
      throw new DomainError('REFERRAL_NOT_SENT', `Referral ${input.referralId} awaits no answer from ${input.partnerId}`);
    }
    await tx.query(SQL.setStatus, [input.referralId, input.answer === 'accepted' ? 'accepted' : 'open']);
    return getReferral(tx, input.referralId);
  });
}

/** Marks a referral for which no matching partner is left: a caseworker takes over. */
export async function markReferralWithoutPartner(db: Queryable, referralId: string): Promise<void> {
  await db.query(SQL.setStatus, [referralId, 'no-partner']);
}

async function lockReferral(tx: Queryable, id: string): Promise<void> {
  const { rows } = isUuid(id) ? await tx.query(SQL.lock, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('REFERRAL_NOT_FOUND', `No referral ${id}`);
}
