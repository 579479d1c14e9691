/**
 * Extensions of the aftercare period: requested with a justification, checked against phase
 * and the programme's cap (SoNa: 24 months in total), decided by a supervisor. An approval
 * moves the aftercare end date.
 */
import type { Database, Queryable } from '../db/types.js';
import { getCase, lockCase, type Case } from './cases.js';
import { addMonths, type IsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';
import { getProgramme, type Programme } from './programmes.js';

/** An extension request and its decision. */
export interface Extension {
  id: string;
  caseId: string;
  months: number;
  justification: string;
  status: 'requested' | 'approved' | 'rejected';
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  rejectionCode: string | null;
}

/** Why the rules refuse an extension; these are the BPMN error codes too. */
export type ExtensionRefusal = 'EXTENSION_NOT_JUSTIFIED' | 'EXTENSION_WRONG_PHASE' | 'EXTENSION_CAP_EXCEEDED';

/** The verdict of {@link evaluateExtension}. */
export type ExtensionVerdict =
  | { ok: true; totalMonths: number; aftercareEndsOn: IsoDate }
  | { ok: false; code: ExtensionRefusal; detail: string };

/** The module's queries, named. */
export const SQL = {
  insert: `insert into extension (case_id, months, justification, requested_by, requested_at)
    values ($1, $2, $3, $4, $5) returning id`,
  get: `select id, case_id as "caseId", months, justification, status, requested_at as "requestedAt",
      decided_by as "decidedBy", decided_at as "decidedAt", rejection_code as "rejectionCode"
    from extension where id = $1`,
  lock: `select id from extension where id = $1 for update`,
  approvedMonths: `select coalesce(sum(months), 0)::int as months from extension
    where case_id = $1 and status = 'approved'`,
  decide: `update extension set status = $2, decided_by = $3, decided_at = $4, rejection_code = $5 where id = $1`,
  rejectByRule: `update extension set status = 'rejected', decided_at = $2, rejection_code = $3
    where id = $1 and status = 'requested'`,
  moveAftercareEnd: `update transition_case set aftercare_ends_on = $2 where id = $1`,
} as const;

/**
 * The rules, without I/O: a justification is required; only an open case in aftercare can be
 * extended; aftercare in total (normal months + approved extensions + this one) must stay
 * within the programme's cap.
 */
export function evaluateExtension(
  programme: Programme,
  current: Pick<Case, 'status' | 'phase' | 'actualReleaseDate'>,
  request: { months: number; justification: string },
  approvedMonths: number,
): ExtensionVerdict {
  if (!request.justification || request.justification.trim().length === 0) {
    return { ok: false, code: 'EXTENSION_NOT_JUSTIFIED', detail: 'an extension needs a justification' };
  }
  if (current.status !== 'open' || current.phase !== 'aftercare' || !current.actualReleaseDate) {
    return { ok: false, code: 'EXTENSION_WRONG_PHASE', detail: `only aftercare can be extended (phase ${current.phase})` };
  }
  const totalMonths = programme.aftercareMonths + approvedMonths + request.months;
  if (totalMonths > programme.aftercareMaxMonths) {
    return {
      ok: false,
      code: 'EXTENSION_CAP_EXCEEDED',
      detail: `aftercare would last ${totalMonths} months; ${programme.id} allows ${programme.aftercareMaxMonths} in total`,
    };
  }
  return { ok: true, totalMonths, aftercareEndsOn: addMonths(current.actualReleaseDate, totalMonths) };
}

/** Records an extension request. The rules are applied when it is checked and decided. */
export async function requestExtension(
  db: Queryable,
  input: { caseId: string; months: number; justification: string; requestedBy?: string },
  now: Date,
): Promise<string> {
  ensure(Number.isInteger(input.months) && input.months > 0, 'months must be a whole number > 0');
  ensure(typeof input.justification === 'string', 'justification is required');
  await getCase(db, input.caseId);
  const { rows } = await db.query<{ id: string }>(SQL.insert, [
    input.caseId,
    input.months,
    input.justification,
    input.requestedBy ?? null,
    now,
  ]);
  return rows[0].id;
}

/** Reads an extension. @throws DomainError EXTENSION_NOT_FOUND */
export async function getExtension(db: Queryable, id: string): Promise<Extension> {
  const { rows } = isUuid(id) ? await db.query<Extension>(SQL.get, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('EXTENSION_NOT_FOUND', `No extension ${id}`);
  return rows[0];
}

/** Months of extension approved so far for a case. */
export async function approvedExtensionMonths(db: Queryable, caseId: string): Promise<number> {
  return (await db.query<{ months: number }>(SQL.approvedMonths, [caseId])).rows[0].months;
}

/** What a decision changed. */
export interface ExtensionDecision {
  extension: Extension;
  /** The aftercare end after the decision (unchanged when rejected). */
  aftercareEndsOn: IsoDate | null;
  /** Set when the rules rejected an approval (e.g. a concurrent approval reached the cap). */
  refusal: ExtensionRefusal | null;
}

/**
 * Records a supervisor's decision. An approval is checked again under the case lock — two
 * approvals racing cannot pass the cap together — and moves the aftercare end date; an approval
 * the rules refuse is recorded as a rejection with the rule's code.
 * @throws DomainError EXTENSION_ALREADY_DECIDED
 */
export async function decideExtension(
  db: Database,
  input: { extensionId: string; decision: 'approved' | 'rejected'; decidedBy: string | null },
  now: Date,
): Promise<ExtensionDecision> {
  ensure(['approved', 'rejected'].includes(input.decision), `Unknown decision ${input.decision}`);
  return db.transaction(async (tx) => {
    const request = await getExtension(tx, input.extensionId);
    const current = await lockCase(tx, request.caseId);
    await tx.query(SQL.lock, [request.id]);
    const extension = await getExtension(tx, request.id);
    if (extension.status !== 'requested') {
      throw new DomainError('EXTENSION_ALREADY_DECIDED', `Extension ${extension.id} is already ${extension.status}`);
    }
    let refusal: ExtensionRefusal | null = null;
    let aftercareEndsOn = current.aftercareEndsOn;
    if (input.decision === 'approved') {
      const programme = await getProgramme(tx, current.programmeId);
      const verdict = evaluateExtension(programme, current, extension, await approvedExtensionMonths(tx, current.id));
      if (verdict.ok) {
        aftercareEndsOn = verdict.aftercareEndsOn;
        await tx.query(SQL.moveAftercareEnd, [current.id, aftercareEndsOn]);
      } else {
        refusal = verdict.code;
      }
    }
    const status = input.decision === 'approved' && !refusal ? 'approved' : 'rejected';
    await tx.query(SQL.decide, [extension.id, status, input.decidedBy, now, refusal]);
    return { extension: await getExtension(tx, extension.id), aftercareEndsOn, refusal };
  });
}

/** Rejects a request the rules refused before it reached a person, recording the rule's code. */
export async function rejectExtensionByRule(
  db: Queryable,
  extensionId: string,
  code: ExtensionRefusal,
  now: Date,
): Promise<void> {
  await db.query(SQL.rejectByRule, [extensionId, now, code]);
}
