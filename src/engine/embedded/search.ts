/**
 * The read side of the embedded engine as the Camunda 8 REST API v2 searches it: process
 * definitions, process instances, element instances, user tasks, incidents and variables.
 * One named query per resource, read-only, parameterised and paginated; each result item is
 * already in the API's shape (keys as digit strings, dates as UTC ISO strings), because these
 * queries exist to answer those searches.
 *
 * Filters take the API's forms: a plain value (equality) or an operator object (`$eq`, `$neq`,
 * `$exists`, `$in`, `$notIn`, `$like`, `$gt`, `$gte`, `$lt`, `$lte`). A filter field this engine
 * cannot evaluate is refused (INVALID_ARGUMENT) rather than ignored: a silently ignored filter
 * returns a wrong answer that looks right.
 */
import type { Queryable } from '../../db/index.js';
import { EngineError } from '../errors.js';

/** The only tenant of the embedded engine, as Camunda 8 names the default tenant. */
export const DEFAULT_TENANT = '<default>';

/** Largest page a search returns; a bigger `limit` is refused. */
export const MAX_PAGE_LIMIT = 10_000;

/** Largest `page.from` (and cursor offset): any offset up to it fits PostgreSQL's bigint. */
export const MAX_PAGE_OFFSET = Number.MAX_SAFE_INTEGER;

/** Camunda 8 truncates variable values in search results at this many characters. */
export const VARIABLE_VALUE_LIMIT = 8191;

/** A search as the API receives it: `filter`, `sort`, `page` (offset or cursor). */
export interface SearchRequest {
  filter?: Record<string, unknown>;
  sort?: { field: string; order?: 'ASC' | 'DESC' | 'asc' | 'desc' }[];
  page?: { from?: number; limit?: number; after?: string; before?: string };
}

/** One page of results and the page description the API answers with. */
export interface SearchResult<T> {
  items: T[];
  page: { totalItems: number; startCursor?: string; endCursor?: string };
}

/** How a filterable field is compared in SQL. */
type FieldKind = 'key' | 'text' | 'int' | 'date' | 'bool' | 'json' | 'text-array' | 'variables';

interface Field {
  /** A SQL expression over the query's FROM clause. */
  sql: string;
  kind: FieldKind;
}

/** A named search: what to read, how to filter and sort it, how a row becomes an item. */
interface SearchDefinition<Row, Item> {
  name: string;
  select: string;
  from: string;
  fields: Record<string, Field>;
  /** API sort field → SQL expression. */
  sortable: Record<string, string>;
  /** Tie-breaker and default order: stable pages. */
  order: string;
  toItem(row: Row): Item;
}

// ------------------------------------------------------------------ element types

/** BPMN element types (bpmn-moddle names) → the API's element instance types. */
const ELEMENT_TYPES: Record<string, string> = {
  'bpmn:Process': 'PROCESS',
  'bpmn:SubProcess': 'SUB_PROCESS',
  'bpmn:Transaction': 'SUB_PROCESS',
  'bpmn:AdHocSubProcess': 'AD_HOC_SUB_PROCESS',
  'bpmn:StartEvent': 'START_EVENT',
  'bpmn:IntermediateCatchEvent': 'INTERMEDIATE_CATCH_EVENT',
  'bpmn:IntermediateThrowEvent': 'INTERMEDIATE_THROW_EVENT',
  'bpmn:BoundaryEvent': 'BOUNDARY_EVENT',
  'bpmn:EndEvent': 'END_EVENT',
  'bpmn:ServiceTask': 'SERVICE_TASK',
  'bpmn:ReceiveTask': 'RECEIVE_TASK',
  'bpmn:UserTask': 'USER_TASK',
  'bpmn:ManualTask': 'MANUAL_TASK',
  'bpmn:Task': 'TASK',
  'bpmn:ExclusiveGateway': 'EXCLUSIVE_GATEWAY',
  'bpmn:InclusiveGateway': 'INCLUSIVE_GATEWAY',
  'bpmn:ParallelGateway': 'PARALLEL_GATEWAY',
  'bpmn:EventBasedGateway': 'EVENT_BASED_GATEWAY',
  'bpmn:SequenceFlow': 'SEQUENCE_FLOW',
  'bpmn:CallActivity': 'CALL_ACTIVITY',
  'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK',
  'bpmn:ScriptTask': 'SCRIPT_TASK',
  'bpmn:SendTask': 'SEND_TASK',
};

/** The same mapping in SQL, so that `type` can be filtered and sorted on. */
function elementTypeSql(column: string): string {
  const cases = Object.entries(ELEMENT_TYPES).map(([bpmn, api]) => `when '${bpmn}' then '${api}'`);
  return `(case ${column} ${cases.join(' ')} else 'UNKNOWN' end)`;
}

