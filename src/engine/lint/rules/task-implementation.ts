import {
  describe,
  eventDefinitionOf,
  extension,
  is,
  isAny,
  isExecutable,
  isFeel,
  text,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/** Elements that run as jobs for workers and so need a job type. */
function isJobElement(node: ModdleElement): boolean {
  if (isAny(node, ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'])) return true;
  return is(node, 'bpmn:EndEvent') && is(eventDefinitionOf(node), 'bpmn:MessageEventDefinition');
}

/** Why a zeebe:taskDefinition is unusable, or undefined when it is fine. */
function taskDefinitionProblem(definition: ModdleElement): string | undefined {
  if (!text(definition, 'type')) return 'its zeebe:taskDefinition has no job type';
  const retries = text(definition, 'retries');
  if (retries !== undefined && !isFeel(retries) && !/^\s*\d+\s*$/.test(retries)) {
    return `its zeebe:taskDefinition retries "${retries}" is not a whole number`;
  }
  return undefined;
}

/**
 * Every job element (service, send and business-rule tasks, message end events) needs a
 * zeebe:taskDefinition with a job type; DMN (zeebe:calledDecision) is not supported; a script
 * task needs either zeebe:script (FEEL expression and result variable) or a job.
 */
export default function taskImplementation(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      const isScript = is(node, 'bpmn:ScriptTask');
      if ((!isScript && !isJobElement(node)) || !isExecutable(node)) return;
      const id = node.id ?? '';
      const definition = extension(node, 'zeebe:TaskDefinition');
      if (is(node, 'bpmn:BusinessRuleTask') && extension(node, 'zeebe:CalledDecision')) {
        reporter.report(
          id,
          `${describe(node)}: DMN decisions (zeebe:calledDecision) are not supported; implement the rule as a job with a zeebe:taskDefinition`,
        );
        return;
      }
      if (isScript) {
        const script = extension(node, 'zeebe:Script');
        if (script && definition) {
          reporter.report(id, `${describe(node)}: has both zeebe:script and zeebe:taskDefinition; keep one`);
        } else if (script) {
          const expression = text(script, 'expression');
          if (!isFeel(expression)) {
            reporter.report(id, `${describe(node)}: its zeebe:script needs a FEEL expression starting with "="`);
          }
          if (!text(script, 'resultVariable')) {
            reporter.report(id, `${describe(node)}: its zeebe:script needs a resultVariable`);
          }
        } else if (!definition) {
          reporter.report(
            id,
            `${describe(node)}: needs a zeebe:script (FEEL expression and result variable) or a zeebe:taskDefinition (job type)`,
          );
        }
        const problem = definition && !script ? taskDefinitionProblem(definition) : undefined;
        if (problem) reporter.report(id, `${describe(node)}: ${problem}`);
        return;
      }
      if (!definition) {
        reporter.report(id, `${describe(node)}: needs a zeebe:taskDefinition with a job type for its workers`);
        return;
      }
      const problem = taskDefinitionProblem(definition);
      if (problem) reporter.report(id, `${describe(node)}: ${problem}`);
    },
  };
}
