/** Diagram helpers shared by the modeler, the diff and the instance page. */

/** A new executable Camunda 8 process with one start event, for "New diagram". */
export function blankDiagram(processId: string, name: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:modeler="http://camunda.org/schema/modeler/1.0"
  id="Definitions_${processId}" targetNamespace="http://bpmn.io/schema/bpmn"
  modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="${processId}" name="${name.replace(/[<&"]/g, '')}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${processId}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}

/** The id of the first executable process in `xml`, or undefined. */
export function processIdOf(xml: string): string | undefined {
  const document = new DOMParser().parseFromString(xml, 'application/xml');
  const processes = Array.from(document.getElementsByTagNameNS('http://www.omg.org/spec/BPMN/20100524/MODEL', 'process'));
  const executable = processes.find((p) => p.getAttribute('isExecutable') === 'true') ?? processes[0];
  return executable?.getAttribute('id') ?? undefined;
}

/** Offers `content` as a file download named `name`. */
export function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Reads a file the person picked. */
export function readFile(file: File): Promise<string> {
  return file.text();
}
