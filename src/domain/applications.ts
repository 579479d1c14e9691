/**
 * Applications (Anträge) with a status, a deadline and an owner. Deadlines derived from the
 * release date follow it; reminders are recorded in a ledger whose key makes "once per due date
 * and stage" a database guarantee.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../db/types.js';
import { assertDomainHandledHere, assertLifeDomain, assertOpen, getCase, listDomainsHandledElsewhere } from './cases.js';
import { addDays, daysBetween, parseIsoDate, type IsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';
import { enqueueNotification, type NewNotification } from './outbox.js';
import { getProgramme, type LifeDomain } from './programmes.js';

/** Where an application stands. */
export type ApplicationStatus = 'planned' | 'submitted' | 'approved' | 'rejected';

/** An application. */
export interface Application {
  id: string;
  caseId: string;
  kind: string;
  lifeDomain: LifeDomain;
  status: ApplicationStatus;
  deadline: IsoDate;
  releaseOffsetDays: number | null;
  ownerId: string;
}

/** A planned application of an open case whose deadline is near or past. */
export interface ReminderCandidate {
  applicationId: string;
  caseId: string;
  casePseudonym: string;
  caseStatus: 'open' | 'closed';
  teamId: string;
  ownerId: string;
  kind: string;
  status: ApplicationStatus;
  deadline: IsoDate;
  reminderLeadDays: number[];
}

/** A reminder stage: `lead-<days>` before the deadline, or `overdue` (escalation). */
export type ReminderStage = `lead-${number}` | 'overdue';

const TRANSITIONS: Record<ApplicationStatus, ApplicationStatus[]> = {
  planned: ['submitted'],
  submitted: ['approved', 'rejected'],
  approved: [],
  rejected: [],
};

const COLUMNS = `id, case_id as "caseId", kind, life_domain as "lifeDomain", status, deadline::text as deadline,
  release_offset_days as "releaseOffsetDays", owner_id as "ownerId"`;

/** The module's queries, named. */
export const SQL = {
  insert: `insert into application (case_id, kind, life_domain, deadline, release_offset_days, owner_id, created_at, updated_at)
    values ($1, $2, $3, $4, $5, $6, $7, $7) returning id`,
  get: `select ${COLUMNS} from application where id = $1`,
  byCase: `select ${COLUMNS} from application where case_id = $1 order by deadline, kind`,
  setStatus: `update application set status = $2, updated_at = $3 where id = $1`,
  // Planned applications of open cases whose deadline lies within the programme's longest lead
  // (or has passed); the partial index application_due keeps this cheap with many cases.
  candidates: `select a.id as "applicationId", a.case_id as "caseId", cl.pseudonym as "casePseudonym",
      c.status as "caseStatus", c.team_id as "teamId", a.owner_id as "ownerId", a.kind, a.status,
      a.deadline::text as deadline, p.reminder_lead_days as "reminderLeadDays"
    from application a
    join transition_case c on c.id = a.case_id
    join client cl on cl.id = c.client_id
    join programme p on p.id = c.programme_id
    where a.status = 'planned' and c.status = 'open'
      and a.deadline - $1::date <= (select max(d) from unnest(p.reminder_lead_days) d)
      and ($2::uuid is null or a.case_id = $2) and ($3::uuid is null or a.id = $3)
      and ($5::date is null or (a.deadline, a.id) > ($5::date, $6::uuid))
    order by a.deadline, a.id
    limit $4`,
  // The guard repeats the rules so a race with a status change, a moved deadline or a closed
  // case cannot slip through; the primary key turns a second sender into a no-op.
  recordReminder: `insert into application_reminder (application_id, deadline, stage, outbox_id, enqueued_at)
    select a.id, $2::date, $3, $4, $5 from application a join transition_case c on c.id = a.case_id
    where a.id = $1 and a.deadline = $2::date and a.status = 'planned' and c.status = 'open'
    on conflict do nothing
    returning outbox_id as "outboxId"`,
  reminders: `select deadline::text as deadline, stage, outbox_id as "outboxId" from application_reminder
    where application_id = $1 order by enqueued_at, stage`,
} as const;

/**
 * Plans an application. Without a deadline, the programme's deadline for the kind applies,
 * relative to the release date, and follows that date from then on.
 * @throws DomainError CASE_CLOSED, LIFE_DOMAIN_HANDLED_ELSEWHERE, INVALID_INPUT
 */
export async function createApplication(
  db: Queryable,
  input: { caseId: string; kind: string; ownerId: string; lifeDomain?: LifeDomain; deadline?: IsoDate },
  now: Date,
): Promise<Application> {
  ensure(input.kind?.trim(), 'kind is required');
  ensure(isUuid(input.ownerId), 'ownerId must be a user id');
  const current = await getCase(db, input.caseId);
  assertOpen(current);
  const programme = await getProgramme(db, current.programmeId);
  const preset = programme.applicationDeadlines.find((d) => d.kind === input.kind);
  const lifeDomain = input.lifeDomain ?? preset?.lifeDomain;
  ensure(lifeDomain, `kind ${input.kind} is not a standard application of ${programme.id}: give lifeDomain`);
  assertLifeDomain(lifeDomain);
  await assertDomainHandledHere(db, input.caseId, lifeDomain);
  let deadline: IsoDate;
  let offset: number | null = null;
  if (input.deadline !== undefined) {
    deadline = parseIsoDate(input.deadline, 'deadline');
  } else {
    ensure(preset, `kind ${input.kind} has no programme deadline: give deadline`);
    offset = preset.offsetDays;
    deadline = addDays(current.actualReleaseDate ?? current.expectedReleaseDate, offset);
  }
  try {
    const { rows } = await db.query<{ id: string }>(SQL.insert, [
      input.caseId,
      input.kind,
      lifeDomain,
      deadline,
      offset,
      input.ownerId,
      now,
    ]);
    return await getApplication(db, rows[0].id);
  } catch (error) {
    if ((error as { code?: string }).code === '23503') {
      throw new DomainError('INVALID_INPUT', 'ownerId does not exist', { cause: error });
    }
    throw error;
  }
}

