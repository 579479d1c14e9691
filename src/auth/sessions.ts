/**
 * Server-side sessions. The cookie holds a random token; the table holds its SHA-256, the user,
 * the CSRF token and two limits: idle (no request for SESSION_IDLE_MINUTES) and absolute
 * (SESSION_MAX_HOURS after sign-in). Times come from the database, one clock for every process.
 */
import type { Queryable } from '../db/index.js';
import type { Membership, UserPrincipal } from './roles.js';
import { createToken, sha256Hex } from './tokens.js';

/** How long sessions live. */
export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

/** A new session: the token goes into the cookie, the CSRF token to the client's script. */
export interface NewSession {
  token: string;
  sessionId: string;
  csrfToken: string;
}

/** Opens a session for `userId`. */
export async function createSession(db: Queryable, userId: string, limits: SessionLimits): Promise<NewSession> {
  const token = createToken();
  const csrfToken = createToken();
  const sessionId = sha256Hex(token);
  await db.query(
    `insert into user_session (token_hash, user_id, csrf_token, expires_at)
     values ($1, $2, $3, now() + make_interval(hours => $4))`,
    [sessionId, userId, csrfToken, limits.maxHours],
  );
  return { token, sessionId, csrfToken };
}

/** A live session, with who it belongs to. */
export interface ActiveSession {
  principal: UserPrincipal;
  csrfToken: string;
}

/**
 * The live session of `token`, touching its last-seen time; undefined when there is none, it
 * expired (idle or absolute), or its account was deactivated.
 */
export async function lookupSession(
  db: Queryable,
  token: string,
  limits: SessionLimits,
): Promise<ActiveSession | undefined> {
  const { rows } = await db.query<{ user_id: string; token_hash: string; csrf_token: string; memberships: Membership[] | string }>(
    `with s as (
       update user_session set last_seen_at = now()
       where token_hash = $1 and expires_at > now() and last_seen_at > now() - make_interval(mins => $2)
       returning token_hash, user_id, csrf_token
     )
     select s.token_hash, s.user_id, s.csrf_token,
       coalesce((select json_agg(json_build_object('role', m.role, 'teamId', m.team_id))
                 from membership m where m.user_id = s.user_id), '[]'::json) as memberships
     from s join app_user u on u.id = s.user_id and u.active`,
    [sha256Hex(token), limits.idleMinutes],
  );
  const row = rows[0];
  if (!row) return undefined;
  const memberships = typeof row.memberships === 'string' ? (JSON.parse(row.memberships) as Membership[]) : row.memberships;
  return {
    principal: { kind: 'user', userId: row.user_id, sessionId: row.token_hash, memberships },
    csrfToken: row.csrf_token,
  };
}

/** Ends one session (sign-out). */
export async function deleteSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query('delete from user_session where token_hash = $1', [sessionId]);
}

/** Ends every session of `userId` except `keepSessionId` (after a password change). */
export async function deleteOtherSessions(db: Queryable, userId: string, keepSessionId: string | null): Promise<void> {
  await db.query('delete from user_session where user_id = $1 and token_hash is distinct from $2', [userId, keepSessionId]);
}

/** Removes sessions past either limit; expired rows are refused anyway, this only tidies up. */
export async function deleteExpiredSessions(db: Queryable, limits: SessionLimits): Promise<number> {
  const { rowCount } = await db.query(
    `delete from user_session where expires_at <= now() or last_seen_at <= now() - make_interval(mins => $1)`,
    [limits.idleMinutes],
  );
  return rowCount;
}
