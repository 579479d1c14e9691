import {
  describe,
  extension,
  isExecutable,
  list,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * Rejects zeebe execution and task listeners: the embedded engine does not create listener jobs,
 * so the work they stand for would silently never happen.
 */
export default function noListeners(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!node.id || !node.extensionElements || !isExecutable(node)) return;
      for (const [type, label] of [
        ['zeebe:ExecutionListeners', 'execution listeners'],
        ['zeebe:TaskListeners', 'task listeners'],
      ] as const) {
        if (list(extension(node, type), 'listeners').length > 0) {
          reporter.report(node.id, `${describe(node)}: zeebe ${label} are not supported`);
        }
      }
    },
  };
}
