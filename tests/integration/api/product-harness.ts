/**
 * The product API on a fresh database for one `describe`: the app with its engine, people of
 * every role (team roles in team-a, one caseworker of team-b), sessions made straight in the
 * database, and the fixture `transition-case` process deployed over the API.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Membership } from '../../../src/auth/roles.js';
import { createSession } from '../../../src/auth/sessions.js';
import type { EngineRuntime } from '../../../src/engine/index.js';
import { listenWithRoutes } from '../../helpers/auth-app.js';
import { call, createTestUser, type Answer, type Session } from '../../helpers/auth-server.js';
import { useDatabase, type Backend } from '../../helpers/databases.js';

/** The people of the harness, by the name tests use. */
export const PEOPLE = {
  owner: [{ role: 'process-owner', teamId: null }],
  social: [{ role: 'social-service', teamId: 'team-a' }],
  psych: [{ role: 'psychological-service', teamId: 'team-a' }],
  supervisor: [{ role: 'supervisor', teamId: 'team-a' }],
  admin: [{ role: 'admin', teamId: null }],
  other: [{ role: 'social-service', teamId: 'team-b' }],
} satisfies Record<string, Membership[]>;

/** A person of the harness. */
export type Person = keyof typeof PEOPLE;

/** Reads a file of tests/fixtures/api/. */
export function fixture(name: string): Promise<string> {
  return readFile(fileURLToPath(new URL(`../../fixtures/api/${name}`, import.meta.url)), 'utf8');
}

/** The running harness; read its fields inside tests and hooks. */
export interface ProductApi {
  readonly url: string;
  readonly db: ReturnType<typeof useDatabase>['db'];
  readonly engine: EngineRuntime;
  readonly fastify: FastifyInstance;
  /** Sends a request as `person` (a fresh session each time, with its CSRF token). */
  as(person: Person, method: string, path: string, body?: unknown): Promise<Answer>;
  /** Admits a client into team-a through the API; returns the 201 body. */
  admit(overrides?: Record<string, unknown>): Promise<{ caseId: string; pseudonym: string; instanceKey: string }>;
}

/** Starts the harness for the surrounding `describe` (CLOCK=simulated unless `env` says else). */
export function useProductApi(
  backend: Backend,
  options: { env?: Record<string, string>; deploy?: boolean } = {},
): ProductApi {
  const handle = useDatabase(backend);
  let started: Awaited<ReturnType<typeof listenWithRoutes>> | undefined;
  const userIds = new Map<Person, string>();

  const api: ProductApi = {
    get url() {
      return started!.url;
    },
    get db() {
      return handle.db;
    },
    get engine() {
      return started!.engine;
    },
    get fastify() {
      return started!.fastify;
    },
    async as(person, method, path, body) {
      const session = await createSession(handle.db, userIds.get(person)!, { idleMinutes: 30, maxHours: 1 });
      const cookie: Session = { cookie: `uebergang_session=${session.token}`, csrfToken: session.csrfToken };
      return call(started!.url, method, path, { session: cookie, body });
    },
    async admit(overrides = {}) {
      const answer = await api.as('social', 'POST', '/api/cases', {
        client: { firstName: 'Max', lastName: 'Beispiel', dateOfBirth: '1990-05-17' },
        programmeId: 'puemas',
        teamId: 'team-a',
        expectedRelease: '2027-06-30',
        ...overrides,
      });
      if (answer.status !== 201) throw new Error(`admission failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    },
  };

  beforeAll(async () => {
    started = await listenWithRoutes(handle.db, { CLOCK: 'simulated', LOGIN_RATE_LIMIT: '10000', ...options.env });
    for (const [person, memberships] of Object.entries(PEOPLE)) {
      const user = await createTestUser(handle.db, `api.${person}`, memberships);
      userIds.set(person as Person, user.id);
    }
    if (options.deploy !== false) {
      const answer = await api.as('owner', 'POST', '/api/deployments', {
        resources: [
          { name: 'transition-case.bpmn', content: await fixture('transition-case.bpmn') },
          { name: 'api-intake.form', content: await fixture('api-intake.form') },
        ],
      });
      if (answer.status !== 201) throw new Error(`deployment failed: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  afterAll(() => started?.fastify.close());
  return api;
}