/** Incident error types the API knows; anything else is reported as UNKNOWN. */
const INCIDENT_ERROR_TYPES = new Set([
  'UNSPECIFIED', 'UNKNOWN', 'IO_MAPPING_ERROR', 'JOB_NO_RETRIES', 'EXECUTION_LISTENER_NO_RETRIES',
  'TASK_LISTENER_NO_RETRIES', 'AD_HOC_SUB_PROCESS_NO_RETRIES', 'CONDITION_ERROR', 'EXTRACT_VALUE_ERROR',
  'CALLED_ELEMENT_ERROR', 'UNHANDLED_ERROR_EVENT', 'MESSAGE_SIZE_EXCEEDED', 'CALLED_DECISION_ERROR',
  'DECISION_EVALUATION_ERROR', 'FORM_NOT_FOUND', 'RESOURCE_NOT_FOUND',
]);

// ------------------------------------------------------------------ the named searches

/** A process definition as `POST /v2/process-definitions/search` returns it. */
export interface ProcessDefinitionItem {
  processDefinitionKey: string;
  processDefinitionId: string;
  name: string;
  resourceName: string;
  version: number;
  tenantId: string;
  hasStartForm: boolean;
}

const processDefinitions: SearchDefinition<
  { key: string; process_id: string; name: string | null; resource_name: string; version: number },
  ProcessDefinitionItem
> = {
  name: 'process definitions',
  select: 'd.key, d.process_id, d.name, r.name as resource_name, d.version',
  from: 'engine_process_definition d join engine_resource r on r.key = d.resource_key',
  fields: {
    processDefinitionKey: { sql: 'd.key', kind: 'key' },
    processDefinitionId: { sql: 'd.process_id', kind: 'text' },
    name: { sql: 'd.name', kind: 'text' },
    resourceName: { sql: 'r.name', kind: 'text' },
    version: { sql: 'd.version', kind: 'int' },
    isLatestVersion: {
      sql: 'd.version = (select max(l.version) from engine_process_definition l where l.process_id = d.process_id)',
      kind: 'bool',
    },
    hasStartForm: { sql: 'false', kind: 'bool' },
    tenantId: { sql: `'${DEFAULT_TENANT}'`, kind: 'text' },
  },
  sortable: {
    processDefinitionKey: 'd.key',
    processDefinitionId: 'd.process_id',
    name: 'd.name',
    resourceName: 'r.name',
    version: 'd.version',
    tenantId: `'${DEFAULT_TENANT}'`,
  },
  order: 'd.key',
  toItem: (row) => ({
    processDefinitionKey: row.key,
    processDefinitionId: row.process_id,
    // Camunda names an unnamed process by its id.
    name: row.name ?? row.process_id,
    resourceName: row.resource_name,
    version: row.version,
    tenantId: DEFAULT_TENANT,
    hasStartForm: false,
  }),
};

/** A process instance as `POST /v2/process-instances/search` returns it. */
export interface ProcessInstanceItem {
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionName: string;
  processDefinitionVersion: number;
  startDate: string;
  endDate?: string;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  hasIncident: boolean;
  tenantId: string;
  parentProcessInstanceKey?: string;
  parentElementInstanceKey?: string;
}

const PARENT_ELEMENT_SQL = `(select pe.key from engine_element_instance pe
  where pe.instance_key = i.parent_instance_key and pe.execution_id = i.parent_execution_id)`;

const processInstances: SearchDefinition<
  {
    key: string; definition_key: string; process_id: string; name: string | null; version: number; state: string;
    incident: boolean; started_at: Date; ended_at: Date | null; parent_instance_key: string | null; parent_element_key: string | null;
  },
  ProcessInstanceItem
