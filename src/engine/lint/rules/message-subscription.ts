import {
  child,
  describe,
  eventDefinitionOf,
  extension,
  is,
  isAny,
  isExecutable,
  text,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/** The element that names the message: the receive task itself or the message event definition. */
function messageHolder(node: ModdleElement): ModdleElement | undefined {
  if (is(node, 'bpmn:ReceiveTask')) return node;
  if (!isAny(node, ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent'])) return undefined;
  const definition = eventDefinitionOf(node);
  return is(definition, 'bpmn:MessageEventDefinition') ? definition : undefined;
}

/**
 * Every message catch (receive task, intermediate, boundary, start) must reference a message with
 * a name, and — except on a message start event of a process, which starts a new instance — a
 * zeebe:subscription correlationKey that tells which instance the message is for.
 */
export default function messageSubscription(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      const holder = messageHolder(node);
      if (!holder || !isExecutable(node)) return;
      const id = node.id ?? '';
      const message = child(holder, 'messageRef');
      if (!message) {
        reporter.report(id, `${describe(node)}: must reference a message (messageRef)`);
        return;
      }
      const name = text(message, 'name');
      if (!name) {
        reporter.report(id, `${describe(node)}: its message "${message.id ?? ''}" has no name`);
        return;
      }
      const startsProcess = is(node, 'bpmn:StartEvent') && is(node.$parent, 'bpmn:Process');
      if (startsProcess) return;
      if (!text(extension(message, 'zeebe:Subscription'), 'correlationKey')) {
        reporter.report(
          id,
          `${describe(node)}: message "${name}" has no zeebe:subscription correlationKey, so no instance could be matched`,
        );
      }
    },
  };
}
