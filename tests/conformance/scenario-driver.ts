/**
 * A generic driver for the conformance corpus (../shared/conformance/MANIFEST.md, "scenarios.json
 * conventions"): deploys a scenario's files, starts its instance, answers jobs and user tasks,
 * publishes its messages, moves the clock for its timers — all through `@camunda8/sdk` — and
 * then checks what it expects. It never throws for a scenario that does not behave: it returns
 * the reasons, so that the test can tell a known failure from a new one.
 */
import path from 'node:path';
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';

/** One entry of scenarios.json. */
export interface Scenario {
  file: string;
  scenario: string;
  processId: string;
  start?: 'create' | 'message';
  startVariables?: Record<string, unknown>;
  deployAlso?: string[];
  jobs?: Record<string, Record<string, unknown>>;
  jobErrors?: Record<string, { errorCode: string; errorMessage?: string; variables?: Record<string, unknown> }>;
  userTasks?: Record<string, Record<string, unknown>>;
  messages?: {
    name: string;
    correlationKey: string;
    variables?: Record<string, unknown>;
    startsInstance?: boolean;
    afterElement?: string;
    timeToLiveMs?: number;
  }[];
  expectEndEvents?: string[];
  forbidEndEvents?: string[];
  expectChildEndEvents?: Record<string, string[]>;
  expectVariables?: Record<string, unknown>;
  expectAbsentVariables?: string[];
  expectJobVariables?: Record<string, Record<string, unknown>>;
  expectJobCounts?: Record<string, number>;
  expectUserTaskAssignee?: Record<string, string>;
  timersFired?: { elementId: string; duration: string }[];
  maxSeconds: number;
}

/** What came of one scenario: the reasons it failed, none when it passed. */
export interface ScenarioOutcome {
  failures: string[];
  /** How long the run took, in ms. */
  elapsedMs: number;
}

/** The name a scenario is reported by: file (without folder and extension) # scenario. */
export function scenarioName(scenario: Scenario): string {
  return `${path.basename(scenario.file, '.bpmn')}#${scenario.scenario}`;
}

/** Searches read committed state: nothing to wait for. */
const NOW = { consistency: { waitUpToMs: 0 } };
/** A run that has had nothing to do and changed nothing for this long is stuck (fails fast). */
const STUCK_AFTER_MS = 3_000;
/** Lock of a job taken by the driver; short, so that a job taken by mistake comes back soon. */
const JOB_LOCK_MS = 5_000;
const IDLE_SLEEP_MS = 40;

const asKey = (value: unknown) => String(value) as never;

/**
 * Runs `scenario` with the corpus files under `corpusDir`. `suffix` is appended to every
 * correlation key and to every variable value equal to one, so that messages buffered by an
 * earlier run on the same engine cannot correlate (MANIFEST, driver caution 3).
 */
export async function runScenario(
  client: CamundaClientLoose,
  corpusDir: string,
  scenario: Scenario,
  suffix: string,
): Promise<ScenarioOutcome> {
  const started = Date.now();
  const failures: string[] = [];
  const keys = new Set((scenario.messages ?? []).map((m) => m.correlationKey).filter(Boolean));
  const local = <T>(value: T): T => localize(value, keys, suffix);
  let rootKey: string | undefined;
  try {
    rootKey = await drive(client, corpusDir, scenario, local, failures);
  } catch (error) {
    failures.push(`driver error: ${describeError(error)}`);
  } finally {
    if (rootKey) await client.cancelProcessInstance({ processInstanceKey: asKey(rootKey) }).catch(() => undefined);
  }
  return { failures, elapsedMs: Date.now() - started };
}

type Localize = <T>(value: T) => T;

