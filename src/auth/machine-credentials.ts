/**
 * Machine credentials: workers on /v2 (Camunda 8 REST) and /engine-rest (Camunda 7 external
 * tasks) authenticate as machines, never as people. A credential is a client id and a random
 * secret (HTTP Basic); the secret can be exchanged for a short-lived bearer token.
 */
import type { Database, Queryable } from '../db/index.js';
import { appendAudit, type AuditEntry } from './audit.js';
import { createToken, safeEqual, sha256Hex } from './tokens.js';

/** How long a bearer token from the token endpoint lives. */
export const MACHINE_TOKEN_TTL_SECONDS = 3600;

/** A credential as listed (never its secret). */
export interface MachineCredential {
  id: string;
  clientId: string;
  description: string;
  active: boolean;
  createdAt: Date;
}

/** The client id is taken. */
export class ClientIdTakenError extends Error {
  constructor() {
    super('client id is taken');
    this.name = 'ClientIdTakenError';
  }
}

/**
 * Issues a credential and audits it; the secret is returned here only (stored as SHA-256).
 * @throws ClientIdTakenError
 */
export async function issueMachineCredential(
  db: Database,
  input: { clientId: string; description?: string; createdBy: string | null },
  audit: Pick<AuditEntry, 'actor' | 'route'>,
): Promise<{ credential: MachineCredential; secret: string }> {
  const secret = createToken();
  try {
    return await db.transaction(async (tx) => {
      const { rows } = await tx.query<DbCredential>(
        `insert into machine_credential (client_id, secret_hash, description, created_by) values ($1, $2, $3, $4)
         returning id, client_id, description, active, created_at`,
        [input.clientId, sha256Hex(secret), input.description ?? '', input.createdBy],
      );
      const credential = toCredential(rows[0]);
      await appendAudit(tx, {
        ...audit,
        action: 'machine-credential.issue',
        recordType: 'machine-credential',
        recordId: credential.id,
        outcome: 'success',
      });
      return { credential, secret };
    });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ClientIdTakenError();
    throw error;
  }
}

/**
 * Creates credential `clientId` or gives it a new secret — active again, its bearer tokens
 * revoked — audited as the system. For the workers `npm start` runs against its own engine:
 * their secret lives only in that process's memory, so each start rotates it; a copy of the
 * database never holds a usable secret. Rotating another process's credential would lock its
 * workers out, so each process uses a client id of its own (see workers/run.ts).
 */
export async function rotateInternalMachineCredential(
  db: Database,
  input: { clientId: string; description: string },
): Promise<{ credential: MachineCredential; secret: string }> {
  const secret = createToken();
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<DbCredential>(
      `insert into machine_credential (client_id, secret_hash, description, created_by) values ($1, $2, $3, null)
       on conflict (client_id) do update set secret_hash = excluded.secret_hash, description = excluded.description, active = true
       returning id, client_id, description, active, created_at`,
      [input.clientId, sha256Hex(secret), input.description],
    );
    const credential = toCredential(rows[0]);
    await tx.query('delete from machine_token where credential_id = $1', [credential.id]);
    await appendAudit(tx, {
      actor: { type: 'system', id: null },
      action: 'machine-credential.rotate',
      recordType: 'machine-credential',
      recordId: credential.id,
      outcome: 'success',
    });
    return { credential, secret };
  });
}

/** Every credential, by client id. */
export async function listMachineCredentials(db: Queryable): Promise<MachineCredential[]> {
  const { rows } = await db.query<DbCredential>(
    'select id, client_id, description, active, created_at from machine_credential order by client_id',
  );
  return rows.map(toCredential);
}

/**
 * Revokes a credential and every bearer token issued to it, audited.
 * @returns false when there is no such credential
 */
export async function revokeMachineCredential(
  db: Database,
  id: string,
  audit: Pick<AuditEntry, 'actor' | 'route'>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rowCount } = await tx.query('update machine_credential set active = false where id = $1', [id]);
    if (rowCount === 0) return false;
    await tx.query('delete from machine_token where credential_id = $1', [id]);
    await appendAudit(tx, {
      ...audit,
      action: 'machine-credential.revoke',
      recordType: 'machine-credential',
      recordId: id,
      outcome: 'success',
    });
    return true;
  });
}

/** The credential id when `clientId` / `secret` match an active credential. */
export async function verifyMachineSecret(db: Queryable, clientId: string, secret: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string; secret_hash: string }>(
    'select id, secret_hash from machine_credential where client_id = $1 and active',
    [clientId],
  );
  // Compared even for an unknown client, so both cases take the same time.
  const matches = safeEqual(rows[0]?.secret_hash ?? '', sha256Hex(secret));
  return rows[0] && matches ? rows[0].id : undefined;
}

/** Issues a bearer token for credential `credentialId`. */
export async function issueMachineToken(
  db: Queryable,
  credentialId: string,
  ttlSeconds = MACHINE_TOKEN_TTL_SECONDS,
): Promise<{ token: string; expiresIn: number }> {
  const token = createToken();
  await db.query(
    `insert into machine_token (token_hash, credential_id, expires_at) values ($1, $2, now() + make_interval(secs => $3))`,
    [sha256Hex(token), credentialId, ttlSeconds],
  );
  // Expired tokens are refused anyway; removing them here keeps the table small without a job.
  await db.query('delete from machine_token where expires_at <= now()');
  return { token, expiresIn: ttlSeconds };
}

/** The credential id of a live bearer `token` whose credential is still active. */
export async function verifyMachineToken(db: Queryable, token: string): Promise<string | undefined> {
  const { rows } = await db.query<{ credential_id: string }>(
    `select t.credential_id from machine_token t join machine_credential c on c.id = t.credential_id and c.active
     where t.token_hash = $1 and t.expires_at > now()`,
    [sha256Hex(token)],
  );
  return rows[0]?.credential_id;
}

interface DbCredential {
  id: string;
  client_id: string;
  description: string;
  active: boolean;
  created_at: Date | string;
}

function toCredential(row: DbCredential): MachineCredential {
  return {
    id: row.id,
    clientId: row.client_id,
    description: row.description,
    active: row.active,
    createdAt: new Date(row.created_at),
  };
}

/** Basic or Bearer credentials read from an Authorization header. */
export type MachineAuthorization =
  | { scheme: 'basic'; clientId: string; secret: string }
  | { scheme: 'bearer'; token: string };

/** Parses an Authorization header; undefined when absent or malformed. Pure. */
export function parseAuthorization(header: string | undefined): MachineAuthorization | undefined {
  if (!header) return undefined;
  const match = /^(Basic|Bearer) +([A-Za-z0-9._~+/=-]+) *$/i.exec(header);
  if (!match) return undefined;
  if (match[1].toLowerCase() === 'bearer') return { scheme: 'bearer', token: match[2] };
  const decoded = Buffer.from(match[2], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { scheme: 'basic', clientId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}
