/**
 * What the task list keeps beside the engine's user tasks: comments on a task, and the task-list
 * filters each person saves on the server (Camunda Tasklist keeps them only in the browser).
 */
import type { Queryable } from '../db/types.js';
import { DomainError } from './errors.js';
import { isUuid } from './ids.js';

/** A comment on a user task. */
export interface TaskComment {
  id: string;
  author: string;
  createdAt: string;
  text: string;
}

/** A saved task-list filter: a name and the query parameters of `GET /api/tasks`. */
export interface TaskFilter {
  id: string;
  name: string;
  query: Record<string, unknown>;
  createdAt: string;
}

/** The module's queries, named. */
export const SQL = {
  comments: `select k.id, u.username as author, k.created_at as "createdAt", k.body as text
    from task_comment k join app_user u on u.id = k.author_id where k.task_key = $1 order by k.created_at, k.id`,
  insertComment: `insert into task_comment (task_key, case_id, author_id, body, created_at) values ($1, $2, $3, $4, $5)
    returning id`,
  filters: `select id, name, query, created_at as "createdAt" from task_filter where user_id = $1 order by name`,
  insertFilter: `insert into task_filter (user_id, name, query, created_at) values ($1, $2, $3, $4)
    on conflict (user_id, name) do update set query = excluded.query returning id, name, query, created_at as "createdAt"`,
  deleteFilter: `delete from task_filter where id = $1 and user_id = $2`,
} as const;

const iso = (value: Date | string) => new Date(value).toISOString();

/** The comments of a task, oldest first. */
export async function listTaskComments(db: Queryable, taskKey: string): Promise<TaskComment[]> {
  const { rows } = await db.query<TaskComment>(SQL.comments, [taskKey]);
  return rows.map((row) => ({ ...row, createdAt: iso(row.createdAt) }));
}

/** Adds a comment to a task (of case `caseId`, if any). */
export async function addTaskComment(
  db: Queryable,
  input: { taskKey: string; caseId: string | null; authorId: string; text: string },
  now: Date,
): Promise<TaskComment> {
  const text = input.text.trim();
  if (!text) throw new DomainError('INVALID_INPUT', 'text is required');
  const { rows } = await db.query<{ id: string }>(SQL.insertComment, [input.taskKey, input.caseId, input.authorId, text, now]);
  const { rows: author } = await db.query<{ username: string }>('select username from app_user where id = $1', [input.authorId]);
  return { id: rows[0].id, author: author[0].username, createdAt: now.toISOString(), text };
}

/** The filters `userId` saved, by name. */
export async function listTaskFilters(db: Queryable, userId: string): Promise<TaskFilter[]> {
  const { rows } = await db.query<TaskFilter>(SQL.filters, [userId]);
  return rows.map((row) => ({ ...row, createdAt: iso(row.createdAt) }));
}

/** Saves a filter under `name` for `userId`; the same name again replaces its query. */
export async function saveTaskFilter(
  db: Queryable,
  input: { userId: string; name: string; query: Record<string, unknown> },
  now: Date,
): Promise<TaskFilter> {
  const { rows } = await db.query<TaskFilter>(SQL.insertFilter, [input.userId, input.name.trim(), JSON.stringify(input.query), now]);
  return { ...rows[0], createdAt: iso(rows[0].createdAt) };
}

/** Deletes one of `userId`'s filters. @returns false when they have none with this id */
export async function deleteTaskFilter(db: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = isUuid(id) ? await db.query(SQL.deleteFilter, [id, userId]) : { rowCount: 0 };
  return rowCount > 0;
}
