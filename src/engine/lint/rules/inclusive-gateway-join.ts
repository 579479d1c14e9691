import { describe, is, flows, isExecutable, type ModdleElement, type Reporter, type RuleDefinition } from '../helpers.js';

/**
 * Rejects an inclusive gateway with more than one incoming flow: bpmn-elements does not
 * synchronise such a join (the flows after it run once per arriving token), so only forks run.
 */
export default function inclusiveGatewayJoin(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:InclusiveGateway') || !isExecutable(node)) return;
      const incoming = flows(node, 'targetRef').length;
      if (incoming > 1) {
        reporter.report(
          node.id ?? '',
          `${describe(node)}: an inclusive gateway that joins ${incoming} flows is not supported because the join would not wait for them; use inclusive gateways only to fork (one incoming flow)`,
        );
      }
    },
  };
}
