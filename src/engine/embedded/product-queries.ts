/**
 * The engine's read side as the product API needs it (src/api/routes/): deployed processes and
 * forms, the task list joined to cases, instances with their history, the heatmap. Read-only,
 * parameterised, named here in one place. Tasks and instances are joined to their case through
 * the `caseId` process variable (call-activity children carry it too); the team scope of the
 * caller is applied in SQL, so a page never holds a record the caller may not see.
 */
import type { Queryable } from '../../db/index.js';

/** The teams a caller may see: `'all'` (admin) or a list (possibly empty). */
export type TeamScope = 'all' | readonly string[];

/**
 * Joins the case of instance `i` by its `caseId` variable. Compared as text (a variable that is
 * no UUID matches nothing instead of failing a cast); both sides have an expression index
 * (migration 0006), so the join runs from the cases of a team to their instances and from a
 * task's instance to its case alike.
 */
const CASE_JOIN = `left join transition_case c on c.id::text = i.variables ->> 'caseId'`;

const TASK_NAME = `coalesce(d.model -> 'elements' -> t.element_id ->> 'name', t.element_id)`;

/** Adds `value` to `params` and returns its placeholder. */
function bind(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

/** The SQL condition of a team scope on the case alias `c`. */
function scopeCondition(params: unknown[], scope: TeamScope): string {
  if (scope === 'all') return 'true';
  return `c.team_id = any(${bind(params, [...scope])}::text[])`;
}

const iso = (value: Date | string | null | undefined) => (value == null ? null : new Date(value).toISOString());

// ------------------------------------------------------------------ processes and forms

/** A deployed process with all its versions. */
export interface ProcessSummary {
  processId: string;
  name: string;
  latestVersion: number;
  versions: { version: number; processDefinitionKey: string; deployedAt: string }[];
}

/** Every deployed process, by id, with its versions (newest first). */
export async function listProcesses(db: Queryable): Promise<ProcessSummary[]> {
  const { rows } = await db.query<{ key: string; process_id: string; version: number; name: string | null; created_at: Date }>(
    `select key::text, process_id, version, name, created_at from engine_process_definition order by process_id, version desc`,
  );
  const byId = new Map<string, ProcessSummary>();
  for (const row of rows) {
    let summary = byId.get(row.process_id);
    if (!summary) {
      summary = { processId: row.process_id, name: row.name ?? row.process_id, latestVersion: row.version, versions: [] };
      byId.set(row.process_id, summary);
    }
    summary.versions.push({ version: row.version, processDefinitionKey: row.key, deployedAt: iso(row.created_at)! });
  }
  return [...byId.values()];
}

/** The BPMN XML of one version of a process, or undefined. */
export async function readProcessXml(db: Queryable, processId: string, version: number): Promise<string | undefined> {
  const { rows } = await db.query<{ content: string }>(
    `select r.content from engine_process_definition d join engine_resource r on r.key = d.resource_key
     where d.process_id = $1 and d.version = $2`,
    [processId, version],
  );
  return rows[0]?.content;
}

/** Every deployed form with its latest version. */
export async function listForms(db: Queryable): Promise<{ formId: string; latestVersion: number }[]> {
  const { rows } = await db.query<{ formId: string; latestVersion: number }>(
    `select form_id as "formId", max(version)::int as "latestVersion" from engine_form group by form_id order by form_id`,
  );
  return rows;
}

/** The schema of the latest version of a form, or undefined. */
export async function readLatestForm(db: Queryable, formId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<{ schema: Record<string, unknown> }>(
    'select schema from engine_form where form_id = $1 order by version desc limit 1',
    [formId],
  );
  return rows[0]?.schema;
}

/** Per element of a process (one version or all): how often it ran to an end, and its mean duration. */
export async function readHeatmap(
  db: Queryable,
  processId: string,
  version: number | undefined,
): Promise<Record<string, { count: number; avgMs: number }>> {
  const { rows } = await db.query<{ element_id: string; count: string; avg_ms: string | null }>(
    `select e.element_id, count(*) as count,
       avg(extract(epoch from (e.ended_at - e.started_at)) * 1000) filter (where e.ended_at is not null) as avg_ms
     from engine_instance i join engine_element_instance e on e.instance_key = i.key
     where i.process_id = $1 and ($2::int is null or i.version = $2) and e.element_type <> 'bpmn:Process'
     group by e.element_id order by e.element_id`,
    [processId, version ?? null],
  );
  return Object.fromEntries(
    rows.map((row) => [row.element_id, { count: Number(row.count), avgMs: row.avg_ms === null ? 0 : Math.round(Number(row.avg_ms)) }]),
  );
}

// ------------------------------------------------------------------ the task list

/** One open user task of the task list. */
export interface TaskListItem {
  taskKey: string;
  name: string;
  elementId: string;
  processId: string;
  instanceKey: string;
  caseId: string | null;
  casePseudonym: string | null;
  /** The case's phase. */
  phase: string | null;
  teamId: string | null;
  assignee: string | null;
  candidateGroups: string[];
  dueDate: string | null;
  followUpDate: string | null;
  priority: number;
  createdAt: string;
  formId: string | null;
}

/** Filters of the task list (all optional); `view` narrows to the caller's own or groups' tasks. */
export interface TaskQuery {
  view?: 'mine' | 'groups' | 'all';
  candidateGroup?: string;
  assignee?: string;
  processId?: string;
  phase?: string;
  caseId?: string;
  dueFrom?: string;
  dueTo?: string;
  followUpFrom?: string;
  followUpTo?: string;
  sort?: 'due-asc' | 'due-desc' | 'priority' | 'created';
}

const TASK_SORTS: Record<NonNullable<TaskQuery['sort']>, string> = {
  'due-asc': 't.due_date asc nulls last, t.key asc',
  'due-desc': 't.due_date desc nulls last, t.key desc',
  priority: 't.priority desc, t.due_date asc nulls last, t.key asc',
  created: 't.created_at desc, t.key desc',
};

const TASK_COLUMNS = `t.key::text as "taskKey", ${TASK_NAME} as name, t.element_id as "elementId", t.process_id as "processId",
  t.instance_key::text as "instanceKey", c.id::text as "caseId", cl.pseudonym as "casePseudonym", c.phase, c.team_id as "teamId",
  t.assignee, t.candidate_groups as "candidateGroups", t.due_date as "dueDate", t.follow_up_date as "followUpDate",
  t.priority, t.created_at as "createdAt", t.form_id as "formId"`;

const TASK_FROM = `engine_user_task t
  join engine_instance i on i.key = t.instance_key
  join engine_process_definition d on d.key = t.definition_key
  ${CASE_JOIN}
  left join client cl on cl.id = c.client_id`;

type TaskRow = Omit<TaskListItem, 'dueDate' | 'followUpDate' | 'createdAt'> & {
  dueDate: Date | null;
  followUpDate: Date | null;
  createdAt: Date;
};

function toTask(row: TaskRow): TaskListItem {
  return { ...row, dueDate: iso(row.dueDate), followUpDate: iso(row.followUpDate), createdAt: iso(row.createdAt)! };
}

/**
 * One page of open user tasks the caller may see: of cases of their teams (an admin: all, also
 * tasks without a case). `me` is the caller's assignee name, `groups` their candidate groups.
 */
export async function searchTaskList(
  db: Queryable,
  options: { scope: TeamScope; me: string; groups: readonly string[]; query: TaskQuery; limit: number; offset: number },
): Promise<{ items: TaskListItem[]; total: number }> {
  const params: unknown[] = [];
  const { query } = options;
  const where = [`t.state = 'CREATED'`];
  // Without a case only an admin sees a task: its team is unknown.
  where.push(options.scope === 'all' ? 'true' : scopeCondition(params, options.scope));
  if (query.view === 'mine') where.push(`t.assignee = ${bind(params, options.me)}`);
  if (query.view === 'groups') where.push(`t.candidate_groups && ${bind(params, [...options.groups])}::text[]`);
  if (query.candidateGroup) where.push(`${bind(params, query.candidateGroup)} = any(t.candidate_groups)`);
  if (query.assignee) where.push(`t.assignee = ${bind(params, query.assignee)}`);
  if (query.processId) where.push(`t.process_id = ${bind(params, query.processId)}`);
  if (query.phase) where.push(`c.phase = ${bind(params, query.phase)}`);
  if (query.caseId) where.push(`c.id = ${bind(params, query.caseId)}::uuid`);
  if (query.dueFrom) where.push(`t.due_date >= ${bind(params, query.dueFrom)}::timestamptz`);
  if (query.dueTo) where.push(`t.due_date <= ${bind(params, query.dueTo)}::timestamptz`);
  if (query.followUpFrom) where.push(`t.follow_up_date >= ${bind(params, query.followUpFrom)}::timestamptz`);
  if (query.followUpTo) where.push(`t.follow_up_date <= ${bind(params, query.followUpTo)}::timestamptz`);
  const order = TASK_SORTS[query.sort ?? 'due-asc'];
  const filter = where.join(' and ');
  const counted = await db.query<{ total: string }>(`select count(*) as total from ${TASK_FROM} where ${filter}`, params);
  // The page apart from the count: with a limit the sort can walk an index and join 50 rows only.
  const pageParams = [...params];
  const { rows } = await db.query<TaskRow>(
    `select ${TASK_COLUMNS} from ${TASK_FROM} where ${filter}
     order by ${order} limit ${bind(pageParams, options.limit)} offset ${bind(pageParams, options.offset)}`,
    pageParams,
  );
  const total = Number(counted.rows[0].total);
  return { items: rows.map(toTask), total };
}

/** One user task (open or not) with its instance's variables and local ones, or undefined. */
export async function readTask(
  db: Queryable,
  taskKey: string,
): Promise<(TaskListItem & { state: string; variables: Record<string, unknown> }) | undefined> {
  const { rows } = await db.query<TaskRow & { state: string; variables: Record<string, unknown>; locals: Record<string, unknown> }>(
    `select ${TASK_COLUMNS}, t.state, i.variables, t.locals from ${TASK_FROM} where t.key = $1`,
    [taskKey],
  );
  if (!rows[0]) return undefined;
  const { state, variables, locals, ...row } = rows[0];
  return { ...toTask(row), state, variables: { ...variables, ...locals } };
}

/** The schema of a task's form: the latest version of its linked form id, or null. */
export async function readTaskForm(db: Queryable, formId: string | null): Promise<Record<string, unknown> | null> {
  if (!formId) return null;
  return (await readLatestForm(db, formId)) ?? null;
}

/** Open tasks due before `now` the scope may see, most overdue first. */
export async function listOverdueTasks(db: Queryable, scope: TeamScope, now: Date, limit = 50): Promise<TaskListItem[]> {
  const params: unknown[] = [now];
  const { rows } = await db.query<TaskRow>(
    `select ${TASK_COLUMNS} from ${TASK_FROM}
     where t.state = 'CREATED' and t.due_date < $1 and ${scope === 'all' ? 'true' : scopeCondition(params, scope)}
     order by t.due_date asc, t.key asc limit ${bind(params, limit)}`,
    params,
  );
  return rows.map(toTask);
}

// ------------------------------------------------------------------ instances

/** One process instance in the instance list. */
export interface InstanceListItem {
  instanceKey: string;
  processId: string;
  version: number;
  processDefinitionKey: string;
  state: string;
  caseId: string | null;
  casePseudonym: string | null;
  teamId: string | null;
  hasIncident: boolean;
  startedAt: string;
  endedAt: string | null;
}

/** Filters of the instance list. `q` matches an instance key, a case id or a pseudonym. */
export interface InstanceQuery {
  processId?: string;
  state?: 'ACTIVE' | 'COMPLETED' | 'TERMINATED' | 'INCIDENT';
  q?: string;
}

const INSTANCE_COLUMNS = `i.key::text as "instanceKey", i.process_id as "processId", i.version, i.definition_key::text as "processDefinitionKey",
  i.state, c.id::text as "caseId", cl.pseudonym as "casePseudonym", c.team_id as "teamId", i.incident as "hasIncident",
  i.started_at as "startedAt", i.ended_at as "endedAt"`;
const INSTANCE_FROM = `engine_instance i
  ${CASE_JOIN}
  left join client cl on cl.id = c.client_id`;

type InstanceRow = Omit<InstanceListItem, 'startedAt' | 'endedAt'> & { startedAt: Date; endedAt: Date | null };
const toInstance = (row: InstanceRow): InstanceListItem => ({ ...row, startedAt: iso(row.startedAt)!, endedAt: iso(row.endedAt) });

function instanceWhere(params: unknown[], scope: TeamScope, query: InstanceQuery): string {
  const where = [scope === 'all' ? 'true' : scopeCondition(params, scope)];
  if (query.processId) where.push(`i.process_id = ${bind(params, query.processId)}`);
  if (query.state === 'INCIDENT') where.push(`i.incident`);
  else if (query.state) where.push(`i.state = ${bind(params, query.state)}`);
  if (query.q) {
    const q = bind(params, query.q);
    where.push(`(i.key::text = ${q} or i.variables ->> 'caseId' = ${q} or cl.pseudonym = upper(${q}))`);
  }
  return where.join(' and ');
}

/** One page of instances the scope may see, newest first. */
export async function searchInstances(
  db: Queryable,
  options: { scope: TeamScope; query: InstanceQuery; limit: number; offset: number },
): Promise<{ items: InstanceListItem[]; total: number }> {
  const params: unknown[] = [];
  const where = instanceWhere(params, options.scope, options.query);
  const { rows } = await db.query<InstanceRow>(
    `select ${INSTANCE_COLUMNS} from ${INSTANCE_FROM} where ${where}
     order by i.started_at desc, i.key desc limit ${bind(params, options.limit)} offset ${bind(params, options.offset)}`,
    params,
  );
  const counted = await db.query<{ total: string }>(
    `select count(*) as total from ${INSTANCE_FROM} where ${where}`,
    params.slice(0, -2),
  );
  return { items: rows.map(toInstance), total: Number(counted.rows[0].total) };
}

/** An instance with where it stands, its incidents, its history and its open user tasks. */
export interface InstanceDetail extends InstanceListItem {
  activeElementIds: string[];
  incidents: { incidentKey: string; elementId: string; errorType: string; message: string }[];
  history: { elementId: string; elementType: string; state: string; startedAt: string; endedAt: string | null }[];
  openUserTasks: { taskKey: string; name: string }[];
}

/** One instance in full, or undefined. */
export async function readInstance(db: Queryable, instanceKey: string): Promise<InstanceDetail | undefined> {
  const { rows } = await db.query<InstanceRow>(`select ${INSTANCE_COLUMNS} from ${INSTANCE_FROM} where i.key = $1`, [instanceKey]);
  if (!rows[0]) return undefined;
  const history = await db.query<{ elementId: string; elementType: string; state: string; startedAt: Date; endedAt: Date | null }>(
    `select element_id as "elementId", element_type as "elementType", state, started_at as "startedAt", ended_at as "endedAt"
     from engine_element_instance where instance_key = $1 and element_type <> 'bpmn:Process' order by started_at, key`,
    [instanceKey],
  );
  const incidents = await db.query<{ incidentKey: string; elementId: string; errorType: string; message: string }>(
    `select key::text as "incidentKey", element_id as "elementId", error_type as "errorType", error_message as message
     from engine_incident where instance_key = $1 and state = 'ACTIVE' order by key`,
    [instanceKey],
  );
  const tasks = await db.query<{ taskKey: string; name: string }>(
    `select t.key::text as "taskKey", ${TASK_NAME} as name from engine_user_task t
     join engine_process_definition d on d.key = t.definition_key
     where t.instance_key = $1 and t.state = 'CREATED' order by t.key`,
    [instanceKey],
  );
  return {
    ...toInstance(rows[0]),
    activeElementIds: [...new Set(history.rows.filter((h) => h.state === 'ACTIVE').map((h) => h.elementId))],
    incidents: incidents.rows,
    history: history.rows.map((h) => ({ ...h, startedAt: iso(h.startedAt)!, endedAt: iso(h.endedAt) })),
    openUserTasks: tasks.rows,
  };
}

/** The instance and team of an active incident, or undefined. */
export async function readIncidentScope(
  db: Queryable,
  incidentKey: string,
): Promise<{ instanceKey: string; teamId: string | null; caseId: string | null } | undefined> {
  const { rows } = await db.query<{ instanceKey: string; teamId: string | null; caseId: string | null }>(
    `select i.key::text as "instanceKey", c.team_id as "teamId", c.id::text as "caseId"
     from engine_incident n join engine_instance i on i.key = n.instance_key
     ${CASE_JOIN} where n.key = $1`,
    [incidentKey],
  );
  return rows[0];
}

/** Active incidents the scope may see, newest first. */
export async function listActiveIncidents(
  db: Queryable,
  scope: TeamScope,
  limit = 50,
): Promise<{ incidentKey: string; instanceKey: string; processId: string; elementId: string; errorType: string; message: string; caseId: string | null; createdAt: string }[]> {
  const params: unknown[] = [];
  const { rows } = await db.query<{ incidentKey: string; instanceKey: string; processId: string; elementId: string; errorType: string; message: string; caseId: string | null; createdAt: Date }>(
    `select n.key::text as "incidentKey", i.key::text as "instanceKey", i.process_id as "processId", n.element_id as "elementId",
       n.error_type as "errorType", n.error_message as message, c.id::text as "caseId", n.created_at as "createdAt"
     from engine_incident n join engine_instance i on i.key = n.instance_key
     ${CASE_JOIN}
     where n.state = 'ACTIVE' and ${scope === 'all' ? 'true' : scopeCondition(params, scope)}
     order by n.created_at desc, n.key desc limit ${bind(params, limit)}`,
    params,
  );
  return rows.map((row) => ({ ...row, createdAt: iso(row.createdAt)! }));
}

/** The instance of a case (its `transition-case` instance, newest first), or undefined. */
export async function findCaseInstanceKey(db: Queryable, caseId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ key: string }>(
    `select i.key::text as key from engine_instance i where i.variables ->> 'caseId' = $1 and i.parent_instance_key is null
     order by i.started_at desc, i.key desc limit 1`,
    [caseId],
  );
  return rows[0]?.key;
}
