import { describe, is, isExecutable, type ModdleElement, type Reporter, type RuleDefinition } from '../helpers.js';

/**
 * The embedded engine starts event subprocesses that sit directly in a process and start on a
 * message, a timer or an error (bpmn-elements itself starts them only from events thrown inside
 * the same process; the engine does the rest). One inside an embedded subprocess would silently
 * never start: refused until the engine runs it. Which start events an event subprocess may
 * have is uebergang/supported-event's business.
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
      }
    },
  };
}