> = {
  name: 'process instances',
  select: `i.key, i.definition_key, i.process_id, d.name, i.version, i.state, i.incident, i.started_at, i.ended_at,
    i.parent_instance_key, ${PARENT_ELEMENT_SQL} as parent_element_key`,
  from: 'engine_instance i join engine_process_definition d on d.key = i.definition_key',
  fields: {
    processInstanceKey: { sql: 'i.key', kind: 'key' },
    processDefinitionKey: { sql: 'i.definition_key', kind: 'key' },
    processDefinitionId: { sql: 'i.process_id', kind: 'text' },
    processDefinitionName: { sql: 'coalesce(d.name, i.process_id)', kind: 'text' },
    processDefinitionVersion: { sql: 'i.version', kind: 'int' },
    parentProcessInstanceKey: { sql: 'i.parent_instance_key', kind: 'key' },
    parentElementInstanceKey: { sql: PARENT_ELEMENT_SQL, kind: 'key' },
    startDate: { sql: 'i.started_at', kind: 'date' },
    endDate: { sql: 'i.ended_at', kind: 'date' },
    state: { sql: 'i.state', kind: 'text' },
    hasIncident: { sql: 'i.incident', kind: 'bool' },
    tenantId: { sql: `'${DEFAULT_TENANT}'`, kind: 'text' },
    variables: { sql: 'i.variables', kind: 'variables' },
  },
  sortable: {
    processInstanceKey: 'i.key',
    processDefinitionId: 'i.process_id',
    processDefinitionName: 'coalesce(d.name, i.process_id)',
    processDefinitionVersion: 'i.version',
    processDefinitionKey: 'i.definition_key',
    parentProcessInstanceKey: 'i.parent_instance_key',
    parentElementInstanceKey: PARENT_ELEMENT_SQL,
    startDate: 'i.started_at',
    endDate: 'i.ended_at',
    state: 'i.state',
    hasIncident: 'i.incident',
    tenantId: `'${DEFAULT_TENANT}'`,
  },
  order: 'i.key',
  toItem: (row) =>
    withoutUndefined({
      processInstanceKey: row.key,
      processDefinitionKey: row.definition_key,
      processDefinitionId: row.process_id,
      processDefinitionName: row.name ?? row.process_id,
      processDefinitionVersion: row.version,
      startDate: iso(row.started_at)!,
      endDate: iso(row.ended_at),
      state: row.state as ProcessInstanceItem['state'],
      hasIncident: row.incident,
      tenantId: DEFAULT_TENANT,
      parentProcessInstanceKey: row.parent_instance_key ?? undefined,
      parentElementInstanceKey: row.parent_element_key ?? undefined,
    }),
};

/** An element instance as `POST /v2/element-instances/search` returns it. */
export interface ElementInstanceItem {
  elementInstanceKey: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  elementId: string;
  elementName: string;
  type: string;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  startDate: string;
  endDate?: string;
  hasIncident: boolean;
  incidentKey?: string;
  tenantId: string;
}

const ELEMENT_INCIDENT_SQL = `(select n.key from engine_incident n where n.instance_key = e.instance_key
  and n.execution_id = e.execution_id and n.state = 'ACTIVE' order by n.key limit 1)`;
const ELEMENT_NAME_SQL = `coalesce(d.model->'elements'->e.element_id->>'name', e.element_id)`;

const elementInstances: SearchDefinition<
  {
    key: string; instance_key: string; definition_key: string; process_id: string; element_id: string; element_name: string;
    type: string; state: string; started_at: Date; ended_at: Date | null; incident_key: string | null;
  },
  ElementInstanceItem
> = {
  name: 'element instances',
  select: `e.key, e.instance_key, i.definition_key, i.process_id, e.element_id, ${ELEMENT_NAME_SQL} as element_name,
    ${elementTypeSql('e.element_type')} as type, e.state, e.started_at, e.ended_at, ${ELEMENT_INCIDENT_SQL} as incident_key`,
  from: `engine_element_instance e join engine_instance i on i.key = e.instance_key
    join engine_process_definition d on d.key = i.definition_key`,
  fields: {
    elementInstanceKey: { sql: 'e.key', kind: 'key' },
    processInstanceKey: { sql: 'e.instance_key', kind: 'key' },
    processDefinitionKey: { sql: 'i.definition_key', kind: 'key' },
    processDefinitionId: { sql: 'i.process_id', kind: 'text' },
    elementId: { sql: 'e.element_id', kind: 'text' },
    elementName: { sql: ELEMENT_NAME_SQL, kind: 'text' },
    type: { sql: elementTypeSql('e.element_type'), kind: 'text' },
    state: { sql: 'e.state', kind: 'text' },
    startDate: { sql: 'e.started_at', kind: 'date' },
    endDate: { sql: 'e.ended_at', kind: 'date' },
    hasIncident: { sql: `(${ELEMENT_INCIDENT_SQL} is not null)`, kind: 'bool' },
    incidentKey: { sql: ELEMENT_INCIDENT_SQL, kind: 'key' },
    tenantId: { sql: `'${DEFAULT_TENANT}'`, kind: 'text' },
  },
  sortable: {
    elementInstanceKey: 'e.key',
    processInstanceKey: 'e.instance_key',
    processDefinitionKey: 'i.definition_key',
    processDefinitionId: 'i.process_id',
    startDate: 'e.started_at',
    endDate: 'e.ended_at',
    elementId: 'e.element_id',
    elementName: ELEMENT_NAME_SQL,
    type: elementTypeSql('e.element_type'),
    state: 'e.state',
    incidentKey: ELEMENT_INCIDENT_SQL,
    tenantId: `'${DEFAULT_TENANT}'`,
  },
  order: 'e.key',
  toItem: (row) =>
    withoutUndefined({
      elementInstanceKey: row.key,
      processInstanceKey: row.instance_key,
      processDefinitionKey: row.definition_key,
      processDefinitionId: row.process_id,
      elementId: row.element_id,
      elementName: row.element_name,
      type: row.type,
      state: row.state as ElementInstanceItem['state'],
      startDate: iso(row.started_at)!,
      endDate: iso(row.ended_at),
      hasIncident: row.incident_key !== null,
      incidentKey: row.incident_key ?? undefined,
      tenantId: DEFAULT_TENANT,
    }),
};

