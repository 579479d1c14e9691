/**
 * Issue 5, acceptance 1: every registered route × every kind of caller, allowed or denied as
 * the one table below says. A route without an entry here fails this test; so does an entry
 * whose route no longer exists.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMachineCredential } from '../../../src/auth/machine-credentials.js';
import { UI_PAGES } from '../../../src/api/plugins/ui.js';
import { ROLES, type Membership, type Role } from '../../../src/auth/roles.js';
import { createSession } from '../../../src/auth/sessions.js';
import type { Database } from '../../../src/db/index.js';
import { createApplication } from '../../../src/domain/applications.js';
import { createReferral } from '../../../src/domain/referrals.js';
import type { EngineRuntime } from '../../../src/engine/index.js';
import { createTestUser } from '../../helpers/auth-server.js';
import { listenWithRoutes, type RegisteredRoute } from '../../helpers/auth-app.js';
import { backends, useDatabase } from '../../helpers/databases.js';

/** Callers: nobody, a person of each role (team roles in team-a), a caseworker of team-b, a worker. */
type Caller = 'anonymous' | Role | 'other-team-caseworker' | 'machine';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES, 'other-team-caseworker', 'machine'];
const PEOPLE: readonly Caller[] = [...ROLES, 'other-team-caseworker'];
const EVERYONE: readonly Caller[] = CALLERS;
/** Everyone who works on cases, of any team (routes on a team's records narrow this by path). */
const CASEWORK: readonly Caller[] = ['social-service', 'psychological-service', 'administration', 'supervisor', 'admin', 'other-team-caseworker'];
/** Casework on a record of team-a: the caseworker of team-b is refused. */
const CASEWORK_TEAM_A: readonly Caller[] = ['social-service', 'psychological-service', 'administration', 'supervisor', 'admin'];
const MODEL_READERS: readonly Caller[] = ['process-owner', 'supervisor', 'admin'];
const SUPERVISION: readonly Caller[] = ['supervisor', 'admin'];

/**
 * Records of team-a made in `beforeAll` (a case with its instance and open task, a referral, an
 * application); a `path` names them as `{case}`, `{task}`, `{instance}`, `{referral}`, `{application}`.
 */
const seeded: Record<string, string> = {};

/**
 * THE TABLE: route → who may call it. A route that acts on a record of a team gets a `path`
 * naming a record of team-a, so that the caseworker of team-b must be refused. Other path
 * parameters are filled with `1`.
 */
