/**
 * Cases: one per client and programme stay, business key of the `transition-case` process.
 * A case shows the client's pseudonym only. Dates that timers follow are derived here.
 */
import type { Database, Queryable } from '../db/types.js';
import { parseIsoDate, type IsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';
import { deriveCaseDates, getProgramme, LIFE_DOMAINS, type CaseDates, type LifeDomain } from './programmes.js';

/** Where a case stands in the lifecycle of DOMAIN.md. */
export type Phase = 'intake' | 'custody' | 'intensive' | 'aftercare' | 'closed';
/** Why a case was closed. */
export type ClosureReason = 'regular' | 'drop-out' | 'not-eligible';

/** A case as the rest of the product sees it: ids, dates, codes and the pseudonym. */
export interface Case {
  id: string;
  clientId: string;
  pseudonym: string;
  programmeId: string;
  facility: string;
  teamId: string;
  releaseRegion: string;
  expectedReleaseDate: IsoDate;
  actualReleaseDate: IsoDate | null;
  aftercareEndsOn: IsoDate | null;
  phase: Phase;
  status: 'open' | 'closed';
  eligibility: 'pending' | 'eligible' | 'not-eligible';
  closureReason: ClosureReason | null;
  closedAt: Date | null;
  previousCaseId: string | null;
  openedAt: Date;
}

/** Input of {@link openCase}. */
export interface NewCase {
  clientId: string;
  programmeId: string;
  facility: string;
  teamId: string;
  releaseRegion: string;
  expectedReleaseDate: IsoDate;
}

const CASE_COLUMNS = `c.id, c.client_id as "clientId", cl.pseudonym, c.programme_id as "programmeId", c.facility,
  c.team_id as "teamId", c.release_region as "releaseRegion",
  c.expected_release_date::text as "expectedReleaseDate", c.actual_release_date::text as "actualReleaseDate",
  c.aftercare_ends_on::text as "aftercareEndsOn", c.phase, c.status, c.eligibility,
  c.closure_reason as "closureReason", c.closed_at as "closedAt", c.previous_case_id as "previousCaseId",
  c.opened_at as "openedAt"`;

/** The module's queries, named. */
export const SQL = {
  get: `select ${CASE_COLUMNS} from transition_case c join client cl on cl.id = c.client_id where c.id = $1`,
  lock: `select id from transition_case where id = $1 for update`,
  insert: `insert into transition_case (client_id, programme_id, facility, team_id, release_region,
      expected_release_date, opened_at, previous_case_id, reentry_approved_by)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
  setPhase: `update transition_case set phase = $2 where id = $1`,
  setEligibility: `update transition_case set eligibility = $2 where id = $1`,
  setExpectedRelease: `update transition_case set expected_release_date = $2 where id = $1`,
  release: `update transition_case set actual_release_date = $2, aftercare_ends_on = $3, phase = 'aftercare'
    where id = $1`,
  close: `update transition_case set status = 'closed', phase = 'closed', closure_reason = $2, closed_at = $3
    where id = $1`,
  cancelPendingNotifications: `update outbox set status = 'cancelled' where case_id = $1 and status = 'pending'`,
  // Derived deadlines follow the release date; submitted or decided applications keep theirs.
  moveDerivedDeadlines: `update application set deadline = $2::date + release_offset_days, updated_at = $3
    where case_id = $1 and status = 'planned' and release_offset_days is not null and deadline <> $2::date + release_offset_days`,
  domainsElsewhere: `select life_domain as "lifeDomain", handled_by as "handledBy" from case_domain_elsewhere
    where case_id = $1 order by life_domain`,
  domainElsewhere: `select 1 from case_domain_elsewhere where case_id = $1 and life_domain = $2`,
  recordElsewhere: `insert into case_domain_elsewhere (case_id, life_domain, handled_by, recorded_at)
    values ($1, $2, $3, $4) on conflict (case_id, life_domain) do update set handled_by = excluded.handled_by`,
  upsertNeed: `insert into need (case_id, life_domain, created_at) values ($1, $2, $3)
    on conflict (case_id, life_domain) do update set life_domain = excluded.life_domain returning id`,
  upsertNeedView: `insert into need_view (need_id, view, rating, note, assessed_by, assessed_at)
    values ($1, $2, $3, $4, $5, $6) on conflict (need_id, view) do update set rating = excluded.rating,
      note = excluded.note, assessed_by = excluded.assessed_by, assessed_at = excluded.assessed_at`,
  needs: `select n.life_domain as "lifeDomain", v.view, v.rating, v.note from need n
    join need_view v on v.need_id = n.id where n.case_id = $1 order by n.life_domain, v.view`,
} as const;

// Phases move forward only; aftercare is entered by recording the release, closed by closing.
const NEXT_PHASES: Record<Phase, Phase[]> = {
  intake: ['custody', 'intensive'],
  custody: ['intensive'],
  intensive: [],
  aftercare: [],
  closed: [],
};

/** Opens a case at admission. @throws DomainError PROGRAMME_NOT_FOUND, OPEN_CASE_EXISTS */
export async function openCase(db: Queryable, input: NewCase, now: Date): Promise<Case> {
  return insertCase(db, input, now, null, null);
}

/** Reads one case. @throws DomainError CASE_NOT_FOUND */
export async function getCase(db: Queryable, id: string): Promise<Case> {
  const { rows } = isUuid(id) ? await db.query<Case>(SQL.get, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('CASE_NOT_FOUND', `No case ${id}`);
  return rows[0];
}

/** Locks a case row for the rest of the transaction and reads it: serialises changes to one case. */
export async function lockCase(tx: Queryable, id: string): Promise<Case> {
  const { rows } = isUuid(id) ? await tx.query(SQL.lock, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('CASE_NOT_FOUND', `No case ${id}`);
  return getCase(tx, id);
}

/** Moves an open case forward to `phase` (custody or intensive). @throws DomainError CASE_CLOSED, INVALID_INPUT */
export async function setPhase(db: Database, id: string, phase: Phase): Promise<Case> {
  return db.transaction(async (tx) => {
    const current = await lockCase(tx, id);
    assertOpen(current);
    if (current.phase === phase) return current;
    ensure(NEXT_PHASES[current.phase].includes(phase), `A case cannot move from ${current.phase} to ${phase}`);
    await tx.query(SQL.setPhase, [id, phase]);
    return getCase(tx, id);
  });
}

/** Records the eligibility decision (from the rules or a person). */
export async function recordEligibility(db: Database, id: string, eligible: boolean): Promise<Case> {
  return db.transaction(async (tx) => {
    assertOpen(await lockCase(tx, id));
    await tx.query(SQL.setEligibility, [id, eligible ? 'eligible' : 'not-eligible']);
    return getCase(tx, id);
  });
}

/**
 * Changes the expected release date (early or postponed release) before the release. Derived
 * application deadlines move with it; the returned dates are what the process timers follow.
 * @throws DomainError CASE_CLOSED, CASE_ALREADY_RELEASED
 */
export async function changeExpectedReleaseDate(
  db: Database,
  id: string,
  date: IsoDate,
  now: Date,
): Promise<{ case: Case; dates: CaseDates; movedApplications: number }> {
  const expected = parseIsoDate(date, 'expectedReleaseDate');
  return db.transaction(async (tx) => {
    const current = await lockCase(tx, id);
    assertOpen(current);
    if (current.actualReleaseDate) throw new DomainError('CASE_ALREADY_RELEASED', `Case ${id} is already released`);
    await tx.query(SQL.setExpectedRelease, [id, expected]);
    const moved = await tx.query(SQL.moveDerivedDeadlines, [id, expected, now]);
    const updated = await getCase(tx, id);
    const programme = await getProgramme(tx, updated.programmeId);
    return {
      case: updated,
      dates: deriveCaseDates(programme, { expectedReleaseDate: expected, actualReleaseDate: null }),
      movedApplications: moved.rowCount,
    };
  });
}

/**
 * Records the actual release (it may differ from the expected date): aftercare starts and ends
 * after the programme's aftercare months; derived deadlines follow the actual date.
 * @throws DomainError CASE_CLOSED, CASE_ALREADY_RELEASED
 */
export async function recordRelease(db: Database, id: string, date: IsoDate, now: Date): Promise<Case> {
  const actual = parseIsoDate(date, 'actualReleaseDate');
  return db.transaction(async (tx) => {
    const current = await lockCase(tx, id);
    assertOpen(current);
    if (current.actualReleaseDate) throw new DomainError('CASE_ALREADY_RELEASED', `Case ${id} is already released`);
    const programme = await getProgramme(tx, current.programmeId);
    const { aftercareEndsOn } = deriveCaseDates(programme, {
      expectedReleaseDate: current.expectedReleaseDate,
      actualReleaseDate: actual,
    });
    await tx.query(SQL.release, [id, actual, aftercareEndsOn]);
    await tx.query(SQL.moveDerivedDeadlines, [id, actual, now]);
    return getCase(tx, id);
  });
}

/**
 * Closes a case (regular, drop-out, not eligible) and cancels its notifications not yet sent.
 * @throws DomainError CASE_CLOSED
 */
export async function closeCase(db: Database, id: string, reason: ClosureReason, now: Date): Promise<Case> {
  ensure(['regular', 'drop-out', 'not-eligible'].includes(reason), `Unknown closure reason ${reason}`);
  return db.transaction(async (tx) => {
    assertOpen(await lockCase(tx, id));
    await tx.query(SQL.close, [id, reason, now]);
    await tx.query(SQL.cancelPendingNotifications, [id]);
    return getCase(tx, id);
  });
}

/**
 * Re-entry after closure or drop-out: a new case linked to the old one. Exceptional, so a
 * programme that requires it needs the approving supervisor's id.
 * @throws DomainError REENTRY_CASE_NOT_CLOSED, REENTRY_APPROVAL_REQUIRED
 */
export async function openReentryCase(
  db: Database,
  input: { previousCaseId: string; approvedBy: string | null; expectedReleaseDate?: IsoDate },
  now: Date,
): Promise<Case> {
  return db.transaction(async (tx) => {
    const previous = await lockCase(tx, input.previousCaseId);
    if (previous.status !== 'closed') {
      throw new DomainError('REENTRY_CASE_NOT_CLOSED', `Case ${previous.id} is still open`);
    }
    const programme = await getProgramme(tx, previous.programmeId);
    if (programme.reentryRequiresApproval && !input.approvedBy) {
      throw new DomainError('REENTRY_APPROVAL_REQUIRED', `Re-entry into ${programme.id} needs a supervisor's approval`);
    }
    return insertCase(
      tx,
      {
        clientId: previous.clientId,
        programmeId: previous.programmeId,
        facility: previous.facility,
        teamId: previous.teamId,
        releaseRegion: previous.releaseRegion,
        expectedReleaseDate: input.expectedReleaseDate ?? previous.expectedReleaseDate,
      },
      now,
      previous.id,
      input.approvedBy,
    );
  });
}

