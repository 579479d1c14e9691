/** The supervisor's part of the product API. */
import { get, post, query } from '../api';

/** The dashboard figures. */
export interface Dashboard {
  byPhase: Record<string, number>;
  byProgramme: Record<string, number>;
  overdueTasks: Array<{ taskKey: string; name: string; casePseudonym: string | null; caseId: string | null; dueDate: string | null; assignee: string | null }>;
  releasesNext6Months: Array<{ caseId: string; pseudonym: string; expectedRelease: string }>;
  referralsWithoutAnswer: Array<{ referralId: string; caseId: string; partnerId: string; answerDueAt: string }>;
  incidents: Array<{ incidentKey: string; instanceKey: string; processId: string; elementId: string; errorType: string; message: string; caseId: string | null; createdAt: string }>;
}

/** One instance in the list. */
export interface InstanceItem {
  instanceKey: string;
  processId: string;
  version: number;
  state: string;
  caseId: string | null;
  casePseudonym: string | null;
  hasIncident: boolean;
  startedAt: string;
  endedAt: string | null;
}

/** Filters of the instance list. */
export interface InstanceFilters {
  processId?: string;
  state?: string;
  q?: string;
}

/** One instance with what the diagram shows. */
export interface InstanceDetail {
  instanceKey: string;
  processId: string;
  version: number;
  processDefinitionKey: string;
  state: string;
  caseId: string | null;
  startedAt: string;
  endedAt: string | null;
  activeElementIds: string[];
  incidents: Array<{ incidentKey: string; elementId: string; errorType: string; message: string }>;
  history: Array<{ elementId: string; elementType: string; state: string; startedAt: string; endedAt: string | null }>;
  openUserTasks: Array<{ taskKey: string; name: string }>;
}

/** The supervisor dashboard. */
export const fetchDashboard = () => get<Dashboard>('/api/dashboard');
/** One page of instances. */
export const searchInstances = (filters: InstanceFilters, cursor?: string) =>
  get<{ items: InstanceItem[]; total: number; nextCursor: string | null }>(`/api/instances${query({ ...filters, cursor, limit: 50 })}`);
/** The CSV export address of the same filters. */
export const instancesCsvUrl = (filters: InstanceFilters) => `/api/instances.csv${query({ ...filters })}`;
/** One instance. */
export const fetchInstance = (instanceKey: string) => get<InstanceDetail>(`/api/instances/${encodeURIComponent(instanceKey)}`);
/** Retries the job of an incident. */
export const retryIncident = (incidentKey: string) => post(`/api/incidents/${encodeURIComponent(incidentKey)}/retry`);
/** Average time and count per element of a process (all versions, or one). */
export const fetchHeatmap = (processId: string, version?: number) =>
  get<{ elements: Record<string, { count: number; avgMs: number }> }>(
    `/api/processes/${encodeURIComponent(processId)}/heatmap${query({ version })}`,
  );