/** A user task as `POST /v2/user-tasks/search` and `GET /v2/user-tasks/{key}` return it. */
export interface UserTaskItem {
  userTaskKey: string;
  name: string;
  state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  assignee?: string;
  elementId: string;
  elementInstanceKey: string;
  candidateGroups: string[];
  candidateUsers: string[];
  processDefinitionId: string;
  processDefinitionKey: string;
  processDefinitionVersion: number;
  processName: string;
  processInstanceKey: string;
  creationDate: string;
  completionDate?: string;
  dueDate?: string;
  followUpDate?: string;
  formKey?: string;
  priority: number;
  tenantId: string;
}

const TASK_NAME_SQL = `coalesce(d.model->'elements'->t.element_id->>'name', t.element_id)`;
// A linked form (zeebe:formDefinition formId) is reported by the key of its latest deployed version.
const TASK_FORM_KEY_SQL = `(select f.key from engine_form f where f.form_id = t.form_id order by f.version desc limit 1)`;
const TASK_COMPLETION_SQL = `(case when t.state = 'COMPLETED' then t.completed_at end)`;

const userTasks: SearchDefinition<
  {
    key: string; name: string; state: string; assignee: string | null; element_id: string; element_instance_key: string;
    candidate_groups: string[]; candidate_users: string[]; process_id: string; definition_key: string; version: number;
    process_name: string | null; instance_key: string; created_at: Date; completion_date: Date | null; due_date: Date | null;
    follow_up_date: Date | null; form_key: string | null; priority: number;
  },
  UserTaskItem
> = {
  name: 'user tasks',
  select: `t.key, ${TASK_NAME_SQL} as name, t.state, t.assignee, t.element_id, t.element_instance_key, t.candidate_groups,
    t.candidate_users, t.process_id, t.definition_key, d.version, d.name as process_name, t.instance_key, t.created_at,
    ${TASK_COMPLETION_SQL} as completion_date, t.due_date, t.follow_up_date, ${TASK_FORM_KEY_SQL} as form_key, t.priority`,
  from: `engine_user_task t join engine_process_definition d on d.key = t.definition_key
    join engine_instance i on i.key = t.instance_key`,
  fields: {
    userTaskKey: { sql: 't.key', kind: 'key' },
    state: { sql: 't.state', kind: 'text' },
    assignee: { sql: 't.assignee', kind: 'text' },
    priority: { sql: 't.priority', kind: 'int' },
    elementId: { sql: 't.element_id', kind: 'text' },
    name: { sql: TASK_NAME_SQL, kind: 'text' },
    candidateGroup: { sql: 't.candidate_groups', kind: 'text-array' },
    candidateUser: { sql: 't.candidate_users', kind: 'text-array' },
    processDefinitionId: { sql: 't.process_id', kind: 'text' },
    processDefinitionKey: { sql: 't.definition_key', kind: 'key' },
    processInstanceKey: { sql: 't.instance_key', kind: 'key' },
    elementInstanceKey: { sql: 't.element_instance_key', kind: 'key' },
    creationDate: { sql: 't.created_at', kind: 'date' },
    completionDate: { sql: TASK_COMPLETION_SQL, kind: 'date' },
    followUpDate: { sql: 't.follow_up_date', kind: 'date' },
    dueDate: { sql: 't.due_date', kind: 'date' },
    processInstanceVariables: { sql: 'i.variables', kind: 'variables' },
    localVariables: { sql: 't.locals', kind: 'variables' },
    tenantId: { sql: `'${DEFAULT_TENANT}'`, kind: 'text' },
  },
  sortable: {
    creationDate: 't.created_at',
    completionDate: TASK_COMPLETION_SQL,
    followUpDate: 't.follow_up_date',
    dueDate: 't.due_date',
    priority: 't.priority',
    name: TASK_NAME_SQL,
  },
  order: 't.key',
  toItem: (row) =>
    withoutUndefined({
      userTaskKey: row.key,
      name: row.name,
      state: row.state as UserTaskItem['state'],
      assignee: row.assignee ?? undefined,
      elementId: row.element_id,
      elementInstanceKey: row.element_instance_key,
      candidateGroups: row.candidate_groups,
      candidateUsers: row.candidate_users,
      processDefinitionId: row.process_id,
      processDefinitionKey: row.definition_key,
      processDefinitionVersion: row.version,
      processName: row.process_name ?? row.process_id,
      processInstanceKey: row.instance_key,
      creationDate: iso(row.created_at)!,
      completionDate: iso(row.completion_date),
      dueDate: iso(row.due_date),
      followUpDate: iso(row.follow_up_date),
      formKey: row.form_key ?? undefined,
      priority: row.priority,
      tenantId: DEFAULT_TENANT,
    }),
};

