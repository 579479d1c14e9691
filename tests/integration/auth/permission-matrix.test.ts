/**
 * Issue 5, acceptance 1: every registered route × every kind of caller, allowed or denied as
 * the one table below says. A route without an entry here fails this test; so does an entry
 * whose route no longer exists.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMachineCredential } from '../../../src/auth/machine-credentials.js';
import { ROLES, type Membership, type Role } from '../../../src/auth/roles.js';
import { createSession } from '../../../src/auth/sessions.js';
import { createTestUser } from '../../helpers/auth-server.js';
import { listenWithRoutes, type RegisteredRoute } from '../../helpers/auth-app.js';
import { backends, useDatabase } from '../../helpers/databases.js';

/** Callers: nobody, a person of each role (team roles in team-a), a caseworker of team-b, a worker. */
type Caller = 'anonymous' | Role | 'other-team-caseworker' | 'machine';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES, 'other-team-caseworker', 'machine'];
const PEOPLE: readonly Caller[] = [...ROLES, 'other-team-caseworker'];
const EVERYONE: readonly Caller[] = CALLERS;

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
};

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
    ({ url, routes, fastify } = await listenWithRoutes(handle.db, { LOGIN_RATE_LIMIT: '10000' }));
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
      const response = await fetch(`${url}${entry.path ?? route.url.replace(/:\w+/g, '1')}`, {
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
