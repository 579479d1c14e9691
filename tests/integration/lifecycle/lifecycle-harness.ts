/**
 * The lifecycle scenarios' world: the real server (CLOCK=simulated, ENGINE_AUTH=none) on a fresh
 * database, the real processes and forms of `processes/` deployed over `/v2`, the product's
 * workers bound with `startWorkers` over the Camunda 8 REST API, and staff to own the cases.
 * Tests drive it only the way the product does: cases through the domain modules (as the API
 * routes do), user tasks, messages and the clock over `/v2`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../../src/db/index.js';
import { getCase, openCase, type Case } from '../../../src/domain/cases.js';
import { createClient } from '../../../src/domain/clients.js';
import { validateFormData } from '../../../src/domain/form-validation.js';
import { PROCESSES } from '../../../src/domain/process-contract.js';
import { startWorkers, type RunningWorkers } from '../../../workers/run.js';
import { captureLogger, seedStaff } from '../../fixtures/domain/helpers.js';
import type { Backend } from '../../helpers/databases.js';
import { startEngineServer, type EngineServer } from '../../helpers/engine-server.js';

/** The `processes/` folder. */
export const PROCESSES_DIR = fileURLToPath(new URL('../../../processes/', import.meta.url));

/** A user task as `/v2/user-tasks/search` reports it. */
export interface UserTask {
  userTaskKey: string;
  elementId: string;
  processInstanceKey: string;
  processDefinitionId: string;
  candidateGroups?: string[];
  dueDate?: string;
  formKey?: string;
  state: string;
}

/** The running world of one `describe`. */
export interface Lifecycle {
  readonly url: string;
  readonly db: Database;
  readonly staff: { teamId: string; caseworkerId: string; supervisorId: string };
  /** The simulated time the last clock move set. */
  readonly now: Date;
  /** Admits a client: a case in the domain and its `transition-case` instance, as `POST /api/cases` does. */
  admit(input: { programmeId: string; expectedRelease: string; releaseRegion?: string }): Promise<{ caseId: string; instanceKey: string }>;
  /** POST to `/v2<path>` with a JSON body; returns the parsed answer (or null for 204). */
  post<T = unknown>(path: string, body: unknown): Promise<T>;
  /** Moves the simulated clock to `to` (fires what became due), then waits for the workers. */
  clock(to: Date | string): Promise<void>;
  publish(name: string, correlationKey: string, variables?: Record<string, unknown>): Promise<void>;
  /** Waits for one open user task at `elementId` (optionally of one instance) and returns it. */
  task(elementId: string, processInstanceKey?: string): Promise<UserTask>;
  openTasks(filter: Record<string, unknown>): Promise<UserTask[]>;
  /** Completes the open task at `elementId` with `variables`, then waits for the workers. */
  complete(elementId: string, variables?: Record<string, unknown>, processInstanceKey?: string): Promise<UserTask>;
  /** Intake: consent, the three views, the overall judgement (eligible unless said otherwise). */
  completeIntake(instanceKey: string, eligibility?: 'eligible' | 'not-eligible'): Promise<void>;
  /** Waits until no job is open (every worker step done); fails on an incident. */
  settle(): Promise<void>;
  readCase(caseId: string): Promise<Case>;
  instance(key: string): Promise<{ state: string; hasIncident: boolean }>;
  /** Element ids of the instance's element instances in `state` (ACTIVE, COMPLETED, TERMINATED). */
  elements(key: string, state: string): Promise<string[]>;
  /** Timers the instance waits for, by element id; a called `wait-until` counts under its call activity's id. */
  timers(key: string): Promise<Record<string, Date>>;
}

const RATINGS = { needHousing: '3', needWork: '2', needFinances: '2', needHealth: '1', needFamily: '1', needLeisure: '0', needIdentity: '2' };

