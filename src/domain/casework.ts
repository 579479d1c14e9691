/**
 * Casework records: contacts (aftercare happens in the client's own surroundings), notes,
 * treatment-contract goals and measures begun in custody. Free text stays in these tables.
 */
import type { Queryable } from '../db/types.js';
import { assertLifeDomain, assertOpen, getCase } from './cases.js';
import { parseIsoDate, type IsoDate } from './dates.js';
import { ensure } from './errors.js';
import type { LifeDomain } from './programmes.js';

/** A recorded contact with the client. */
export interface Contact {
  id: string;
  caseId: string;
  kind: 'in-person' | 'phone' | 'video' | 'home-visit' | 'crisis';
  place: 'prison' | 'home' | 'work' | 'family' | 'office' | 'other';
  occurredAt: Date;
  authorId: string | null;
  note: string | null;
}

/** A treatment-contract goal (SoNa: goals are written into the Behandlungsvertrag). */
export interface TreatmentGoal {
  id: string;
  caseId: string;
  lifeDomain: LifeDomain | null;
  goal: string;
  agreedOn: IsoDate;
  status: 'open' | 'achieved' | 'dropped';
}

/** The module's queries, named. */
export const SQL = {
  insertContact: `insert into contact (case_id, kind, place, occurred_at, author_id, note)
    values ($1, $2, $3, $4, $5, $6) returning id`,
  contacts: `select id, case_id as "caseId", kind, place, occurred_at as "occurredAt", author_id as "authorId", note
    from contact where case_id = $1 order by occurred_at`,
  insertNote: `insert into note (case_id, author_id, body, created_at) values ($1, $2, $3, $4) returning id`,
  insertGoal: `insert into treatment_goal (case_id, life_domain, goal, agreed_on) values ($1, $2, $3, $4) returning id`,
  setGoalStatus: `update treatment_goal set status = $2, reviewed_at = $3 where id = $1 and case_id = $4`,
  goals: `select id, case_id as "caseId", life_domain as "lifeDomain", goal, agreed_on::text as "agreedOn", status
    from treatment_goal where case_id = $1 order by agreed_on, id`,
  insertMeasure: `insert into custody_measure (case_id, kind, started_on, continue_after_release)
    values ($1, $2, $3, $4) returning id`,
} as const;

/** Records a contact with the client; crisis contacts are allowed in every phase of an open case. */
export async function addContact(
  db: Queryable,
  input: Omit<Contact, 'id' | 'authorId' | 'note'> & { authorId?: string; note?: string },
): Promise<string> {
  assertOpen(await getCase(db, input.caseId));
  ensure(['in-person', 'phone', 'video', 'home-visit', 'crisis'].includes(input.kind), `Unknown contact kind ${input.kind}`);
  ensure(['prison', 'home', 'work', 'family', 'office', 'other'].includes(input.place), `Unknown place ${input.place}`);
  const { rows } = await db.query<{ id: string }>(SQL.insertContact, [
    input.caseId,
    input.kind,
    input.place,
    input.occurredAt,
    input.authorId ?? null,
    input.note ?? null,
  ]);
  return rows[0].id;
}

/** The contacts of a case, oldest first. */
export async function listContacts(db: Queryable, caseId: string): Promise<Contact[]> {
  return (await db.query<Contact>(SQL.contacts, [caseId])).rows;
}

/** Adds a note to a case. */
export async function addNote(
  db: Queryable,
  input: { caseId: string; authorId?: string; body: string },
  now: Date,
): Promise<string> {
  ensure(input.body?.trim(), 'body is required');
  await getCase(db, input.caseId);
  const { rows } = await db.query<{ id: string }>(SQL.insertNote, [input.caseId, input.authorId ?? null, input.body, now]);
  return rows[0].id;
}

/** Writes a goal into the treatment contract. */
export async function addTreatmentGoal(
  db: Queryable,
  input: { caseId: string; lifeDomain?: LifeDomain; goal: string; agreedOn: IsoDate },
): Promise<string> {
  ensure(input.goal?.trim(), 'goal is required');
  if (input.lifeDomain) assertLifeDomain(input.lifeDomain);
  assertOpen(await getCase(db, input.caseId));
  const { rows } = await db.query<{ id: string }>(SQL.insertGoal, [
    input.caseId,
    input.lifeDomain ?? null,
    input.goal.trim(),
    parseIsoDate(input.agreedOn, 'agreedOn'),
  ]);
  return rows[0].id;
}

/** Reviews a goal: achieved or dropped (or open again). */
export async function reviewTreatmentGoal(
  db: Queryable,
  input: { caseId: string; goalId: string; status: TreatmentGoal['status'] },
  now: Date,
): Promise<void> {
  ensure(['open', 'achieved', 'dropped'].includes(input.status), `Unknown goal status ${input.status}`);
  const { rowCount } = await db.query(SQL.setGoalStatus, [input.goalId, input.status, now, input.caseId]);
  ensure(rowCount === 1, `No goal ${input.goalId} in case ${input.caseId}`);
}

/** The treatment-contract goals of a case. */
export async function listTreatmentGoals(db: Queryable, caseId: string): Promise<TreatmentGoal[]> {
  return (await db.query<TreatmentGoal>(SQL.goals, [caseId])).rows;
}

/** Records a measure begun in custody so it can be continued after release. */
export async function addCustodyMeasure(
  db: Queryable,
  input: {
    caseId: string;
    kind: 'addiction-counselling' | 'debt-counselling' | 'social-skills-training' | 'other';
    startedOn: IsoDate;
    continueAfterRelease: boolean;
  },
): Promise<string> {
  assertOpen(await getCase(db, input.caseId));
  const { rows } = await db.query<{ id: string }>(SQL.insertMeasure, [
    input.caseId,
    input.kind,
    parseIsoDate(input.startedOn, 'startedOn'),
    input.continueAfterRelease,
  ]);
  return rows[0].id;
}
