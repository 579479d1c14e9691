import {
  describe,
  is,
  isAny,
  isEventSubProcess,
  isExecutable,
  list,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * Checks how many start events each scope has: a process needs at least one and may have at most
 * one none start event (bpmn-elements would start every one of them at once); an embedded or
 * event subprocess has exactly one.
 */
export default function startEvents(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      const isProcess = is(node, 'bpmn:Process');
      // Transactions and ad-hoc subprocesses are refused by unsupported-element already.
      const isPlainSubProcess =
        is(node, 'bpmn:SubProcess') && !isAny(node, ['bpmn:Transaction', 'bpmn:AdHocSubProcess']);
      if (isProcess ? node.isExecutable !== true : !isPlainSubProcess || !isExecutable(node)) return;
      const starts = list(node, 'flowElements').filter((element) => is(element, 'bpmn:StartEvent'));
      const id = node.id ?? '';
      if (isProcess) {
        const none = starts.filter((start) => list(start, 'eventDefinitions').length === 0);
        if (starts.length === 0) reporter.report(id, `${describe(node)}: an executable process needs a start event`);
        else if (none.length > 1) {
          reporter.report(id, `${describe(node)}: has ${none.length} none start events; at most one is allowed`);
        }
        return;
      }
      if (starts.length !== 1) {
        const kind = isEventSubProcess(node) ? 'an event subprocess' : 'an embedded subprocess';
        reporter.report(id, `${describe(node)}: ${kind} needs exactly one start event, it has ${starts.length}`);
      }
    },
  };
}
