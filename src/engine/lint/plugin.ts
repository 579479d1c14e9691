/**
 * The deploy-time rule set as a bpmnlint plugin: the server runs it before every deploy and the
 * modeler can load the same modules through bpmn-js-bpmnlint. Browser-safe (no Node imports).
 */
import type { RuleFactory } from './helpers.js';
import calledElement from './rules/called-element.js';
import errorReference from './rules/error-reference.js';
import eventBasedGateway from './rules/event-based-gateway.js';
import eventSubprocess from './rules/event-subprocess.js';
import executableProcess from './rules/executable-process.js';
import feelSyntax from './rules/feel-syntax.js';
import inclusiveGatewayJoin from './rules/inclusive-gateway-join.js';
import loopCharacteristics from './rules/loop-characteristics.js';
import messageSubscription from './rules/message-subscription.js';
import noListeners from './rules/no-listeners.js';
import sequenceFlowConditions from './rules/sequence-flow-conditions.js';
import startEvents from './rules/start-events.js';
import supportedEvent from './rules/supported-event.js';
import taskImplementation from './rules/task-implementation.js';
import timerDefinition from './rules/timer-definition.js';
import unsupportedElement from './rules/unsupported-element.js';
import userTaskForm from './rules/user-task-form.js';

/** The short name bpmnlint knows the plugin by (package `bpmnlint-plugin-uebergang`). */
export const PLUGIN_NAME = 'uebergang';

/** Every rule, keyed the way a bpmnlint config names it: `uebergang/<rule-name>`. */
export const rules: Readonly<Record<string, RuleFactory>> = Object.freeze({
  'uebergang/called-element': calledElement,
  'uebergang/error-reference': errorReference,
  'uebergang/event-based-gateway': eventBasedGateway,
  'uebergang/event-subprocess': eventSubprocess,
  'uebergang/executable-process': executableProcess,
  'uebergang/feel-syntax': feelSyntax,
  'uebergang/inclusive-gateway-join': inclusiveGatewayJoin,
  'uebergang/loop-characteristics': loopCharacteristics,
  'uebergang/message-subscription': messageSubscription,
  'uebergang/no-listeners': noListeners,
  'uebergang/sequence-flow-conditions': sequenceFlowConditions,
  'uebergang/start-events': startEvents,
  'uebergang/supported-event': supportedEvent,
  'uebergang/task-implementation': taskImplementation,
  'uebergang/timer-definition': timerDefinition,
  'uebergang/unsupported-element': unsupportedElement,
  'uebergang/user-task-form': userTaskForm,
});

/** The bpmnlint config the deploy applies: every rule is an error, because deploy rejects on any. */
export const config: Readonly<{ rules: Record<string, 'error'> }> = Object.freeze({
  rules: Object.fromEntries(Object.keys(rules).map((name) => [name, 'error' as const])),
});

/**
 * A bpmnlint resolver over the rules above (and this config as `plugin:uebergang/recommended`),
 * so neither the server nor the modeler resolves rules from node_modules by package name.
 */
export const resolver = {
  resolveRule(pkg: string, ruleName: string): RuleFactory {
    const rule = pkg === `bpmnlint-plugin-${PLUGIN_NAME}` ? rules[`${PLUGIN_NAME}/${ruleName}`] : undefined;
    if (!rule) throw new Error(`Unknown lint rule ${pkg}/${ruleName}`);
    return rule;
  },
  resolveConfig(pkg: string, configName: string): typeof config {
    if (pkg !== `bpmnlint-plugin-${PLUGIN_NAME}` || configName !== 'recommended') {
      throw new Error(`Unknown lint config ${pkg}/${configName}`);
    }
    return config;
  },
};