const MATRIX: Record<string, { allow: readonly Caller[]; path?: string }> = {
  'GET /health': { allow: EVERYONE },
  'GET /ready': { allow: EVERYONE },
  'POST /api/auth/login': { allow: EVERYONE },
  'POST /api/auth/token': { allow: EVERYONE },
  'POST /api/auth/logout': { allow: PEOPLE },
  'GET /api/auth/me': { allow: PEOPLE },
  'POST /api/auth/password': { allow: PEOPLE },
  'POST /api/auth/machine-credentials': { allow: ['admin'] },
  'GET /api/auth/machine-credentials': { allow: ['admin'] },
  'DELETE /api/auth/machine-credentials/:id': { allow: ['admin'], path: `/api/auth/machine-credentials/${randomUUID()}` },
  'POST /api/users': { allow: ['admin'] },
  'GET /api/users': { allow: ['admin'] },
  'GET /api/audit': { allow: ['supervisor', 'admin'] },
  'GET /api/clock': { allow: PEOPLE },
  'POST /api/clock/advance': { allow: ['process-owner', 'admin'] },
  'POST /engine-rest/external-task/fetchAndLock': { allow: ['machine'] },
  'POST /engine-rest/external-task/:id/complete': { allow: ['machine'] },
  'POST /engine-rest/external-task/:id/failure': { allow: ['machine'] },
  'POST /engine-rest/external-task/:id/bpmnError': { allow: ['machine'] },
  'POST /engine-rest/external-task/:id/extendLock': { allow: ['machine'] },
  'POST /engine-rest/external-task/:id/unlock': { allow: ['machine'] },
  // Camunda 8 REST API v2 (src/api/routes/v2/)
  'GET /v2/topology': { allow: ['machine'] },
  'POST /v2/deployments': { allow: ['machine'] },
  'POST /v2/process-definitions/search': { allow: ['machine'] },
  'GET /v2/process-definitions/:processDefinitionKey': { allow: ['machine'] },
  'GET /v2/process-definitions/:processDefinitionKey/xml': { allow: ['machine'] },
  'POST /v2/process-instances': { allow: ['machine'] },
  'POST /v2/process-instances/search': { allow: ['machine'] },
  'GET /v2/process-instances/:processInstanceKey': { allow: ['machine'] },
  'POST /v2/process-instances/:processInstanceKey/cancellation': { allow: ['machine'] },
  'POST /v2/element-instances/search': { allow: ['machine'] },
  'GET /v2/element-instances/:elementInstanceKey': { allow: ['machine'] },
  'POST /v2/jobs/activation': { allow: ['machine'] },
  'POST /v2/jobs/:jobKey/completion': { allow: ['machine'] },
  'POST /v2/jobs/:jobKey/failure': { allow: ['machine'] },
  'POST /v2/jobs/:jobKey/error': { allow: ['machine'] },
  'PATCH /v2/jobs/:jobKey': { allow: ['machine'] },
  'POST /v2/user-tasks/search': { allow: ['machine'] },
  'GET /v2/user-tasks/:userTaskKey': { allow: ['machine'] },
  'POST /v2/user-tasks/:userTaskKey/assignment': { allow: ['machine'] },
  'DELETE /v2/user-tasks/:userTaskKey/assignee': { allow: ['machine'] },
  'POST /v2/user-tasks/:userTaskKey/completion': { allow: ['machine'] },
  'POST /v2/messages/publication': { allow: ['machine'] },
  'POST /v2/messages/correlation': { allow: ['machine'] },
  'POST /v2/incidents/search': { allow: ['machine'] },
  'GET /v2/incidents/:incidentKey': { allow: ['machine'] },
  'POST /v2/incidents/:incidentKey/resolution': { allow: ['machine'] },
  'POST /v2/variables/search': { allow: ['machine'] },
  'GET /v2/variables/:variableKey': { allow: ['machine'] },
  'PUT /v2/clock': { allow: ['machine'] },
  'POST /v2/clock/reset': { allow: ['machine'] },
  // The product API (src/api/routes/<resource>/)
  'POST /api/deployments': { allow: ['process-owner', 'admin'] },
  'POST /api/simulation/instances': { allow: ['process-owner'] },
  'GET /api/processes': { allow: MODEL_READERS },
  'GET /api/processes/:processId/versions/:version/xml': { allow: MODEL_READERS },
  'GET /api/processes/:processId/heatmap': { allow: MODEL_READERS },
  'GET /api/forms': { allow: PEOPLE },
  'GET /api/forms/:formId': { allow: PEOPLE },
  'GET /api/tasks': { allow: CASEWORK },
  'GET /api/tasks/:taskKey': { allow: CASEWORK_TEAM_A, path: '/api/tasks/{task}' },
  'POST /api/tasks/:taskKey/claim': { allow: CASEWORK_TEAM_A, path: '/api/tasks/{task}/claim' },
  'POST /api/tasks/:taskKey/unclaim': { allow: CASEWORK_TEAM_A, path: '/api/tasks/{task}/unclaim' },
  'POST /api/tasks/:taskKey/assign': { allow: SUPERVISION, path: '/api/tasks/{task}/assign' },
  'POST /api/tasks/:taskKey/complete': { allow: CASEWORK_TEAM_A, path: '/api/tasks/{task}/complete' },
  'GET /api/tasks/:taskKey/comments': { allow: CASEWORK_TEAM_A, path: '/api/tasks/{task}/comments' },
  'POST /api/tasks/:taskKey/comments': { allow: CASEWORK_TEAM_A, path: '/api/tasks/{task}/comments' },
  'GET /api/task-filters': { allow: CASEWORK },
  'POST /api/task-filters': { allow: CASEWORK },
  'DELETE /api/task-filters/:id': { allow: CASEWORK, path: `/api/task-filters/${randomUUID()}` },
  'POST /api/cases': { allow: CASEWORK },
  'GET /api/cases': { allow: CASEWORK },
  'GET /api/cases/:caseId': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}' },
  'GET /api/cases/:caseId/timeline': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/timeline' },
  'GET /api/cases/:caseId/final-report': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/final-report' },
  'PUT /api/cases/:caseId/expected-release': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/expected-release' },
  'POST /api/cases/:caseId/release': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/release' },
  'POST /api/cases/:caseId/close': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/close' },
  'POST /api/cases/:caseId/reentry': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/reentry' },
  'GET /api/cases/:caseId/referrals': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/referrals' },
  'POST /api/cases/:caseId/referrals': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/referrals' },
  'GET /api/cases/:caseId/applications': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/applications' },
  'POST /api/cases/:caseId/applications': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/applications' },
  'GET /api/cases/:caseId/extensions': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/extensions' },
  'POST /api/cases/:caseId/extensions': { allow: CASEWORK_TEAM_A, path: '/api/cases/{case}/extensions' },
  'POST /api/referrals/:id/answer': { allow: CASEWORK_TEAM_A, path: '/api/referrals/{referral}/answer' },
  'PATCH /api/applications/:id': { allow: CASEWORK_TEAM_A, path: '/api/applications/{application}' },
  'GET /api/programmes': { allow: PEOPLE },
  'GET /api/teams': { allow: PEOPLE },
  'GET /api/partners': { allow: CASEWORK },
  'GET /api/partners/:id': { allow: CASEWORK, path: `/api/partners/${randomUUID()}` },
  'POST /api/partners': { allow: SUPERVISION },
  'GET /api/dashboard': { allow: SUPERVISION },
  'GET /api/instances': { allow: SUPERVISION },
  'GET /api/instances.csv': { allow: SUPERVISION },
  'GET /api/instances/:instanceKey': { allow: SUPERVISION, path: '/api/instances/{instance}' },
  'POST /api/incidents/:incidentKey/retry': { allow: SUPERVISION },
  'POST /api/retention/run': { allow: ['admin'] },
  'GET /api/clients/:clientId/export': { allow: ['admin'], path: `/api/clients/${randomUUID()}/export` },
  // OIDC sign-in (src/api/routes/oidc/): public, like the password sign-in
  'GET /api/auth/oidc/login': { allow: EVERYONE },
  'GET /api/auth/oidc/callback': { allow: EVERYONE },
  // OpenAPI (src/api/routes/docs/): for signed-in people
  'GET /docs': { allow: PEOPLE },
  'GET /docs/': { allow: PEOPLE },
  'GET /docs/json': { allow: PEOPLE },
  'GET /docs/yaml': { allow: PEOPLE },
  'GET /docs/static/*': { allow: PEOPLE },
  'GET /docs/static/index.html': { allow: PEOPLE },
  'GET /docs/static/swagger-initializer.js': { allow: PEOPLE },
};

