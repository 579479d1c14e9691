/**
 * `extension-approval`, used twice in the diagram:
 * - without `decision` (before the supervisor's task): checks justification, phase and the
 *   programme's cap (SoNa: 24 months of aftercare in total). A refused request is recorded as
 *   rejected with the rule's code and thrown as that BPMN error; a valid one goes on to the
 *   supervisor's approval task, which the diagram creates.
 * - with `decision` (after the task): records the decision and, when approved, moves the
 *   aftercare end date (the rules are checked again: another approval may have come first).
 */
import type { ExtensionDecision } from '../../src/domain/extensions.js';
import { evaluateExtension } from '../../src/domain/extensions.js';
import { BpmnError } from '../lib/bpmn-error.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { optionalId, optionalOneOf, requireId } from '../lib/variables.js';
import type { ExtensionApprovalStore } from './store.js';

/** Helpers of this handler. */
export interface ExtensionApprovalHelpers extends JobHelpers {
  store: ExtensionApprovalStore;
}

/** Output variables of the check (no `decision` given). */
export type ExtensionCheckOutput = {
  extensionCheck: 'passed';
  requestedMonths: number;
  /** Aftercare months in total if approved. */
  aftercareTotalMonths: number;
  proposedAftercareEndsOn: string;
};

/** Output variables of the decision. */
export type ExtensionDecisionOutput = {
  extensionDecision: 'approved' | 'rejected';
  aftercareEndsOn: string | null;
};

/** The modelled outcomes this handler throws as BPMN errors. */
export const EXTENSION_APPROVAL_ERRORS = [
  'EXTENSION_NOT_JUSTIFIED',
  'EXTENSION_WRONG_PHASE',
  'EXTENSION_CAP_EXCEEDED',
  'EXTENSION_ALREADY_DECIDED',
] as const;

/** The handler. Variables: `caseId`, `extensionId`, and for the decision `decision`, `decidedBy`. */
export const handler: Handler<ExtensionCheckOutput | ExtensionDecisionOutput, ExtensionApprovalHelpers> = async (
  variables,
  helpers,
): Promise<ExtensionCheckOutput | ExtensionDecisionOutput> => {
  const caseId = requireId(variables, 'caseId');
  const extensionId = requireId(variables, 'extensionId');
  const decision = optionalOneOf(variables, 'decision', ['approved', 'rejected'] as const);
  const decidedBy = optionalId(variables, 'decidedBy') ?? null;
  const now = helpers.now();
  const context = await helpers.store.load(extensionId);
  if (context.extension.caseId !== caseId) throw new Error(`Extension ${extensionId} does not belong to case ${caseId}`);
  const log = helpers.log.child({ caseId, extensionId });

  if (context.extension.status !== 'requested') {
    // A retry after the decision was committed: answer as the first time.
    if (decision && context.extension.status === decision) {
      return { extensionDecision: decision, aftercareEndsOn: context.case.aftercareEndsOn };
    }
    throw new BpmnError('EXTENSION_ALREADY_DECIDED', `Extension ${extensionId} is already ${context.extension.status}`);
  }

  if (!decision) {
    const verdict = evaluateExtension(context.programme, context.case, context.extension, context.approvedMonths);
    if (!verdict.ok) {
      await helpers.store.rejectByRule(extensionId, verdict.code, now);
      log.info({ code: verdict.code }, 'extension refused by rule');
      throw new BpmnError(verdict.code, verdict.detail);
    }
    return {
      extensionCheck: 'passed',
      requestedMonths: context.extension.months,
      aftercareTotalMonths: verdict.totalMonths,
      proposedAftercareEndsOn: verdict.aftercareEndsOn,
    };
  }

  const result: ExtensionDecision = await helpers.store.decide({ extensionId, decision, decidedBy }, now);
  if (result.refusal) {
    log.info({ code: result.refusal }, 'approval refused by rule');
    throw new BpmnError(result.refusal, `Extension ${extensionId} was approved but the rules refuse it`);
  }
  log.info({ decision }, 'extension decided');
  return { extensionDecision: result.extension.status === 'approved' ? 'approved' : 'rejected', aftercareEndsOn: result.aftercareEndsOn };
};
