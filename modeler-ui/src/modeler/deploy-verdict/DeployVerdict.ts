/**
 * Shows the engine's deploy verdict in the canvas: every element the engine refused is marked
 * and carries its reason as an overlay, until the next import or deploy.
 */
import { escapeHTML } from 'diagram-js/lib/util/EscapeUtil';

/** One refusal of the engine's deploy-time check. */
export interface VerdictIssue {
  elementId: string;
  message: string;
}

interface ElementRegistry {
  get(id: string): unknown;
}
interface Canvas {
  addMarker(element: unknown, marker: string): void;
  removeMarker(element: unknown, marker: string): void;
}
interface Overlays {
  add(element: unknown, type: string, overlay: { position: object; html: string }): string;
  remove(filter: { type: string }): void;
}
interface EventBus {
  on(event: string, callback: () => void): void;
}

const MARKER = 'deploy-refused';
const OVERLAY_TYPE = 'deploy-verdict';

/** The bpmn-js service `deployVerdict`. */
export default class DeployVerdict {
  static $inject = ['eventBus', 'elementRegistry', 'canvas', 'overlays'];

  private marked: unknown[] = [];

  constructor(
    eventBus: EventBus,
    private readonly elementRegistry: ElementRegistry,
    private readonly canvas: Canvas,
    private readonly overlays: Overlays,
  ) {
    eventBus.on('import.done', () => this.clear());
  }

  /** Marks the elements of `issues`; returns the issues whose element is not in the diagram. */
  show(issues: readonly VerdictIssue[]): VerdictIssue[] {
    this.clear();
    const unplaced: VerdictIssue[] = [];
    for (const issue of issues) {
      const element = issue.elementId ? this.elementRegistry.get(issue.elementId) : undefined;
      if (!element) {
        unplaced.push(issue);
        continue;
      }
      this.canvas.addMarker(element, MARKER);
      this.marked.push(element);
      this.overlays.add(element, OVERLAY_TYPE, {
        position: { bottom: -4, left: 0 },
        html: `<div class="deploy-verdict-overlay" role="note">${escapeHTML(issue.message)}</div>`,
      });
    }
    return unplaced;
  }

  /** Removes every mark of the last verdict. */
  clear(): void {
    for (const element of this.marked) this.canvas.removeMarker(element, MARKER);
    this.marked = [];
    this.overlays.remove({ type: OVERLAY_TYPE });
  }
}
