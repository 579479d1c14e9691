import { createRequire } from 'node:module';
import type { ModdleElement } from './helpers.js';

/** A bpmn-moddle parse result: the root and what moddle could not read (unresolved ids…). */
export interface ParsedBpmn {
  root: ModdleElement;
  warnings: string[];
}

interface BpmnModdleInstance {
  fromXML(xml: string, typeName: string, options: { lax: boolean }): Promise<{
    rootElement: ModdleElement;
    warnings: Array<{ message: string }>;
  }>;
}

// bpmn-moddle ships no types for its entry point and zeebe-bpmn-moddle has no main: both are
// loaded through require (bpmn-moddle is ESM; Node >= 20.19 requires ESM synchronously).
const require = createRequire(import.meta.url);
const { BpmnModdle } = require('bpmn-moddle') as { BpmnModdle: new (packages: object) => BpmnModdleInstance };
const zeebe = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;

// One instance holds only the type registry; every fromXML call builds its own parse context.
const moddle = new BpmnModdle({ zeebe });

/**
 * Parses BPMN XML with the Camunda 8 (zeebe) extensions in strict mode: unknown BPMN elements and
 * malformed XML reject, softer defects (duplicate or unresolved ids, broken attributes) come back
 * as warnings. Callers must have run `checkResource` first (DOCTYPE and size are refused there).
 */
export async function parseBpmn(xml: string): Promise<ParsedBpmn> {
  const { rootElement, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions', { lax: false });
  return { root: rootElement, warnings: warnings.map((warning) => warning.message) };
}
