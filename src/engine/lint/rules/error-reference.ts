import {
  child,
  describe,
  eventDefinitionOf,
  is,
  isExecutable,
  text,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * An error end event throws a specific error: it must reference a bpmn:error with an errorCode,
 * which is what boundary events match. (Catching events may omit the reference to catch all.)
 */
export default function errorReference(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:EndEvent') || !isExecutable(node)) return;
      const definition = eventDefinitionOf(node);
      if (!is(definition, 'bpmn:ErrorEventDefinition')) return;
      const error = child(definition, 'errorRef');
      const id = node.id ?? '';
      if (!error) reporter.report(id, `${describe(node)}: an error end event must reference an error (errorRef)`);
      else if (!text(error, 'errorCode')) {
        reporter.report(id, `${describe(node)}: its error "${error.id ?? ''}" has no errorCode`);
      }
    },
  };
}
