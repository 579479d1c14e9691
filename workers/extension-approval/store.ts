/** The extension-approval handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import { getCase, type Case } from '../../src/domain/cases.js';
import {
  approvedExtensionMonths,
  decideExtension,
  getExtension,
  rejectExtensionByRule,
  type Extension,
  type ExtensionDecision,
  type ExtensionRefusal,
} from '../../src/domain/extensions.js';
import { getProgramme, type Programme } from '../../src/domain/programmes.js';

/** An extension request with what its rules need. */
export interface ExtensionContext {
  extension: Extension;
  case: Case;
  programme: Programme;
  /** Months approved before, not counting this request. */
  approvedMonths: number;
}

/** What the handler reads and writes. */
export interface ExtensionApprovalStore {
  /** @throws DomainError EXTENSION_NOT_FOUND */
  load(extensionId: string): Promise<ExtensionContext>;
  /** Records a rejection by rule (no person involved) with the rule's code. */
  rejectByRule(extensionId: string, code: ExtensionRefusal, now: Date): Promise<void>;
  /** Records a supervisor's decision, re-checking the rules under the case lock. */
  decide(input: { extensionId: string; decision: 'approved' | 'rejected'; decidedBy: string | null }, now: Date): Promise<ExtensionDecision>;
}

/** The store over SQL. */
export function createExtensionApprovalStore(db: Database): ExtensionApprovalStore {
  return {
    async load(extensionId) {
      const extension = await getExtension(db, extensionId);
      const current = await getCase(db, extension.caseId);
      return {
        extension,
        case: current,
        programme: await getProgramme(db, current.programmeId),
        approvedMonths: await approvedExtensionMonths(db, current.id),
      };
    },
    rejectByRule: (extensionId, code, now) => rejectExtensionByRule(db, extensionId, code, now),
    decide: (input, now) => decideExtension(db, input, now),
  };
}
