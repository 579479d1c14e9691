/**
 * `/modeler` and `/modeler/:processId` (process owners): draw, lint, deploy, compare versions,
 * open and download files, edit forms.
 */
import type BpmnModeler from 'bpmn-js/lib/Modeler';
import { useLocation } from 'preact-iso';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ProblemIssue } from '../api';
import { useI18n } from '../i18n';
import { deploy, fetchProcessXml, listProcesses, type ProcessSummary } from '../modeler/api';
import { createModeler } from '../modeler/createModeler';
import type DeployVerdict from '../modeler/deploy-verdict/DeployVerdict';
import { blankDiagram, download, processIdOf } from '../modeler/diagrams';
import { DiffView } from '../modeler/DiffView';
import { FormsPanel } from '../modeler/FormsPanel';
import { SimulationPanel } from '../modeler/SimulationPanel';

type Verdict =
  | { kind: 'deployed'; processId: string; version: number }
  | { kind: 'refused'; detail: string; issues: ProblemIssue[]; unplaced: ProblemIssue[] }
  | { kind: 'failed'; detail: string };

interface LintCount {
  errors: number;
  warnings: number;
}

type Tab = 'diagram' | 'diff' | 'forms';

/** The modeler page. */
export function ModelerPage({ params }: { params: Record<string, string> }) {
  const { t, formatDateTime } = useI18n();
  const { route } = useLocation();
  const processId = params.processId;
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const modelerRef = useRef<BpmnModeler | null>(null);
  const [processes, setProcesses] = useState<ProcessSummary[] | null>(null);
  const [loaded, setLoadedState] = useState<{ processId?: string; version?: number; fileName?: string } | null>(null);
  // What the canvas shows right now, for the URL effect (state would be one render late).
  const loadedRef = useRef<typeof loaded>(null);
  const setLoaded = (value: typeof loaded) => {
    loadedRef.current = value;
    setLoadedState(value);
  };
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [lint, setLint] = useState<LintCount>({ errors: 0, warnings: 0 });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<Tab>('diagram');
  const [compare, setCompare] = useState<{ from: number; to: number } | null>(null);

  const current = processes?.find((p) => p.processId === (loaded?.processId ?? processId));

  const refreshProcesses = async () => {
    try {
      const list = await listProcesses();
      setProcesses(list);
      return list;
    } catch {
      setError(t('modeler.loadFailed'));
      return [];
    }
  };

  // One modeler for the life of the page.
  useEffect(() => {
    const modeler = createModeler(canvasRef.current!, panelRef.current!);
    modelerRef.current = modeler;
    const eventBus = modeler.get<{ on(event: string, cb: (e: any) => void): void }>('eventBus');
    eventBus.on('linting.completed', (event: { issues: Record<string, Array<{ category: string }>> }) => {
      const all = Object.values(event.issues).flat();
      setLint({
        errors: all.filter((issue) => issue.category === 'error' || issue.category === 'rule-error').length,
        warnings: all.filter((issue) => issue.category === 'warn').length,
      });
    });
    void refreshProcesses();
    return () => modeler.destroy();
  }, []);

  const importXml = async (xml: string, source: { processId?: string; version?: number; fileName?: string }) => {
    setError(null);
    setVerdict(null);
    try {
      await modelerRef.current!.importXML(xml);
      modelerRef.current!.get<{ zoom(level: string): void }>('canvas').zoom('fit-viewport');
      setLoaded(source);
    } catch (err) {
      setError(t('modeler.importFailed', { reason: (err as Error).message }));
    }
  };

  const newDiagram = () =>
    importXml(blankDiagram(`Process_${Math.random().toString(36).slice(2, 9)}`, t('modeler.newProcessName')), {});

  // The diagram of the URL: the latest version of the process, or a blank one.
  useEffect(() => {
    if (!modelerRef.current) return;
    setTab('diagram');
    if (!processId) {
      void newDiagram();
      return;
    }
    // Just deployed from this canvas: the URL caught up with what is shown.
    if (loadedRef.current?.processId === processId) return;
    void (async () => {
      const list = processes ?? (await refreshProcesses());
      const found = list.find((p) => p.processId === processId);
      if (!found) {
        setError(t('modeler.notFound', { processId }));
        return;
      }
      await openVersion(found.processId, found.latestVersion);
    })();
  }, [processId]);

  const openVersion = async (id: string, version: number) => {
    try {
      setTab('diagram');
      await importXml(await fetchProcessXml(id, version), { processId: id, version });
    } catch {
      setError(t('modeler.loadFailed'));
    }
  };

  const onFile = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    setTab('diagram');
    await importXml(await file.text(), { fileName: file.name, processId: undefined });
  };

  const saveXml = async () => (await modelerRef.current!.saveXML({ format: true })).xml ?? '';

  const downloadBpmn = async () => {
    const xml = await saveXml();
    download(`${processIdOf(xml) ?? 'diagram'}.bpmn`, xml, 'application/xml');
  };

  const downloadSvg = async () => {
    const { svg } = await modelerRef.current!.saveSVG();
    download(`${processIdOf(await saveXml()) ?? 'diagram'}.svg`, svg, 'image/svg+xml');
  };

  const runDeploy = async () => {
    setBusy(true);
    setVerdict(null);
    const verdictService = modelerRef.current!.get<DeployVerdict>('deployVerdict');
    verdictService.clear();
    try {
      const xml = await saveXml();
      const id = processIdOf(xml);
      if (!id) throw new Error(t('modeler.noProcess'));
      const result = await deploy([{ name: `${id}.bpmn`, content: xml }]);
      const deployed = result.processes.find((p) => p.processId === id) ?? result.processes[0];
      await refreshProcesses();
      setLoaded({ processId: deployed.processId, version: deployed.version });
      setVerdict({ kind: 'deployed', processId: deployed.processId, version: deployed.version });
      if (deployed.processId !== processId) route(`/modeler/${encodeURIComponent(deployed.processId)}`, true);
    } catch (err) {
      if (err instanceof ApiError && err.problem.issues?.length) {
        const issues = err.problem.issues;
        const unplaced = verdictService.show(issues.map((i) => ({ elementId: i.elementId ?? '', message: i.message })));
        setVerdict({ kind: 'refused', detail: err.message, issues, unplaced });
      } else {
        setVerdict({ kind: 'failed', detail: (err as Error).message });
      }
    } finally {
      setBusy(false);
    }
  };

  const selectElement = (elementId: string) => {
    const modeler = modelerRef.current!;
    const element = modeler.get<{ get(id: string): any }>('elementRegistry').get(elementId);
    if (!element) return;
    modeler.get<{ select(element: unknown): void }>('selection').select(element);
    modeler.get<{ scrollToElement(element: unknown): void }>('canvas').scrollToElement(element);
  };

  const versions = current?.versions.slice().sort((a, b) => b.version - a.version) ?? [];

  return (
    <section class="modeler-page">
      <aside class="modeler-sidebar" aria-label={t('modeler.processes')}>
        <h1 class="sidebar-title">{t('modeler.title')}</h1>
        <div class="button-row">
          <button type="button" class="secondary" onClick={() => (processId ? route('/modeler') : newDiagram())}>
            {t('modeler.new')}
          </button>
          <label class="button secondary file-button">
            {t('modeler.open')}
            <input ref={fileRef} type="file" accept=".bpmn,.xml,application/xml" class="visually-hidden" onChange={onFile} />
          </label>
        </div>
        <h2>{t('modeler.processes')}</h2>
        {processes === null ? (
          <p class="muted">{t('common.loading')}</p>
        ) : processes.length === 0 ? (
          <p class="muted">{t('modeler.noProcesses')}</p>
        ) : (
          <ul class="process-list">
            {processes.map((p) => (
              <li key={p.processId}>
                <a
                  href={`/modeler/${encodeURIComponent(p.processId)}`}
                  aria-current={p.processId === current?.processId ? 'page' : undefined}
                  onClick={(event) => {
                    // Already the address: the router would not reload, so open it here.
                    if (p.processId === processId) {
                      event.preventDefault();
                      void openVersion(p.processId, p.latestVersion);
                    }
                  }}
                >
                  <span>{p.name || p.processId}</span>
                  <span class="badge">{t('modeler.versionShort', { version: p.latestVersion })}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
        {current && (
          <>
            <h2>{t('modeler.versions')}</h2>
            <ol class="version-list" data-testid="versions">
              {versions.map((v) => (
                <li key={v.version}>
                  <button
                    type="button"
                    class="link"
                    aria-current={loaded?.version === v.version ? 'true' : undefined}
                    onClick={() => openVersion(current.processId, v.version)}
                  >
                    {t('modeler.version', { version: v.version })}
                  </button>
                  <span class="muted small">{formatDateTime(v.deployedAt)}</span>
                </li>
              ))}
            </ol>
            {versions.length > 1 && (
              <CompareForm
                versions={versions.map((v) => v.version)}
                onCompare={(from, to) => {
                  setCompare({ from, to });
                  setTab('diff');
                }}
              />
            )}
          </>
        )}
      </aside>

      <div class="modeler-main">
        <div class="tabs" role="tablist" aria-label={t('modeler.views')}>
          {(['diagram', 'diff', 'forms'] as Tab[]).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={tab === name}
              disabled={name === 'diff' && !compare}
              onClick={() => setTab(name)}
            >
              {t(`modeler.tab.${name}`)}
            </button>
          ))}
        </div>

        <div class="modeler-toolbar" hidden={tab !== 'diagram'}>
          <span class="diagram-name">
            {loaded?.processId
              ? t('modeler.editing', { processId: loaded.processId, version: loaded.version ?? '–' })
              : loaded?.fileName
                ? t('modeler.editingFile', { file: loaded.fileName })
                : t('modeler.editingNew')}
          </span>
          <span class="lint-status" role="status" aria-live="polite" data-errors={lint.errors}>
            {t('modeler.lintStatus', { errors: lint.errors, warnings: lint.warnings })}
          </span>
          <button type="button" class="secondary" onClick={downloadBpmn}>
            {t('modeler.downloadBpmn')}
          </button>
          <button type="button" class="secondary" onClick={downloadSvg}>
            {t('modeler.downloadSvg')}
          </button>
          <button type="button" onClick={runDeploy} disabled={busy}>
            {busy ? t('modeler.deploying') : t('modeler.deploy')}
          </button>
        </div>

        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {verdict && tab === 'diagram' && <VerdictPanel verdict={verdict} onSelect={selectElement} />}

        <div class="modeler-workspace" hidden={tab !== 'diagram'}>
          <div class="modeler-canvas" ref={canvasRef} data-testid="canvas" />
          <div class="modeler-properties" ref={panelRef} aria-label={t('modeler.properties')} />
        </div>

        {tab === 'diff' && current && compare && (
          <DiffView processId={current.processId} from={compare.from} to={compare.to} />
        )}
        {tab === 'forms' && <FormsPanel />}
        {tab === 'diagram' && current && <SimulationPanel processId={current.processId} />}
      </div>
    </section>
  );
}

function CompareForm({ versions, onCompare }: { versions: number[]; onCompare(from: number, to: number): void }) {
  const { t } = useI18n();
  const [from, setFrom] = useState(versions[1]);
  const [to, setTo] = useState(versions[0]);
  useEffect(() => {
    setFrom(versions[1]);
    setTo(versions[0]);
  }, [versions.join(',')]);
  return (
    <form
      class="compare-form"
      onSubmit={(event) => {
        event.preventDefault();
        onCompare(from, to);
      }}
    >
      <h2>{t('modeler.compare')}</h2>
      <VersionSelect label={t('modeler.compareFrom')} versions={versions} value={from} onChange={setFrom} />
      <VersionSelect label={t('modeler.compareTo')} versions={versions} value={to} onChange={setTo} />
      <button type="submit" class="secondary" disabled={from === to}>
        {t('modeler.showDiff')}
      </button>
    </form>
  );
}

/** One of the two version pickers of {@link CompareForm}. */
function VersionSelect(props: { label: string; versions: number[]; value: number; onChange(version: number): void }) {
  const { t } = useI18n();
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(Number(e.currentTarget.value))}>
        {props.versions.map((v) => (
          <option key={v} value={v}>
            {t('modeler.version', { version: v })}
          </option>
        ))}
      </select>
    </label>
  );
}

function VerdictPanel({ verdict, onSelect }: { verdict: Verdict; onSelect(elementId: string): void }) {
  const { t } = useI18n();
  if (verdict.kind === 'deployed') {
    return (
      <p class="notice success" role="status" data-testid="verdict">
        {t('modeler.deployed', { processId: verdict.processId, version: verdict.version })}
      </p>
    );
  }
  if (verdict.kind === 'failed') {
    return (
      <p class="notice error" role="alert" data-testid="verdict">
        {t('modeler.deployFailed', { reason: verdict.detail })}
      </p>
    );
  }
  return (
    <div class="notice error" role="alert" data-testid="verdict">
      <p>{t('modeler.refused', { count: verdict.issues.length })}</p>
      <ul>
        {verdict.issues.map((issue, index) => (
          <li key={index}>
            {issue.elementId ? (
              <button type="button" class="link" onClick={() => onSelect(issue.elementId!)}>
                {issue.elementId}
              </button>
            ) : (
              <span>{t('modeler.wholeFile')}</span>
            )}
            : {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