async function drive(
  client: CamundaClientLoose,
  corpusDir: string,
  scenario: Scenario,
  local: Localize,
  failures: string[],
): Promise<string | undefined> {
  // -------------------------------------------------------------- deploy
  const files = [...(scenario.deployAlso ?? []), scenario.file].map((file) => path.join(corpusDir, file));
  try {
    await client.deployResourcesFromFiles(files);
  } catch (error) {
    failures.push(`deploy refused: ${describeError(error)}`);
    return undefined;
  }

  // -------------------------------------------------------------- start
  const messages = (scenario.messages ?? []).map((m) => ({ ...m, correlationKey: local(m.correlationKey), variables: local(m.variables ?? {}) }));
  let rootKey: string | undefined;
  if (scenario.start === 'message') {
    const before = new Set(await instanceKeysOf(client, scenario.processId));
    const startMessage = messages.find((m) => m.startsInstance);
    if (!startMessage) throw new Error('a message start needs a message with startsInstance');
    await client.publishMessage({
      name: startMessage.name,
      correlationKey: startMessage.correlationKey,
      variables: startMessage.variables,
      timeToLive: startMessage.timeToLiveMs ?? 0,
    });
    rootKey = (await instanceKeysOf(client, scenario.processId)).find((key) => !before.has(key));
    if (!rootKey) {
      failures.push(`message ${startMessage.name} started no instance of ${scenario.processId}`);
      return undefined;
    }
  } else {
    const created = await client.createProcessInstance({
      processDefinitionId: scenario.processId,
      variables: local(scenario.startVariables ?? {}),
    });
    rootKey = String(created.processInstanceKey);
  }
  const pending = messages.filter((m) => !m.startsInstance);

  // -------------------------------------------------------------- drive
  const jobTypes = [...new Set([...Object.keys(scenario.jobs ?? {}), ...Object.keys(scenario.jobErrors ?? {})])];
  const jobsSeen = new Map<string, Record<string, unknown>[]>();
  const assignees = new Map<string, string | undefined>();
  const timersMoved = new Set<string>();
  const deadline = Date.now() + scenario.maxSeconds * 1000;
  let lastProgress = Date.now();
  let lastFingerprint = '';
  let tree: string[] = [rootKey];

  for (;;) {
    tree = await instanceTree(client, rootKey);
    const root = await client.getProcessInstance({ processInstanceKey: asKey(rootKey) }, NOW);
    if (root.state !== 'ACTIVE') break;
    const incidents = await activeIncidents(client, tree);
    if (incidents.length > 0) {
      failures.push(`incident: ${incidents.join('; ')}`);
      break;
    }
    let acted = false;

    for (const type of jobTypes) {
      const { jobs } = await client.activateJobs({ type, worker: 'corpus-driver', maxJobsToActivate: 10, timeout: JOB_LOCK_MS, requestTimeout: -1 });
      for (const job of jobs) {
        const instanceKey = String(job.processInstanceKey);
        if (!tree.includes(instanceKey)) {
          tree = await instanceTree(client, rootKey);
          // Another scenario's job (MANIFEST, driver caution 1): leave it; its lock runs out.
          if (!tree.includes(instanceKey)) continue;
        }
        jobsSeen.set(type, [...(jobsSeen.get(type) ?? []), job.variables as Record<string, unknown>]);
        const error = scenario.jobErrors?.[type];
        if (error) {
          await client.throwJobError({
            jobKey: job.jobKey,
            errorCode: error.errorCode,
            errorMessage: error.errorMessage,
            variables: local(error.variables ?? {}),
          });
        } else {
          await client.completeJob({ jobKey: job.jobKey, variables: local(scenario.jobs?.[type] ?? {}) });
        }
        acted = true;
      }
    }

    for (const instanceKey of tree) {
      const { items } = await client.searchUserTasks({ filter: { processInstanceKey: asKey(instanceKey), state: 'CREATED' } }, NOW);
      for (const task of items) {
        const elementId = String(task.elementId);
        if (!assignees.has(elementId)) assignees.set(elementId, task.assignee);
        const variables = scenario.userTasks?.[elementId];
        if (!variables) continue;
        await client.completeUserTask({ userTaskKey: task.userTaskKey, variables: local(variables) });
        acted = true;
      }
    }

    const next = pending[0];
    if (next && (!next.afterElement || (await activeElements(client, tree, next.afterElement)).length > 0)) {
      await client.publishMessage({
        name: next.name,
        correlationKey: next.correlationKey,
        variables: next.variables,
        timeToLive: next.timeToLiveMs ?? 0,
      });
      pending.shift();
      acted = true;
    }

    if (!acted) {
      // Timers the scenario expects to fire: once waiting and nothing else is to be done, move
      // the engine clock past them instead of waiting (PUT /v2/clock).
      for (const timer of scenario.timersFired ?? []) {
        if (timersMoved.has(timer.elementId)) continue;
        const [waiting] = await activeElements(client, tree, timer.elementId);
        if (!waiting) continue;
        await client.pinClock({ timestamp: Date.parse(waiting.startDate) + durationMs(timer.duration) + 1_000 });
        timersMoved.add(timer.elementId);
        acted = true;
      }
    }

    const fingerprint = await treeFingerprint(client, tree);
    if (acted || fingerprint !== lastFingerprint) lastProgress = Date.now();
    lastFingerprint = fingerprint;
    if (Date.now() > deadline || Date.now() - lastProgress > STUCK_AFTER_MS) {
      const waitingAt = (await activeElements(client, tree)).map((e) => e.elementId);
      failures.push(
        `${Date.now() > deadline ? `not completed within ${scenario.maxSeconds} s` : `stuck for ${STUCK_AFTER_MS / 1000} s`}, ` +
          `waiting at [${waitingAt.join(', ')}]` +
          (pending.length ? `, messages not yet published: [${pending.map((m) => `${m.name} after ${m.afterElement}`).join(', ')}]` : ''),
      );
      return rootKey;
    }
    if (!acted) await new Promise((resolve) => setTimeout(resolve, IDLE_SLEEP_MS));
  }

  // -------------------------------------------------------------- expectations
  const root = await client.getProcessInstance({ processInstanceKey: asKey(rootKey) }, NOW);
  if (root.state !== 'COMPLETED') failures.push(`root instance ended ${root.state}, expected COMPLETED`);
  const completed = new Set((await elementsOf(client, rootKey, 'COMPLETED')).map((e) => e.elementId));
  for (const id of scenario.expectEndEvents ?? []) if (!completed.has(id)) failures.push(`end event ${id} not reached`);
  for (const id of scenario.forbidEndEvents ?? []) if (completed.has(id)) failures.push(`forbidden end event ${id} reached`);
  for (const [processId, ends] of Object.entries(scenario.expectChildEndEvents ?? {})) {
    const children = await childInstances(client, tree, processId);
    if (ends.length === 0) {
      if (children.some((child) => child.state === 'COMPLETED')) failures.push(`child ${processId} completed, expected it not to`);
      continue;
    }
    if (children.length === 0) {
      failures.push(`no child instance of ${processId}`);
      continue;
    }
    const reached = new Set<string>();
    for (const child of children) for (const e of await elementsOf(client, child.key, 'COMPLETED')) reached.add(e.elementId);
    for (const id of ends) if (!reached.has(id)) failures.push(`child ${processId}: end event ${id} not reached`);
  }
  if (scenario.expectVariables || scenario.expectAbsentVariables) {
    const variables = await variablesOf(client, rootKey);
    const expected = local(scenario.expectVariables ?? {});
    for (const [name, value] of Object.entries(expected)) {
      if (!isSubset(value, variables[name])) failures.push(`variable ${name} is ${JSON.stringify(variables[name])}, expected ${JSON.stringify(value)}`);
    }
    for (const name of scenario.expectAbsentVariables ?? []) if (name in variables) failures.push(`variable ${name} should be absent`);
  }
  for (const [type, count] of Object.entries(scenario.expectJobCounts ?? {})) {
    const seen = jobsSeen.get(type)?.length ?? 0;
    if (seen !== count) failures.push(`${seen} jobs of type ${type}, expected ${count}`);
  }
  for (const [type, variables] of Object.entries(local(scenario.expectJobVariables ?? {}))) {
    if (!(jobsSeen.get(type) ?? []).some((seen) => isSubset(variables, seen))) {
      failures.push(`no job of type ${type} carried ${JSON.stringify(variables)}`);
    }
  }
  for (const [elementId, assignee] of Object.entries(scenario.expectUserTaskAssignee ?? {})) {
    if (assignees.get(elementId) !== assignee) failures.push(`user task ${elementId} assigned to ${assignees.get(elementId)}, expected ${assignee}`);
  }
  for (const timer of scenario.timersFired ?? []) {
    const fired = (await elementsOf(client, rootKey, 'COMPLETED')).some((e) => e.elementId === timer.elementId);
    if (!fired) failures.push(`timer ${timer.elementId} did not fire`);
  }
  return rootKey;
}