/** An incident as `POST /v2/incidents/search` returns it. */
export interface IncidentItem {
  incidentKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processInstanceKey: string;
  errorType: string;
  errorMessage: string;
  elementId: string;
  elementInstanceKey?: string;
  creationTime: string;
  state: 'ACTIVE' | 'RESOLVED';
  jobKey?: string;
  tenantId: string;
}

const incidents: SearchDefinition<
  {
    key: string; definition_key: string; process_id: string; instance_key: string; error_type: string; error_message: string;
    element_id: string; element_instance_key: string | null; created_at: Date; state: string; job_key: string | null;
  },
  IncidentItem
> = {
  name: 'incidents',
  select: `n.key, i.definition_key, i.process_id, n.instance_key, n.error_type, n.error_message, n.element_id,
    e.key as element_instance_key, n.created_at, n.state, n.job_key`,
  from: `engine_incident n join engine_instance i on i.key = n.instance_key
    left join engine_element_instance e on e.instance_key = n.instance_key and e.execution_id = n.execution_id`,
  fields: {
    incidentKey: { sql: 'n.key', kind: 'key' },
    processDefinitionKey: { sql: 'i.definition_key', kind: 'key' },
    processDefinitionId: { sql: 'i.process_id', kind: 'text' },
    processInstanceKey: { sql: 'n.instance_key', kind: 'key' },
    errorType: { sql: 'n.error_type', kind: 'text' },
    errorMessage: { sql: 'n.error_message', kind: 'text' },
    elementId: { sql: 'n.element_id', kind: 'text' },
    elementInstanceKey: { sql: 'e.key', kind: 'key' },
    creationTime: { sql: 'n.created_at', kind: 'date' },
    state: { sql: 'n.state', kind: 'text' },
    jobKey: { sql: 'n.job_key', kind: 'key' },
    tenantId: { sql: `'${DEFAULT_TENANT}'`, kind: 'text' },
  },
  sortable: {
    incidentKey: 'n.key',
    processDefinitionKey: 'i.definition_key',
    processDefinitionId: 'i.process_id',
    processInstanceKey: 'n.instance_key',
    errorType: 'n.error_type',
    errorMessage: 'n.error_message',
    elementId: 'n.element_id',
    elementInstanceKey: 'e.key',
    creationTime: 'n.created_at',
    state: 'n.state',
    jobKey: 'n.job_key',
    tenantId: `'${DEFAULT_TENANT}'`,
  },
  order: 'n.key',
  toItem: (row) =>
    withoutUndefined({
      incidentKey: row.key,
      processDefinitionKey: row.definition_key,
      processDefinitionId: row.process_id,
      processInstanceKey: row.instance_key,
      errorType: INCIDENT_ERROR_TYPES.has(row.error_type) ? row.error_type : 'UNKNOWN',
      errorMessage: row.error_message,
      elementId: row.element_id,
      elementInstanceKey: row.element_instance_key ?? undefined,
      creationTime: iso(row.created_at)!,
      state: row.state as IncidentItem['state'],
      jobKey: row.job_key ?? undefined,
      tenantId: DEFAULT_TENANT,
    }),
};

/** A process variable as `POST /v2/variables/search` returns it; `value` is JSON text. */
export interface VariableItem {
  variableKey: string;
  name: string;
  value: string;
  isTruncated: boolean;
  scopeKey: string;
  processInstanceKey: string;
  tenantId: string;
}

// Variables live in one JSON document per instance (one flat scope, as in Camunda 8), so they
// have no key of their own: a stable 60-bit key is derived from instance key and name.
const VARIABLE_KEY_SQL = `(('x' || substr(md5(i.key::text || ':' || v.name), 1, 15))::bit(60)::bigint)`;