// The web UI's files and page URLs (src/api/plugins/ui.ts) are public: signing in happens in the app.
for (const page of [...UI_PAGES, '/assets/*']) MATRIX[`GET ${page}`] ??= { allow: EVERYONE };

/**
 * The engine's protocols are machine-only as a whole: every route under these prefixes is
 * exercised like the others and must admit the worker and refuse everyone else. Nothing else may
 * be covered by a prefix: product routes need an entry of their own in MATRIX.
 */
const PROTOCOL_PREFIXES: Record<string, { allow: readonly Caller[] }> = {
  '/v2/': { allow: ['machine'] },
  '/engine-rest/': { allow: ['machine'] },
};

function entryOf(route: RegisteredRoute): { allow: readonly Caller[]; path?: string } | undefined {
  const entry = MATRIX[keyOf(route)];
  if (entry) return entry;
  const prefix = Object.keys(PROTOCOL_PREFIXES).find((p) => route.url.startsWith(p));
  return prefix ? PROTOCOL_PREFIXES[prefix] : undefined;
}

const MEMBERSHIPS: Record<Exclude<Caller, 'anonymous' | 'machine'>, Membership[]> = {
  'process-owner': [{ role: 'process-owner', teamId: null }],
  'social-service': [{ role: 'social-service', teamId: 'team-a' }],
  'psychological-service': [{ role: 'psychological-service', teamId: 'team-a' }],
  administration: [{ role: 'administration', teamId: 'team-a' }],
  supervisor: [{ role: 'supervisor', teamId: 'team-a' }],
  admin: [{ role: 'admin', teamId: null }],
  'other-team-caseworker': [{ role: 'social-service', teamId: 'team-b' }],
};

/** The codes of a refusal by the access check (a validation error or a 404 means it got past). */
const DENIALS = ['AUTHENTICATION_REQUIRED', 'FORBIDDEN'];

