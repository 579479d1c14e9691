/**
 * The visual diff of two versions of a process: both diagrams side by side (stacked on narrow
 * screens), elements added, removed, changed and moved coloured (bpmn-js-differ), and the list.
 */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { diff } from 'bpmn-js-differ';
import { useEffect, useRef, useState } from 'preact/hooks';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import { useI18n } from '../i18n';
import { fetchProcessXml } from './api';

/** One row of the change list. */
interface Change {
  id: string;
  type: string;
  kind: 'added' | 'removed' | 'changed' | 'layout';
  attrs?: string[];
}

/** Props of {@link DiffView}. */
export interface DiffViewProps {
  processId: string;
  from: number;
  to: number;
}

/** Two versions of `processId` compared. */
export function DiffView({ processId, from, to }: DiffViewProps) {
  const { t } = useI18n();
  const leftRef = useRef<HTMLDivElement>(null);
  const rightRef = useRef<HTMLDivElement>(null);
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const left = new NavigatedViewer({ container: leftRef.current!, moddleExtensions: { zeebe: zeebeModdle } });
    const right = new NavigatedViewer({ container: rightRef.current!, moddleExtensions: { zeebe: zeebeModdle } });
    let cancelled = false;
    setChanges(null);
    setError(null);
    void (async () => {
      try {
        const [before, after] = await Promise.all([fetchProcessXml(processId, from), fetchProcessXml(processId, to)]);
        await Promise.all([left.importXML(before), right.importXML(after)]);
        if (cancelled) return;
        for (const viewer of [left, right]) viewer.get<{ zoom(level: string): void }>('canvas').zoom('fit-viewport');
        const result = diff(left.getDefinitions(), right.getDefinitions());
        const list: Change[] = [];
        const mark = (viewer: NavigatedViewer, id: string, marker: string) => {
          const element = viewer.get<{ get(id: string): unknown }>('elementRegistry').get(id);
          if (element) viewer.get<{ addMarker(el: unknown, m: string): void }>('canvas').addMarker(element, marker);
        };
        for (const [id, model] of Object.entries(result._removed)) {
          mark(left, id, 'diff-removed');
          list.push({ id, type: model.$type, kind: 'removed' });
        }
        for (const [id, model] of Object.entries(result._added)) {
          mark(right, id, 'diff-added');
          list.push({ id, type: model.$type, kind: 'added' });
        }
        for (const [id, change] of Object.entries(result._changed)) {
          mark(left, id, 'diff-changed');
          mark(right, id, 'diff-changed');
          list.push({ id, type: change.model.$type, kind: 'changed', attrs: Object.keys(change.attrs) });
        }
        for (const [id, model] of Object.entries(result._layoutChanged)) {
          if (result._changed[id]) continue;
          mark(left, id, 'diff-layout');
          mark(right, id, 'diff-layout');
          list.push({ id, type: model.$type, kind: 'layout' });
        }
        setChanges(list);
      } catch (err) {
        if (!cancelled) setError(t('modeler.diffFailed', { reason: (err as Error).message }));
      }
    })();
    return () => {
      cancelled = true;
      left.destroy();
      right.destroy();
    };
  }, [processId, from, to]);

  return (
    <div class="diff-view" data-testid="diff">
      <ul class="legend" aria-label={t('modeler.legend')}>
        {(['added', 'removed', 'changed', 'layout'] as const).map((kind) => (
          <li key={kind}>
            <span class={`swatch diff-${kind}`} aria-hidden="true" />
            {t(`modeler.diff.${kind}`)}
          </li>
        ))}
      </ul>
      <div class="diff-panes">
        <figure>
          <figcaption>{t('modeler.version', { version: from })}</figcaption>
          <div class="diff-canvas" ref={leftRef} />
        </figure>
        <figure>
          <figcaption>{t('modeler.version', { version: to })}</figcaption>
          <div class="diff-canvas" ref={rightRef} />
        </figure>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {changes && (
        <table class="table diff-table">
          <caption>{t('modeler.changes', { count: changes.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('modeler.diff.element')}</th>
              <th scope="col">{t('modeler.diff.type')}</th>
              <th scope="col">{t('modeler.diff.kind')}</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => (
              <tr key={`${change.kind}-${change.id}`} class={`diff-row-${change.kind}`}>
                <td>{change.id}</td>
                <td>{change.type.replace('bpmn:', '')}</td>
                <td>
                  {t(`modeler.diff.${change.kind}`)}
                  {change.attrs?.length ? ` (${change.attrs.join(', ')})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
