/**
 * `case-phase`: keeps the case's phase in the domain table in step with the `transition-case`
 * diagram, and hands the diagram the dates its timers follow. The domain is the truth for those
 * dates: the API changes them (a new expected release date, the release, an approved extension)
 * and publishes a message; this step reads them back, so a timer never runs on a stale copy.
 * Every phase move is idempotent: a retry, or the API having moved the case first, changes nothing.
 * - `custody` (with `eligible`: records the eligibility decision first), `intensive`: moves forward
 *   only; a later phase is left as it is (a re-scheduling loop calls this again).
 * - `aftercare`: records the release on `actualRelease` unless the case is released already.
 * - `closed`: closes the case with `closureReason` unless it is closed already.
 */
import type { ClosureReason, Phase } from '../../src/domain/cases.js';
import { parseIsoDate } from '../../src/domain/dates.js';
import { deriveCaseDates } from '../../src/domain/programmes.js';
import type { Handler, JobHelpers } from '../lib/types.js';
import { InvalidVariableError, requireId } from '../lib/variables.js';
import type { CasePhaseStore } from './store.js';

/** Helpers of this handler. */
export interface CasePhaseHelpers extends JobHelpers {
  store: CasePhaseStore;
}

/** Output variables: the phase reached and the dates and figures the diagram's timers use. */
export type CasePhaseOutput = {
  casePhase: Phase;
  expectedRelease: string;
  actualRelease: string | null;
  /** The date the aftercare ends (actual release + programme months + approved extensions). */
  aftercareEndsOn: string | null;
  /** When the intensive phase starts (midnight UTC of expected release − the programme's months): a timer's due time. */
  intensivePhaseStartsAt: string;
  /** When the aftercare period ends (midnight UTC of `aftercareEndsOn`), or null before the release. */
  aftercareEndsAt: string | null;
  /** From the programme: the intensive phase starts this many months before the expected release. */
  intensivePhaseMonths: number;
  aftercareMonths: number;
  aftercareMaxMonths: number;
};

/** The phases the diagram moves a case into. */
export const TARGET_PHASES = ['custody', 'intensive', 'aftercare', 'closed'] as const;
const ORDER: Record<Phase, number> = { intake: 0, custody: 1, intensive: 2, aftercare: 3, closed: 4 };
const REASONS: readonly ClosureReason[] = ['regular', 'drop-out', 'not-eligible'];

/** The handler. Variables: `caseId`, `phase`, and per phase `eligible`, `actualRelease`, `closureReason`. */
export const handler: Handler<CasePhaseOutput, CasePhaseHelpers> = async (variables, helpers) => {
  const caseId = requireId(variables, 'caseId');
  const phase = variables.phase;
  if (!(TARGET_PHASES as readonly unknown[]).includes(phase)) {
    throw new InvalidVariableError('phase', `one of ${TARGET_PHASES.join(', ')}`);
  }
  const target = phase as (typeof TARGET_PHASES)[number];
  const now = helpers.now();
  const log = helpers.log.child({ caseId, phase: target });
  let current = await helpers.store.getCase(caseId);

  if (target === 'closed') {
    if (current.status !== 'closed') {
      const reason = variables.closureReason;
      if (!REASONS.includes(reason as ClosureReason)) throw new InvalidVariableError('closureReason', REASONS.join(', '));
      if (variables.eligible === false) current = await helpers.store.recordEligibility(caseId, false);
      current = await helpers.store.close(caseId, reason as ClosureReason, now);
      log.info({ closureReason: reason }, 'case closed');
    }
  } else if (current.status === 'open') {
    if (target === 'custody' && typeof variables.eligible === 'boolean' && current.eligibility === 'pending') {
      current = await helpers.store.recordEligibility(caseId, variables.eligible);
    }
    if (target === 'aftercare') {
      if (!current.actualReleaseDate) {
        const actual = parseIsoDate(readDate(variables.actualRelease), 'actualRelease');
        current = await helpers.store.recordRelease(caseId, actual, now);
        log.info('release recorded, aftercare started');
      }
    } else if (ORDER[current.phase] < ORDER[target]) {
      current = await helpers.store.setPhase(caseId, target);
      log.info('phase changed');
    }
  }
  const programme = await helpers.store.getProgramme(current.programmeId);
  const { intensivePhaseStartsOn } = deriveCaseDates(programme, current);
  return {
    casePhase: current.phase,
    expectedRelease: current.expectedReleaseDate,
    actualRelease: current.actualReleaseDate,
    aftercareEndsOn: current.aftercareEndsOn,
    intensivePhaseStartsAt: midnightUtc(intensivePhaseStartsOn),
    aftercareEndsAt: current.aftercareEndsOn ? midnightUtc(current.aftercareEndsOn) : null,
    intensivePhaseMonths: programme.intensivePhaseMonths,
    aftercareMonths: programme.aftercareMonths,
    aftercareMaxMonths: programme.aftercareMaxMonths,
  };
};

/** The instant a calendar date starts in UTC, as FEEL's `date(...)` gives it to a timer. */
function midnightUtc(date: string): string {
  return `${date}T00:00:00.000Z`;
}

/** A date variable as `YYYY-MM-DD`; a date-time (from a form's date field or FEEL) is cut to its date. */
function readDate(value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
}
