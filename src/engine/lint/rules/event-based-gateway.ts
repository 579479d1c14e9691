import {
  child,
  describe,
  eventDefinitionOf,
  is,
  isAny,
  isExecutable,
  flows,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * An event-based gateway waits for the first of at least two intermediate message or timer catch
 * events; receive tasks behind it and instantiating gateways are not supported (as in Camunda 8).
 */
export default function eventBasedGateway(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:EventBasedGateway') || !isExecutable(node)) return;
      const id = node.id ?? '';
      if (node.instantiate === true) {
        reporter.report(id, `${describe(node)}: an instantiating event-based gateway is not supported`);
        return;
      }
      const outgoing = flows(node, 'sourceRef');
      if (outgoing.length < 2) {
        reporter.report(id, `${describe(node)}: an event-based gateway needs at least two outgoing flows`);
      }
      for (const flow of outgoing) {
        const target = child(flow, 'targetRef');
        const waits =
          is(target, 'bpmn:IntermediateCatchEvent') &&
          isAny(target && eventDefinitionOf(target), ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition']);
        if (!waits) {
          reporter.report(
            id,
            `${describe(node)}: flow "${flow.id ?? ''}" must lead to an intermediate message or timer catch event, not to ${target ? describe(target) : 'nothing'}`,
          );
        }
      }
    },
  };
}
