/** The notifications handler's data access: the outbox. */
import type { Database } from '../../src/db/types.js';
import {
  claimNotifications,
  markNotificationFailed,
  markNotificationSent,
  type OutboxMessage,
} from '../../src/domain/outbox.js';

/** What the handler reads and writes. */
export interface NotificationStore {
  /** Claims due messages with a lease (`SKIP LOCKED`: racing workers get disjoint rows). */
  claim(input: { workerId: string; limit: number; now: Date }): Promise<OutboxMessage[]>;
  /** @returns false when it was already marked sent */
  markSent(id: string, now: Date): Promise<boolean>;
  /** Back-off, or give up after the last attempt. */
  markFailed(input: { id: string; workerId: string; attempts: number; errorCode: string; now: Date }): Promise<'retry' | 'dead'>;
}

/** The store over SQL. */
export function createNotificationStore(db: Database): NotificationStore {
  return {
    // Its own statement, committed at once: the lease must be visible before the slow SMTP send.
    claim: (input) => claimNotifications(db, input),
    markSent: (id, now) => markNotificationSent(db, id, now),
    markFailed: (input) => markNotificationFailed(db, input),
  };
}
