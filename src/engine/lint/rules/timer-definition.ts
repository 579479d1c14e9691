import {
  describe,
  eventDefinitionOf,
  expressionBody,
  is,
  isEventSubProcess,
  isExecutable,
  isFeel,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';
import { isIsoCycle, isIsoDateTime, isIsoDuration } from '../../../iso8601.js';

type TimerKind = 'timeDate' | 'timeDuration' | 'timeCycle';

const KINDS: readonly TimerKind[] = ['timeDate', 'timeDuration', 'timeCycle'];

const VALIDATORS: Record<TimerKind, { valid: (value: string) => boolean; example: string }> = {
  timeDate: { valid: isIsoDateTime, example: 'an ISO 8601 date-time with a zone, e.g. 2025-01-31T09:00:00+01:00' },
  timeDuration: { valid: isIsoDuration, example: 'an ISO 8601 duration, e.g. P6M, PT30S or P1DT2H' },
  timeCycle: { valid: isIsoCycle, example: 'an ISO 8601 repeating interval, e.g. R/P1D or R5/PT10S' },
};

/** Which timer kinds the event may use where it sits, as Camunda 8 allows them. */
function allowedKinds(event: ModdleElement): { kinds: readonly TimerKind[]; why: string } {
  if (is(event, 'bpmn:StartEvent')) {
    if (!isEventSubProcess(event.$parent)) {
      return { kinds: ['timeDate', 'timeCycle'], why: 'a timer start event of a process needs a date or a cycle' };
    }
    return event.isInterrupting === false
      ? { kinds: KINDS, why: '' }
      : { kinds: ['timeDate', 'timeDuration'], why: 'an interrupting timer start event can fire only once' };
  }
  if (is(event, 'bpmn:BoundaryEvent') && event.cancelActivity === false) return { kinds: KINDS, why: '' };
  if (is(event, 'bpmn:BoundaryEvent')) {
    return { kinds: ['timeDate', 'timeDuration'], why: 'an interrupting timer boundary event can fire only once' };
  }
  return { kinds: ['timeDate', 'timeDuration'], why: 'an intermediate timer event waits once' };
}

/**
 * A timer needs exactly one of timeDate, timeDuration, timeCycle, allowed where it sits; a
 * literal value (not a FEEL `=` expression) must be valid ISO 8601 — cron is not supported.
 */
export default function timerDefinition(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:Event') || !isExecutable(node)) return;
      const definition = eventDefinitionOf(node);
      if (!is(definition, 'bpmn:TimerEventDefinition')) return;
      const embeddedStart = is(node, 'bpmn:StartEvent') && is(node.$parent, 'bpmn:SubProcess');
      if (embeddedStart && !isEventSubProcess(node.$parent)) return; // refused by supported-event
      const id = node.id ?? '';
      const set = KINDS.filter((kind) => expressionBody(definition, kind) !== undefined);
      if (set.length !== 1) {
        reporter.report(
          id,
          set.length === 0
            ? `${describe(node)}: the timer has no timeDate, timeDuration or timeCycle`
            : `${describe(node)}: the timer sets ${set.join(' and ')}; set exactly one`,
        );
        return;
      }
      const kind = set[0];
      const { kinds, why } = allowedKinds(node);
      if (!kinds.includes(kind)) {
        reporter.report(id, `${describe(node)}: ${kind} is not allowed here: ${why}`);
        return;
      }
      const value = expressionBody(definition, kind) ?? '';
      if (isFeel(value)) return; // checked by the feel-syntax rule; its value is known only at run time
      if (kind === 'timeCycle' && /\s/.test(value)) {
        reporter.report(id, `${describe(node)}: timeCycle "${value}" looks like a cron expression, which is not supported; use ${VALIDATORS.timeCycle.example}`);
        return;
      }
      if (!VALIDATORS[kind].valid(value)) {
        reporter.report(id, `${describe(node)}: ${kind} "${value}" is not ${VALIDATORS[kind].example}`);
      }
    },
  };
}
