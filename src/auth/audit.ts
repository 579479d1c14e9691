/**
 * The audit trail: append under one lock (so that several API processes on one PostgreSQL keep
 * one chain), read page by page, verify the chain. The table refuses UPDATE, DELETE and
 * TRUNCATE (migration 0003); the chain makes a change by someone who got past that visible.
 */
import type { Database, Queryable } from '../db/index.js';
import {
  GENESIS_HASH,
  hashAuditRecord,
  type ActorType,
  type AuditDetails,
  type AuditOutcome,
  type AuditRecord,
} from './audit-hash.js';
import type { Principal } from './roles.js';

export { GENESIS_HASH, type ActorType, type AuditDetails, type AuditOutcome } from './audit-hash.js';

/** Serialises appenders across connections and processes; held until the transaction ends. */
const LOCK_SQL = `select pg_advisory_xact_lock(hashtext('uebergang.audit'))`;

/** What to record: who, what, which record, which route, how it ended. */
export interface AuditEntry {
  actor: { type: ActorType; id: string | null };
  /** Dotted verb, e.g. `user.create`, `case.read`, `auth.login`. */
  action: string;
  recordType?: string | null;
  recordId?: string | null;
  teamId?: string | null;
  /** Method and route pattern (`GET /api/cases/:id`), never the URL with its values. */
  route?: string | null;
  outcome: AuditOutcome;
  details?: AuditDetails | null;
}

/** A stored audit row. */
export interface AuditRow extends AuditRecord {
  prevHash: string;
  hash: string;
}

/** The actor of a request's principal (`anonymous` when nobody is signed in). */
export function auditActor(principal: Principal | null | undefined): AuditEntry['actor'] {
  if (principal?.kind === 'user') return { type: 'user', id: principal.userId };
  if (principal?.kind === 'machine') return { type: 'machine', id: principal.credentialId };
  return { type: 'anonymous', id: null };
}

/**
 * Appends one row inside the caller's transaction `tx`, so the row commits or rolls back with the
 * change it records. The lock is held until that transaction ends: append as the last statement.
 * `tx` must be a transaction (`db.transaction(tx => …)`); outside one the lock would not hold.
 * @returns the row's sequence number
 */
export async function appendAudit(tx: Queryable, entry: AuditEntry): Promise<number> {
  await tx.query(LOCK_SQL);
  const { rows } = await tx.query<{ seq: string; hash: string }>(
    'select seq, hash from audit_log order by seq desc limit 1',
  );
  const prevHash = rows[0]?.hash ?? GENESIS_HASH;
  const record: AuditRecord = {
    seq: rows[0] ? Number(rows[0].seq) + 1 : 1,
    // Milliseconds only, so the timestamp reads back exactly as it was hashed.
    at: new Date(Date.now()),
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    action: entry.action,
    recordType: entry.recordType ?? null,
    recordId: entry.recordId ?? null,
    teamId: entry.teamId ?? null,
    route: entry.route ?? null,
    outcome: entry.outcome,
    details: entry.details ?? null,
  };
  await tx.query(
    `insert into audit_log (seq, at, actor_type, actor_id, action, record_type, record_id, team_id, route,
       outcome, details, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      record.seq,
      record.at.toISOString(),
      record.actorType,
      record.actorId,
      record.action,
      record.recordType,
      record.recordId,
      record.teamId,
      record.route,
      record.outcome,
      record.details === null ? null : JSON.stringify(record.details),
      prevHash,
      hashAuditRecord(prevHash, record),
    ],
  );
  return record.seq;
}

/** Appends one row in a transaction of its own (for events that change nothing else). */
export function recordAudit(db: Database, entry: AuditEntry): Promise<number> {
  return db.transaction((tx) => appendAudit(tx, entry));
}

const SELECT_ROWS = `select seq, at, actor_type, actor_id, action, record_type, record_id, team_id, route, outcome,
  details, prev_hash, hash from audit_log`;

interface DbAuditRow {
  seq: string | number;
  at: Date | string;
  actor_type: ActorType;
  actor_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  team_id: string | null;
  route: string | null;
  outcome: AuditOutcome;
  details: AuditDetails | string | null;
  prev_hash: string;
  hash: string;
}

function toRow(row: DbAuditRow): AuditRow {
  return {
    seq: Number(row.seq),
    at: new Date(row.at),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    recordType: row.record_type,
    recordId: row.record_id,
    teamId: row.team_id,
    route: row.route,
    outcome: row.outcome,
    details: typeof row.details === 'string' ? (JSON.parse(row.details) as AuditDetails) : row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A page of the audit trail, newest first. */
export interface AuditPage {
  rows: AuditRow[];
  /** Pass as `beforeSeq` for the next (older) page; null on the last page. */
  nextBeforeSeq: number | null;
}

/**
 * Reads up to `limit` rows older than `beforeSeq`, newest first, restricted to rows of `teamIds`
 * unless `'all'` (a supervisor reads the rows of their teams; rows without a team are admin's).
 */
export async function listAudit(
  db: Queryable,
  options: { teamIds: 'all' | readonly string[]; limit: number; beforeSeq?: number },
): Promise<AuditPage> {
  const { rows } = await db.query<DbAuditRow>(
    `${SELECT_ROWS}
     where ($1::bigint is null or seq < $1) and ($2::boolean or team_id = any($3::text[]))
     order by seq desc limit $4`,
    [options.beforeSeq ?? null, options.teamIds === 'all', options.teamIds === 'all' ? [] : options.teamIds, options.limit + 1],
  );
  const page = rows.slice(0, options.limit).map(toRow);
  return { rows: page, nextBeforeSeq: rows.length > options.limit ? page[page.length - 1].seq : null };
}

/** The result of {@link verifyAuditChain}. */
export type AuditVerification =
  | { ok: true; rows: number; lastHash: string }
  | { ok: false; rows: number; seq: number; reason: string };

/**
 * Walks the whole chain in order and returns the first row that breaks it: a row whose content
 * no longer matches its hash (changed), whose `prev_hash` is not its predecessor's hash, or a
 * missing sequence number (removed). Rows removed from the very end leave no trace: compare
 * `lastHash` with one noted elsewhere to detect that.
 */
export async function verifyAuditChain(db: Queryable, batchSize = 1000): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    const { rows } = await db.query<DbAuditRow>(`${SELECT_ROWS} where seq >= $1 order by seq limit $2`, [
      expectedSeq,
      batchSize,
    ]);
    if (rows.length === 0) return { ok: true, rows: expectedSeq - 1, lastHash: prevHash };
    for (const raw of rows) {
      const row = toRow(raw);
      const checked = expectedSeq - 1;
      if (row.seq !== expectedSeq) {
        return { ok: false, rows: checked, seq: expectedSeq, reason: `row ${expectedSeq} is missing` };
      }
      if (row.prevHash !== prevHash) {
        return { ok: false, rows: checked, seq: row.seq, reason: `row ${row.seq} does not follow row ${row.seq - 1}` };
      }
      if (hashAuditRecord(prevHash, row) !== row.hash) {
        return { ok: false, rows: checked, seq: row.seq, reason: `row ${row.seq} was changed after it was written` };
      }
      prevHash = row.hash;
      expectedSeq++;
    }
  }
}
