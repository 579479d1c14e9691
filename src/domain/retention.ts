/**
 * Retention (§ 42 JVollzDSG NRW, DSGVO Art. 5 (1) e): once every case of a client is closed and
 * their last release — or, never released, the closure — lies more than `retentionYears` back,
 * the client is anonymised: name, birth date and prisoner number overwritten, free text of their
 * cases (notes, contact notes, assessment notes, goals, justifications, task comments) removed.
 * Health data (the health life domain's needs, referrals and applications, illness cases and
 * prescriptions) is deleted once `retentionHealthYears` have passed. Ids, dates and codes stay,
 * so that figures over the years still add up. Each client is one transaction with its audit row.
 */
import { appendAudit, type AuditEntry } from '../auth/audit.js';
import type { Database, Queryable } from '../db/types.js';
import { addMonths, toIsoDate, type IsoDate } from './dates.js';

/** How long data is kept, in years after the last release. */
export interface RetentionPolicy {
  retentionYears: number;
  retentionHealthYears: number;
}

/** A client the run acts on (or would act on, in a dry run). */
export interface RetentionCandidate {
  clientId: string;
  pseudonym: string;
  /** The last release (or closure) over all of the client's cases. */
  lastRelease: IsoDate;
}

/** What a run did (or would do). */
export interface RetentionReport {
  dryRun: boolean;
  ranAt: string;
  anonymise: { before: IsoDate; clients: RetentionCandidate[] };
  deleteHealthData: { before: IsoDate; clients: RetentionCandidate[] };
}

/** Placeholder for overwritten names and free text. */
const ANONYMISED = 'anonymisiert';
/** Birth dates become this date: the column is required, the real date must go. */
const ANONYMISED_BIRTH_DATE = '1900-01-01';

// A client qualifies when none of their cases is open and the last release is before $1.
const LAST_RELEASE = `max(coalesce(c.actual_release_date, (c.closed_at at time zone 'Europe/Berlin')::date))`;

/** The module's queries, named. */
export const SQL = {
  anonymiseCandidates: `select cl.id as "clientId", cl.pseudonym, ${LAST_RELEASE}::text as "lastRelease"
    from client cl join transition_case c on c.client_id = cl.id
    where cl.anonymised_at is null
    group by cl.id, cl.pseudonym
    having bool_and(c.status = 'closed') and ${LAST_RELEASE} < $1::date
    order by cl.id limit $2`,
  healthCandidates: `select cl.id as "clientId", cl.pseudonym, ${LAST_RELEASE}::text as "lastRelease"
    from client cl join transition_case c on c.client_id = cl.id
    group by cl.id, cl.pseudonym
    having bool_and(c.status = 'closed') and ${LAST_RELEASE} < $1::date
      and (exists (select 1 from need n join transition_case x on x.id = n.case_id where x.client_id = cl.id and n.life_domain = 'health')
        or exists (select 1 from referral r join transition_case x on x.id = r.case_id where x.client_id = cl.id and r.life_domain = 'health')
        or exists (select 1 from application a join transition_case x on x.id = a.case_id where x.client_id = cl.id and a.life_domain = 'health')
        or exists (select 1 from illness_case i where i.client_id = cl.id))
    order by cl.id limit $2`,
  anonymiseClient: `update client set family_name = $2, given_names = $2, birth_date = $3, prisoner_number = null,
    anonymised_at = $4 where id = $1 and anonymised_at is null`,
  deleteNotes: `delete from note where case_id in (select id from transition_case where client_id = $1)`,
  clearContactNotes: `update contact set note = null where note is not null
    and case_id in (select id from transition_case where client_id = $1)`,
  clearNeedNotes: `update need_view set note = null where note is not null and need_id in
    (select n.id from need n join transition_case c on c.id = n.case_id where c.client_id = $1)`,
  clearGoals: `update treatment_goal set goal = $2 where case_id in (select id from transition_case where client_id = $1)`,
  clearJustifications: `update extension set justification = $2 where case_id in (select id from transition_case where client_id = $1)`,
  deleteTaskComments: `delete from task_comment where case_id in (select id from transition_case where client_id = $1)`,
  deleteHealthNeeds: `delete from need where life_domain = 'health'
    and case_id in (select id from transition_case where client_id = $1)`,
  deleteHealthReferrals: `delete from referral where (life_domain = 'health' or prescription_id is not null)
    and case_id in (select id from transition_case where client_id = $1)`,
  deleteHealthApplications: `delete from application where life_domain = 'health'
    and case_id in (select id from transition_case where client_id = $1)`,
  deletePrescriptions: `delete from prescription where illness_case_id in (select id from illness_case where client_id = $1)`,
  deleteIllnessCases: `delete from illness_case where client_id = $1`,
} as const;

