/** A read-only diagram (bpmn-js NavigatedViewer with the Zeebe moddle) for instances and heatmaps. */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';

/** The services the overlays need. */
export interface DiagramServices {
  viewer: NavigatedViewer;
  canvas: { addMarker(element: unknown, marker: string): void; zoom(level: string): void };
  overlays: { add(element: unknown, type: string, overlay: { position: object; html: string | HTMLElement }): string };
  elementRegistry: { get(id: string): any; getAll(): any[] };
}

/** Creates a viewer in `container` and imports `xml`. */
export async function showDiagram(container: HTMLElement, xml: string): Promise<DiagramServices> {
  const viewer = new NavigatedViewer({ container, moddleExtensions: { zeebe: zeebeModdle } });
  await viewer.importXML(xml);
  const services: DiagramServices = {
    viewer,
    canvas: viewer.get('canvas'),
    overlays: viewer.get('overlays'),
    elementRegistry: viewer.get('elementRegistry'),
  };
  services.canvas.zoom('fit-viewport');
  return services;
}

/** Text for an overlay, escaped. */
export function escapeText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