/** Records that another programme handles a life domain of the case, and who. */
export async function recordDomainHandledElsewhere(
  db: Queryable,
  caseId: string,
  lifeDomain: LifeDomain,
  handledBy: string,
  now: Date,
): Promise<void> {
  assertLifeDomain(lifeDomain);
  ensure(handledBy?.trim() && handledBy.length <= 200, 'handledBy is required (at most 200 characters)');
  assertOpen(await getCase(db, caseId));
  await db.query(SQL.recordElsewhere, [caseId, lifeDomain, handledBy.trim(), now]);
}

/** The life domains of a case handled by another programme, with by whom. */
export async function listDomainsHandledElsewhere(
  db: Queryable,
  caseId: string,
): Promise<{ lifeDomain: LifeDomain; handledBy: string }[]> {
  return (await db.query<{ lifeDomain: LifeDomain; handledBy: string }>(SQL.domainsElsewhere, [caseId])).rows;
}

/** Refuses work in a life domain another programme handles. @throws DomainError LIFE_DOMAIN_HANDLED_ELSEWHERE */
export async function assertDomainHandledHere(db: Queryable, caseId: string, lifeDomain: LifeDomain): Promise<void> {
  assertLifeDomain(lifeDomain);
  const { rows } = await db.query(SQL.domainElsewhere, [caseId, lifeDomain]);
  if (rows.length > 0) {
    throw new DomainError('LIFE_DOMAIN_HANDLED_ELSEWHERE', `Life domain ${lifeDomain} of case ${caseId} is handled elsewhere`);
  }
}

