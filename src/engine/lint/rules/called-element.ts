import {
  describe,
  extension,
  is,
  isExecutable,
  text,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/** A call activity needs `zeebe:calledElement processId` (a literal id or a FEEL expression). */
export default function calledElement(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:CallActivity') || !isExecutable(node)) return;
      if (!text(extension(node, 'zeebe:CalledElement'), 'processId')) {
        reporter.report(
          node.id ?? '',
          `${describe(node)}: needs a zeebe:calledElement with the processId of the process to call`,
        );
      }
    },
  };
}