/** Starts the world before the tests of the surrounding `describe` and stops it after them. */
export function useLifecycle(
  backend: Backend,
  start = new Date('2027-01-04T08:00:00Z'),
  options: { workerProcesses?: number } = {},
): Lifecycle {
  let engine: EngineServer | undefined;
  const workers: RunningWorkers[] = [];
  let staff = { teamId: '', caseworkerId: '', supervisorId: '' };
  let now = start;
  const { log } = captureLogger();

  const running = () => {
    if (!engine) throw new Error('server not started yet: use it inside a test or hook');
    return engine;
  };

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${running().url}/v2${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /v2${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function settle() {
    const db = running().server.db;
    const until = Date.now() + 20_000;
    for (;;) {
      const { rows } = await db.query<{ open: number; incidents: number }>(
        `select (select count(*)::int from engine_job where state in ('ACTIVATABLE', 'ACTIVATED')) as open,
                (select count(*)::int from engine_incident where state = 'ACTIVE') as incidents`,
      );
      if (rows[0].incidents > 0) {
        const { rows: incidents } = await db.query('select element_id, error_type, error_message from engine_incident where state = $1', ['ACTIVE']);
        throw new Error(`incident: ${JSON.stringify(incidents)}`);
      }
      if (rows[0].open === 0) return;
      if (Date.now() > until) throw new Error(`${rows[0].open} jobs still open after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function openTasks(filter: Record<string, unknown>): Promise<UserTask[]> {
    const { items } = await request<{ items: UserTask[] }>('POST', '/user-tasks/search', {
      filter: { state: 'CREATED', ...filter },
      page: { limit: 100 },
    });
    return items;
  }

  async function task(elementId: string, processInstanceKey?: string): Promise<UserTask> {
    const until = Date.now() + 15_000;
    for (;;) {
      const found = await openTasks({ elementId, ...(processInstanceKey ? { processInstanceKey } : {}) });
      if (found.length === 1) return found[0];
      if (found.length > 1) throw new Error(`${found.length} open tasks at ${elementId}`);
      if (Date.now() > until) throw new Error(`no open task at ${elementId}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Completes a task over /v2 with what its form would submit: the variables must pass the
   * task's form (processes/forms/<formId>.form) as the task-completion route checks them.
   */
  async function submit(found: UserTask, variables: Record<string, unknown>) {
    const { rows } = await running().server.db.query<{ form_id: string | null }>('select form_id from engine_user_task where key = $1', [
      found.userTaskKey,
    ]);
    const formId = rows[0]?.form_id;
    if (!formId) throw new Error(`task ${found.elementId} has no form`);
    const form = JSON.parse(await readFile(`${PROCESSES_DIR}forms/${formId}.form`, 'utf8'));
    const issues = validateFormData(form, variables);
    if (issues.length > 0) throw new Error(`${found.elementId}: the form ${formId} refuses ${JSON.stringify(issues)}`);
    await request('POST', `/user-tasks/${found.userTaskKey}/completion`, { variables });
    await settle();
  }

  const world: Lifecycle = {
    get url() {
      return running().url;
    },
    get db() {
      return running().server.db;
    },
    get staff() {
      return staff;
    },
    get now() {
      return now;
    },
    async admit(input) {
      const db = running().server.db;
      const client = await createClient(db, { familyName: 'Muster', givenNames: 'Erika', birthDate: '1988-04-02' });
      const opened = await openCase(
        db,
        {
          clientId: client.id,
          programmeId: input.programmeId,
          facility: 'JVA Tonna',
          teamId: staff.teamId,
          releaseRegion: input.releaseRegion ?? (input.programmeId === 'sona-nrw' ? 'nrw' : 'erfurt'),
          expectedReleaseDate: input.expectedRelease,
        },
        now,
      );
      const created = await request<{ processInstanceKey: string }>('POST', '/process-instances', {
        processDefinitionId: PROCESSES.transitionCase,
        variables: { caseId: opened.id, programmeId: input.programmeId, teamId: staff.teamId, expectedRelease: input.expectedRelease },
      });
      return { caseId: opened.id, instanceKey: String(created.processInstanceKey) };
    },
    post: (path, body) => request('POST', path, body),
    async clock(to) {
      await settle();
      const target = new Date(to);
      await request('PUT', '/clock', { timestamp: target.getTime() });
      now = target;
      await settle();
    },
    async publish(name, correlationKey, variables = {}) {
      await request('POST', '/messages/publication', { name, correlationKey, variables, timeToLive: 0 });
      await settle();
    },
    task,
    openTasks,
    async complete(elementId, variables = {}, processInstanceKey) {
      const found = await task(elementId, processInstanceKey);
      await submit(found, variables);
      return found;
    },
    async completeIntake(instanceKey, eligibility = 'eligible') {
      await world.complete('record-consent', { privacyNoticeGiven: true, consentDataProcessing: true, consentPartnerReferral: true }, instanceKey);
      for (let view = 0; view < 3; view++) {
        const [first] = await openTasks({ elementId: 'assess-view', processInstanceKey: instanceKey });
        if (!first) throw new Error('no open needs assessment');
        await submit(first, RATINGS);
      }
      await world.complete('assess-overall', { ...RATINGS, eligibility }, instanceKey);
    },
    settle,
    readCase: (caseId) => getCase(running().server.db, caseId),
    instance: (key) => request('GET', `/process-instances/${key}`),
    async elements(key, state) {
      const { rows } = await running().server.db.query<{ element_id: string }>(
        'select element_id from engine_element_instance where instance_key = $1 and state = $2 order by key',
        [key, state],
      );
      return rows.map((row) => row.element_id);
    },
    async timers(key) {
      const { rows } = await running().server.db.query<{ element_id: string; due_at: Date }>(
        `select element_id, due_at from engine_timer where instance_key = $1
         union all
         select e.element_id, t.due_at from engine_instance c
           join engine_timer t on t.instance_key = c.key
           join engine_element_instance e on e.instance_key = c.parent_instance_key and e.execution_id = c.parent_execution_id
         where c.parent_instance_key = $1 and c.state = 'ACTIVE' and c.process_id = 'wait-until'`,
        [key],
      );
      return Object.fromEntries(rows.map((row) => [row.element_id, new Date(row.due_at)]));
    },
  };

  beforeAll(async () => {
    // The clock starts at `start` whatever day the tests run (moving it there would be refused
    // once that day has passed: the clock never goes back).
    engine = await startEngineServer(backend, { CLOCK_START: start.toISOString() });
    const db = engine.server.db;
    staff = await seedStaff(db, 'erfurt');
    await deployProcesses(engine.url);
    // Several worker processes: each its own binding and worker name, racing for the same jobs.
    for (let i = 0; i < (options.workerProcesses ?? 1); i++) {
      workers.push(
        await startWorkers({
          protocol: 'camunda8',
          address: engine.url,
          credentials: { kind: 'none' },
          db,
          log,
          workerName: `lifecycle-test-${i}`,
          pollTimeoutMs: 1_000,
          backOff: { firstMs: 50, maxMs: 200 },
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((running) => running.stop(1_000)));
    await engine?.close();
  });
  return world;
}

/** Deploys every BPMN and form file of `processes/` in one deployment over `/v2`. */
export async function deployProcesses(url: string): Promise<unknown> {
  const form = new FormData();
  for (const dir of [PROCESSES_DIR, `${PROCESSES_DIR}forms/`]) {
    for (const name of (await readdir(dir)).filter((file) => file.endsWith('.bpmn') || file.endsWith('.form')).sort()) {
      form.append('resources', new Blob([await readFile(`${dir}${name}`)]), name);
    }
  }
  const response = await fetch(`${url}/v2/deployments`, { method: 'POST', body: form });
  if (!response.ok) throw new Error(`deployment refused: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Midnight UTC of a calendar date: when a FEEL `date(...)` timer falls due. */
export function midnight(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}
