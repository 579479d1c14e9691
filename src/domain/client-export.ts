/**
 * Right of access (DSGVO Art. 15): everything stored about one client, in one JSON document —
 * personal data, every case with its needs, casework, referrals, applications, extensions,
 * consents and legal bases, sociotherapy, task comments, notifications, and the audit trail of
 * reads and changes of their records.
 */
import type { Queryable } from '../db/types.js';
import { getClientPersonalData, type ClientPersonalData } from './clients.js';

/** The export of one client. */
export interface ClientExport {
  exportedAt: string;
  client: ClientPersonalData & { anonymisedAt: string | null; createdAt: string };
  cases: Record<string, unknown>[];
  consents: Record<string, unknown>[];
  illnessCases: Record<string, unknown>[];
  prescriptions: Record<string, unknown>[];
  audit: Record<string, unknown>[];
}

/** The module's queries, named; `$1` is the client id. */
export const SQL = {
  client: `select anonymised_at as "anonymisedAt", created_at as "createdAt" from client where id = $1`,
  cases: `select * from transition_case where client_id = $1 order by opened_at, id`,
  perCase: {
    needs: `select n.life_domain, v.view, v.rating, v.note, v.assessed_by, v.assessed_at from need n
      join need_view v on v.need_id = n.id where n.case_id = $1 order by n.life_domain, v.view`,
    domainsElsewhere: `select * from case_domain_elsewhere where case_id = $1 order by life_domain`,
    contacts: `select * from contact where case_id = $1 order by occurred_at, id`,
    notes: `select * from note where case_id = $1 order by created_at, id`,
    treatmentGoals: `select * from treatment_goal where case_id = $1 order by agreed_on, id`,
    custodyMeasures: `select * from custody_measure where case_id = $1 order by started_on, id`,
    legalBases: `select * from legal_basis where case_id = $1 order by recorded_at, id`,
    referrals: `select r.*, coalesce((select json_agg(a order by a.sent_at, a.id) from referral_attempt a where a.referral_id = r.id), '[]') as attempts
      from referral r where r.case_id = $1 order by r.created_at, r.id`,
    applications: `select * from application where case_id = $1 order by deadline, id`,
    extensions: `select * from extension where case_id = $1 order by requested_at, id`,
    taskComments: `select id, task_key::text, author_id, body, created_at from task_comment where case_id = $1 order by created_at, id`,
    notifications: `select id, template, params, status, created_at, sent_at from outbox where case_id = $1 order by created_at, id`,
  },
  consents: `select * from consent where client_id = $1 order by given_at, id`,
  illnessCases: `select * from illness_case where client_id = $1 order by started_on, id`,
  prescriptions: `select p.* from prescription p join illness_case i on i.id = p.illness_case_id where i.client_id = $1
    order by p.issued_on, p.id`,
  audit: `select seq, at, actor_type, actor_id, action, record_type, record_id, route, outcome from audit_log
    where (record_type = 'client' and record_id = $1::text)
       or (record_type = 'case' and record_id in (select id::text from transition_case where client_id = $1::uuid))
    order by seq`,
} as const;

/** Everything stored about `clientId`. @throws DomainError CLIENT_NOT_FOUND */
export async function exportClient(db: Queryable, clientId: string, now: Date): Promise<ClientExport> {
  const personal = await getClientPersonalData(db, clientId);
  const meta = (await db.query<{ anonymisedAt: Date | null; createdAt: Date }>(SQL.client, [clientId])).rows[0];
  const cases: Record<string, unknown>[] = [];
  for (const row of (await db.query<{ id: string }>(SQL.cases, [clientId])).rows) {
    const details: Record<string, unknown> = { ...row };
    for (const [name, sql] of Object.entries(SQL.perCase)) details[name] = (await db.query(sql, [row.id])).rows;
    cases.push(details);
  }
  return {
    exportedAt: now.toISOString(),
    client: {
      ...personal,
      anonymisedAt: meta.anonymisedAt ? new Date(meta.anonymisedAt).toISOString() : null,
      createdAt: new Date(meta.createdAt).toISOString(),
    },
    cases,
    consents: (await db.query(SQL.consents, [clientId])).rows,
    illnessCases: (await db.query(SQL.illnessCases, [clientId])).rows,
    prescriptions: (await db.query(SQL.prescriptions, [clientId])).rows,
    audit: (await db.query(SQL.audit, [clientId])).rows,
  };
}
