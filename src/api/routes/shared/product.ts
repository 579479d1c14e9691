/**
 * What the product routes (src/api/routes/<resource>/) share: the roles that do casework, the
 * error handler that turns domain and engine refusals into problem+json with `issues`, the team
 * check on a case, and the audit entry of a request.
 */
import { STATUS_CODES } from 'node:http';
import createError from '@fastify/error';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit, auditActor, recordAudit, type AuditEntry } from '../../../auth/audit.js';
import { canSeeTeam, visibleTeamIds, type Role, type UserPrincipal } from '../../../auth/roles.js';
import type { Queryable } from '../../../db/index.js';
import { getCase, type Case } from '../../../domain/cases.js';
import { DomainError } from '../../../domain/errors.js';
import { EngineError } from '../../../engine/errors.js';
import { errors } from '../../errors.js';
import { requireUser, routeOf } from '../../plugins/auth.js';
import { sendProblem } from '../../plugins/problem.js';

/** The caseworker groups: also the candidate groups of user tasks. */
export const CASEWORKER_ROLES: readonly Role[] = ['social-service', 'psychological-service', 'administration'];
/** Everyone who works on cases: the caseworker groups, supervisors and admins. */
export const CASEWORK_ROLES: readonly Role[] = [...CASEWORKER_ROLES, 'supervisor', 'admin'];
/** Supervisors and admins. */
export const SUPERVISION_ROLES: readonly Role[] = ['supervisor', 'admin'];

/** Refusals of the product routes beyond the app's (src/api/errors.ts) and the domain's. */
export const productErrors = {
  TASK_NOT_FOUND: createError('TASK_NOT_FOUND', 'No user task %s', 404),
  TASK_NOT_OPEN: createError('TASK_NOT_OPEN', 'User task %s is no longer open', 409),
  TASK_CLAIMED: createError('TASK_CLAIMED', 'User task %s is assigned to someone else', 409),
  FILTER_NOT_FOUND: createError('FILTER_NOT_FOUND', 'No saved filter %s', 404),
  PROCESS_NOT_FOUND: createError('PROCESS_NOT_FOUND', 'No process %s', 404),
  FORM_NOT_FOUND: createError('FORM_NOT_FOUND', 'No form %s', 404),
  INSTANCE_NOT_FOUND: createError('INSTANCE_NOT_FOUND', 'No process instance %s', 404),
  INCIDENT_NOT_FOUND: createError('INCIDENT_NOT_FOUND', 'No active incident %s', 404),
  TASK_NOT_CANDIDATE: createError('TASK_NOT_CANDIDATE', 'User task %s is for other groups', 403),
  PROCESS_NOT_DEPLOYED: createError('PROCESS_NOT_DEPLOYED', 'Process %s is not deployed', 409),
} as const;

/** One finding of a check, as the `issues` of a problem+json body. */
export type Issue = { field: string; message: string } | { elementId: string; message: string };

/** A 400 refusal with the findings per field (form validation) or per element (deploy check). */
export class IssuesError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: string,
    message: string,
    readonly issues: readonly Issue[],
    statusCode = 400,
  ) {
    super(message);
    this.name = 'IssuesError';
    this.statusCode = statusCode;
  }
}

/** Sends a problem+json body with the error's code and, when given, its issues. */
function sendCodedProblem(request: FastifyRequest, reply: FastifyReply, status: number, code: string, detail: string, issues?: readonly Issue[]) {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0],
    code,
  };
  if (issues) body.issues = issues;
  return reply.status(status).type('application/problem+json').send(body);
}

/**
 * The error handler of the product routes: domain refusals (DomainError) answer with their
 * status, engine refusals (EngineError) with theirs and the deploy check's findings as
 * `issues: [{elementId, message}]`, schema validation with `issues: [{field, message}]`;
 * everything else goes to the app's handler (5xx details are logged, never sent).
 */
export function useProductErrors(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof IssuesError) return sendCodedProblem(request, reply, error.statusCode, error.code, error.message, error.issues);
    if (error instanceof DomainError) return sendCodedProblem(request, reply, error.status, error.code, error.message);
    if (error instanceof EngineError) {
      const issues = error.issues.length > 0 ? error.issues.map((i) => ({ elementId: i.elementId, message: i.message })) : undefined;
      return sendCodedProblem(request, reply, error.statusCode, error.code, error.message, issues);
    }
    if (error.validation && error.statusCode === 400) {
      const issues = error.validation.map((v) => ({
        field: `${v.instancePath || ''}${(v.params as { missingProperty?: string })?.missingProperty ? `/${(v.params as { missingProperty: string }).missingProperty}` : ''}`,
        message: v.message ?? 'invalid',
      }));
      return sendCodedProblem(request, reply, 400, error.code ?? 'FST_ERR_VALIDATION', error.message, issues);
    }
    return sendProblem(error, request, reply);
  });
}

