/**
 * Small helpers shared by the deploy-time rules: reading a bpmn-moddle tree with types, finding
 * zeebe extension elements, and checking FEEL syntax. No Node APIs here: the modeler UI reuses
 * the rules in the browser through bpmn-js-bpmnlint.
 */
import { parseExpression } from 'feelin';
import type { Reporter, RuleDefinition } from 'bpmnlint/lib/types.js';

export type { Reporter, RuleDefinition };

/** A node of a bpmn-moddle tree, typed only as far as the rules need it. */
export interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  $instanceOf(type: string): boolean;
  $descriptor: { properties: Array<{ name: string; type: string; isAttr?: boolean; isMany?: boolean }> };
  id?: string;
  [property: string]: unknown;
}

/** A bpmnlint rule factory as the rules of this plugin export it (no options). */
export type RuleFactory = () => RuleDefinition;

/**
 * The FEEL dialect every `=` expression is parsed in. Camunda 8 writes names with spaces in
 * backticks, which only this dialect knows; the engine must evaluate with the same dialect.
 */
export const FEEL_DIALECT = 'camunda';

/** Whether `element` is of `type` or a subtype (`bpmn:` is implied when no prefix is given). */
export function is(element: unknown, type: string): boolean {
  if (!element || typeof element !== 'object') return false;
  const qualified = type.includes(':') ? type : `bpmn:${type}`;
  const node = element as ModdleElement;
  return typeof node.$instanceOf === 'function' ? node.$instanceOf(qualified) : node.$type === qualified;
}

/** Whether `element` is of any of `types`. */
export function isAny(element: unknown, types: readonly string[]): boolean {
  return types.some((type) => is(element, type));
}

/** A string attribute, or undefined when absent or empty after trimming. */
export function text(element: ModdleElement | undefined, property: string): string | undefined {
  const value = element?.[property];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A many-valued property (flowElements, outgoing, eventDefinitions…), never undefined. */
export function list(element: ModdleElement | undefined, property: string): ModdleElement[] {
  const value = element?.[property];
  return Array.isArray(value) ? (value as ModdleElement[]) : [];
}

/** A single-valued contained or referenced element. */
export function child(element: ModdleElement | undefined, property: string): ModdleElement | undefined {
  const value = element?.[property];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ModdleElement) : undefined;
}

/**
 * The sequence flows leaving (`sourceRef`) or entering (`targetRef`) a flow node. Read from the
 * flows, as the engines do, not from `<bpmn:outgoing>` children, which hand-written XML may omit.
 */
export function flows(node: ModdleElement, end: 'sourceRef' | 'targetRef'): ModdleElement[] {
  return list(node.$parent, 'flowElements').filter(
    (element) => is(element, 'bpmn:SequenceFlow') && element[end] === node,
  );
}

/** The zeebe extension elements of `type` (e.g. `zeebe:TaskDefinition`) on an element. */
export function extensions(element: ModdleElement, type: string): ModdleElement[] {
  return list(child(element, 'extensionElements'), 'values').filter((value) => is(value, type));
}

/** The first zeebe extension element of `type`, if any. */
export function extension(element: ModdleElement, type: string): ModdleElement | undefined {
  return extensions(element, type)[0];
}

/** The body of a `bpmn:FormalExpression` property (condition, timer value), trimmed. */
export function expressionBody(element: ModdleElement | undefined, property: string): string | undefined {
  const body = text(child(element, property), 'body');
  return body?.trim();
}

/** Whether a value is a FEEL expression: in Camunda 8 only strings starting with `=` are. */
export function isFeel(value: string | undefined): value is string {
  return typeof value === 'string' && value.trimStart().startsWith('=');
}

/**
 * The bpmn:Process an element belongs to, or undefined outside any process (collaborations,
 * root elements such as messages and errors).
 */
export function processOf(element: ModdleElement): ModdleElement | undefined {
  let node: ModdleElement | undefined = element;
  while (node && !is(node, 'bpmn:Process')) node = node.$parent;
  return node;
}

/**
 * Whether the element sits in an executable process. Only executable processes are deployed to
 * run, so the rules leave black-box pools and documentation-only processes alone.
 */
export function isExecutable(element: ModdleElement): boolean {
  return processOf(element)?.isExecutable === true;
}

/** Whether the element is an event subprocess (`triggeredByEvent`). */
export function isEventSubProcess(element: ModdleElement | undefined): boolean {
  return is(element, 'bpmn:SubProcess') && element?.triggeredByEvent === true;
}

/** The event definition of an event, undefined for a none event (several are rejected by a rule). */
export function eventDefinitionOf(event: ModdleElement): ModdleElement | undefined {
  return list(event, 'eventDefinitions')[0];
}

/** Names that read better than the split type name. */
const LABELS: Record<string, string> = {
  'bpmn:SubProcess': 'subprocess',
  'bpmn:AdHocSubProcess': 'ad-hoc subprocess',
  'bpmn:EventBasedGateway': 'event-based gateway',
};

/**
 * Names an element for a message: `service task "collect-money"`. The type comes from the
 * moddle type name (`bpmn:ServiceTask` → `service task`) so no table has to be kept in step.
 */
export function describe(element: ModdleElement): string {
  const local = element.$type.slice(element.$type.indexOf(':') + 1);
  const words = isEventSubProcess(element)
    ? 'event subprocess'
    : (LABELS[element.$type] ?? local.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
  return element.id ? `${words} "${element.id}"` : words;
}

/**
 * The flow element (or, outside flows, the root element such as a message) a nested node belongs
 * to: that is what a report names, not a condition expression, an event definition (which BPMN
 * counts as a root element too) or an extension element inside it.
 */
export function owner(element: ModdleElement): ModdleElement {
  let root: ModdleElement | undefined;
  for (let node: ModdleElement | undefined = element; node; node = node.$parent) {
    if (!node.id) continue;
    if (is(node, 'bpmn:FlowElement')) return node;
    if (!root && is(node, 'bpmn:RootElement')) root = node;
  }
  return root ?? element;
}

/**
 * Parses a FEEL expression (with or without its leading `=`) and returns why it is not valid,
 * or undefined when it parses. Only the parser runs: evaluating user input at deploy time
 * would cost CPU for nothing and could be made to loop.
 */
export function feelSyntaxError(value: string): string | undefined {
  const expression = value.trimStart().replace(/^=/, '');
  if (expression.trim() === '') return 'the expression after "=" is empty';
  const tree = parseExpression(expression, {}, FEEL_DIALECT);
  let error: { from: number; to: number } | undefined;
  tree.iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) {
        error = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  if (!error) return undefined;
  const position = error.from + 1;
  if (error.from === error.to || error.from >= expression.length) {
    return `the expression ends too early (character ${position})`;
  }
  return `unexpected "${expression.slice(error.from, error.to)}" at character ${position} of the expression`;
}