function keyOf(route: RegisteredRoute): string {
  // HEAD routes are made by fastify from their GET route and share its declaration.
  return `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
}

describe.each(backends)('permission matrix on $name', (backend) => {
  const handle = useDatabase(backend);
  let url: string;
  let routes: RegisteredRoute[];
  let fastify: FastifyInstance;
  const userIds = new Map<Caller, string>();
  let machineAuthorization: string;

  beforeAll(async () => {
    let engine: EngineRuntime;
    ({ url, routes, fastify, engine } = await listenWithRoutes(handle.db, { LOGIN_RATE_LIMIT: '10000' }));
    for (const [caller, memberships] of Object.entries(MEMBERSHIPS)) {
      const user = await createTestUser(handle.db, `matrix.${caller}`, memberships);
      userIds.set(caller as Caller, user.id);
    }
    const { credential, secret } = await issueMachineCredential(
      handle.db,
      { clientId: 'matrix-worker', createdBy: null },
      { actor: { type: 'system', id: null } },
    );
    machineAuthorization = `Basic ${Buffer.from(`${credential.clientId}:${secret}`).toString('base64')}`;
    await seedTeamARecords(handle.db, engine!, url, userIds.get('social-service')!);
  });
  afterAll(() => fastify?.close());

  it('has exactly one entry for every registered route', () => {
    const registered = [...new Set(routes.map(keyOf))].sort();
    const missing = [...new Set(routes.filter((route) => !entryOf(route)).map(keyOf))].sort();
    const stale = Object.keys(MATRIX).filter((key) => !registered.includes(key));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
  });

  it.each(CALLERS)('lets %s call exactly the routes the table allows', async (caller) => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const entry = entryOf(route);
      if (!entry) continue; // reported by the test above
      const headers: Record<string, string> = {};
      if (caller === 'machine') headers.authorization = machineAuthorization;
      const userId = userIds.get(caller);
      if (userId) {
        // A fresh session per request: a permitted sign-out must not end the next request's.
        const session = await createSession(handle.db, userId, { idleMinutes: 30, maxHours: 1 });
        headers.cookie = `uebergang_session=${session.token}`;
        headers['x-csrf-token'] = session.csrfToken;
      }
      const unsafe = !['GET', 'HEAD'].includes(route.method);
      const withBody = unsafe && route.method !== 'DELETE';
      if (withBody) headers['content-type'] = 'application/json';
      const path = (entry.path ?? route.url.replace(/:\w+/g, '1')).replace(/\{(\w+)\}/g, (_m, name: string) => seeded[name]);
      const response = await fetch(`${url}${path}`, {
        method: route.method,
        headers,
        body: withBody ? '{}' : undefined,
      });
      const text = await response.text();
      const code = route.method === 'HEAD' ? headCode(response.status) : codeOf(text);
      const allowed = entry.allow.includes(caller);
      const denied = DENIALS.includes(code ?? '');
      if (response.status >= 500) mismatches.push(`${route.method} ${route.url}: ${response.status}`);
      else if (allowed === denied) {
        mismatches.push(`${route.method} ${route.url}: expected ${allowed ? 'allowed' : 'denied'}, got ${response.status} ${code}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

/** A case of team-a admitted over the API (with its instance and open task), a referral and an application of it. */
async function seedTeamARecords(db: Database, engine: EngineRuntime, url: string, caseworkerId: string): Promise<void> {
  const read = (name: string) => readFile(fileURLToPath(new URL(`../../fixtures/api/${name}`, import.meta.url)), 'utf8');
  await engine.engine.deploy([
    { name: 'transition-case.bpmn', content: await read('transition-case.bpmn') },
    { name: 'api-intake.form', content: await read('api-intake.form') },
  ]);
  const session = await createSession(db, caseworkerId, { idleMinutes: 30, maxHours: 1 });
  const response = await fetch(`${url}/api/cases`, {
    method: 'POST',
    headers: { cookie: `uebergang_session=${session.token}`, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({
      client: { firstName: 'Matrix', lastName: 'Fall', dateOfBirth: '1980-01-01' },
      programmeId: 'puemas',
      teamId: 'team-a',
      expectedRelease: '2027-06-30',
    }),
  });
  const admitted = (await response.json()) as { caseId: string; instanceKey: string };
  const { rows } = await db.query<{ key: string }>('select key::text from engine_user_task where instance_key = $1', [admitted.instanceKey]);
  seeded.case = admitted.caseId;
  seeded.instance = admitted.instanceKey;
  seeded.task = rows[0].key;
  seeded.referral = await createReferral(db, { caseId: admitted.caseId, lifeDomain: 'housing', service: 'supported-living' }, new Date());
  seeded.application = (await createApplication(db, { caseId: admitted.caseId, kind: 'id-card', ownerId: caseworkerId }, new Date())).id;
}

function codeOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** A HEAD answer has no body: 401 and 403 stand for the access check's refusals. */
function headCode(status: number): string | undefined {
  return status === 401 ? 'AUTHENTICATION_REQUIRED' : status === 403 ? 'FORBIDDEN' : undefined;
}
