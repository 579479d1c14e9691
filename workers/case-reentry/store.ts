/** The case-reentry handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import { getCase, openReentryCase, type Case } from '../../src/domain/cases.js';
import type { IsoDate } from '../../src/domain/dates.js';

/** What the handler reads and writes. */
export interface CaseReentryStore {
  /** The case already opened from `previousCaseId` (a retry after commit), or null. */
  findLinkedCase(previousCaseId: string): Promise<Case | null>;
  /** @throws DomainError REENTRY_APPROVAL_REQUIRED, REENTRY_CASE_NOT_CLOSED */
  openReentryCase(input: { previousCaseId: string; approvedBy: string | null; expectedReleaseDate?: IsoDate }, now: Date): Promise<Case>;
}

const SQL = {
  linked: `select id from transition_case where previous_case_id = $1 and status = 'open' order by opened_at desc limit 1`,
} as const;

/** The store over SQL. */
export function createCaseReentryStore(db: Database): CaseReentryStore {
  return {
    async findLinkedCase(previousCaseId) {
      const { rows } = await db.query<{ id: string }>(SQL.linked, [previousCaseId]);
      return rows[0] ? getCase(db, rows[0].id) : null;
    },
    openReentryCase: (input, now) => openReentryCase(db, input, now),
  };
}
