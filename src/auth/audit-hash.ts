/**
 * The audit trail's hash chain, pure: how one row's hash is computed from its content and the
 * hash of the row before it. Changing any field of any row, or removing or inserting a row,
 * changes the hashes from there on.
 */
import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who acted: a person (user id), a worker (machine credential id), the system, or nobody yet. */
export type ActorType = 'user' | 'machine' | 'system' | 'anonymous';
/** How the audited action ended. */
export type AuditOutcome = 'success' | 'denied' | 'failure';
/** Extra facts of a row: ids, codes and counts only, never names or free text. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/** The content of one audit row, everything its hash covers. */
export interface AuditRecord {
  seq: number;
  at: Date;
  actorType: ActorType;
  actorId: string | null;
  action: string;
  recordType: string | null;
  recordId: string | null;
  teamId: string | null;
  route: string | null;
  outcome: AuditOutcome;
  details: AuditDetails | null;
}

/** SHA-256 (hex) of `prevHash` and the canonical form of `record`. */
export function hashAuditRecord(prevHash: string, record: AuditRecord): string {
  const content = canonicalJson([
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
    record.details,
  ]);
  return createHash('sha256').update(`${prevHash}\n${content}`, 'utf8').digest('hex');
}

/**
 * JSON with object keys sorted at every level: jsonb hands keys back in its own order, and the
 * hash must not depend on it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
