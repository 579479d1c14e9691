import {
  describe,
  extensions,
  is,
  isExecutable,
  text,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * A user task refers to its form by `zeebe:formDefinition formId` (a deployed .form) or
 * `externalReference` — exactly one of them. Embedded forms (`formKey`, zeebe:userTaskForm) are
 * a deprecated Camunda 8 feature the Tasklist here does not render.
 */
export default function userTaskForm(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:UserTask') || !isExecutable(node)) return;
      const definitions = extensions(node, 'zeebe:FormDefinition');
      const id = node.id ?? '';
      if (definitions.length > 1) {
        reporter.report(id, `${describe(node)}: has ${definitions.length} zeebe:formDefinition elements; keep one`);
        return;
      }
      const definition = definitions[0];
      if (!definition) return;
      if (text(definition, 'formKey')) {
        reporter.report(
          id,
          `${describe(node)}: form key "${text(definition, 'formKey') ?? ''}" (embedded form) is not supported; reference a deployed form with zeebe:formDefinition formId`,
        );
        return;
      }
      const references = ['formId', 'externalReference'].filter((property) => text(definition, property));
      if (references.length !== 1) {
        reporter.report(
          id,
          `${describe(node)}: its zeebe:formDefinition needs exactly one of formId or externalReference`,
        );
      }
    },
  };
}
