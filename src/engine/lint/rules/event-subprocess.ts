import { describe, is, isExecutable, type ModdleElement, type Reporter, type RuleDefinition } from '../helpers.js';

/**
 * Event subprocesses are not run by the embedded engine yet: bpmn-elements starts them only
 * from events thrown inside the same process (not from messages published from outside, timers
 * or job errors), so an accepted diagram would silently never take them. Refused until the
 * engine starts them itself.
 */
export default function eventSubprocess(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:SubProcess') || !node.triggeredByEvent || !isExecutable(node)) return;
      reporter.report(
        node.id ?? '',
        `${describe(node)}: event subprocesses are not supported by the embedded engine yet; model the reaction with a boundary event instead`,
      );
    },
  };
}
