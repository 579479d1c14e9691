/** The modeler's part of the product API (deployments, processes, forms). */
import { get, post } from '../api';

/** One deployed version of a process. */
export interface ProcessVersion {
  version: number;
  processDefinitionKey: string;
  deployedAt: string;
}

/** A process with all its deployed versions. */
export interface ProcessSummary {
  processId: string;
  name: string | null;
  latestVersion: number;
  versions: ProcessVersion[];
}

/** What a successful deployment answers. */
export interface DeploymentResult {
  deploymentKey: string;
  processes: Array<{ processId: string; version: number; processDefinitionKey: string }>;
  forms: Array<{ formId: string; version: number }>;
}

/** Every deployed process. */
export const listProcesses = () => get<ProcessSummary[]>('/api/processes');

/** The BPMN XML of one version. */
export const fetchProcessXml = (processId: string, version: number) =>
  get<string>(`/api/processes/${encodeURIComponent(processId)}/versions/${version}/xml`, { text: true });

/** Deploys resources (`x.bpmn`, `x.form`); a refusal throws an ApiError with `issues`. */
export const deploy = (resources: Array<{ name: string; content: string }>) =>
  post<DeploymentResult>('/api/deployments', { resources });

/** Every deployed form. */
export const listForms = () => get<Array<{ formId: string; latestVersion: number }>>('/api/forms');

/** The latest schema of a form. */
export const fetchForm = (formId: string) => get<Record<string, unknown>>(`/api/forms/${encodeURIComponent(formId)}`);
