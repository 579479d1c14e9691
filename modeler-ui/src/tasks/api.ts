/** The tasklist's part of the product API. */
import { del, get, post, query } from '../api';

/** A task as the list shows it. */
export interface TaskItem {
  taskKey: string;
  name: string;
  elementId: string;
  processId: string;
  instanceKey: string;
  caseId: string | null;
  casePseudonym: string | null;
  phase: string | null;
  assignee: string | null;
  candidateGroups: string[];
  dueDate: string | null;
  followUpDate: string | null;
  priority: number;
  createdAt: string;
  formId: string | null;
}

/** The case summary beside a task's form. */
export interface CaseSummary {
  caseId: string;
  pseudonym: string;
  programmeId: string;
  phase: string;
  expectedRelease: string | null;
  actualRelease: string | null;
  openApplications: Array<{ id: string; kind: string; lifeDomain: string; status: string; deadline: string }>;
  openReferrals: Array<{ id: string; lifeDomain: string; service: string; status: string }>;
  lastContacts: Array<{ id: string; kind: string; place: string; occurredAt: string }>;
}

/** One task with its form, the form's input and the case summary. */
export interface TaskDetail extends TaskItem {
  form: Record<string, unknown> | null;
  variables: Record<string, unknown>;
  case: CaseSummary | null;
}

/** The filters and sorting of the list (the query parameters of `GET /api/tasks`). */
export interface TaskQuery {
  view?: 'mine' | 'groups' | 'all';
  candidateGroup?: string;
  processId?: string;
  phase?: string;
  caseId?: string;
  dueFrom?: string;
  dueTo?: string;
  followUpFrom?: string;
  followUpTo?: string;
  sort?: 'due-asc' | 'due-desc' | 'priority' | 'created';
}

/** A filter saved on the server. */
export interface SavedFilter {
  id: string;
  name: string;
  query: TaskQuery;
}

/** A comment on a task. */
export interface TaskComment {
  id: string;
  author: string;
  createdAt: string;
  text: string;
}

/** One page of the list. */
export const searchTasks = (filters: TaskQuery, cursor?: string, limit = 50) =>
  get<{ items: TaskItem[]; total: number; nextCursor: string | null }>(
    `/api/tasks${query({ ...filters, limit, cursor })}`,
  );

/** One task. */
export const fetchTask = (taskKey: string) => get<TaskDetail>(`/api/tasks/${encodeURIComponent(taskKey)}`);
/** Takes the task. */
export const claimTask = (taskKey: string) => post(`/api/tasks/${encodeURIComponent(taskKey)}/claim`);
/** Gives the task back to the group. */
export const unclaimTask = (taskKey: string) => post(`/api/tasks/${encodeURIComponent(taskKey)}/unclaim`);
/** Completes the task; a 400 names the fields in `issues`. */
export const completeTask = (taskKey: string, variables: Record<string, unknown>) =>
  post(`/api/tasks/${encodeURIComponent(taskKey)}/complete`, { variables });
/** The task's comments. */
export const listComments = (taskKey: string) => get<TaskComment[]>(`/api/tasks/${encodeURIComponent(taskKey)}/comments`);
/** Adds a comment. */
export const addComment = (taskKey: string, text: string) =>
  post<TaskComment>(`/api/tasks/${encodeURIComponent(taskKey)}/comments`, { text });
/** The filters the person saved. */
export const listFilters = () => get<SavedFilter[]>('/api/task-filters');
/** Saves (or replaces, by name) a filter. */
export const saveFilter = (name: string, filterQuery: TaskQuery) => post<SavedFilter>('/api/task-filters', { name, query: filterQuery });
/** Deletes a saved filter. */
export const deleteFilter = (id: string) => del(`/api/task-filters/${encodeURIComponent(id)}`);

const DAY = 24 * 60 * 60 * 1000;

/** How urgent a due date is at `now`: overdue, due within two days, or neither. */
export function urgencyOf(dueDate: string | null, now: number): 'overdue' | 'due-soon' | null {
  if (!dueDate) return null;
  const due = new Date(dueDate).getTime();
  if (due < now) return 'overdue';
  if (due - now <= 2 * DAY) return 'due-soon';
  return null;
}