/** Clients handled per run and kind; the next run takes the rest. */
const BATCH = 500;

/** The day `years` before `today`. */
function yearsBefore(today: IsoDate, years: number): IsoDate {
  return addMonths(today, -12 * years);
}

/**
 * Runs retention at `now` (the engine's clock). With `dryRun` it only reports what it would do.
 * `actor` and `route` go into the audit row written per client.
 */
export async function runRetention(
  db: Database,
  policy: RetentionPolicy,
  now: Date,
  options: { dryRun: boolean; actor: AuditEntry['actor']; route?: string },
): Promise<RetentionReport> {
  const today = toIsoDate(now);
  const anonymiseBefore = yearsBefore(today, policy.retentionYears);
  const healthBefore = yearsBefore(today, policy.retentionHealthYears);
  const anonymise = (await db.query<RetentionCandidate>(SQL.anonymiseCandidates, [anonymiseBefore, BATCH])).rows;
  const health = (await db.query<RetentionCandidate>(SQL.healthCandidates, [healthBefore, BATCH])).rows;
  const report: RetentionReport = {
    dryRun: options.dryRun,
    ranAt: now.toISOString(),
    anonymise: { before: anonymiseBefore, clients: anonymise },
    deleteHealthData: { before: healthBefore, clients: health },
  };
  if (options.dryRun) return report;
  for (const candidate of health) {
    await db.transaction(async (tx) => {
      await deleteHealthData(tx, candidate.clientId);
      await appendAudit(tx, entryFor(options, 'retention.delete-health-data', candidate));
    });
  }
  for (const candidate of anonymise) {
    await db.transaction(async (tx) => {
      await anonymiseClient(tx, candidate.clientId, now);
      await appendAudit(tx, entryFor(options, 'retention.anonymise', candidate));
    });
  }
  return report;
}

function entryFor(options: { actor: AuditEntry['actor']; route?: string }, action: string, candidate: RetentionCandidate): AuditEntry {
  return {
    actor: options.actor,
    action,
    recordType: 'client',
    recordId: candidate.clientId,
    route: options.route ?? null,
    outcome: 'success',
    details: { lastRelease: candidate.lastRelease },
  };
}

/** Overwrites a client's personal data and removes the free text of their cases, inside `tx`. */
export async function anonymiseClient(tx: Queryable, clientId: string, now: Date): Promise<void> {
  await tx.query(SQL.anonymiseClient, [clientId, ANONYMISED, ANONYMISED_BIRTH_DATE, now]);
  await tx.query(SQL.deleteNotes, [clientId]);
  await tx.query(SQL.clearContactNotes, [clientId]);
  await tx.query(SQL.clearNeedNotes, [clientId]);
  await tx.query(SQL.clearGoals, [clientId, ANONYMISED]);
  await tx.query(SQL.clearJustifications, [clientId, ANONYMISED]);
  await tx.query(SQL.deleteTaskComments, [clientId]);
}

/** Deletes a client's health data, inside `tx`. */
export async function deleteHealthData(tx: Queryable, clientId: string): Promise<void> {
  await tx.query(SQL.deleteHealthNeeds, [clientId]);
  await tx.query(SQL.deleteHealthReferrals, [clientId]);
  await tx.query(SQL.deleteHealthApplications, [clientId]);
  await tx.query(SQL.deletePrescriptions, [clientId]);
  await tx.query(SQL.deleteIllnessCases, [clientId]);
}
