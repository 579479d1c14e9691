/**
 * The real server for the worker tests (ENGINE_AUTH=credentials, CLOCK=simulated) on a fresh
 * database, a machine credential for the workers under test, the fixtures deployed, and an
 * `@camunda8/sdk` client of the test's own to start instances and read what became of them.
 */
import { fileURLToPath } from 'node:url';
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll } from 'vitest';
import { issueMachineCredential } from '../../../src/auth/machine-credentials.js';
import type { Database } from '../../../src/db/index.js';
import type { RunningServer } from '../../../src/server.js';
import type { Logger } from '../../../workers/lib/types.js';
import { captureLogger } from '../../fixtures/domain/helpers.js';
import type { Backend } from '../../helpers/databases.js';
import { startEngineServer, type EngineServer } from '../../helpers/engine-server.js';

/** Searches read committed state at once: no eventual consistency to wait for. */
const now = { consistency: { waitUpToMs: 0 } };
/** The SDK brands keys in search filters even in its loose client; ours are plain strings. */
const asKey = (value: unknown) => String(value) as never;
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/bpmn/workers/${name}`, import.meta.url));

/** A running server for the tests of one `describe`; read its fields inside tests and hooks. */
export interface WorkerServer {
  readonly url: string;
  readonly db: Database;
  readonly server: RunningServer;
  /** The server's PostgreSQL database; undefined on PGlite. */
  readonly databaseUrl: string | undefined;
  /** A machine credential issued for the workers under test. */
  readonly credential: { clientId: string; secret: string };
  /** A logger for the workers under test, and every line it wrote. */
  readonly log: Logger;
  readonly logLines: Record<string, unknown>[];
  start(variables: Record<string, unknown>, processDefinitionId?: string): Promise<string>;
  instance(key: string): Promise<{ state: string; hasIncident: boolean }>;
  completedElements(key: string): Promise<string[]>;
  variables(key: string): Promise<Record<string, unknown>>;
  incident(key: string): Promise<{ errorType: string; errorMessage: string } | undefined>;
  /** Moves the engine's simulated clock to `timestamp` (epoch ms). */
  setClock(timestamp: number): Promise<void>;
}

/** Starts the server before the tests of the surrounding `describe` and stops it after them. */
export function useWorkerServer(backend: Backend, env: Record<string, string> = {}): WorkerServer {
  let engine: EngineServer | undefined;
  let client: CamundaClientLoose;
  let credential = { clientId: '', secret: '' };
  const { log, lines } = captureLogger();

  beforeAll(async () => {
    engine = await startEngineServer(backend, { ENGINE_AUTH: 'credentials', ...env });
    const issued = await issueMachineCredential(
      engine.server.db,
      { clientId: 'test-workers', createdBy: null },
      { actor: { type: 'system', id: null }, route: null },
    );
    credential = { clientId: issued.credential.clientId, secret: issued.secret };
    const { Camunda8 } = await import('@camunda8/sdk');
    client = new Camunda8({
      ZEEBE_REST_ADDRESS: engine.url,
      CAMUNDA_AUTH_STRATEGY: 'BASIC',
      CAMUNDA_BASIC_AUTH_USERNAME: credential.clientId,
      CAMUNDA_BASIC_AUTH_PASSWORD: credential.secret,
      CAMUNDA_LOG_LEVEL: 'none',
    }).getOrchestrationClusterApiClientLoose({}, { cached: false });
    await client.deployResourcesFromFiles([fixture('workers-outcomes.bpmn'), fixture('workers-notify.bpmn')]);
  });
  afterAll(async () => {
    await engine?.close();
  });

  const running = () => {
    if (!engine) throw new Error('server not started yet: use it inside a test or hook');
    return engine;
  };
  return {
    get url() {
      return running().url;
    },
    get db() {
      return running().server.db;
    },
    get server() {
      return running().server;
    },
    get databaseUrl() {
      return running().databaseUrl;
    },
    get credential() {
      return credential;
    },
    log,
    logLines: lines,
    async start(variables, processDefinitionId = 'workers-outcomes') {
      const created = await client.createProcessInstance({ processDefinitionId, variables });
      return String(created.processInstanceKey);
    },
    instance: (key) => client.getProcessInstance({ processInstanceKey: key }, now),
    async completedElements(key) {
      const { items } = await client.searchElementInstances(
        { filter: { processInstanceKey: asKey(key), state: 'COMPLETED' }, page: { limit: 100 } },
        now,
      );
      return (items ?? []).map((item) => item.elementId);
    },
    async variables(key) {
      const { items } = await client.searchVariables({ filter: { processInstanceKey: asKey(key) } }, now);
      return Object.fromEntries(items.map((item) => [item.name, JSON.parse(item.value)]));
    },
    async incident(key) {
      const { items } = await client.searchIncidents({ filter: { processInstanceKey: asKey(key), state: 'ACTIVE' } }, now);
      const found = items?.[0];
      return found && { errorType: String(found.errorType), errorMessage: String(found.errorMessage) };
    },
    async setClock(timestamp) {
      const response = await fetch(`${running().url}/v2/clock`, {
        method: 'PUT',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${credential.clientId}:${credential.secret}`).toString('base64')}`,
        },
        body: JSON.stringify({ timestamp }),
      });
      if (response.status !== 204) throw new Error(`PUT /v2/clock answered ${response.status}`);
    },
  };
}

/** Polls `read` until `done` holds for its value (or fails after `timeoutMs` with the last value). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