const variables: SearchDefinition<{ variable_key: string; name: string; value: unknown; instance_key: string }, VariableItem> = {
  name: 'variables',
  select: `${VARIABLE_KEY_SQL}::text as variable_key, v.name, v.value, i.key as instance_key`,
  from: 'engine_instance i cross join lateral jsonb_each(i.variables) as v(name, value)',
  fields: {
    variableKey: { sql: VARIABLE_KEY_SQL, kind: 'key' },
    name: { sql: 'v.name', kind: 'text' },
    value: { sql: 'v.value', kind: 'json' },
    scopeKey: { sql: 'i.key', kind: 'key' },
    processInstanceKey: { sql: 'i.key', kind: 'key' },
    isTruncated: { sql: `(length(v.value::text) > ${VARIABLE_VALUE_LIMIT})`, kind: 'bool' },
    tenantId: { sql: `'${DEFAULT_TENANT}'`, kind: 'text' },
  },
  sortable: {
    name: 'v.name',
    value: 'v.value::text',
    variableKey: VARIABLE_KEY_SQL,
    scopeKey: 'i.key',
    processInstanceKey: 'i.key',
    tenantId: `'${DEFAULT_TENANT}'`,
  },
  order: 'i.key, v.name',
  toItem: (row) => {
    const json = JSON.stringify(row.value);
    const isTruncated = json.length > VARIABLE_VALUE_LIMIT;
    return {
      variableKey: row.variable_key,
      name: row.name,
      value: isTruncated ? json.slice(0, VARIABLE_VALUE_LIMIT) : json,
      isTruncated,
      scopeKey: row.instance_key,
      processInstanceKey: row.instance_key,
      tenantId: DEFAULT_TENANT,
    };
  },
};

/** Searches process definitions (`POST /v2/process-definitions/search`). */
export const searchProcessDefinitions = (db: Queryable, request: SearchRequest) => runSearch(db, processDefinitions, request);
/** Searches process instances (`POST /v2/process-instances/search`). */
export const searchProcessInstances = (db: Queryable, request: SearchRequest) => runSearch(db, processInstances, request);
/** Searches element instances (`POST /v2/element-instances/search`). */
export const searchElementInstances = (db: Queryable, request: SearchRequest) => runSearch(db, elementInstances, request);
/** Searches user tasks (`POST /v2/user-tasks/search`). */
export const searchUserTasks = (db: Queryable, request: SearchRequest) => runSearch(db, userTasks, request);
/** Searches incidents (`POST /v2/incidents/search`). */
export const searchIncidents = (db: Queryable, request: SearchRequest) => runSearch(db, incidents, request);
/** Searches process variables (`POST /v2/variables/search`). */
export const searchVariables = (db: Queryable, request: SearchRequest) => runSearch(db, variables, request);

/** The full XML of a deployed process definition, or undefined when there is none. */
export async function readProcessDefinitionXml(db: Queryable, processDefinitionKey: string): Promise<string | undefined> {
  const { rows } = await db.query<{ content: string }>(
    'select r.content from engine_process_definition d join engine_resource r on r.key = d.resource_key where d.key = $1',
    [checkKey('processDefinitionKey', processDefinitionKey)],
  );
  return rows[0]?.content;
}

/** State and root-scope variables of one process instance, or undefined when there is none. */
export async function readInstanceOutcome(
  db: Queryable,
  processInstanceKey: string,
): Promise<{ state: ProcessInstanceItem['state']; variables: Record<string, unknown> } | undefined> {
  const { rows } = await db.query<{ state: ProcessInstanceItem['state']; variables: Record<string, unknown> }>(
    'select state, variables from engine_instance where key = $1',
    [checkKey('processInstanceKey', processInstanceKey)],
  );
  return rows[0];
}

/** The full JSON value of one variable (search results may be truncated). */
export async function readVariable(db: Queryable, variableKey: string): Promise<(VariableItem & { isTruncated: false }) | undefined> {
  const { rows } = await db.query<{ variable_key: string; name: string; value: unknown; instance_key: string }>(
    `select ${variables.select} from ${variables.from} where ${VARIABLE_KEY_SQL} = $1::bigint`,
    [checkKey('variableKey', variableKey)],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    variableKey: row.variable_key,
    name: row.name,
    value: JSON.stringify(row.value),
    isTruncated: false,
    scopeKey: row.instance_key,
    processInstanceKey: row.instance_key,
    tenantId: DEFAULT_TENANT,
  };
}

// ------------------------------------------------------------------ the query builder

