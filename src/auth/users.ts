/** People who sign in: accounts, their role memberships, the first administrator. */
import type { Database, Queryable } from '../db/index.js';
import { appendAudit, type AuditEntry } from './audit.js';
import { hashPassword } from './passwords.js';
import { isTeamRole, type Membership } from './roles.js';

/** An account as the API shows it (never its hash). */
export interface User {
  id: string;
  username: string;
  displayName: string;
  active: boolean;
  createdAt: Date;
  memberships: Membership[];
}

/** What it takes to create an account. */
export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  memberships: readonly Membership[];
}

/** The username is taken (usernames are compared lower-case). */
export class UsernameTakenError extends Error {
  constructor() {
    super('username is taken');
    this.name = 'UsernameTakenError';
  }
}

/** A membership names a team that does not exist, or a team for a role that has none. */
export class InvalidMembershipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMembershipError';
  }
}

/** Usernames are case-insensitive: stored and looked up lower-case. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Throws unless each membership has a team exactly when its role needs one. */
export function checkMemberships(memberships: readonly Membership[]): void {
  for (const { role, teamId } of memberships) {
    if (isTeamRole(role) && !teamId) throw new InvalidMembershipError(`role ${role} needs a team`);
    if (!isTeamRole(role) && teamId) throw new InvalidMembershipError(`role ${role} is not held for a team`);
  }
}

const SELECT_USERS = `select u.id, u.username, u.display_name, u.active, u.created_at,
  coalesce((select json_agg(json_build_object('role', m.role, 'teamId', m.team_id) order by m.role, m.team_id)
            from membership m where m.user_id = u.id), '[]'::json) as memberships
  from app_user u`;

interface DbUser {
  id: string;
  username: string;
  display_name: string;
  active: boolean;
  created_at: Date | string;
  memberships: Membership[] | string;
}

function toUser(row: DbUser): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    active: row.active,
    createdAt: new Date(row.created_at),
    memberships: typeof row.memberships === 'string' ? JSON.parse(row.memberships) : row.memberships,
  };
}

/**
 * Creates an account with its memberships and the audit row `user.create`, in one transaction.
 * The password is hashed before the transaction opens (it takes ~50 ms).
 * @throws UsernameTakenError, InvalidMembershipError
 */
export async function createUser(
  db: Database,
  user: NewUser,
  audit: Pick<AuditEntry, 'actor' | 'route'>,
): Promise<User> {
  checkMemberships(user.memberships);
  const passwordHash = await hashPassword(user.password);
  try {
    return await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        'insert into app_user (username, display_name, password_hash) values ($1, $2, $3) returning id',
        [normalizeUsername(user.username), user.displayName, passwordHash],
      );
      const id = rows[0].id;
      for (const m of user.memberships) {
        await tx.query(
          `insert into membership (user_id, role, team_id) values ($1, $2, $3) on conflict do nothing`,
          [id, m.role, m.teamId],
        );
      }
      const created = await findUser(tx, id);
      await appendAudit(tx, {
        ...audit,
        action: 'user.create',
        recordType: 'user',
        recordId: id,
        outcome: 'success',
        details: { roles: created!.memberships.map((m) => (m.teamId ? `${m.role}@${m.teamId}` : m.role)) },
      });
      return created!;
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const constraint = (error as { constraint?: string }).constraint;
    if (code === '23505' && constraint === 'app_user_username_key') throw new UsernameTakenError();
    if (code === '23503') throw new InvalidMembershipError('a membership names a team that does not exist');
    throw error;
  }
}

/** One account by id, or undefined. */
export async function findUser(db: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await db.query<DbUser>(`${SELECT_USERS} where u.id = $1`, [id]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

/** Every account, by username. */
export async function listUsers(db: Queryable): Promise<User[]> {
  const { rows } = await db.query<DbUser>(`${SELECT_USERS} order by u.username`);
  return rows.map(toUser);
}

/** What sign-in needs of an account: its id, hash and whether it may sign in. */
export async function findCredentials(
  db: Queryable,
  username: string,
): Promise<{ id: string; passwordHash: string; active: boolean } | undefined> {
  const { rows } = await db.query<{ id: string; password_hash: string; active: boolean }>(
    'select id, password_hash, active from app_user where username = $1',
    [normalizeUsername(username)],
  );
  return rows[0] ? { id: rows[0].id, passwordHash: rows[0].password_hash, active: rows[0].active } : undefined;
}

/** Replaces an account's password hash. */
export async function setPasswordHash(db: Queryable, userId: string, passwordHash: string): Promise<void> {
  await db.query('update app_user set password_hash = $2 where id = $1', [userId, passwordHash]);
}
