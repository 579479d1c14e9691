/**
 * `application-reminders`: reminds the owner of each planned application before its deadline
 * (one reminder per stage of the programme's lead days, e.g. 14 and 3 days before) and escalates
 * to the team's supervisors once it is overdue. Exactly once per application, deadline and stage,
 * even with several workers racing: the store's ledger decides, not this process. Never for a
 * closed case. Scope: one application, one case, or (no variables) every open case.
 */
import { reminderStage, type ReminderCandidate } from '../../src/domain/applications.js';
import { daysBetween, toIsoDate } from '../../src/domain/dates.js';
import type { NewNotification } from '../../src/domain/outbox.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { optionalId } from '../lib/variables.js';
import type { ApplicationReminderStore } from './store.js';

/** Helpers of this handler. */
export interface ApplicationReminderHelpers extends JobHelpers {
  store: ApplicationReminderStore;
}

/** Output variables. */
export type ApplicationReminderOutput = {
  remindersEnqueued: number;
  escalationsEnqueued: number;
  /** Whether an application in scope is overdue (whether or not escalated by this run). */
  overdue: boolean;
};

/** Rows read per page: large enough to be cheap, small enough to keep memory flat. */
export const PAGE_SIZE = 500;

/** The handler. Variables: `caseId?`, `applicationId?`. */
export const handler: Handler<ApplicationReminderOutput, ApplicationReminderHelpers> = async (variables, helpers) => {
  const caseId = optionalId(variables, 'caseId');
  const applicationId = optionalId(variables, 'applicationId');
  const now = helpers.now();
  const today = toIsoDate(now);
  const output: ApplicationReminderOutput = { remindersEnqueued: 0, escalationsEnqueued: 0, overdue: false };
  let after: { deadline: string; applicationId: string } | undefined;
  for (;;) {
    const page = await helpers.store.listCandidates({ today, caseId, applicationId, limit: PAGE_SIZE, after });
    for (const candidate of page) {
      // The store filters these too; checked again so the rule does not rest on one query.
      if (candidate.caseStatus !== 'open' || candidate.status !== 'planned') continue;
      const stage = reminderStage(candidate.deadline, today, candidate.reminderLeadDays);
      if (!stage) continue;
      if (stage === 'overdue') output.overdue = true;
      const outboxId = await helpers.store.enqueueOnce(
        { applicationId: candidate.applicationId, deadline: candidate.deadline, stage, notification: notificationFor(candidate, stage, today) },
        now,
      );
      if (!outboxId) continue;
      if (stage === 'overdue') output.escalationsEnqueued++;
      else output.remindersEnqueued++;
      helpers.log.info(
        { applicationId: candidate.applicationId, caseId: candidate.caseId, stage, outboxId },
        stage === 'overdue' ? 'application overdue: supervisors notified' : 'application reminder enqueued',
      );
    }
    if (page.length < PAGE_SIZE) break;
    const last = page[page.length - 1];
    after = { deadline: last.deadline, applicationId: last.applicationId };
  }
  return output;
};

function notificationFor(candidate: ReminderCandidate, stage: string, today: string): NewNotification {
  const common = {
    applicationId: candidate.applicationId,
    caseId: candidate.caseId,
    casePseudonym: candidate.casePseudonym,
    kind: candidate.kind,
    deadline: candidate.deadline,
  };
  if (stage === 'overdue') {
    return {
      template: 'application-overdue',
      recipient: { teamSupervisors: candidate.teamId },
      params: common,
      caseId: candidate.caseId,
    };
  }
  return {
    template: 'application-reminder',
    recipient: { user: candidate.ownerId },
    params: { ...common, daysLeft: daysBetween(today, candidate.deadline) },
    caseId: candidate.caseId,
  };
}
