/**
 * `/supervisor`: the team lead's overview — counts per phase and programme, overdue tasks,
 * releases in the next six months, referrals without answer, incidents with retry; the instance
 * list with search, filters and CSV export; the heatmap of time spent per element.
 */
import type { TFunction } from 'i18next';
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { fetchProcessXml, listProcesses, type ProcessSummary } from '../modeler/api';
import {
  fetchDashboard,
  fetchHeatmap,
  instancesCsvUrl,
  retryIncident,
  searchInstances,
  type Dashboard,
  type InstanceFilters,
  type InstanceItem,
} from '../supervisor/api';
import { escapeText, showDiagram, type DiagramServices } from '../supervisor/createViewer';

const TABS = ['dashboard', 'instances', 'heatmap'] as const;
type Tab = (typeof TABS)[number];

/** The supervisor page. */
export function SupervisorPage(_props: { params: Record<string, string> }) {
  const { t } = useI18n();
  const { query, route } = useLocation();
  const tab: Tab = (TABS as readonly string[]).includes(query.tab) ? (query.tab as Tab) : 'dashboard';
  return (
    <section class="page supervisor-page">
      <h1>{t('supervisor.title')}</h1>
      <div class="tabs" role="tablist" aria-label={t('supervisor.views')}>
        {TABS.map((name) => (
          <button key={name} type="button" role="tab" aria-selected={tab === name} onClick={() => route(`/supervisor?tab=${name}`)}>
            {t(`supervisor.tab.${name}`)}
          </button>
        ))}
      </div>
      {tab === 'dashboard' && <DashboardView />}
      {tab === 'instances' && <InstancesView />}
      {tab === 'heatmap' && <HeatmapView />}
    </section>
  );
}

