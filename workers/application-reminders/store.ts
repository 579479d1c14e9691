/** The application-reminders handler's data access, over the domain modules. */
import type { Database } from '../../src/db/types.js';
import {
  enqueueReminderOnce,
  listReminderCandidates,
  type ReminderCandidate,
  type ReminderCursor,
  type ReminderStage,
} from '../../src/domain/applications.js';
import type { IsoDate } from '../../src/domain/dates.js';
import type { NewNotification } from '../../src/domain/outbox.js';

/** What the handler reads and writes. */
export interface ApplicationReminderStore {
  /** Planned applications of open cases near or past their deadline, by deadline, one page. */
  listCandidates(input: {
    today: IsoDate;
    caseId?: string;
    applicationId?: string;
    limit: number;
    after?: ReminderCursor;
  }): Promise<ReminderCandidate[]>;
  /**
   * Enqueues the notification unless one was enqueued for this application, deadline and stage
   * before (by any process), or the application or case no longer qualifies.
   * @returns the outbox id, or null
   */
  enqueueOnce(
    input: { applicationId: string; deadline: IsoDate; stage: ReminderStage; notification: NewNotification },
    now: Date,
  ): Promise<string | null>;
}

/** The store over SQL. */
export function createApplicationReminderStore(db: Database): ApplicationReminderStore {
  return {
    listCandidates: (input) => listReminderCandidates(db, input),
    enqueueOnce: (input, now) => enqueueReminderOnce(db, input, now),
  };
}
