/**
 * Applications (Anträge) of a case: the list by deadline, planning one (the owner is the caller
 * unless named), and moving one on (planned → submitted → approved or rejected).
 */
import type { FastifyInstance } from 'fastify';
import { createApplication, getApplication, listApplications, setApplicationStatus, type ApplicationStatus } from '../../../domain/applications.js';
import type { LifeDomain } from '../../../domain/programmes.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { requireUser } from '../../plugins/auth.js';
import { appendRequestAudit, CASEWORK_ROLES, caseGuard, caseRecordGuard, loadVisibleCase, useProductErrors } from '../shared/product.js';
import { applicationBody, applicationParams, caseParams, statusBody } from './schemas.js';

/** Registers the application routes. */
export default async function applicationRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  useProductErrors(fastify);
  const db = fastify.db;
  const { clock } = options.engine;

  fastify.get<{ Params: { caseId: string } }>(
    '/api/cases/:caseId/applications',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams } },
    async (request) => listApplications(db, (await loadVisibleCase(request, db, request.params.caseId)).id),
  );

  fastify.post<{ Params: { caseId: string }; Body: { kind: string; lifeDomain?: LifeDomain; deadline?: string; ownerId?: string } }>(
    '/api/cases/:caseId/applications',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: applicationBody } },
    async (request, reply) => {
      const principal = requireUser(request);
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const application = await db.transaction(async (tx) => {
        const created = await createApplication(
          tx,
          { caseId: c.id, ...request.body, ownerId: request.body.ownerId ?? principal.userId },
          clock.now(),
        );
        await appendRequestAudit(tx, request, { action: 'application.create', recordType: 'application', recordId: created.id, teamId: c.teamId });
        return created;
      });
      return reply.status(201).send(application);
    },
  );

  fastify.patch<{ Params: { id: string }; Body: { status: ApplicationStatus } }>(
    '/api/applications/:id',
    { config: { access: CASEWORK_ROLES }, preValidation: caseRecordGuard('application', 'application'), schema: { params: applicationParams, body: statusBody } },
    async (request) => {
      const current = await getApplication(db, request.params.id);
      const c = await loadVisibleCase(request, db, current.caseId);
      return db.transaction(async (tx) => {
        const updated = await setApplicationStatus(tx, current.id, request.body.status, clock.now());
        await appendRequestAudit(tx, request, {
          action: 'application.status',
          recordType: 'application',
          recordId: current.id,
          teamId: c.teamId,
          details: { status: request.body.status },
        });
        return updated;
      });
    },
  );
}
