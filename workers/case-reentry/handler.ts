/**
 * `case-reentry`: after a supervisor approved a re-entry (`reentryDecision`), opens a new case
 * linked to the closed one (`previousCaseId`). The approver is `decidedBy` (the user who
 * completed the approval task); the programme decides whether an approval is required. A retry
 * after the new case was committed finds it and answers as the first time.
 */
import { DomainError } from '../../src/domain/errors.js';
import { BpmnError } from '../lib/bpmn-error.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { InvalidVariableError, optionalId, requireId } from '../lib/variables.js';
import type { CaseReentryStore } from './store.js';

/** Helpers of this handler. */
export interface CaseReentryHelpers extends JobHelpers {
  store: CaseReentryStore;
}

/** Output variables: what the new `transition-case` instance starts with. */
export type CaseReentryOutput = {
  newCaseId: string;
  programmeId: string;
  newCaseTeamId: string;
  expectedRelease: string;
};

/** The modelled outcomes this handler throws as BPMN errors. */
export const CASE_REENTRY_ERRORS = ['REENTRY_NOT_APPROVED', 'REENTRY_APPROVAL_REQUIRED', 'REENTRY_CASE_NOT_CLOSED'] as const;

/** The handler. Variables: `previousCaseId`, `reentryDecision`, `decidedBy?`, `newExpectedRelease?`. */
export const handler: Handler<CaseReentryOutput, CaseReentryHelpers> = async (variables, helpers) => {
  const previousCaseId = requireId(variables, 'previousCaseId');
  const approvedBy = optionalId(variables, 'decidedBy') ?? null;
  const log = helpers.log.child({ previousCaseId });
  if (variables.reentryDecision !== 'approved') throw new BpmnError('REENTRY_NOT_APPROVED', `Re-entry from ${previousCaseId} was not approved`);
  const expected = readDate(variables.newExpectedRelease);
  const existing = await helpers.store.findLinkedCase(previousCaseId);
  const opened =
    existing ??
    (await helpers.store
      .openReentryCase({ previousCaseId, approvedBy, expectedReleaseDate: expected }, helpers.now())
      .catch((error: unknown) => {
        if (error instanceof DomainError && (error.code === 'REENTRY_APPROVAL_REQUIRED' || error.code === 'REENTRY_CASE_NOT_CLOSED')) {
          throw new BpmnError(error.code, error.message);
        }
        throw error;
      }));
  log.info({ caseId: opened.id }, existing ? 'linked case found (retry)' : 'linked case opened');
  return { newCaseId: opened.id, programmeId: opened.programmeId, newCaseTeamId: opened.teamId, expectedRelease: opened.expectedReleaseDate };
};

/** An optional date from a form (`YYYY-MM-DD` or a date-time); empty means "as before". */
function readDate(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new InvalidVariableError('newExpectedRelease', 'a date');
  return value.slice(0, 10);
}