// ------------------------------------------------------------------ reading the engine

async function instanceKeysOf(client: CamundaClientLoose, processId: string): Promise<string[]> {
  const { items } = await client.searchProcessInstances({ filter: { processDefinitionId: processId }, page: { limit: 1000 } }, NOW);
  return items.map((item) => String(item.processInstanceKey));
}

/** The root and every instance it called, directly or further down. */
async function instanceTree(client: CamundaClientLoose, rootKey: string): Promise<string[]> {
  const tree = [rootKey];
  let frontier = [rootKey];
  while (frontier.length > 0) {
    const { items } = await client.searchProcessInstances(
      { filter: { parentProcessInstanceKey: { $in: frontier.map(asKey) } }, page: { limit: 1000 } },
      NOW,
    );
    frontier = items.map((item) => String(item.processInstanceKey)).filter((key) => !tree.includes(key));
    tree.push(...frontier);
  }
  return tree;
}

async function childInstances(client: CamundaClientLoose, tree: string[], processId: string) {
  const children: { key: string; state: string }[] = [];
  for (const parent of tree) {
    const { items } = await client.searchProcessInstances(
      { filter: { parentProcessInstanceKey: asKey(parent), processDefinitionId: processId } },
      NOW,
    );
    children.push(...items.map((item) => ({ key: String(item.processInstanceKey), state: String(item.state) })));
  }
  return children;
}

