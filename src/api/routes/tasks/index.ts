/**
 * The task list: open user tasks of the cases the caller's teams hold (an admin: all), with
 * filters and sorting; one task with its form, input and case summary; claim, unclaim, a
 * supervisor's reassignment, completion checked against the task's form; comments on a task;
 * task-list filters saved on the server per user.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../../../auth/audit.js';
import { hasAnyRole, type UserPrincipal } from '../../../auth/roles.js';
import { getCase } from '../../../domain/cases.js';
import { readCaseSummary } from '../../../domain/case-queries.js';
import { findUnknownFields, validateFormData } from '../../../domain/form-validation.js';
import { DECIDED_BY_VARIABLE } from '../../../domain/process-contract.js';
import { addTaskComment, deleteTaskFilter, listTaskComments, listTaskFilters, saveTaskFilter } from '../../../domain/task-extras.js';
import { readTask, readTaskForm, searchTaskList, type TaskQuery } from '../../../engine/embedded/product-queries.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { errors } from '../../errors.js';
import { requireUser } from '../../plugins/auth.js';
import {
  appendRequestAudit,
  assertTeamVisible,
  auditOf,
  CASEWORK_ROLES,
  CASEWORKER_ROLES,
  decodeCursor,
  encodeCursor,
  IssuesError,
  productErrors,
  rolesOf,
  SUPERVISION_ROLES,
  teamGuard,
  teamsOf,
  keyParam,
  useProductErrors,
} from '../shared/product.js';
import { assignBody, commentBody, completeBody, filterBody, filterParams, taskParams, taskQuery } from './schemas.js';

type TaskParams = { Params: { taskKey: string } };

/** The name the engine records as assignee for a person: their username. */
async function usernameOf(fastify: FastifyInstance, principal: UserPrincipal): Promise<string> {
  const { rows } = await fastify.db.query<{ username: string }>('select username from app_user where id = $1', [principal.userId]);
  if (!rows[0]) throw new errors.AUTHENTICATION_REQUIRED();
  return rows[0].username;
}

