/**
 * The engine's deploy-time check. `checkResource` refuses files that are not well-formed
 * resources; `lintBpmn` refuses BPMN the embedded engine would run wrong or not at all. Both
 * are meant to run before anything is stored.
 */
import { createRequire } from 'node:module';
import type { Config, Report, Resolver } from 'bpmnlint/lib/types.js';
import { parseBpmn } from './moddle.js';
import { config, resolver } from './plugin.js';

export { checkResource, MAX_RESOURCE_BYTES, type ResourceProblem, type ResourceProblemCode } from './resource.js';
export { config, resolver, rules, PLUGIN_NAME } from './plugin.js';
export { FEEL_DIALECT } from './helpers.js';

/** One reason deploy must refuse a BPMN file. */
export interface LintIssue {
  /** The id of the offending element ('' when the file as a whole is at fault). */
  elementId: string;
  /** The rule that found it, e.g. `uebergang/timer-definition`. */
  rule: string;
  /** An English sentence naming the element and the reason. */
  message: string;
}

type AnnotatedReport = Report & { category: string };

interface BpmnLinter {
  lint(root: unknown, config?: Config): Promise<Record<string, AnnotatedReport[]>>;
}

// bpmnlint is CommonJS without types for its entry point; its types live in lib/types.d.ts.
const { Linter } = createRequire(import.meta.url)('bpmnlint') as {
  Linter: new (options: { config: Config; resolver: Resolver }) => BpmnLinter;
};

const linter = new Linter({ config: { ...config }, resolver });

/**
 * Lints BPMN XML with the `uebergang/*` rules and returns every error (an empty list means
 * deploy may accept it). Call `checkResource` first: XML that does not parse here throws,
 * as does a rule that crashed — a crashed rule must not let a diagram through.
 */
export async function lintBpmn(xml: string): Promise<LintIssue[]> {
  let root: unknown;
  try {
    ({ root } = await parseBpmn(xml));
  } catch (error) {
    throw new Error('BPMN could not be parsed for linting; checkResource should have refused it', { cause: error });
  }
  const results = await linter.lint(root);
  const issues: LintIssue[] = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      if (report.category === 'rule-error') throw new Error(`Lint rule ${rule} failed: ${report.message}`);
      if (report.category !== 'error') continue;
      issues.push({ elementId: report.id ?? '', rule, message: report.message });
    }
  }
  return issues;
}