async function elementsOf(client: CamundaClientLoose, instanceKey: string, state?: 'ACTIVE' | 'COMPLETED', elementId?: string) {
  const filter: Record<string, unknown> = { processInstanceKey: asKey(instanceKey) };
  if (state) filter.state = state;
  if (elementId) filter.elementId = elementId;
  const { items } = await client.searchElementInstances({ filter, page: { limit: 1000 } } as never, NOW);
  return (items ?? []).map((item) => ({ elementId: String(item.elementId), state: String(item.state), startDate: String(item.startDate) }));
}

async function activeElements(client: CamundaClientLoose, tree: string[], elementId?: string) {
  const found = [];
  for (const key of tree) found.push(...(await elementsOf(client, key, 'ACTIVE', elementId)));
  return found;
}

/** Changes whenever any element instance of the tree starts or ends. */
async function treeFingerprint(client: CamundaClientLoose, tree: string[]): Promise<string> {
  const parts = [];
  for (const key of tree) parts.push(`${key}:${(await elementsOf(client, key)).map((e) => `${e.elementId}=${e.state}`).join(',')}`);
  return parts.join('|');
}

async function activeIncidents(client: CamundaClientLoose, tree: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const key of tree) {
    const { items } = await client.searchIncidents({ filter: { processInstanceKey: asKey(key), state: 'ACTIVE' } }, NOW);
    found.push(...(items ?? []).map((i) => `${i.errorType} at ${i.elementId}: ${i.errorMessage}`));
  }
  return found;
}

async function variablesOf(client: CamundaClientLoose, instanceKey: string): Promise<Record<string, unknown>> {
  const { items } = await client.searchVariables({ filter: { processInstanceKey: asKey(instanceKey) }, page: { limit: 1000 } }, NOW);
  return Object.fromEntries(items.map((item) => [item.name, JSON.parse(item.value)]));
}

// ------------------------------------------------------------------ helpers

/** Deeply replaces every string equal to a correlation key by the key with `suffix`. */
function localize<T>(value: T, keys: ReadonlySet<string>, suffix: string): T {
  if (typeof value === 'string') return (keys.has(value) ? `${value}${suffix}` : value) as T;
  if (Array.isArray(value)) return value.map((item) => localize(item, keys, suffix)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localize(v, keys, suffix)])) as T;
  }
  return value;
}

/** `expected` is contained in `actual`: objects by their listed keys, everything else equal. */
function isSubset(expected: unknown, actual: unknown): boolean {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) => isSubset(v, (actual as Record<string, unknown>)[k]));
  }
  return JSON.stringify(expected) === JSON.stringify(actual);
}

/** Milliseconds of a day-time ISO 8601 duration (PnDTnHnMnS), enough for the corpus timers. */
function durationMs(duration: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match) throw new Error(`unsupported duration ${duration}`);
  const [, d, h, m, s] = match.map((part) => Number(part ?? 0));
  return (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
}

function describeError(error: unknown): string {
  const e = error as { status?: number; detail?: string; message?: string };
  return [e.status, e.detail ?? e.message].filter(Boolean).join(' ');
}
