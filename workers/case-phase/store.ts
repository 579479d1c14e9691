/** The case-phase handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import { closeCase, getCase, recordEligibility, recordRelease, setPhase, type Case, type ClosureReason, type Phase } from '../../src/domain/cases.js';
import type { IsoDate } from '../../src/domain/dates.js';
import { getProgramme, type Programme } from '../../src/domain/programmes.js';

/** What the handler reads and writes. */
export interface CasePhaseStore {
  /** @throws DomainError CASE_NOT_FOUND */
  getCase(caseId: string): Promise<Case>;
  getProgramme(programmeId: string): Promise<Programme>;
  setPhase(caseId: string, phase: Phase): Promise<Case>;
  recordEligibility(caseId: string, eligible: boolean): Promise<Case>;
  recordRelease(caseId: string, actualRelease: IsoDate, now: Date): Promise<Case>;
  close(caseId: string, reason: ClosureReason, now: Date): Promise<Case>;
}

/** The store over SQL. */
export function createCasePhaseStore(db: Database): CasePhaseStore {
  return {
    getCase: (caseId) => getCase(db, caseId),
    getProgramme: (programmeId) => getProgramme(db, programmeId),
    setPhase: (caseId, phase) => setPhase(db, caseId, phase),
    recordEligibility: (caseId, eligible) => recordEligibility(db, caseId, eligible),
    recordRelease: (caseId, actualRelease, now) => recordRelease(db, caseId, actualRelease, now),
    close: (caseId, reason, now) => closeCase(db, caseId, reason, now),
  };
}
