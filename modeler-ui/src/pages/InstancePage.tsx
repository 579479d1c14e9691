/**
 * `/supervisor/instances/:instanceKey`: one process instance — the diagram with its active
 * tokens, the path taken and its incidents as overlays; the history; the open user tasks.
 */
import type { TFunction } from 'i18next';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useFocusOnMount } from '../components/useFocusOnMount';
import { useI18n } from '../i18n';
import { fetchProcessXml } from '../modeler/api';
import { fetchInstance, retryIncident, type InstanceDetail } from '../supervisor/api';
import { escapeText, showDiagram, type DiagramServices } from '../supervisor/createViewer';

/** The instance page. */
export function InstancePage({ params }: { params: Record<string, string> }) {
  const { t, formatDateTime, describeError } = useI18n();
  const instanceKey = params.instanceKey;
  const containerRef = useRef<HTMLDivElement>(null);
  const [instance, setInstance] = useState<InstanceDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [reload, setReload] = useState(0);
  const heading = useFocusOnMount<HTMLHeadingElement>(instance?.instanceKey);

  useEffect(() => {
    let diagram: DiagramServices | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const detail = await fetchInstance(instanceKey);
        if (cancelled) return;
        setInstance(detail);
        const xml = await fetchProcessXml(detail.processId, detail.version);
        if (cancelled || !containerRef.current) return;
        diagram = await showDiagram(containerRef.current, xml);
        if (cancelled) return;
        decorate(diagram, detail, t);
      } catch (err) {
        if (!cancelled) setError(t('errors.loadFailed', { reason: (err as Error).message }));
      }
    })();
    return () => {
      cancelled = true;
      diagram?.viewer.destroy();
    };
  }, [instanceKey, reload]);

  const retry = async (incidentKey: string) => {
    try {
      await retryIncident(incidentKey);
      setMessage({ ok: true, text: t('instance.retried') });
      setReload((n) => n + 1);
    } catch (err) {
      setMessage({ ok: false, text: describeError(err) });
    }
  };

  return (
    <section class="page instance-page" data-testid="instance-page">
      <a class="back-link always" href="/supervisor?tab=instances">
        {t('instance.back')}
      </a>
      <h1 ref={heading} tabIndex={-1}>
        {t('instance.title', { instanceKey })}
      </h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {message && (
        <p class={message.ok ? 'notice success' : 'notice error'} role="status">
          {message.text}
        </p>
      )}
      {instance && (
        <p class="task-meta">
          <span class="badge">{t(`instance.state.${instance.state}`, { defaultValue: instance.state })}</span>
          <span>
            {instance.processId} v{instance.version}
          </span>
          <span>{t('instance.started', { date: formatDateTime(instance.startedAt) })}</span>
          {instance.endedAt && <span>{t('instance.ended', { date: formatDateTime(instance.endedAt) })}</span>}
          {instance.caseId && <a href={`/cases/${encodeURIComponent(instance.caseId)}`}>{t('instance.case')}</a>}
          <a href={`/supervisor?tab=heatmap&processId=${encodeURIComponent(instance.processId)}&version=${instance.version}`}>
            {t('instance.heatmap')}
          </a>
        </p>
      )}
      <ul class="legend" aria-label={t('modeler.legend')}>
        <li>
          <span class="swatch token" aria-hidden="true" />
          {t('instance.legend.active')}
        </li>
        <li>
          <span class="swatch path" aria-hidden="true" />
          {t('instance.legend.path')}
        </li>
        <li>
          <span class="swatch incident" aria-hidden="true" />
          {t('instance.legend.incident')}
        </li>
      </ul>
      <div class="diagram-canvas" ref={containerRef} data-testid="instance-diagram" />
      {instance && (
        <div class="case-grid">
          <section class="card" aria-labelledby="instance-tasks">
            <h2 id="instance-tasks">{t('instance.openTasks')}</h2>
            {instance.openUserTasks.length === 0 ? (
              <p class="muted small">{t('common.none')}</p>
            ) : (
              <ul class="compact">
                {instance.openUserTasks.map((task) => (
                  <li key={task.taskKey}>
                    <a href={`/tasks/${encodeURIComponent(task.taskKey)}`}>{task.name}</a>
                  </li>
                ))}
              </ul>
            )}
            <h2>{t('instance.incidents')}</h2>
            {instance.incidents.length === 0 ? (
              <p class="muted small">{t('common.none')}</p>
            ) : (
              <ul class="compact">
                {instance.incidents.map((incident) => (
                  <li key={incident.incidentKey}>
                    <strong>{incident.elementId}</strong>: {incident.errorType} – {incident.message}{' '}
                    <button type="button" class="secondary" onClick={() => retry(incident.incidentKey)}>
                      {t('instance.retry')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card" aria-labelledby="instance-history">
            <h2 id="instance-history">{t('instance.history')}</h2>
            <div class="table-scroll">
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{t('instance.element')}</th>
                    <th scope="col">{t('instance.stateColumn')}</th>
                    <th scope="col">{t('instance.startedColumn')}</th>
                    <th scope="col">{t('instance.endedColumn')}</th>
                  </tr>
                </thead>
                <tbody>
                  {instance.history.map((entry, index) => (
                    <tr key={index}>
                      <td>
                        {entry.elementId} <span class="muted small">{entry.elementType.replace('bpmn:', '')}</span>
                      </td>
                      <td>{entry.state}</td>
                      <td>{formatDateTime(entry.startedAt)}</td>
                      <td>{formatDateTime(entry.endedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </div>
      )}
    </section>
  );
}

/** Markers and overlays: the path taken, a token on each active element, each incident. */
function decorate(diagram: DiagramServices, instance: InstanceDetail, t: TFunction) {
  const { canvas, overlays, elementRegistry } = diagram;
  const element = (id: string) => elementRegistry.get(id);
  for (const entry of instance.history) {
    const shape = element(entry.elementId);
    if (shape) canvas.addMarker(shape, 'path-taken');
  }
  const active = new Map<string, number>();
  for (const id of instance.activeElementIds) active.set(id, (active.get(id) ?? 0) + 1);
  for (const [id, count] of active) {
    const shape = element(id);
    if (!shape) continue;
    canvas.addMarker(shape, 'active-token');
    overlays.add(shape, 'token', {
      position: { top: -12, right: 12 },
      html: `<span class="token-overlay" data-element-id="${escapeText(id)}" title="${escapeText(t('instance.legend.active'))}">${count}</span>`,
    });
  }
  for (const incident of instance.incidents) {
    const shape = element(incident.elementId);
    if (!shape) continue;
    canvas.addMarker(shape, 'has-incident');
    overlays.add(shape, 'incident', {
      position: { bottom: -6, left: 0 },
      html: `<div class="incident-overlay" data-element-id="${escapeText(incident.elementId)}">${escapeText(`${incident.errorType}: ${incident.message}`)}</div>`,
    });
  }
}
