/**
 * Extension requests of a case's aftercare: the list, and a new request, which the case's
 * process hears as the `extension-requested` message (the `extension-approval` worker applies
 * the rules, a supervisor decides).
 */
import type { FastifyInstance } from 'fastify';
import { getExtension, requestExtension } from '../../../domain/extensions.js';
import { MESSAGES } from '../../../domain/process-contract.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { requireUser } from '../../plugins/auth.js';
import { appendRequestAudit, CASEWORK_ROLES, caseGuard, loadVisibleCase, useProductErrors } from '../shared/product.js';
import { caseParams, extensionBody } from './schemas.js';

/** How long the request message waits for a process that is not listening at that moment. */
const MESSAGE_TTL_MS = 7 * 24 * 3600 * 1000;

/** Registers the extension routes. */
export default async function extensionRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  useProductErrors(fastify);
  const db = fastify.db;
  const { engine, clock } = options.engine;

  fastify.get<{ Params: { caseId: string } }>(
    '/api/cases/:caseId/extensions',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams } },
    async (request) => {
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const { rows } = await db.query<{ id: string }>('select id from extension where case_id = $1 order by requested_at, id', [c.id]);
      return Promise.all(rows.map((row) => getExtension(db, row.id)));
    },
  );

  fastify.post<{ Params: { caseId: string }; Body: { months: number; justification: string } }>(
    '/api/cases/:caseId/extensions',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: extensionBody } },
    async (request, reply) => {
      const principal = requireUser(request);
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const extension = await db.transaction(async (tx) => {
        const id = await requestExtension(tx, { caseId: c.id, ...request.body, requestedBy: principal.userId }, clock.now());
        await appendRequestAudit(tx, request, { action: 'extension.request', recordType: 'extension', recordId: id, teamId: c.teamId });
        return getExtension(tx, id);
      });
      await engine.publishMessage({
        name: MESSAGES.extensionRequested.name,
        correlationKey: c.id,
        variables: { extensionId: extension.id },
        timeToLiveMs: MESSAGE_TTL_MS,
      });
      return reply.status(201).send(extension);
    },
  );
}