/** One of the four views of the needs-and-resources assessment. */
export type NeedViewKind = 'professional' | 'client' | 'third-party' | 'overall';

/** Input of {@link recordNeedView}. */
export interface NeedViewInput {
  caseId: string;
  lifeDomain: LifeDomain;
  view: NeedViewKind;
  /** 0 no need … 3 high need. */
  rating: number;
  note?: string;
  assessedBy?: string;
}

/** Records one view of the need in a life domain (replacing an earlier one of the same view). */
export async function recordNeedView(db: Database, input: NeedViewInput, now: Date): Promise<void> {
  ensure(['professional', 'client', 'third-party', 'overall'].includes(input.view), `Unknown view ${input.view}`);
  ensure(Number.isInteger(input.rating) && input.rating >= 0 && input.rating <= 3, 'rating must be 0, 1, 2 or 3');
  await db.transaction(async (tx) => {
    assertOpen(await lockCase(tx, input.caseId));
    await assertDomainHandledHere(tx, input.caseId, input.lifeDomain);
    const { rows } = await tx.query<{ id: string }>(SQL.upsertNeed, [input.caseId, input.lifeDomain, now]);
    await tx.query(SQL.upsertNeedView, [
      rows[0].id,
      input.view,
      input.rating,
      input.note ?? null,
      input.assessedBy ?? null,
      now,
    ]);
  });
}

