/**
 * Checking a username and password. An unknown account, a wrong password and a deactivated
 * account give the same answer after the same work; failures are counted per account name in
 * the database, so guessing one account is throttled across every process.
 */
import type { Queryable } from '../db/index.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { sha256Hex } from './tokens.js';
import { findCredentials, normalizeUsername } from './users.js';

/** Failed attempts on one account name within {@link FAILURE_WINDOW_MINUTES} before it is refused. */
export const MAX_FAILURES_PER_ACCOUNT = 10;
/** How far back failed attempts count. */
export const FAILURE_WINDOW_MINUTES = 15;

/**
 * `ok` with the account's id; `invalid` for every kind of wrong (with the id when the account
 * exists, for the audit trail only); `throttled` when the account name has too many recent
 * failures — the password is then not even checked.
 */
export type SignInResult =
  | { status: 'ok'; userId: string }
  | { status: 'invalid'; userId: string | null }
  | { status: 'throttled' };

/** Checks `username` / `password`; records a failure, or clears the failures on success. */
export async function checkSignIn(db: Queryable, username: string, password: string): Promise<SignInResult> {
  const nameHash = sha256Hex(normalizeUsername(username));
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from login_failure
     where username_hash = $1 and failed_at > now() - make_interval(mins => $2)`,
    [nameHash, FAILURE_WINDOW_MINUTES],
  );
  if (rows[0].n >= MAX_FAILURES_PER_ACCOUNT) return { status: 'throttled' };

  const account = await findCredentials(db, username);
  const matches = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), password);
  if (account && account.active && matches) {
    await db.query('delete from login_failure where username_hash = $1', [nameHash]);
    return { status: 'ok', userId: account.id };
  }
  await db.query('insert into login_failure (username_hash) values ($1)', [nameHash]);
  // Old failures serve no purpose; removing them here keeps the table small without a job.
  await db.query(`delete from login_failure where failed_at < now() - make_interval(mins => $1)`, [
    FAILURE_WINDOW_MINUTES * 4,
  ]);
  return { status: 'invalid', userId: account?.id ?? null };
}
