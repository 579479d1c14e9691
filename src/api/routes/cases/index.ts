/**
 * Cases: admission (client, case and the `transition-case` instance — all or nothing), the
 * pseudonymous list, the detail with personal data (every read audited), the timeline, the
 * lifecycle commands that the process hears about as messages (expected release changed,
 * release recorded, case closed), a re-entry request, the final report; programmes and teams.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../../../auth/audit.js';
import { canSeeTeam } from '../../../auth/roles.js';
import type { Config } from '../../../config.js';
import type { Database } from '../../../db/index.js';
import {
  admitClient,
  discardAdmission,
  inTransaction,
  listCases,
  listTeams,
  readTimeline,
  type Admission,
} from '../../../domain/case-queries.js';
import { changeExpectedReleaseDate, closeCase, recordRelease, type Case, type ClosureReason } from '../../../domain/cases.js';
import { addNote } from '../../../domain/casework.js';
import { renderFinalReport } from '../../../domain/final-report.js';
import { getClientPersonalData } from '../../../domain/clients.js';
import { DomainError } from '../../../domain/errors.js';
import { MESSAGES, PROCESSES, type CaseReentryStart, type MessageKey, type TransitionCaseStart } from '../../../domain/process-contract.js';
import { listProgrammes } from '../../../domain/programmes.js';
import { findCaseInstanceKey } from '../../../engine/embedded/product-queries.js';
import { EngineError, type EngineRuntime } from '../../../engine/index.js';
import { errors } from '../../errors.js';
import { requireUser } from '../../plugins/auth.js';
import {
  appendRequestAudit,
  auditOf,
  CASEWORK_ROLES,
  caseGuard,
  decodeCursor,
  encodeCursor,
  loadVisibleCase,
  productErrors,
  teamsOf,
  useProductErrors,
} from '../shared/product.js';
import { admitBody, caseListQuery, caseParams, closeBody, expectedReleaseBody, reentryBody, releaseBody } from './schemas.js';

/** How long a lifecycle message waits for an instance that is not listening at that moment. */
const MESSAGE_TTL_MS = 7 * 24 * 3600 * 1000;

type CaseParams = { Params: { caseId: string } };

/** A case as the API shows it (no personal data). */
function caseView(c: Case) {
  return {
    caseId: c.id,
    pseudonym: c.pseudonym,
    programmeId: c.programmeId,
    teamId: c.teamId,
    facility: c.facility,
    releaseRegion: c.releaseRegion,
    phase: c.phase,
    status: c.status,
    eligibility: c.eligibility,
    expectedRelease: c.expectedReleaseDate,
    actualRelease: c.actualReleaseDate,
    aftercareEndsOn: c.aftercareEndsOn,
    closureReason: c.closureReason,
    closedAt: c.closedAt ? new Date(c.closedAt).toISOString() : null,
    previousCaseId: c.previousCaseId,
    openedAt: new Date(c.openedAt).toISOString(),
  };
}

