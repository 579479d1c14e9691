import {
  describe,
  is,
  isEventSubProcess,
  isExecutable,
  list,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/** Event kinds the engine does not run at all, with the word a modeller knows them by. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  signal: 'signal',
  escalation: 'escalation',
  compensate: 'compensation',
  conditional: 'conditional',
  link: 'link',
  cancel: 'cancel',
};

/** The kinds each event type may have, by where it sits; `none` is an event without definition. */
function allowedKinds(event: ModdleElement): readonly string[] {
  if (is(event, 'bpmn:StartEvent')) {
    const parent = event.$parent;
    if (isEventSubProcess(parent)) return ['message', 'timer', 'error'];
    if (is(parent, 'bpmn:SubProcess')) return ['none'];
    return ['none', 'message', 'timer'];
  }
  if (is(event, 'bpmn:EndEvent')) return ['none', 'error', 'terminate', 'message'];
  if (is(event, 'bpmn:IntermediateThrowEvent')) return ['none'];
  if (is(event, 'bpmn:IntermediateCatchEvent')) return ['timer', 'message'];
  if (is(event, 'bpmn:BoundaryEvent')) return ['timer', 'message', 'error'];
  return [];
}

/** `bpmn:TimerEventDefinition` → `timer`. */
function kindOf(definition: ModdleElement | undefined): string {
  if (!definition) return 'none';
  return definition.$type.replace(/^bpmn:/, '').replace(/EventDefinition$/, '').toLowerCase();
}

/**
 * Rejects signal, escalation, compensation, conditional, link and cancel events, events with
 * several definitions, and kinds in places the engine does not support (an error start outside
 * an event subprocess, a message throw event, a none intermediate catch…).
 */
export default function supportedEvent(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:Event') || !isExecutable(node)) return;
      const definitions = list(node, 'eventDefinitions');
      const id = node.id ?? '';
      if (definitions.length > 1) {
        reporter.report(id, `${describe(node)}: events with several event definitions are not supported`);
        return;
      }
      const kind = kindOf(definitions[0]);
      const unsupported = UNSUPPORTED_KINDS[kind];
      if (unsupported) {
        reporter.report(id, `${describe(node)}: ${unsupported} events are not supported`);
        return;
      }
      const allowed = allowedKinds(node);
      if (!allowed.includes(kind)) {
        const where = is(node, 'bpmn:StartEvent') && is(node.$parent, 'bpmn:SubProcess')
          ? isEventSubProcess(node.$parent) ? ' in an event subprocess' : ' in an embedded subprocess'
          : '';
        reporter.report(
          id,
          `${describe(node)}: ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} event is not supported here${where} (supported: ${allowed.join(', ')})`,
        );
        return;
      }
      // BPMN makes error catching interrupt; a non-interrupting one would let the failed scope run on.
      if (kind === 'error' && (node.cancelActivity === false || node.isInterrupting === false)) {
        reporter.report(id, `${describe(node)}: an error event that catches must be interrupting`);
      }
    },
  };
}
