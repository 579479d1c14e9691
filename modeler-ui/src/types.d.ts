/** Type stubs for bpmn-io packages that ship none. */
declare module 'bpmn-js-properties-panel' {
  export const BpmnPropertiesPanelModule: any;
  export const BpmnPropertiesProviderModule: any;
  export const ZeebePropertiesProviderModule: any;
}
declare module 'camunda-bpmn-js-behaviors/lib/camunda-cloud' {
  const module: any;
  export default module;
}
declare module 'bpmn-js-bpmnlint' {
  const module: any;
  export default module;
}
declare module 'bpmn-js-differ' {
  /** The semantic differences between two bpmn-moddle definitions. */
  export function diff(
    before: unknown,
    after: unknown,
  ): {
    _added: Record<string, { $type: string; id: string }>;
    _removed: Record<string, { $type: string; id: string }>;
    _changed: Record<string, { model: { $type: string; id: string }; attrs: Record<string, { oldValue: unknown; newValue: unknown }> }>;
    _layoutChanged: Record<string, { $type: string; id: string }>;
  };
}
declare module 'bpmnlint/config/recommended.js' {
  const config: { rules: Record<string, string> };
  export default config;
}
declare module 'zeebe-bpmn-moddle/resources/zeebe.json' {
  const descriptor: Record<string, unknown>;
  export default descriptor;
}