/** Registers the case, programme and team routes. */
export default async function caseRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime; config: Config }) {
  useProductErrors(fastify);
  const { engine, clock } = options.engine;
  const db = fastify.db;

  /**
   * Runs a domain change and its audit row in one transaction, then tells the case's process.
   * The message is published after the commit (the engine commits on its own); a time to live
   * keeps it for an instance that listens a moment later.
   */
  async function changeCase(
    request: FastifyRequest,
    caseId: string,
    action: string,
    change: (tx: Database, current: Case) => Promise<Case>,
    message?: { key: MessageKey; variables: Record<string, unknown> },
  ): Promise<Case> {
    const current = await loadVisibleCase(request, db, caseId);
    const updated = await db.transaction(async (tx) => {
      const result = await change(inTransaction(tx, db.kind), current);
      await appendRequestAudit(tx, request, { action, recordType: 'case', recordId: caseId, teamId: current.teamId });
      return result;
    });
    if (message) {
      const { name } = MESSAGES[message.key];
      await engine.publishMessage({ name, correlationKey: caseId, variables: message.variables, timeToLiveMs: MESSAGE_TTL_MS });
    }
    request.log.info({ caseId, action }, 'case changed');
    return updated;
  }

  fastify.post<{ Body: Admission }>(
    '/api/cases',
    { config: { access: CASEWORK_ROLES }, schema: { body: admitBody } },
    async (request, reply) => {
      requireUser(request);
      const input = request.body;
      if (!canSeeTeam(request.principal, input.teamId)) throw new errors.FORBIDDEN();
      const now = clock.now();
      const admitted = await db.transaction(async (tx) => {
        const created = await admitClient(tx, input, now);
        await appendRequestAudit(tx, request, { action: 'case.admit', recordType: 'case', recordId: created.id, teamId: created.teamId });
        return created;
      });
      const start: TransitionCaseStart = {
        caseId: admitted.id,
        programmeId: admitted.programmeId,
        teamId: admitted.teamId,
        expectedRelease: admitted.expectedReleaseDate,
      };
      let instanceKey: string;
      try {
        ({ processInstanceKey: instanceKey } = await engine.createInstance({
          processDefinitionId: PROCESSES.transitionCase,
          variables: { ...start },
          businessKey: admitted.id,
        }));
      } catch (error) {
        // Nothing of the case may stay without its process: take the rows back out.
        await db.transaction(async (tx) => {
          await discardAdmission(tx, admitted.id);
          await appendRequestAudit(tx, request, {
            action: 'case.admit.discard',
            recordType: 'case',
            recordId: admitted.id,
            teamId: admitted.teamId,
            outcome: 'failure',
          });
        });
        if (error instanceof EngineError && error.code === 'NOT_FOUND') {
          throw new productErrors.PROCESS_NOT_DEPLOYED(PROCESSES.transitionCase, { cause: error });
        }
        throw error;
      }
      request.log.info({ caseId: admitted.id, instanceKey }, 'case admitted');
      return reply.status(201).send({ caseId: admitted.id, pseudonym: admitted.pseudonym, instanceKey });
    },
  );

  fastify.get<{ Querystring: { phase?: string; programmeId?: string; q?: string; limit: number; cursor?: string } }>(
    '/api/cases',
    { config: { access: CASEWORK_ROLES }, schema: { querystring: caseListQuery } },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      const offset = decodeCursor(cursor);
      const page = await listCases(db, { scope: teamsOf(request), ...filter, limit, offset });
      request.log.debug({ phase: filter.phase, programmeId: filter.programmeId, total: page.total, offset }, 'case list read');
      return { ...page, nextCursor: offset + page.items.length < page.total ? encodeCursor(offset + page.items.length) : null };
    },
  );

  fastify.get<CaseParams>(
    '/api/cases/:caseId',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams } },
    async (request) => {
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const client = await db.transaction(async (tx) => {
        const personal = await getClientPersonalData(tx, c.clientId);
        // The one audit row of this read, in the transaction that read the personal data.
        await appendRequestAudit(tx, request, { action: 'case.read', recordType: 'case', recordId: c.id, teamId: c.teamId });
        return personal;
      });
      return {
        ...caseView(c),
        client: {
          clientId: client.id,
          firstName: client.givenNames,
          lastName: client.familyName,
          dateOfBirth: client.birthDate,
          prisonerNumber: client.prisonerNumber,
        },
        instanceKey: (await findCaseInstanceKey(db, c.id)) ?? null,
      };
    },
  );

  fastify.get<CaseParams>(
    '/api/cases/:caseId/timeline',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams } },
    async (request) => {
      const c = await loadVisibleCase(request, db, request.params.caseId);
      const timeline = await readTimeline(db, c);
      await recordAudit(db, auditOf(request, { action: 'case.timeline.read', recordType: 'case', recordId: c.id, teamId: c.teamId }));
      return timeline;
    },
  );

  fastify.put<CaseParams & { Body: { expectedRelease: string } }>(
    '/api/cases/:caseId/expected-release',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: expectedReleaseBody } },
    async (request) => {
      const { expectedRelease } = request.body;
      const updated = await changeCase(
        request,
        request.params.caseId,
        'case.expected-release',
        async (tx) => (await changeExpectedReleaseDate(tx, request.params.caseId, expectedRelease, clock.now())).case,
        { key: 'expectedReleaseChanged', variables: { expectedRelease } },
      );
      return caseView(updated);
    },
  );

  fastify.post<CaseParams & { Body: { actualRelease: string } }>(
    '/api/cases/:caseId/release',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: releaseBody } },
    async (request) => {
      const { actualRelease } = request.body;
      const updated = await changeCase(
        request,
        request.params.caseId,
        'case.release',
        (tx) => recordRelease(tx, request.params.caseId, actualRelease, clock.now()),
        { key: 'releaseRecorded', variables: { actualRelease } },
      );
      return caseView(updated);
    },
  );

  fastify.post<CaseParams & { Body: { reason: ClosureReason } }>(
    '/api/cases/:caseId/close',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: closeBody } },
    async (request) => {
      const { reason } = request.body;
      const updated = await changeCase(
        request,
        request.params.caseId,
        'case.close',
        (tx) => closeCase(tx, request.params.caseId, reason, clock.now()),
        { key: 'caseClosed', variables: { closureReason: reason } },
      );
      return caseView(updated);
    },
  );

  fastify.post<CaseParams & { Body: { justification: string } }>(
    '/api/cases/:caseId/reentry',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams, body: reentryBody } },
    async (request, reply) => {
      const principal = requireUser(request);
      const c = await loadVisibleCase(request, db, request.params.caseId);
      if (c.status !== 'closed') throw new DomainError('REENTRY_CASE_NOT_CLOSED', `Case ${c.id} is still open`);
      const start: CaseReentryStart = { previousCaseId: c.id, teamId: c.teamId };
      let instanceKey: string;
      try {
        ({ processInstanceKey: instanceKey } = await engine.createInstance({ processDefinitionId: PROCESSES.caseReentry, variables: { ...start } }));
      } catch (error) {
        if (error instanceof EngineError && error.code === 'NOT_FOUND') {
          throw new productErrors.PROCESS_NOT_DEPLOYED(PROCESSES.caseReentry, { cause: error });
        }
        throw error;
      }
      // The justification is free text: a note on the closed case, never a process variable.
      await db.transaction(async (tx) => {
        const noteId = await addNote(tx, { caseId: c.id, authorId: principal.userId, body: request.body.justification }, clock.now());
        await appendRequestAudit(tx, request, {
          action: 'case.reentry.request',
          recordType: 'case',
          recordId: c.id,
          teamId: c.teamId,
          details: { noteId, instanceKey },
        });
      });
      return reply.status(202).send({ instanceKey });
    },
  );

  fastify.get<CaseParams>(
    '/api/cases/:caseId/final-report',
    { config: { access: CASEWORK_ROLES }, preValidation: caseGuard, schema: { params: caseParams } },
    async (request, reply) => {
      const c = await loadVisibleCase(request, db, request.params.caseId);
      // The report shows the client's name: nothing leaves before its audit row is stored. (Rendered
      // outside a transaction: it reads in parallel, which one transaction's connection cannot.)
      const pdf = await renderFinalReport(db, c.id, clock.now());
      await recordAudit(db, auditOf(request, { action: 'case.final-report.read', recordType: 'case', recordId: c.id, teamId: c.teamId }));
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="abschlussbericht-${c.pseudonym}.pdf"`)
        .send(pdf);
    },
  );

  fastify.get('/api/programmes', { config: { access: 'authenticated' } }, async () =>
    (await listProgrammes(db)).map((p) => ({
      id: p.id,
      name: p.name,
      jurisdiction: p.jurisdiction,
      intensivePhaseMonths: p.intensivePhaseMonths,
      aftercareMonths: p.aftercareMonths,
      aftercareMaxMonths: p.aftercareMaxMonths,
      regions: p.regions,
      offices: p.offices,
    })),
  );

  fastify.get('/api/teams', { config: { access: 'authenticated' } }, async (request) => listTeams(db, teamsOf(request)));
}
