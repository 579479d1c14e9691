/**
 * Case reads the product API needs beyond src/domain/cases.ts: admission of a new client, the
 * team-scoped case list, the summary a task shows, the timeline, the supervisor's figures, and
 * a view of a transaction as a `Database` so that domain functions that open their own
 * transaction can run inside the API's (with the audit row).
 */
import type { Database, Queryable } from '../db/types.js';
import { openCase, type Case } from './cases.js';
import { createClient } from './clients.js';
import { addMonths, type IsoDate } from './dates.js';
import { DomainError } from './errors.js';
import { getProgramme } from './programmes.js';

/** The teams a caller may see: `'all'` (admin) or a list. */
export type TeamScope = 'all' | readonly string[];

/**
 * `tx` as a {@link Database} whose `transaction` runs in `tx` itself: a domain function that
 * opens its own transaction then joins the caller's, and commits or rolls back with it.
 */
export function inTransaction(tx: Queryable, kind: Database['kind']): Database {
  return {
    kind,
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    transaction: (fn) => fn(tx),
    close: async () => {},
  };
}

/** Input of {@link admitClient}: the person, and the case to open for them. */
export interface Admission {
  client: { firstName: string; lastName: string; dateOfBirth: IsoDate };
  programmeId: string;
  facilityId?: string;
  teamId: string;
  expectedRelease: IsoDate;
}

/** Stores the client and opens their case, inside `tx`. The release region is the programme's first. */
export async function admitClient(tx: Queryable, input: Admission, now: Date): Promise<Case> {
  const programme = await getProgramme(tx, input.programmeId);
  const { rows } = await tx.query<{ id: string }>('select id from team where id = $1', [input.teamId]);
  if (rows.length === 0) throw new DomainError('INVALID_INPUT', `No team ${input.teamId}`);
  const client = await createClient(tx, {
    familyName: input.client.lastName,
    givenNames: input.client.firstName,
    birthDate: input.client.dateOfBirth,
  });
  return openCase(
    tx,
    {
      clientId: client.id,
      programmeId: programme.id,
      facility: input.facilityId ?? programme.offices[0] ?? 'unknown',
      teamId: input.teamId,
      releaseRegion: programme.regions[0] ?? 'unknown',
      expectedReleaseDate: input.expectedRelease,
    },
    now,
  );
}

/**
 * Removes a case just admitted, with its client, when its process could not be started: the
 * compensation of {@link admitClient} (the engine commits in a transaction of its own).
 */
export async function discardAdmission(tx: Queryable, caseId: string): Promise<void> {
  const { rows } = await tx.query<{ client_id: string }>('delete from transition_case where id = $1 returning client_id', [caseId]);
  if (rows[0]) {
    await tx.query(
      'delete from client where id = $1 and not exists (select 1 from transition_case where client_id = $1)',
      [rows[0].client_id],
    );
  }
}

/** One case of the pseudonymous case list. */
export interface CaseListItem {
  caseId: string;
  pseudonym: string;
  programmeId: string;
  teamId: string;
  phase: string;
  status: string;
  expectedRelease: IsoDate;
  actualRelease: IsoDate | null;
  openedAt: string;
}