/** The needs of a case: per life domain, the views recorded so far. */
export async function listNeeds(
  db: Queryable,
  caseId: string,
): Promise<{ lifeDomain: LifeDomain; views: Partial<Record<NeedViewKind, { rating: number; note: string | null }>> }[]> {
  const { rows } = await db.query<{ lifeDomain: LifeDomain; view: NeedViewKind; rating: number; note: string | null }>(
    SQL.needs,
    [caseId],
  );
  const byDomain = new Map<LifeDomain, Partial<Record<NeedViewKind, { rating: number; note: string | null }>>>();
  for (const row of rows) {
    const views = byDomain.get(row.lifeDomain) ?? {};
    views[row.view] = { rating: row.rating, note: row.note };
    byDomain.set(row.lifeDomain, views);
  }
  return [...byDomain].map(([lifeDomain, views]) => ({ lifeDomain, views }));
}

/** Refuses changes to a closed case. @throws DomainError CASE_CLOSED */
export function assertOpen(current: Case): void {
  if (current.status !== 'open') throw new DomainError('CASE_CLOSED', `Case ${current.id} is closed`);
}

/** @throws DomainError UNKNOWN_LIFE_DOMAIN */
export function assertLifeDomain(value: string): asserts value is LifeDomain {
  if (!(LIFE_DOMAINS as readonly string[]).includes(value)) {
    throw new DomainError('UNKNOWN_LIFE_DOMAIN', `Unknown life domain ${value}`);
  }
}

async function insertCase(
  db: Queryable,
  input: NewCase,
  now: Date,
  previousCaseId: string | null,
  approvedBy: string | null,
): Promise<Case> {
  ensure(isUuid(input.clientId), 'clientId must be a client id');
  ensure(input.facility?.trim(), 'facility is required');
  ensure(input.teamId?.trim(), 'teamId is required');
  ensure(input.releaseRegion?.trim(), 'releaseRegion is required');
  const expected = parseIsoDate(input.expectedReleaseDate, 'expectedReleaseDate');
  await getProgramme(db, input.programmeId);
  try {
    const { rows } = await db.query<{ id: string }>(SQL.insert, [
      input.clientId,
      input.programmeId,
      input.facility.trim(),
      input.teamId,
      input.releaseRegion,
      expected,
      now,
      previousCaseId,
      approvedBy,
    ]);
    return await getCase(db, rows[0].id);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '23505') {
      throw new DomainError('OPEN_CASE_EXISTS', `Client ${input.clientId} has an open case in ${input.programmeId}`, {
        cause: error,
      });
    }
    if (code === '23503') throw new DomainError('INVALID_INPUT', 'clientId or teamId does not exist', { cause: error });
    throw error;
  }
}
