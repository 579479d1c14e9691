/**
 * The bpmnlint configuration of the modeler: bpmnlint's `recommended` rules plus the engine's
 * deploy-time rules (`src/engine/lint/plugin.ts`, the very modules the server runs before every
 * deploy), bundled for the browser and resolved without any lookup by package name.
 */
import recommended from 'bpmnlint/config/recommended.js';
import { config as engineConfig, resolver as engineResolver, PLUGIN_NAME } from '../../../../src/engine/lint/plugin';

type RuleFactory = (...args: unknown[]) => unknown;

// bpmnlint's own rules are CommonJS modules, one file per rule; only those recommended are used.
const bpmnlintRules = import.meta.glob<RuleFactory>('../../../../node_modules/bpmnlint/rules/*.js', {
  eager: true,
  import: 'default',
});

function bpmnlintRule(name: string): RuleFactory {
  const entry = Object.entries(bpmnlintRules).find(([file]) => file.endsWith(`/rules/${name}.js`));
  if (!entry) throw new Error(`Unknown lint rule bpmnlint/${name}`);
  return entry[1];
}

const ENGINE_PACKAGE = `bpmnlint-plugin-${PLUGIN_NAME}`;

/** What `linting.bpmnlint` of bpmn-js-bpmnlint expects: a config and a resolver. */
export const lintConfig = {
  config: { extends: ['bpmnlint:recommended', `plugin:${PLUGIN_NAME}/recommended`] },
  resolver: {
    resolveRule(pkg: string, ruleName: string): RuleFactory {
      if (pkg === 'bpmnlint') return bpmnlintRule(ruleName);
      if (pkg === ENGINE_PACKAGE) return engineResolver.resolveRule(pkg, ruleName) as unknown as RuleFactory;
      throw new Error(`Unknown lint rule ${pkg}/${ruleName}`);
    },
    resolveConfig(pkg: string, configName: string): unknown {
      if (pkg === 'bpmnlint' && configName === 'recommended') return recommended;
      if (pkg === ENGINE_PACKAGE) return engineResolver.resolveConfig(pkg, configName);
      throw new Error(`Unknown lint config ${pkg}/${configName}`);
    },
  },
};

/** The names of the engine's rules: a finding of one of these means deploy will refuse. */
export const ENGINE_RULES: readonly string[] = Object.keys(engineConfig.rules);
