/**
 * Helpers of the Camunda 7 protocol tests: the real server (`startServer`) on a fresh database,
 * an engine handle on the server's database to deploy the fixtures and start instances (the
 * product has no HTTP route for that yet), and real external-task clients that are stopped
 * after the tests.
 */
import { readFile } from 'node:fs/promises';
import { Client, type ClientOptions } from 'camunda-external-task-client-js';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createSystemClock } from '../../../src/engine/clock.js';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../../src/engine/embedded/engine.js';
import type { Backend } from '../../helpers/databases.js';
import { useAuthServer, type AuthServer } from '../../helpers/auth-server.js';

/** The fixtures of these tests (tests/fixtures/bpmn/engine-rest/). */
export const FIXTURES = ['c7-scoring.bpmn', 'c7-flaky.bpmn', 'c7-eligibility.bpmn', 'c7-two-steps.bpmn'];

/** A running server with an engine on its database and a way to make clients. */
export interface EngineRestServer extends AuthServer {
  /** The server's Camunda 7 base URL, as clients take it. */
  readonly baseUrl: string;
  /** Deploys and starts instances on the server's database. */
  readonly engine: EmbeddedEngine;
  /** A real client on the server; stopped after the tests. `autoPoll` is off unless asked. */
  client(options: Omit<ClientOptions, 'baseUrl'>): Client;
}

/** Starts the server with `env` before the tests of the surrounding `describe`, fixtures deployed. */
export function useEngineRestServer(backend: Backend, env: Record<string, string>): EngineRestServer {
  const server = useAuthServer(backend, env);
  const clients: Client[] = [];
  let engine: EmbeddedEngine | undefined;
  beforeAll(async () => {
    engine = createEmbeddedEngine({ db: server.db, clock: createSystemClock(), log: pino({ level: 'silent' }) });
    const files = await Promise.all(
      FIXTURES.map(async (name) => ({
        name,
        content: await readFile(new URL(`../../fixtures/bpmn/engine-rest/${name}`, import.meta.url), 'utf8'),
      })),
    );
    await engine.deploy(files);
  });
  // Registered after useAuthServer's hook, so it runs first: clients stop before the server.
  afterAll(() => {
    for (const client of clients) client.stop();
  });
  return {
    get url() {
      return server.url;
    },
    get db() {
      return server.db;
    },
    get server() {
      return server.server;
    },
    get adminPassword() {
      return server.adminPassword;
    },
    get baseUrl() {
      return `${server.url}/engine-rest`;
    },
    get engine() {
      if (!engine) throw new Error('engine not ready: use it inside a test or hook');
      return engine;
    },
    client(options: Omit<ClientOptions, 'baseUrl'>) {
      const client = new Client({ autoPoll: false, interval: 100, ...options, baseUrl: `${server.url}/engine-rest` });
      clients.push(client);
      return client;
    },
  };
}

/** Polls `probe` every 50 ms until it returns a value other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A promise with its resolve function, for handlers that report to the test. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** POSTs JSON to the server and returns status, content-type and the parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | null; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
}
