/**
 * Referrals of a case to partner organisations: the list with every partner asked, a new
 * referral, and a partner's answer recorded by the caseworker (the `partner-referral` process
 * hears it as the `partner-answered` message).
 */
import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../../domain/case-queries.js';
import { DomainError } from '../../../domain/errors.js';
import { MESSAGES } from '../../../domain/process-contract.js';
import type { LifeDomain } from '../../../domain/programmes.js';
import { createReferral, getReferral, recordReferralAnswer } from '../../../domain/referrals.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { appendRequestAudit, CASEWORK_ROLES, caseGuard, caseRecordGuard, loadVisibleCase, useProductErrors } from '../shared/product.js';
import { answerBody, caseParams, referralBody, referralParams } from './schemas.js';

/** How long the answer message waits for a process that is not listening at that moment. */
const MESSAGE_TTL_MS = 7 * 24 * 3600 * 1000;

/** Registers the referral routes. */
export default async function referralRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime }) {
  useProductErrors(fastify);
  const db = fastify.db;
  const { engine, clock } = options.engine;

  fastify.get<{ Params: { caseId: string } }>(
    '/api/cases/:caseId/referrals',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams } },
    async (request) => {
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const { rows } = await db.query<{ id: string }>('select id from referral where case_id = $1 order by created_at, id', [c.id]);
      return Promise.all(rows.map((row) => getReferral(db, row.id)));
    },
  );

  fastify.post<{ Params: { caseId: string }; Body: { lifeDomain: LifeDomain; service: string; prescriptionId?: string } }>(
    '/api/cases/:caseId/referrals',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: referralBody } },
    async (request, reply) => {
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const referral = await db.transaction(async (tx) => {
        const id = await createReferral(tx, { caseId: c.id, ...request.body }, clock.now());
        await appendRequestAudit(tx, request, { action: 'referral.create', recordType: 'referral', recordId: id, teamId: c.teamId });
        return getReferral(tx, id);
      });
      // transition-case calls partner-referral for it (process-contract.ts).
      await engine.publishMessage({
        name: MESSAGES.referralRequested.name,
        correlationKey: c.id,
        variables: { referralId: referral.id },
        timeToLiveMs: MESSAGE_TTL_MS,
      });
      return reply.status(201).send(referral);
    },
  );

  fastify.post<{ Params: { id: string }; Body: { accepted: boolean } }>(
    '/api/referrals/:id/answer',
    { config: { access: CASEWORK_ROLES }, preValidation: caseRecordGuard('referral', 'referral'), schema: { params: referralParams, body: answerBody } },
    async (request) => {
      const current = await getReferral(db, request.params.id);
      const c = await loadVisibleCase(request, db, current.caseId);
      const open = current.attempts.find((attempt) => attempt.status === 'sent');
      if (!open) throw new DomainError('REFERRAL_NOT_SENT', `Referral ${current.id} awaits no answer`);
      const { accepted } = request.body;
      const referral = await db.transaction(async (tx) => {
        const answered = await recordReferralAnswer(
          inTransaction(tx, db.kind),
          { referralId: current.id, partnerId: open.partnerId, answer: accepted ? 'accepted' : 'declined' },
          clock.now(),
        );
        await appendRequestAudit(tx, request, {
          action: 'referral.answer',
          recordType: 'referral',
          recordId: current.id,
          teamId: c.teamId,
          details: { accepted },
        });
        return answered;
      });
      await engine.publishMessage({
        name: MESSAGES.partnerAnswered.name,
        correlationKey: current.id,
        variables: { accepted },
        timeToLiveMs: MESSAGE_TTL_MS,
      });
      return referral;
    },
  );
}