function DashboardView() {
  const { t, formatDate, formatDateTime, describeError } = useI18n();
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const load = () => fetchDashboard().then(setData, (err: Error) => setError(t('errors.loadFailed', { reason: err.message })));
  useEffect(() => {
    void load();
  }, []);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p class="muted">{t('common.loading')}</p>;

  const retry = async (incidentKey: string) => {
    try {
      await retryIncident(incidentKey);
      setMessage({ ok: true, text: t('instance.retried') });
      await load();
    } catch (err) {
      setMessage({ ok: false, text: describeError(err) });
    }
  };

  return (
    <div class="dashboard" data-testid="dashboard">
      {message && (
        <p class={message.ok ? 'notice success' : 'notice error'} role="status">
          {message.text}
        </p>
      )}
      <div class="stat-grid">
        <section class="card" aria-labelledby="by-phase">
          <h2 id="by-phase">{t('supervisor.byPhase')}</h2>
          <dl class="stats">
            {Object.entries(data.byPhase).map(([phase, count]) => (
              <div key={phase}>
                <dt>{t(`phase.${phase}`, { defaultValue: phase })}</dt>
                <dd>{count}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section class="card" aria-labelledby="by-programme">
          <h2 id="by-programme">{t('supervisor.byProgramme')}</h2>
          <dl class="stats">
            {Object.entries(data.byProgramme).map(([programme, count]) => (
              <div key={programme}>
                <dt>{programme}</dt>
                <dd>{count}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
      <section class="card" aria-labelledby="overdue">
        <h2 id="overdue">{t('supervisor.overdueTasks', { count: data.overdueTasks.length })}</h2>
        {data.overdueTasks.length === 0 ? (
          <p class="muted small">{t('common.none')}</p>
        ) : (
          <ul class="compact">
            {data.overdueTasks.map((task) => (
              <li key={task.taskKey}>
                <a href={`/tasks/${encodeURIComponent(task.taskKey)}`}>{task.name}</a> – {task.casePseudonym ?? '–'},{' '}
                <span class="badge overdue">{t('tasks.due', { date: formatDate(task.dueDate) })}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="releases">
        <h2 id="releases">{t('supervisor.releases', { count: data.releasesNext6Months.length })}</h2>
        {data.releasesNext6Months.length === 0 ? (
          <p class="muted small">{t('common.none')}</p>
        ) : (
          <ul class="compact" data-testid="releases">
            {data.releasesNext6Months.map((release) => (
              <li key={release.caseId}>
                <a href={`/cases/${encodeURIComponent(release.caseId)}`}>{release.pseudonym}</a> – {formatDate(release.expectedRelease)}{' '}
                <a href={`/supervisor?tab=instances&q=${encodeURIComponent(release.caseId)}`} class="small">
                  {t('supervisor.findInstance')}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="referrals">
        <h2 id="referrals">{t('supervisor.referrals', { count: data.referralsWithoutAnswer.length })}</h2>
        {data.referralsWithoutAnswer.length === 0 ? (
          <p class="muted small">{t('common.none')}</p>
        ) : (
          <ul class="compact">
            {data.referralsWithoutAnswer.map((referral) => (
              <li key={referral.referralId}>
                <a href={`/cases/${encodeURIComponent(referral.caseId)}`}>{referral.partnerId}</a> –{' '}
                {t('supervisor.answerDue', { date: formatDateTime(referral.answerDueAt) })}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="incidents">
        <h2 id="incidents">{t('supervisor.incidents', { count: data.incidents.length })}</h2>
        {data.incidents.length === 0 ? (
          <p class="muted small">{t('common.none')}</p>
        ) : (
          <ul class="compact">
            {data.incidents.map((incident) => (
              <li key={incident.incidentKey}>
                <a href={`/supervisor/instances/${encodeURIComponent(incident.instanceKey)}`}>
                  {incident.processId} / {incident.elementId}
                </a>
                : {incident.errorType} – {incident.message}{' '}
                <button type="button" class="secondary" onClick={() => retry(incident.incidentKey)}>
                  {t('instance.retry')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function InstancesView() {
  const { t, formatDateTime } = useI18n();
  const { query } = useLocation();
  const [draft, setDraft] = useState<InstanceFilters>({ q: query.q, processId: query.processId, state: query.state });
  const [filters, setFilters] = useState<InstanceFilters>(draft);
  const [items, setItems] = useState<InstanceItem[] | null>(null);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    searchInstances(filters).then(
      (page) => {
        setItems(page.items);
        setTotal(page.total);
        setCursor(page.nextCursor);
      },
      (err: Error) => setError(t('errors.loadFailed', { reason: err.message })),
    );
  }, [JSON.stringify(filters)]);

  const more = async () => {
    if (!cursor) return;
    const page = await searchInstances(filters, cursor);
    setItems((list) => [...(list ?? []), ...page.items]);
    setCursor(page.nextCursor);
  };

  return (
    <div class="instances" data-testid="instances">
      <form
        class="filters card"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({ q: draft.q?.trim() || undefined, processId: draft.processId?.trim() || undefined, state: draft.state || undefined });
        }}
      >
        <label>
          {t('supervisor.search')}
          <input value={draft.q ?? ''} onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })} />
        </label>
        <label>
          {t('tasks.process')}
          <input value={draft.processId ?? ''} onInput={(e) => setDraft({ ...draft, processId: e.currentTarget.value })} />
        </label>
        <label>
          {t('supervisor.state')}
          <select value={draft.state ?? ''} onChange={(e) => setDraft({ ...draft, state: e.currentTarget.value })}>
            <option value="">{t('supervisor.anyState')}</option>
            {['ACTIVE', 'COMPLETED', 'TERMINATED', 'INCIDENT'].map((state) => (
              <option key={state} value={state}>
                {t(`instance.state.${state}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('common.apply')}</button>
        <a class="button secondary" href={instancesCsvUrl(filters)} download="instances.csv">
          {t('supervisor.csv')}
        </a>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {items === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <div class="table-scroll">
          <table class="table">
            <caption>{t('supervisor.instanceCount', { count: total })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('supervisor.instance')}</th>
                <th scope="col">{t('tasks.process')}</th>
                <th scope="col">{t('supervisor.state')}</th>
                <th scope="col">{t('supervisor.case')}</th>
                <th scope="col">{t('supervisor.startedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.instanceKey}>
                  <td>
                    <a href={`/supervisor/instances/${encodeURIComponent(item.instanceKey)}`}>{item.instanceKey}</a>
                  </td>
                  <td>
                    {item.processId} v{item.version}
                  </td>
                  <td>
                    {t(`instance.state.${item.state}`, { defaultValue: item.state })}
                    {item.hasIncident && <span class="badge overdue"> {t('instance.state.INCIDENT')}</span>}
                  </td>
                  <td>{item.caseId ? <a href={`/cases/${encodeURIComponent(item.caseId)}`}>{item.casePseudonym ?? item.caseId}</a> : '–'}</td>
                  <td>{formatDateTime(item.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="secondary" onClick={more}>
          {t('common.more')}
        </button>
      )}
    </div>
  );
}

function HeatmapView() {
  const { t, formatNumber } = useI18n();
  const { query } = useLocation();
  const containerRef = useRef<HTMLDivElement>(null);
  const [processes, setProcesses] = useState<ProcessSummary[] | null>(null);
  const [selection, setSelection] = useState<{ processId: string; version: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listProcesses().then(
      (list) => {
        setProcesses(list);
        // The process (and version) of the address, e.g. from an instance page; else the first.
        const wanted = list.find((p) => p.processId === query.processId) ?? list[0];
        const version = wanted?.versions.some((v) => v.version === Number(query.version)) ? Number(query.version) : wanted?.latestVersion;
        if (wanted) setSelection({ processId: wanted.processId, version: version! });
      },
      (err: Error) => setError(t('errors.loadFailed', { reason: err.message })),
    );
  }, []);

  useEffect(() => {
    if (!selection || !containerRef.current) return;
    let diagram: DiagramServices | undefined;
    let cancelled = false;
    void (async () => {
      try {
        const [xml, heat] = await Promise.all([
          fetchProcessXml(selection.processId, selection.version),
          fetchHeatmap(selection.processId, selection.version),
        ]);
        if (cancelled || !containerRef.current) return;
        diagram = await showDiagram(containerRef.current, xml);
        if (cancelled) return;
        const max = Math.max(1, ...Object.values(heat.elements).map((e) => e.avgMs));
        for (const [id, figures] of Object.entries(heat.elements)) {
          const shape = diagram.elementRegistry.get(id);
          if (!shape || shape.waypoints) continue;
          const level = Math.min(4, Math.floor((figures.avgMs / max) * 5));
          diagram.canvas.addMarker(shape, `heat-${level}`);
          diagram.overlays.add(shape, 'heat', {
            position: { bottom: -4, right: 0 },
            html: `<span class="heat-overlay">${escapeText(t('supervisor.heatLabel', { count: figures.count, time: formatDuration(figures.avgMs, t, formatNumber) }))}</span>`,
          });
        }
      } catch (err) {
        if (!cancelled) setError(t('errors.loadFailed', { reason: (err as Error).message }));
      }
    })();
    return () => {
      cancelled = true;
      diagram?.viewer.destroy();
    };
  }, [selection?.processId, selection?.version]);

  const current = processes?.find((p) => p.processId === selection?.processId);
  return (
    <div class="heatmap">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('tasks.process')}
          <select
            value={selection?.processId ?? ''}
            onChange={(e) => {
              const p = processes?.find((x) => x.processId === e.currentTarget.value);
              if (p) setSelection({ processId: p.processId, version: p.latestVersion });
            }}
          >
            {processes?.map((p) => (
              <option key={p.processId} value={p.processId}>
                {p.name || p.processId}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('supervisor.version')}
          <select
            value={selection?.version ?? ''}
            onChange={(e) => selection && setSelection({ ...selection, version: Number(e.currentTarget.value) })}
          >
            {current?.versions.map((v) => (
              <option key={v.version} value={v.version}>
                {t('modeler.version', { version: v.version })}
              </option>
            ))}
          </select>
        </label>
      </form>
      <p class="muted small">{t('supervisor.heatExplained')}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {processes && processes.length === 0 && <p>{t('modeler.noProcesses')}</p>}
      <div class="diagram-canvas" ref={containerRef} data-testid="heatmap" />
    </div>
  );
}

function formatDuration(ms: number, t: TFunction, formatNumber: (n: number) => string): string {
  if (ms < 60_000) return t('units.seconds', { value: formatNumber(Math.round(ms / 1000)) });
  if (ms < 3_600_000) return t('units.minutes', { value: formatNumber(Math.round(ms / 60_000)) });
  if (ms < 86_400_000) return t('units.hours', { value: formatNumber(Math.round(ms / 3_600_000)) });
  return t('units.days', { value: formatNumber(Math.round(ms / 86_400_000)) });
}
