import {
  describe,
  feelSyntaxError,
  is,
  isFeel,
  owner,
  processOf,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * Attributes of zeebe extension elements that hold names or plain text, never FEEL, even when
 * a value happens to start with `=` (targets, header values, result variables).
 */
const NOT_FEEL: Record<string, readonly string[]> = {
  'zeebe:Input': ['target'],
  'zeebe:Output': ['target'],
  'zeebe:Header': ['key', 'value'],
  'zeebe:Property': ['name', 'value'],
  'zeebe:Script': ['resultVariable'],
  'zeebe:CalledDecision': ['resultVariable'],
  'zeebe:LoopCharacteristics': ['inputElement', 'outputCollection'],
};

/** BPMN attributes that Camunda 8 evaluates as FEEL when they start with `=`. */
const BPMN_FEEL: Record<string, readonly string[]> = {
  'bpmn:Message': ['name'],
  'bpmn:Error': ['errorCode'],
};

/** `zeebe:TaskDefinition` → `zeebe:taskDefinition`, as the XML spells it. */
function xmlName(type: string): string {
  const [prefix, local] = type.split(':');
  return `${prefix}:${local.charAt(0).toLowerCase()}${local.slice(1)}`;
}

/** The [label, value] pairs of `node` that are FEEL expressions. */
function feelValues(node: ModdleElement): Array<[label: string, value: string]> {
  if (is(node, 'bpmn:Expression')) {
    // A condition or timer value: name it by the property of its parent that holds it.
    const parent = node.$parent;
    const property = parent?.$descriptor.properties.find((p) => parent[p.name] === node)?.name ?? 'expression';
    return isFeel(node.body as string | undefined) ? [[property, node.body as string]] : [];
  }
  const attributes = node.$type.startsWith('zeebe:')
    ? node.$descriptor.properties
        .filter((p) => p.isAttr && p.type === 'String' && !NOT_FEEL[node.$type]?.includes(p.name))
        .map((p) => p.name)
    : (BPMN_FEEL[node.$type] ?? []);
  return attributes
    .filter((name) => isFeel(node[name] as string | undefined))
    .map((name) => [`${node.$type.startsWith('zeebe:') ? `${xmlName(node.$type)} ` : ''}${name}`, node[name] as string]);
}

/**
 * Every FEEL expression (a value starting with `=`) must parse: conditions, timer values,
 * io mappings, job types and retries, called process ids, loop collections, correlation keys,
 * assignments, schedules, scripts, message names and error codes.
 */
export default function feelSyntax(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      const process = processOf(node);
      if (process && process.isExecutable !== true) return;
      for (const [label, value] of feelValues(node)) {
        const problem = feelSyntaxError(value);
        if (!problem) continue;
        const at = owner(node);
        reporter.report(at.id ?? '', `${describe(at)}: ${label} "${value.trim()}" is not a valid FEEL expression: ${problem}`);
      }
    },
  };
}
