import {
  child,
  describe,
  extension,
  is,
  isExecutable,
  isFeel,
  text,
  type ModdleElement,
  type Reporter,
  type RuleDefinition,
} from '../helpers.js';

/**
 * Loops run only as multi-instance over a collection (zeebe:loopCharacteristics with a FEEL
 * inputCollection); standard loops and loop cardinality are not supported, and an output
 * collection needs its output element (and back).
 */
export default function loopCharacteristics(): RuleDefinition {
  return {
    check(node: ModdleElement, reporter: Reporter) {
      if (!is(node, 'bpmn:Activity') || !isExecutable(node)) return;
      const loop = child(node, 'loopCharacteristics');
      if (!loop) return;
      const id = node.id ?? '';
      if (is(loop, 'bpmn:StandardLoopCharacteristics')) {
        reporter.report(
          id,
          `${describe(node)}: standard loops are not supported; loop with a gateway or use multi-instance with zeebe:loopCharacteristics`,
        );
        return;
      }
      if (!is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) return;
      if (child(loop, 'loopCardinality')) {
        reporter.report(id, `${describe(node)}: multi-instance loopCardinality is not supported; use an inputCollection`);
      }
      const zeebe = extension(loop, 'zeebe:LoopCharacteristics');
      const inputCollection = text(zeebe, 'inputCollection');
      if (!inputCollection) {
        reporter.report(id, `${describe(node)}: multi-instance needs a zeebe:loopCharacteristics inputCollection`);
      } else if (!isFeel(inputCollection)) {
        reporter.report(
          id,
          `${describe(node)}: inputCollection "${inputCollection}" must be a FEEL expression starting with "="`,
        );
      }
      if (Boolean(text(zeebe, 'outputCollection')) !== Boolean(text(zeebe, 'outputElement'))) {
        reporter.report(id, `${describe(node)}: multi-instance outputCollection and outputElement must be set together`);
      }
    },
  };
}
