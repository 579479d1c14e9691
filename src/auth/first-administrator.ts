/**
 * The first start: when no account exists, an administrator `admin` is created with a random
 * password that is shown once, on stdout, and stored nowhere but as its argon2id hash.
 */
import type { Database } from '../db/index.js';
import { appendAudit } from './audit.js';
import { generatePassword, hashPassword } from './passwords.js';

/** The account of the first start, with the only copy of its password. */
export interface FirstAdministrator {
  userId: string;
  username: string;
  password: string;
}

/** Serialises first starts of several processes on one PostgreSQL: one administrator, once. */
const FIRST_ADMIN_LOCK_SQL = `select pg_advisory_xact_lock(hashtext('uebergang.first-admin'))`;

/**
 * When no account exists yet, creates `admin` with a random password and returns it, for the
 * caller to show once; returns undefined on every later start.
 */
export async function ensureFirstAdministrator(db: Database): Promise<FirstAdministrator | undefined> {
  const { rows } = await db.query('select 1 from app_user limit 1');
  if (rows.length > 0) return undefined;
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.query(FIRST_ADMIN_LOCK_SQL);
    // Checked again under the lock: another process may have been first.
    const { rows: existing } = await tx.query('select 1 from app_user limit 1');
    if (existing.length > 0) return undefined;
    const { rows: created } = await tx.query<{ id: string }>(
      `insert into app_user (username, display_name, password_hash) values ('admin', 'Administrator', $1) returning id`,
      [passwordHash],
    );
    const userId = created[0].id;
    await tx.query(`insert into membership (user_id, role) values ($1, 'admin')`, [userId]);
    await appendAudit(tx, {
      actor: { type: 'system', id: null },
      action: 'user.create',
      recordType: 'user',
      recordId: userId,
      outcome: 'success',
      details: { roles: ['admin'], reason: 'first-start' },
    });
    return { userId, username: 'admin', password };
  });
}

/**
 * Writes the first administrator's password as one clearly marked line straight to `out`
 * (stdout), not through the logger: log lines are shipped and kept, this line is meant for the
 * operator's eyes once. The JSON log only notes that the account was created, by id.
 */
export function printFirstAdministrator(admin: FirstAdministrator, out: NodeJS.WritableStream = process.stdout): void {
  out.write(
    `*** FIRST START: administrator account "${admin.username}" created, password: ${admin.password}` +
      ' (shown only this once; sign in and change it) ***\n',
  );
}
