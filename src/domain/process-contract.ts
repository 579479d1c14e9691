/**
 * What the product API and the BPMN files in `processes/` agree on: process ids, message names
 * with their correlation keys, and the variables an instance starts with. Process variables
 * carry ids, dates and decisions only (DESIGN.md); personal data stays in the domain tables.
 */

/** Process ids; each is also the file name `processes/<id>.bpmn`. */
export const PROCESSES = {
  /** One instance per case, from admission to closure. Started by `POST /api/cases`. */
  transitionCase: 'transition-case',
  /** Called by `transition-case` per referral. */
  partnerReferral: 'partner-referral',
  /** A re-entry request after closure or drop-out: supervisor approval, then a linked new case. */
  caseReentry: 'case-reentry',
  /**
   * Called with `dueAt` (an ISO instant) and ends then: the lifecycle waits for dates derived
   * from case data through it, and re-schedules by calling it again (see the diagrams).
   */
  waitUntil: 'wait-until',
} as const;

/** Variables `transition-case` starts with. */
export interface TransitionCaseStart {
  caseId: string;
  programmeId: string;
  teamId: string;
  /** ISO date (yyyy-mm-dd); the intensive phase starts 6 months before it. */
  expectedRelease: string;
}

/** Variables `case-reentry` starts with. */
export interface CaseReentryStart {
  /** The closed case the client re-enters from. */
  previousCaseId: string;
  teamId: string;
}

/**
 * Messages the API publishes, with the variable used as correlation key. Each carries the
 * variables named beside it; the diagram waits for it where the lifecycle allows it.
 */
export const MESSAGES = {
  /** `{ expectedRelease }` — re-schedules the intensive phase and the application deadlines. */
  expectedReleaseChanged: { name: 'expected-release-changed', correlationKey: 'caseId' },
  /** `{ actualRelease }` — the person was released on that date. */
  releaseRecorded: { name: 'release-recorded', correlationKey: 'caseId' },
  /** `{ closureReason }` ('drop-out' | 'not-eligible' | 'regular') — closes the case early. */
  caseClosed: { name: 'case-closed', correlationKey: 'caseId' },
  /** No variables — a crisis intervention task, at any time of an open case. */
  crisisReported: { name: 'crisis-reported', correlationKey: 'caseId' },
  /** `{ extensionId }` — the caseworker asks for longer aftercare. */
  extensionRequested: { name: 'extension-requested', correlationKey: 'caseId' },
  /** `{ accepted: boolean }` — the partner organisation answered a referral. */
  partnerAnswered: { name: 'partner-answered', correlationKey: 'referralId' },
  /** `{ referralId }` — a referral was created for the case: `transition-case` calls `partner-referral` for it. */
  referralRequested: { name: 'referral-requested', correlationKey: 'caseId' },
} as const;

/**
 * The variable a completed approval task names its approver in (extension and re-entry
 * approvals): the id of the user completing the task. The task-completion route sets it.
 */
export const DECIDED_BY_VARIABLE = 'decidedBy';

// The domain is the truth for the dates the timers follow: the API changes the case first
// (changeExpectedReleaseDate, recordRelease, closeCase, requestExtension) and then publishes the
// message; the diagram's `case-phase` step reads the dates back. Release and closure are also
// recorded by `case-phase` from the message's variables when the API has not done it first.

/** A message the API can publish. */
export type MessageKey = keyof typeof MESSAGES;
