/**
 * The `notifications` handler's {@link Directory} over the people who sign in: a user's e-mail
 * address (`app_user.email`, migration 0005), or those of a team's supervisors. Read at delivery
 * time, so an address changed after enqueue counts; deactivated people get nothing.
 */
import type { Queryable } from '../../src/db/types.js';
import type { Directory } from '../notifications/handler.js';

const SQL = {
  user: `select email from app_user where id = $1 and active and email is not null`,
  teamSupervisors: `select distinct u.email from app_user u join membership m on m.user_id = u.id
    where m.role = 'supervisor' and m.team_id = $1 and u.active and u.email is not null order by u.email`,
} as const;

/** The directory over `app_user` and `membership`. */
export function createUserDirectory(db: Queryable): Directory {
  return {
    async addressesOf(recipient) {
      const { rows } =
        'user' in recipient
          ? await db.query<{ email: string }>(SQL.user, [recipient.user])
          : await db.query<{ email: string }>(SQL.teamSupervisors, [recipient.teamSupervisors]);
      return rows.map((row) => row.email);
    },
  };
}