/** Registers the task routes. */
export default async function taskRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  const { engine, clock } = options.engine;
  useProductErrors(fastify);

  /** Refuses another team's task before its body is validated. */
  const taskGuard = teamGuard(async (request) => {
    const taskKey = keyParam(request, 'taskKey');
    const task = taskKey ? await readTask(fastify.db, taskKey) : undefined;
    return task ? { teamId: task.teamId, recordType: 'task', recordId: task.taskKey } : undefined;
  });

  /** Reads a task the caller may see: 404 without one, 403 (audited) for another team's. */
  async function visibleTask(request: FastifyRequest, taskKey: string) {
    const task = await readTask(fastify.db, taskKey);
    if (!task) throw new productErrors.TASK_NOT_FOUND(taskKey);
    if (task.teamId === null) {
      if (teamsOf(request) !== 'all') {
        await recordAudit(fastify.db, auditOf(request, { action: 'access.denied', recordType: 'task', recordId: taskKey, outcome: 'denied' }));
        throw new errors.FORBIDDEN();
      }
    } else {
      await assertTeamVisible(request, task.teamId, 'task', taskKey);
    }
    return task;
  }

  /** A task the caller may see that is still open; claim, unclaim, assign and complete need one. */
  async function openTask(request: FastifyRequest, taskKey: string) {
    const task = await visibleTask(request, taskKey);
    if (task.state !== 'CREATED') throw new productErrors.TASK_NOT_OPEN(task.taskKey);
    return task;
  }

  /** Refuses a caseworker who is in none of the task's candidate groups (supervisors and admins may). */
  function assertCandidate(principal: UserPrincipal, taskKey: string, candidateGroups: readonly string[]) {
    if (hasAnyRole(principal, SUPERVISION_ROLES) || candidateGroups.length === 0) return;
    if (!rolesOf(principal).some((role) => candidateGroups.includes(role))) throw new productErrors.TASK_NOT_CANDIDATE(taskKey);
  }

  fastify.get<{ Querystring: TaskQuery & { limit: number; cursor?: string } }>(
    '/api/tasks',
    { config: { access: CASEWORK_ROLES }, schema: { querystring: taskQuery } },
    async (request) => {
      const principal = requireUser(request);
      const { limit, cursor, ...query } = request.query;
      const offset = decodeCursor(cursor);
      const page = await searchTaskList(fastify.db, {
        scope: teamsOf(request),
        me: await usernameOf(fastify, principal),
        groups: rolesOf(principal).filter((role) => CASEWORKER_ROLES.includes(role)),
        query,
        limit,
        offset,
      });
      const items = page.items.map(({ teamId: _teamId, ...item }) => item);
      request.log.debug({ view: query.view, sort: query.sort, total: page.total, offset }, 'task list read');
      return { items, total: page.total, nextCursor: offset + items.length < page.total ? encodeCursor(offset + items.length) : null };
    },
  );

  fastify.get<TaskParams>(
    '/api/tasks/:taskKey',
    { config: { access: CASEWORK_ROLES }, preValidation: taskGuard, schema: { params: taskParams } },
    async (request) => {
      const { teamId: _teamId, variables, ...task } = await visibleTask(request, request.params.taskKey);
      const form = await readTaskForm(fastify.db, task.formId);
      const summary = task.caseId ? await readCaseSummary(fastify.db, await getCase(fastify.db, task.caseId)) : null;
      return { ...task, form, variables, case: summary };
    },
  );

  fastify.post<TaskParams>(
    '/api/tasks/:taskKey/claim',
    { config: { access: CASEWORK_ROLES }, preValidation: taskGuard, schema: { params: taskParams } },
    async (request, reply) => {
      const principal = requireUser(request);
      const task = await openTask(request, request.params.taskKey);
      assertCandidate(principal, task.taskKey, task.candidateGroups);
      const me = await usernameOf(fastify, principal);
      if (task.assignee && task.assignee !== me) throw new productErrors.TASK_CLAIMED(task.taskKey);
      await engine.assignUserTask(task.taskKey, me);
      await recordAudit(fastify.db, auditOf(request, { action: 'task.claim', recordType: 'task', recordId: task.taskKey, teamId: task.teamId }));
      return reply.status(204).send();
    },
  );

  fastify.post<TaskParams>(
    '/api/tasks/:taskKey/unclaim',
    { config: { access: CASEWORK_ROLES }, preValidation: taskGuard, schema: { params: taskParams } },
    async (request, reply) => {
      const principal = requireUser(request);
      const task = await openTask(request, request.params.taskKey);
      const me = await usernameOf(fastify, principal);
      // Someone else's task is given back only by a supervisor (or admin).
      if (task.assignee && task.assignee !== me && !hasAnyRole(principal, SUPERVISION_ROLES)) {
        throw new productErrors.TASK_CLAIMED(task.taskKey);
      }
      await engine.assignUserTask(task.taskKey, null);
      await recordAudit(fastify.db, auditOf(request, { action: 'task.unclaim', recordType: 'task', recordId: task.taskKey, teamId: task.teamId }));
      return reply.status(204).send();
    },
  );

  fastify.post<TaskParams & { Body: { assignee: string } }>(
    '/api/tasks/:taskKey/assign',
    { config: { access: SUPERVISION_ROLES }, preValidation: taskGuard, schema: { params: taskParams, body: assignBody } },
    async (request, reply) => {
      const task = await openTask(request, request.params.taskKey);
      const { rows } = await fastify.db.query('select 1 from app_user where username = $1 and active', [request.body.assignee]);
      if (rows.length === 0) throw new errors.INVALID_INPUT(`no active user ${request.body.assignee}`);
      await engine.assignUserTask(task.taskKey, request.body.assignee);
      await recordAudit(
        fastify.db,
        auditOf(request, { action: 'task.assign', recordType: 'task', recordId: task.taskKey, teamId: task.teamId, details: { assignee: request.body.assignee } }),
      );
      return reply.status(204).send();
    },
  );

  fastify.post<TaskParams & { Body: { variables: Record<string, unknown> } }>(
    '/api/tasks/:taskKey/complete',
    { config: { access: CASEWORK_ROLES }, preValidation: taskGuard, schema: { params: taskParams, body: completeBody } },
    async (request, reply) => {
      const principal = requireUser(request);
      const task = await openTask(request, request.params.taskKey);
      assertCandidate(principal, task.taskKey, task.candidateGroups);
      const me = await usernameOf(fastify, principal);
      if (task.assignee && task.assignee !== me) throw new productErrors.TASK_CLAIMED(task.taskKey);
      const form = await readTaskForm(fastify.db, task.formId);
      const issues = [...findUnknownFields(form, request.body.variables), ...validateFormData(form, request.body.variables)];
      if (issues.length > 0) throw new IssuesError('FORM_VALIDATION', 'The data does not fit the task’s form', issues);
      // Who completed it: approval tasks name their approver so (process-contract.ts); never taken from the client.
      await engine.completeUserTask(task.taskKey, { ...request.body.variables, [DECIDED_BY_VARIABLE]: principal.userId });
      await recordAudit(fastify.db, auditOf(request, { action: 'task.complete', recordType: 'task', recordId: task.taskKey, teamId: task.teamId }));
      request.log.info({ taskKey: task.taskKey, instanceKey: task.instanceKey }, 'user task completed');
      return reply.status(204).send();
    },
  );

  fastify.get<TaskParams>(
    '/api/tasks/:taskKey/comments',
    { config: { access: CASEWORK_ROLES }, preValidation: taskGuard, schema: { params: taskParams } },
    async (request) => {
      await visibleTask(request, request.params.taskKey);
      return listTaskComments(fastify.db, request.params.taskKey);
    },
  );

  fastify.post<TaskParams & { Body: { text: string } }>(
    '/api/tasks/:taskKey/comments',
    { config: { access: CASEWORK_ROLES }, preValidation: taskGuard, schema: { params: taskParams, body: commentBody } },
    async (request, reply) => {
      const principal = requireUser(request);
      const task = await visibleTask(request, request.params.taskKey);
      const comment = await fastify.db.transaction(async (tx) => {
        const created = await addTaskComment(tx, { taskKey: task.taskKey, caseId: task.caseId, authorId: principal.userId, text: request.body.text }, clock.now());
        await appendRequestAudit(tx, request, { action: 'task.comment', recordType: 'task-comment', recordId: created.id, teamId: task.teamId });
        return created;
      });
      return reply.status(201).send(comment);
    },
  );

  fastify.get('/api/task-filters', { config: { access: CASEWORK_ROLES } }, async (request) =>
    listTaskFilters(fastify.db, requireUser(request).userId),
  );

  fastify.post<{ Body: { name: string; query: Record<string, unknown> } }>(
    '/api/task-filters',
    { config: { access: CASEWORK_ROLES }, schema: { body: filterBody } },
    async (request, reply) => {
      const principal = requireUser(request);
      const filter = await fastify.db.transaction(async (tx) => {
        const saved = await saveTaskFilter(tx, { userId: principal.userId, name: request.body.name, query: request.body.query }, clock.now());
        await appendRequestAudit(tx, request, { action: 'task-filter.save', recordType: 'task-filter', recordId: saved.id });
        return saved;
      });
      return reply.status(201).send(filter);
    },
  );

  fastify.delete<{ Params: { id: string } }>(
    '/api/task-filters/:id',
    { config: { access: CASEWORK_ROLES }, schema: { params: filterParams } },
    async (request, reply) => {
      const principal = requireUser(request);
      await fastify.db.transaction(async (tx) => {
        if (!(await deleteTaskFilter(tx, principal.userId, request.params.id))) throw new productErrors.FILTER_NOT_FOUND(request.params.id);
        await appendRequestAudit(tx, request, { action: 'task-filter.delete', recordType: 'task-filter', recordId: request.params.id });
      });
      return reply.status(204).send();
    },
  );
}
