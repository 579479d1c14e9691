import { describe, is, isExecutable, type ModdleElement, type Reporter, type RuleDefinition } from '../helpers.js';

/**
 * The embedded engine starts event subprocesses that sit directly in a process and start on a
 * message or a timer (bpmn-elements itself starts them only from events thrown inside the same
 * process; the engine does it). Others would silently never start: an event subprocess inside
 * an embedded subprocess, or one started by an error. Refused until the engine runs them.
 */
export default function eventSubprocess(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:SubProcess') || !node.triggeredByEvent || !isExecutable(node)) return;
      if (!is(node.$parent, 'bpmn:Process')) {
        reporter.report(
          node.id ?? '',
          `${describe(node)}: event subprocesses inside a subprocess are not supported by the embedded engine yet; put it at process level or use a boundary event`,
        );
        return;
      }
      const start = ((node.flowElements ?? []) as ModdleElement[]).find((element) => is(element, 'bpmn:StartEvent'));
      const kinds = ((start?.eventDefinitions ?? []) as ModdleElement[]).map((definition) => definition.$type);
      if (!kinds.includes('bpmn:MessageEventDefinition') && !kinds.includes('bpmn:TimerEventDefinition')) {
        reporter.report(
          node.id ?? '',
          `${describe(node)}: only event subprocesses started by a message or a timer are supported by the embedded engine yet; catch errors with an error boundary event`,
        );
      }
    },
  };
}
