/** The case-intake handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import { getCase, listDomainsHandledElsewhere, recordNeedView, type NeedViewInput } from '../../src/domain/cases.js';
import { findSharingGround, giveConsent, type ConsentPurpose } from '../../src/domain/consents.js';
import type { LifeDomain } from '../../src/domain/programmes.js';

/** What the handler reads and writes. */
export interface CaseIntakeStore {
  /** Whether the client's consent for `purpose` is in force at `at`. */
  hasConsent(caseId: string, purpose: ConsentPurpose, at: Date): Promise<boolean>;
  giveConsent(caseId: string, purpose: ConsentPurpose, now: Date): Promise<void>;
  domainsHandledElsewhere(caseId: string): Promise<LifeDomain[]>;
  recordNeedView(input: NeedViewInput, now: Date): Promise<void>;
}

/** The store over SQL. */
export function createCaseIntakeStore(db: Database): CaseIntakeStore {
  return {
    // A recorded legal basis is no consent: only a consent counts here.
    hasConsent: async (caseId, purpose, at) => (await findSharingGround(db, caseId, purpose, at)) === 'consent',
    async giveConsent(caseId, purpose, now) {
      const current = await getCase(db, caseId);
      await giveConsent(db, { clientId: current.clientId, purpose }, now);
    },
    domainsHandledElsewhere: async (caseId) => (await listDomainsHandledElsewhere(db, caseId)).map((d) => d.lifeDomain),
    recordNeedView: (input, now) => recordNeedView(db, input, now),
  };
}