async function runSearch<Row, Item>(
  db: Queryable,
  definition: SearchDefinition<Row, Item>,
  request: SearchRequest,
): Promise<SearchResult<Item>> {
  const params: unknown[] = [];
  const where = buildWhere(definition, request.filter ?? {}, params);
  const order = buildOrder(definition, request.sort ?? []);
  const { from, limit } = pageOf(request.page ?? {});
  const whereSql = where.length ? `where ${where.join(' and ')}` : '';
  const { rows: counted } = await db.query<{ total: number }>(
    `select count(*)::int as total from ${definition.from} ${whereSql}`,
    params,
  );
  const { rows } = await db.query<Row>(
    `select ${definition.select} from ${definition.from} ${whereSql} order by ${order}
     limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, limit, from],
  );
  const items = rows.map((row) => definition.toItem(row));
  const page: SearchResult<Item>['page'] = { totalItems: counted[0]?.total ?? 0 };
  if (items.length > 0) {
    page.startCursor = encodeCursor(from);
    page.endCursor = encodeCursor(from + items.length);
  }
  return { items, page };
}

function buildWhere(definition: SearchDefinition<unknown, unknown>, filter: Record<string, unknown>, params: unknown[]): string[] {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new EngineError('INVALID_ARGUMENT', 'filter must be an object');
  }
  const conditions: string[] = [];
  for (const [name, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const field = definition.fields[name];
    if (!field) {
      throw new EngineError('INVALID_ARGUMENT', `searching ${definition.name} by "${name}" is not supported by this engine`);
    }
    conditions.push(...fieldConditions(name, field, value, params));
  }
  return conditions;
}

const OPERATORS = new Set(['$eq', '$neq', '$exists', '$in', '$notIn', '$like', '$gt', '$gte', '$lt', '$lte']);

function fieldConditions(name: string, field: Field, value: unknown, params: unknown[]): string[] {
  // Parenthesised: some fields are expressions (`a = (select …)`) that must compare as a whole.
  const column = `(${field.sql})`;
  const bind = (v: unknown) => {
    params.push(v);
    return `$${params.length}${CAST[field.kind]}`;
  };
  if (field.kind === 'variables') {
    // [{name, value}] where value is JSON text: every listed variable must have that value.
    if (!Array.isArray(value)) throw new EngineError('INVALID_ARGUMENT', `filter ${name} must be a list of {name, value}`);
    return value.map((entry: { name?: unknown; value?: unknown }) => {
      if (typeof entry?.name !== 'string' || typeof entry.value !== 'string') {
        throw new EngineError('INVALID_ARGUMENT', `filter ${name} must be a list of {name, value}`);
      }
      params.push(JSON.stringify({ [entry.name]: parseJson(name, entry.value) }));
      return `${column} @> $${params.length}::jsonb`;
    });
  }
  if (field.kind === 'text-array') {
    const wanted = isOperatorObject(value) ? (value as { $eq?: unknown }).$eq : value;
    if (typeof wanted !== 'string') throw new EngineError('INVALID_ARGUMENT', `filter ${name} supports a value or $eq only`);
    params.push(wanted);
    return [`$${params.length}::text = any(${column})`];
  }
  if (!isOperatorObject(value)) return [`${column} = ${bind(checkValue(name, field.kind, value))}`];
  const conditions: string[] = [];
  for (const [operator, operand] of Object.entries(value as Record<string, unknown>)) {
    if (!OPERATORS.has(operator)) throw new EngineError('INVALID_ARGUMENT', `filter ${name}: unknown operator ${operator}`);
    switch (operator) {
      case '$eq':
        conditions.push(`${column} = ${bind(checkValue(name, field.kind, operand))}`);
        break;
      case '$neq':
        conditions.push(`${column} is distinct from ${bind(checkValue(name, field.kind, operand))}`);
        break;
      case '$exists':
        if (typeof operand !== 'boolean') throw new EngineError('INVALID_ARGUMENT', `filter ${name}: $exists takes true or false`);
        conditions.push(`${column} is ${operand ? 'not ' : ''}null`);
        break;
      case '$in':
      case '$notIn': {
        if (!Array.isArray(operand)) throw new EngineError('INVALID_ARGUMENT', `filter ${name}: ${operator} takes a list`);
        const list = operand.map((item) => bind(checkValue(name, field.kind, item)));
        if (list.length === 0) conditions.push(operator === '$in' ? 'false' : 'true');
        else conditions.push(`${column} ${operator === '$in' ? 'in' : 'not in'} (${list.join(', ')})`);
        break;
      }
      case '$like':
        if (field.kind !== 'text' || typeof operand !== 'string') {
          throw new EngineError('INVALID_ARGUMENT', `filter ${name}: $like takes a text pattern`);
        }
        conditions.push(`${column} like ${bind(likePattern(operand))} escape '\\'`);
        break;
      default: {
        const comparison = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[operator as '$gt'];
        if (field.kind !== 'int' && field.kind !== 'date') {
          throw new EngineError('INVALID_ARGUMENT', `filter ${name}: ${operator} needs a number or a date`);
        }
        conditions.push(`${column} ${comparison} ${bind(checkValue(name, field.kind, operand))}`);
      }
    }
  }
  return conditions;
}

const CAST: Record<FieldKind, string> = {
  key: '::bigint',
  text: '::text',
  int: '::int',
  date: '::timestamptz',
  bool: '::boolean',
  json: '::jsonb',
  'text-array': '::text',
  variables: '::jsonb',
};

function isOperatorObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkValue(name: string, kind: FieldKind, value: unknown): unknown {
  switch (kind) {
    case 'key':
      return checkKey(name, value);
    case 'int':
      // The int columns are 32-bit: a larger number would fail the cast, not match nothing.
      if (Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31) return value;
      break;
    case 'bool':
      if (typeof value === 'boolean') return value;
      break;
    case 'date': {
      const date = typeof value === 'string' ? checkDate(Date.parse(value)) : undefined;
      if (date) return date;
      break;
    }
    case 'json':
      if (typeof value === 'string') return JSON.stringify(parseJson(name, value));
      break;
    default:
      if (typeof value === 'string') return value;
  }
  throw new EngineError('INVALID_ARGUMENT', `filter ${name}: ${JSON.stringify(value)} is not a valid ${kind}`);
}

/** A key as the API sends it: a string of at most 18 digits (or a safe integer). */
function checkKey(name: string, value: unknown): string {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text === 'string' && /^-?\d{1,18}$/.test(text)) return text;
  throw new EngineError('INVALID_ARGUMENT', `${name}: ${JSON.stringify(value)} is not a key`);
}

/**
 * A time PostgreSQL reads back as written: years 1 to 9999. Later years come out of
 * `toISOString` as `+010000-…` and earlier ones as `-000001-…` or `0000-…`, which it refuses.
 */
function checkDate(time: number): string | undefined {
  if (Number.isNaN(time)) return undefined;
  const year = new Date(time).getUTCFullYear();
  return year >= 1 && year <= 9999 ? new Date(time).toISOString() : undefined;
}

/** JSON text of a filter, refused when jsonb cannot hold it (NUL, lone surrogates, deep nesting). */
function parseJson(name: string, text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EngineError('INVALID_ARGUMENT', `filter ${name}: value must be JSON text`);
  }
  if (!storableInJsonb(value)) {
    throw new EngineError('INVALID_ARGUMENT', `filter ${name}: value holds text or nesting that cannot be searched for`);
  }
  return value;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** False for a NUL character or lone surrogate anywhere in `value`, or nesting beyond 100 levels. */
function storableInJsonb(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= 100) return false;
  return Object.entries(value).every(([key, child]) => storableInJsonb(key, depth) && storableInJsonb(child, depth + 1));
}

/** Camunda's like: `*` any text, `?` one character, `\` escapes. */
function likePattern(pattern: string): string {
  let sql = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && i + 1 < pattern.length) sql += escapeLike(pattern[++i]);
    else if (char === '*') sql += '%';
    else if (char === '?') sql += '_';
    else sql += escapeLike(char);
  }
  return sql;
}

function escapeLike(char: string): string {
  return char === '%' || char === '_' || char === '\\' ? `\\${char}` : char;
}

function buildOrder(definition: SearchDefinition<unknown, unknown>, sort: NonNullable<SearchRequest['sort']>): string {
  const parts = sort.map(({ field, order }) => {
    const sql = definition.sortable[field];
    if (!sql) throw new EngineError('INVALID_ARGUMENT', `sorting ${definition.name} by "${field}" is not supported`);
    return `${sql} ${String(order ?? 'ASC').toUpperCase() === 'DESC' ? 'desc nulls last' : 'asc nulls first'}`;
  });
  return [...parts, definition.order].join(', ');
}

function pageOf(page: NonNullable<SearchRequest['page']>): { from: number; limit: number } {
  const limit = page.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new EngineError('INVALID_ARGUMENT', `page.limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  if (page.after !== undefined) return { from: decodeCursor(page.after), limit };
  if (page.before !== undefined) return { from: Math.max(0, decodeCursor(page.before) - limit), limit };
  const from = page.from ?? 0;
  if (!Number.isInteger(from) || from < 0 || from > MAX_PAGE_OFFSET) {
    throw new EngineError('INVALID_ARGUMENT', `page.from must be a whole number from 0 to ${MAX_PAGE_OFFSET}`);
  }
  return { from, limit };
}

/** Cursors are opaque to clients; here they are the base64 of an offset. */
function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeCursor(cursor: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { offset: unknown };
    if (Number.isInteger(offset) && (offset as number) >= 0 && (offset as number) <= MAX_PAGE_OFFSET) return offset as number;
  } catch {
    // fall through to the refusal below
  }
  throw new EngineError('INVALID_ARGUMENT', 'page cursor is not one this server issued');
}

function iso(value: Date | string | null): string | undefined {
  return value === null ? undefined : new Date(value).toISOString();
}

/** Optional API fields are left out rather than sent as null (the API's schemas say optional, not nullable). */
function withoutUndefined<T extends object>(object: T): T {
  for (const key of Object.keys(object) as (keyof T)[]) if (object[key] === undefined) delete object[key];
  return object;
}