/** The audit entry of a request: who, which route, which record. */
export function auditOf(
  request: FastifyRequest,
  entry: Omit<AuditEntry, 'actor' | 'route' | 'outcome'> & { outcome?: AuditEntry['outcome'] },
): AuditEntry {
  return { actor: auditActor(request.principal), route: routeOf(request), outcome: 'success', ...entry };
}

/** Appends the request's audit row inside `tx` (the change's own transaction). */
export function appendRequestAudit(tx: Queryable, request: FastifyRequest, entry: Parameters<typeof auditOf>[1]) {
  return appendAudit(tx, auditOf(request, entry));
}

/**
 * Reads a case the caller may see: 404 when there is none, 403 (audited as denied) when it
 * belongs to a team outside the caller's scope.
 */
export async function loadVisibleCase(request: FastifyRequest, db: Queryable, caseId: string): Promise<Case> {
  const found = await getCase(db, caseId);
  await assertTeamVisible(request, found.teamId, 'case', found.id);
  return found;
}

/** Refuses (403, audited) unless the caller may see records of `teamId`. */
export async function assertTeamVisible(request: FastifyRequest, teamId: string, recordType: string, recordId: string): Promise<void> {
  if (canSeeTeam(request.principal, teamId)) return;
  await recordAudit(request.server.db, auditOf(request, { action: 'access.denied', recordType, recordId, teamId, outcome: 'denied' }));
  throw new errors.FORBIDDEN();
}

/** The team of a record a route acts on; `teamId` null: a record without a case (admin only). */
export interface RecordScope {
  teamId: string | null;
  recordType: string;
  recordId: string;
}

/**
 * A `preValidation` hook that refuses (403, audited) a record outside the caller's teams before
 * the body is validated: a caller of another team learns nothing from validation answers.
 * `resolve` returns undefined when the path names no record; the handler answers 404 then.
 */
export function teamGuard(resolve: (request: FastifyRequest) => Promise<RecordScope | undefined>) {
  return async function guardTeam(request: FastifyRequest): Promise<void> {
    const scope = await resolve(request);
    if (!scope) return;
    if (scope.teamId !== null) return assertTeamVisible(request, scope.teamId, scope.recordType, scope.recordId);
    if (teamsOf(request) === 'all') return;
    await recordAudit(request.server.db, auditOf(request, { action: 'access.denied', recordType: scope.recordType, recordId: scope.recordId, outcome: 'denied' }));
    throw new errors.FORBIDDEN();
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The value of path parameter `name` when it is a UUID. */
export function uuidParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.params as Record<string, unknown>)[name];
  return typeof value === 'string' && UUID.test(value) ? value : undefined;
}

/** The value of path parameter `name` when it is an engine key. */
export function keyParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.params as Record<string, unknown>)[name];
  return typeof value === 'string' && /^[1-9][0-9]{0,17}$/.test(value) ? value : undefined;
}

/** The guard of routes on `/api/cases/:caseId…`. */
export const caseGuard = teamGuard(async (request) => {
  const caseId = uuidParam(request, 'caseId');
  if (!caseId) return undefined;
  const { rows } = await request.server.db.query<{ team_id: string }>('select team_id from transition_case where id = $1', [caseId]);
  return rows[0] ? { teamId: rows[0].team_id, recordType: 'case', recordId: caseId } : undefined;
});

/** The guard of routes on a record of a case: `table` has `id` and `case_id`. */
export function caseRecordGuard(table: 'referral' | 'application' | 'extension', recordType: string) {
  return teamGuard(async (request) => {
    const id = uuidParam(request, 'id');
    if (!id) return undefined;
    const { rows } = await request.server.db.query<{ team_id: string }>(
      `select c.team_id from ${table} r join transition_case c on c.id = r.case_id where r.id = $1`,
      [id],
    );
    return rows[0] ? { teamId: rows[0].team_id, recordType, recordId: id } : undefined;
  });
}

/** The teams the signed-in caller may see (`'all'` for an admin). */
export function teamsOf(request: FastifyRequest): 'all' | readonly string[] {
  return visibleTeamIds(requireUser(request));
}

/** The caller's roles (of any team). */
export function rolesOf(principal: UserPrincipal): Role[] {
  return [...new Set(principal.memberships.map((m) => m.role))];
}

/** A page cursor: an offset, opaque to clients. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

/** The offset of a cursor; 0 for none. A malformed cursor is a 400. */
export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0 && o <= 1_000_000_000) return o;
  } catch {
    // falls through to the refusal
  }
  throw new DomainError('INVALID_INPUT', 'cursor is not one this API returned');
}

/** JSON schema pieces the product routes repeat. */
export const schemas = {
  uuid: { type: 'string', format: 'uuid' },
  key: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
  date: { type: 'string', format: 'date' },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  cursor: { type: 'string', maxLength: 200 },
  text: (max: number) => ({ type: 'string', minLength: 1, maxLength: max }),
} as const;
