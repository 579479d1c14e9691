import { describe, is, isExecutable, type ModdleElement, type Reporter, type RuleDefinition } from '../helpers.js';

/** Element types bpmn-elements cannot run the way Camunda 8 does, most specific first. */
const UNSUPPORTED: ReadonlyArray<readonly [type: string, reason: string]> = [
  ['bpmn:ComplexGateway', 'complex gateways are not supported'],
  ['bpmn:Transaction', 'transaction subprocesses are not supported'],
  ['bpmn:AdHocSubProcess', 'ad-hoc subprocesses are not supported'],
];

/** Rejects complex gateways, transactions and ad-hoc subprocesses. */
export default function unsupportedElement(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      const match = UNSUPPORTED.find(([type]) => is(node, type));
      if (!match || !isExecutable(node)) return;
      reporter.report(node.id ?? '', `${describe(node)}: ${match[1]}`);
    },
  };
}
