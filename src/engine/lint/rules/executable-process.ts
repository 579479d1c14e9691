import { is, list, type ModdleElement, type Reporter, type RuleDefinition } from '../helpers.js';

/** A deployment must contain at least one process marked `isExecutable="true"`: nothing else runs. */
export default function executableProcess(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:Definitions')) return;
      const runs = list(node, 'rootElements').some((root) => is(root, 'bpmn:Process') && root.isExecutable === true);
      if (!runs) {
        reporter.report(node.id ?? '', `definitions "${node.id ?? ''}": contains no executable process (isExecutable="true")`);
      }
    },
  };
}
