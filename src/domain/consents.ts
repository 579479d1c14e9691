/**
 * Consent per purpose, and legal bases recorded instead of consent where the law provides one.
 * Referral data leaves for a partner only on one of these grounds (DSGVO Art. 9, 10).
 */
import type { Queryable } from '../db/types.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';

/** What personal data may be used or shared for. */
export type ConsentPurpose = 'data-processing' | 'partner-referral' | 'final-report-sharing';
const PURPOSES: readonly ConsentPurpose[] = ['data-processing', 'partner-referral', 'final-report-sharing'];

/** The ground on which data may leave for a purpose. */
export type SharingGround = 'consent' | 'legal-basis';

/** The module's queries, named. */
export const SQL = {
  give: `insert into consent (client_id, purpose, given_at, recorded_by) values ($1, $2, $3, $4) returning id`,
  withdraw: `update consent set withdrawn_at = $2 where id = $1 and withdrawn_at is null`,
  exists: `select withdrawn_at is not null as withdrawn from consent where id = $1`,
  recordBasis: `insert into legal_basis (case_id, purpose, basis, recorded_at, recorded_by)
    values ($1, $2, $3, $4, $5) returning id`,
  // Consent counts from when it was given until it is withdrawn; a basis counts once recorded.
  ground: `select case
      when exists (select 1 from consent k join transition_case c on c.client_id = k.client_id
        where c.id = $1 and k.purpose = $2 and k.given_at <= $3 and (k.withdrawn_at is null or k.withdrawn_at > $3))
        then 'consent'
      when exists (select 1 from legal_basis b where b.case_id = $1 and b.purpose = $2 and b.recorded_at <= $3)
        then 'legal-basis'
    end as ground`,
} as const;

/** Records a client's consent to a purpose. */
export async function giveConsent(
  db: Queryable,
  input: { clientId: string; purpose: ConsentPurpose; recordedBy?: string },
  now: Date,
): Promise<string> {
  ensure(PURPOSES.includes(input.purpose), `Unknown purpose ${input.purpose}`);
  ensure(isUuid(input.clientId), 'clientId must be a client id');
  const { rows } = await db.query<{ id: string }>(SQL.give, [input.clientId, input.purpose, now, input.recordedBy ?? null]);
  return rows[0].id;
}

/** Withdraws a consent from `now` on. @throws DomainError CONSENT_NOT_FOUND, CONSENT_ALREADY_WITHDRAWN */
export async function withdrawConsent(db: Queryable, consentId: string, now: Date): Promise<void> {
  const { rowCount } = isUuid(consentId) ? await db.query(SQL.withdraw, [consentId, now]) : { rowCount: 0 };
  if (rowCount === 1) return;
  const { rows } = isUuid(consentId) ? await db.query(SQL.exists, [consentId]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('CONSENT_NOT_FOUND', `No consent ${consentId}`);
  throw new DomainError('CONSENT_ALREADY_WITHDRAWN', `Consent ${consentId} is already withdrawn`);
}

/** Records the legal provision that allows sharing for a purpose without consent. */
export async function recordLegalBasis(
  db: Queryable,
  input: { caseId: string; purpose: ConsentPurpose; basis: string; recordedBy?: string },
  now: Date,
): Promise<string> {
  ensure(PURPOSES.includes(input.purpose), `Unknown purpose ${input.purpose}`);
  const basis = input.basis?.trim();
  ensure(basis && basis.length >= 3 && basis.length <= 200, 'basis must name the provision (3 to 200 characters)');
  const { rows } = await db.query<{ id: string }>(SQL.recordBasis, [
    input.caseId,
    input.purpose,
    basis,
    now,
    input.recordedBy ?? null,
  ]);
  return rows[0].id;
}

/** The ground on which the case's data may be used for `purpose` at `at`, or null: none. */
export async function findSharingGround(
  db: Queryable,
  caseId: string,
  purpose: ConsentPurpose,
  at: Date,
): Promise<SharingGround | null> {
  const { rows } = await db.query<{ ground: SharingGround | null }>(SQL.ground, [caseId, purpose, at]);
  return rows[0].ground;
}
