// Packages that ship no type declarations of their own (or none for these entry points).
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string): Promise<{ rootElement: any; references: any[]; warnings: { message: string }[]; elementsById: Record<string, any> }>;
  }
}
declare module 'bpmn-elements/events' {
  export const StartEventBehaviour: any;
}
declare module 'bpmn-elements/eventDefinitions' {
  export const TimerEventDefinition: any;
}