/**
 * Plans the programme's standard applications for a case, skipping life domains handled
 * elsewhere and kinds already planned.
 */
export async function planStandardApplications(
  db: Database,
  caseId: string,
  ownerId: string,
  now: Date,
): Promise<Application[]> {
  return db.transaction(async (tx) => {
    const current = await getCase(tx, caseId);
    const programme = await getProgramme(tx, current.programmeId);
    const elsewhere = new Set((await listDomainsHandledElsewhere(tx, caseId)).map((d) => d.lifeDomain));
    const existing = new Set((await listApplications(tx, caseId)).map((a) => a.kind));
    const created: Application[] = [];
    for (const preset of programme.applicationDeadlines) {
      if (elsewhere.has(preset.lifeDomain) || existing.has(preset.kind)) continue;
      created.push(await createApplication(tx, { caseId, kind: preset.kind, ownerId }, now));
    }
    return created;
  });
}

/** Reads an application. @throws DomainError APPLICATION_NOT_FOUND */
export async function getApplication(db: Queryable, id: string): Promise<Application> {
  const { rows } = isUuid(id) ? await db.query<Application>(SQL.get, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('APPLICATION_NOT_FOUND', `No application ${id}`);
  return rows[0];
}

/** The applications of a case, by deadline. */
export async function listApplications(db: Queryable, caseId: string): Promise<Application[]> {
  return (await db.query<Application>(SQL.byCase, [caseId])).rows;
}

/**
 * Moves an application on: planned → submitted → approved or rejected.
 * @throws DomainError APPLICATION_STATUS_TRANSITION
 */
export async function setApplicationStatus(
  db: Queryable,
  id: string,
  status: ApplicationStatus,
  now: Date,
): Promise<Application> {
  const current = await getApplication(db, id);
  if (!TRANSITIONS[current.status].includes(status)) {
    throw new DomainError('APPLICATION_STATUS_TRANSITION', `Application ${id} cannot go from ${current.status} to ${status}`);
  }
  await db.query(SQL.setStatus, [id, status, now]);
  return getApplication(db, id);
}

/** Where the previous page of {@link listReminderCandidates} ended. */
export interface ReminderCursor {
  deadline: IsoDate;
  applicationId: string;
}

/**
 * Planned applications of open cases whose deadline is within the reminder lead or past, by
 * deadline; pass the last row as `after` for the next page.
 */
export async function listReminderCandidates(
  db: Queryable,
  input: { today: IsoDate; caseId?: string; applicationId?: string; limit?: number; after?: ReminderCursor },
): Promise<ReminderCandidate[]> {
  const { rows } = await db.query<ReminderCandidate>(SQL.candidates, [
    input.today,
    input.caseId ?? null,
    input.applicationId ?? null,
    input.limit ?? 500,
    input.after?.deadline ?? null,
    input.after?.applicationId ?? null,
  ]);
  return rows;
}

/**
 * The reminder due for a deadline on `today`: `overdue` after the deadline, else the shortest
 * lead already reached (a run that comes late sends the most urgent one only), else null.
 */
export function reminderStage(deadline: IsoDate, today: IsoDate, leadDays: readonly number[]): ReminderStage | null {
  const daysLeft = daysBetween(today, deadline);
  if (daysLeft < 0) return 'overdue';
  const reached = leadDays.filter((lead) => daysLeft <= lead);
  return reached.length > 0 ? `lead-${Math.min(...reached)}` : null;
}

/**
 * Enqueues a reminder unless one was already enqueued for this application, deadline and stage
 * — by any process. Ledger row and outbox row commit together or not at all.
 * @returns the outbox id, or null when it was sent before or no longer applies
 */
export async function enqueueReminderOnce(
  db: Database,
  input: { applicationId: string; deadline: IsoDate; stage: ReminderStage; notification: NewNotification },
  now: Date,
): Promise<string | null> {
  return db.transaction(async (tx) => {
    const outboxId = randomUUID();
    const { rows } = await tx.query<{ outboxId: string }>(SQL.recordReminder, [
      input.applicationId,
      input.deadline,
      input.stage,
      outboxId,
      now,
    ]);
    if (rows.length === 0) return null;
    await enqueueNotification(tx, input.notification, now, outboxId);
    return outboxId;
  });
}

/** The reminders recorded for an application. */
export async function listReminders(
  db: Queryable,
  applicationId: string,
): Promise<{ deadline: IsoDate; stage: ReminderStage; outboxId: string }[]> {
  return (await db.query<{ deadline: IsoDate; stage: ReminderStage; outboxId: string }>(SQL.reminders, [applicationId]))
    .rows;
}