/** One page of the cases the scope may see, newest first; `q` matches the pseudonym. */
export async function listCases(
  db: Queryable,
  options: { scope: TeamScope; phase?: string; programmeId?: string; q?: string; limit: number; offset: number },
): Promise<{ items: CaseListItem[]; total: number }> {
  const params: unknown[] = [
    options.scope === 'all',
    options.scope === 'all' ? [] : [...options.scope],
    options.phase ?? null,
    options.programmeId ?? null,
    options.q ? `%${options.q.toUpperCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
  ];
  const where = `($1 or c.team_id = any($2::text[])) and ($3::text is null or c.phase = $3)
    and ($4::text is null or c.programme_id = $4) and ($5::text is null or cl.pseudonym like $5)`;
  const { rows } = await db.query<CaseListItem & { openedAt: Date }>(
    `select c.id as "caseId", cl.pseudonym, c.programme_id as "programmeId", c.team_id as "teamId", c.phase, c.status,
       c.expected_release_date::text as "expectedRelease", c.actual_release_date::text as "actualRelease", c.opened_at as "openedAt"
     from transition_case c join client cl on cl.id = c.client_id where ${where}
     order by c.opened_at desc, c.id limit $6 offset $7`,
    [...params, options.limit, options.offset],
  );
  const counted = await db.query<{ total: string }>(
    `select count(*) as total from transition_case c join client cl on cl.id = c.client_id where ${where}`,
    params,
  );
  return {
    items: rows.map((row) => ({ ...row, openedAt: new Date(row.openedAt).toISOString() })),
    total: Number(counted.rows[0].total),
  };
}

/** What a task shows of its case: ids, dates, open applications and referrals, the last contacts. */
export interface CaseSummary {
  caseId: string;
  pseudonym: string;
  programmeId: string;
  phase: string;
  expectedRelease: IsoDate;
  actualRelease: IsoDate | null;
  openApplications: { id: string; kind: string; lifeDomain: string; status: string; deadline: IsoDate }[];
  openReferrals: { id: string; lifeDomain: string; service: string; status: string }[];
  lastContacts: { id: string; kind: string; place: string; occurredAt: string }[];
}

/** The summary of one case (no personal data, no free text). */
export async function readCaseSummary(db: Queryable, c: Case): Promise<CaseSummary> {
  const applications = await db.query<CaseSummary['openApplications'][number]>(
    `select id, kind, life_domain as "lifeDomain", status, deadline::text as deadline from application
     where case_id = $1 and status in ('planned', 'submitted') order by deadline, id`,
    [c.id],
  );
  const referrals = await db.query<CaseSummary['openReferrals'][number]>(
    `select id, life_domain as "lifeDomain", service, status from referral
     where case_id = $1 and status in ('open', 'sent') order by created_at, id`,
    [c.id],
  );
  const contacts = await db.query<{ id: string; kind: string; place: string; occurredAt: Date }>(
    `select id, kind, place, occurred_at as "occurredAt" from contact where case_id = $1 order by occurred_at desc, id limit 5`,
    [c.id],
  );
  return {
    caseId: c.id,
    pseudonym: c.pseudonym,
    programmeId: c.programmeId,
    phase: c.phase,
    expectedRelease: c.expectedReleaseDate,
    actualRelease: c.actualReleaseDate,
    openApplications: applications.rows,
    openReferrals: referrals.rows,
    lastContacts: contacts.rows.map((row) => ({ ...row, occurredAt: new Date(row.occurredAt).toISOString() })),
  };
}

/** One event of a case's timeline. */
export interface TimelineEntry {
  at: string;
  kind: string;
  label: string;
  [key: string]: unknown;
}

/** Everything that happened to a case, oldest first: codes and ids, no free text. */
export async function readTimeline(db: Queryable, c: Case): Promise<TimelineEntry[]> {
  const entries: TimelineEntry[] = [{ at: new Date(c.openedAt).toISOString(), kind: 'admitted', label: c.programmeId }];
  if (c.actualReleaseDate) entries.push({ at: `${c.actualReleaseDate}T00:00:00.000Z`, kind: 'released', label: c.actualReleaseDate });
  if (c.closedAt) entries.push({ at: new Date(c.closedAt).toISOString(), kind: 'closed', label: c.closureReason ?? '' });
  const { rows } = await db.query<{ at: Date; kind: string; label: string; id: string }>(
    `select occurred_at as at, 'contact' as kind, kind as label, id::text from contact where case_id = $1
     union all select created_at, 'referral', life_domain || ':' || service, id::text from referral where case_id = $1
     union all select a.sent_at, 'referral-sent', r.service, a.id::text from referral_attempt a join referral r on r.id = a.referral_id where r.case_id = $1
     union all select a.answered_at, 'referral-answered', a.status, a.id::text from referral_attempt a join referral r on r.id = a.referral_id
       where r.case_id = $1 and a.answered_at is not null
     union all select created_at, 'application', kind || ':' || status, id::text from application where case_id = $1
     union all select requested_at, 'extension-requested', months::text, id::text from extension where case_id = $1
     union all select decided_at, 'extension-decided', status, id::text from extension where case_id = $1 and decided_at is not null
     union all select created_at, 'note', 'note', id::text from note where case_id = $1
     union all select t.completed_at, 'task-completed', t.element_id, t.key::text from engine_user_task t
       join engine_instance i on i.key = t.instance_key
       where i.variables ->> 'caseId' = $1::text and t.state = 'COMPLETED'`,
    [c.id],
  );
  for (const row of rows) entries.push({ at: new Date(row.at).toISOString(), kind: row.kind, label: row.label, id: row.id });
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

/** The supervisor's figures over the cases the scope may see. */
export async function readCaseFigures(db: Queryable, scope: TeamScope, now: Date, today: IsoDate) {
  const params = [scope === 'all', scope === 'all' ? [] : [...scope]];
  const byPhase = await db.query<{ phase: string; count: string }>(
    `select phase, count(*) as count from transition_case c where ($1 or c.team_id = any($2::text[])) group by phase`,
    params,
  );
  const byProgramme = await db.query<{ programme: string; count: string }>(
    `select programme_id as programme, count(*) as count from transition_case c
     where status = 'open' and ($1 or c.team_id = any($2::text[])) group by programme_id`,
    params,
  );
  const releases = await db.query<{ caseId: string; pseudonym: string; expectedRelease: string; teamId: string }>(
    `select c.id as "caseId", cl.pseudonym, c.expected_release_date::text as "expectedRelease", c.team_id as "teamId"
     from transition_case c join client cl on cl.id = c.client_id
     where c.status = 'open' and c.actual_release_date is null and c.expected_release_date between $3::date and $4::date
       and ($1 or c.team_id = any($2::text[]))
     order by c.expected_release_date, c.id limit 200`,
    [...params, today, addMonths(today, 6)],
  );
  const referrals = await db.query<{ referralId: string; caseId: string; partnerId: string; answerDueAt: Date }>(
    `select r.id as "referralId", r.case_id as "caseId", a.partner_id as "partnerId", a.answer_due_at as "answerDueAt"
     from referral_attempt a join referral r on r.id = a.referral_id join transition_case c on c.id = r.case_id
     where a.status = 'sent' and a.answer_due_at < $3 and ($1 or c.team_id = any($2::text[]))
     order by a.answer_due_at, a.id limit 200`,
    [...params, now],
  );
  return {
    byPhase: Object.fromEntries(byPhase.rows.map((row) => [row.phase, Number(row.count)])),
    byProgramme: Object.fromEntries(byProgramme.rows.map((row) => [row.programme, Number(row.count)])),
    releasesNext6Months: releases.rows,
    referralsWithoutAnswer: referrals.rows.map((row) => ({ ...row, answerDueAt: new Date(row.answerDueAt).toISOString() })),
  };
}

/** The teams the scope may see, with their names. */
export async function listTeams(db: Queryable, scope: TeamScope): Promise<{ id: string; name: string }[]> {
  const { rows } = await db.query<{ id: string; name: string }>(
    'select id, name from team where $1 or id = any($2::text[]) order by id',
    [scope === 'all', scope === 'all' ? [] : [...scope]],
  );
  return rows;
}
