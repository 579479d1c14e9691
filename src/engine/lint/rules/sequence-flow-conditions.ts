import {
  child,
  describe,
  expressionBody,
  isAny,
  is,
  isExecutable,
  isFeel,
  flows,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

const BRANCHING = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'] as const;

/**
 * After an exclusive or inclusive gateway with several outgoing flows, every flow but the default
 * needs a condition; conditions are FEEL (`=`) and only allowed after those gateways, as in
 * Camunda 8 (bpmn-elements would also evaluate them after tasks, Camunda 8 refuses that).
 */
export default function sequenceFlowConditions(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (isAny(node, BRANCHING) && isExecutable(node)) {
        const outgoing = flows(node, 'sourceRef');
        if (outgoing.length < 2) return;
        const fallback = child(node, 'default');
        for (const flow of outgoing) {
          if (flow !== fallback && expressionBody(flow, 'conditionExpression') === undefined) {
            reporter.report(
              flow.id ?? '',
              `${describe(flow)}: leaves ${describe(node)} without a condition and is not its default flow`,
            );
          }
        }
        return;
      }
      if (!is(node, 'bpmn:SequenceFlow') || !isExecutable(node)) return;
      const condition = expressionBody(node, 'conditionExpression');
      if (condition === undefined) return;
      const source = child(node, 'sourceRef');
      if (!isAny(source, BRANCHING)) {
        reporter.report(
          node.id ?? '',
          `${describe(node)}: a condition is only allowed on a flow leaving an exclusive or inclusive gateway`,
        );
      } else if (!isFeel(condition)) {
        reporter.report(
          node.id ?? '',
          `${describe(node)}: condition "${condition}" must be a FEEL expression starting with "="`,
        );
      }
    },
  };
}
