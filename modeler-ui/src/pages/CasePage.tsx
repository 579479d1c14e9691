/**
 * `/cases/:caseId` (caseworkers): the case with its client, dates, open tasks and timeline, and
 * the changes a caseworker records (release dates, closure, re-entry). `/cases/new` is the
 * admission form that opens a case and starts its process.
 */
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post, put } from '../api';
import { useFocusOnMount } from '../components/useFocusOnMount';
import { useI18n } from '../i18n';
import { hasRole, useSession } from '../session';
import { searchTasks, type TaskItem } from '../tasks/api';

interface CaseDetail {
  caseId: string;
  pseudonym: string;
  programmeId: string;
  teamId: string;
  facility: string;
  phase: string;
  status: 'open' | 'closed';
  eligibility: string;
  expectedRelease: string;
  actualRelease: string | null;
  aftercareEndsOn: string | null;
  closureReason: string | null;
  openedAt: string;
  previousCaseId: string | null;
  instanceKey: string | null;
  client: { firstName: string; lastName: string; dateOfBirth: string };
}

interface TimelineEntry {
  at: string;
  kind: string;
  label: string;
}

/** The case page, or the admission form for `/cases/new`. */
export function CasePage({ params }: { params: Record<string, string> }) {
  return params.caseId === 'new' ? <AdmissionForm /> : <CaseView caseId={params.caseId} />;
}

function CaseView({ caseId }: { caseId: string }) {
  const { t, formatDate, formatDateTime, describeError } = useI18n();
  const { user } = useSession();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[] | null>(null);
  const [tasks, setTasks] = useState<TaskItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const heading = useFocusOnMount<HTMLHeadingElement>(detail?.caseId);

  const load = async () => {
    try {
      const id = encodeURIComponent(caseId);
      const [d, tl, open] = await Promise.all([
        get<CaseDetail>(`/api/cases/${id}`),
        get<TimelineEntry[]>(`/api/cases/${id}/timeline`),
        searchTasks({ view: 'all', caseId }, undefined, 20),
      ]);
      setDetail(d);
      setTimeline(tl);
      setTasks(open.items);
    } catch (err) {
      setError(t('errors.loadFailed', { reason: (err as Error).message }));
    }
  };
  useEffect(() => {
    void load();
  }, [caseId]);

  if (error) {
    return (
      <section class="page">
        <p class="error" role="alert">
          {error}
        </p>
      </section>
    );
  }
  if (!detail) return <p class="muted">{t('common.loading')}</p>;

  const change = async (action: () => Promise<unknown>, success: string) => {
    try {
      await action();
      setMessage({ ok: true, text: success });
      await load();
    } catch (err) {
      setMessage({ ok: false, text: describeError(err) });
    }
  };

  return (
    <section class="page case-page" data-testid="case-page">
      <header class="case-header">
        <h1 ref={heading} tabIndex={-1}>
          {t('case.title', { pseudonym: detail.pseudonym })}
        </h1>
        <p class="task-meta">
          <span class="badge">{t(`phase.${detail.phase}`)}</span>
          <span>{t(`case.status.${detail.status}`)}</span>
          <span>{detail.programmeId}</span>
        </p>
      </header>
      {message && (
        <p class={message.ok ? 'notice success' : 'notice error'} role="status">
          {message.text}
        </p>
      )}
      <div class="case-grid">
        <section class="card" aria-labelledby="case-facts">
          <h2 id="case-facts">{t('case.facts')}</h2>
          <dl class="facts">
            <dt>{t('case.client')}</dt>
            <dd>
              {detail.client.firstName} {detail.client.lastName}
            </dd>
            <dt>{t('case.dateOfBirth')}</dt>
            <dd>{formatDate(detail.client.dateOfBirth)}</dd>
            <dt>{t('case.team')}</dt>
            <dd>{detail.teamId}</dd>
            <dt>{t('case.facility')}</dt>
            <dd>{detail.facility || '–'}</dd>
            <dt>{t('case.eligibility')}</dt>
            <dd>{t(`case.eligibilityValue.${detail.eligibility}`, { defaultValue: detail.eligibility })}</dd>
            <dt>{t('case.opened')}</dt>
            <dd>{formatDate(detail.openedAt)}</dd>
            <dt>{t('case.expectedRelease')}</dt>
            <dd>{formatDate(detail.expectedRelease)}</dd>
            <dt>{t('case.actualRelease')}</dt>
            <dd>{formatDate(detail.actualRelease)}</dd>
            <dt>{t('case.aftercareEnds')}</dt>
            <dd>{formatDate(detail.aftercareEndsOn)}</dd>
          </dl>
          {detail.instanceKey && hasRole(user, ['supervisor', 'admin']) && (
            <p>
              <a href={`/supervisor/instances/${encodeURIComponent(detail.instanceKey)}`}>{t('case.showDiagram')}</a>
            </p>
          )}
        </section>
        <section class="card" aria-labelledby="case-tasks">
          <h2 id="case-tasks">{t('case.openTasks')}</h2>
          {tasks && tasks.length > 0 ? (
            <ul class="compact">
              {tasks.map((task) => (
                <li key={task.taskKey}>
                  <a href={`/tasks/${encodeURIComponent(task.taskKey)}`}>{task.name}</a>
                  {task.dueDate && <span class="muted small"> – {t('tasks.due', { date: formatDate(task.dueDate) })}</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted small">{t('common.none')}</p>
          )}
        </section>
      </div>
      {detail.status === 'open' ? (
        <div class="case-grid">
          <DateAction
            id="expected-release"
            label={t('case.changeExpectedRelease')}
            initial={detail.expectedRelease}
            onSubmit={(date) =>
              change(() => put(`/api/cases/${encodeURIComponent(caseId)}/expected-release`, { expectedRelease: date }), t('case.saved'))
            }
          />
          <DateAction
            id="actual-release"
            label={t('case.recordRelease')}
            initial={detail.actualRelease ?? ''}
            onSubmit={(date) =>
              change(() => post(`/api/cases/${encodeURIComponent(caseId)}/release`, { actualRelease: date }), t('case.saved'))
            }
          />
          <CloseAction onSubmit={(reason) => change(() => post(`/api/cases/${encodeURIComponent(caseId)}/close`, { reason }), t('case.saved'))} />
        </div>
      ) : (
        <ReentryAction
          onSubmit={(justification) =>
            change(() => post(`/api/cases/${encodeURIComponent(caseId)}/reentry`, { justification }), t('case.reentryRequested'))
          }
        />
      )}
      <section class="card timeline-card" aria-labelledby="case-timeline">
        <h2 id="case-timeline">{t('case.timeline')}</h2>
        {timeline && timeline.length > 0 ? (
          <ol class="timeline" data-testid="timeline">
            {timeline.map((entry, index) => (
              <li key={index} class={`timeline-${entry.kind}`}>
                <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
                <span class="timeline-kind">{t(`timeline.${entry.kind}`, { defaultValue: entry.kind })}</span>
                <span class="timeline-label">{entry.label}</span>
              </li>
            ))}
          </ol>
        ) : (
          <p class="muted small">{t('common.none')}</p>
        )}
      </section>
    </section>
  );
}

function DateAction({ id, label, initial, onSubmit }: { id: string; label: string; initial: string; onSubmit(date: string): void }) {
  const { t } = useI18n();
  const [value, setValue] = useState(initial);
  return (
    <form
      class="card inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (value) onSubmit(value);
      }}
    >
      <label for={id}>
        {label}
        <input id={id} type="date" value={value} required onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit" class="secondary" disabled={!value}>
        {t('common.save')}
      </button>
    </form>
  );
}

function CloseAction({ onSubmit }: { onSubmit(reason: string): void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('regular');
  return (
    <form
      class="card inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(reason);
      }}
    >
      <label>
        {t('case.closeReason')}
        <select value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
          {['regular', 'drop-out', 'not-eligible'].map((r) => (
            <option key={r} value={r}>
              {t(`case.closure.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="danger">
        {t('case.close')}
      </button>
    </form>
  );
}

function ReentryAction({ onSubmit }: { onSubmit(justification: string): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  return (
    <form
      class="card stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (text.trim()) onSubmit(text.trim());
      }}
    >
      <label>
        {t('case.reentryJustification')}
        <textarea value={text} maxLength={4000} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <div>
        <button type="submit" class="secondary" disabled={!text.trim()}>
          {t('case.requestReentry')}
        </button>
      </div>
    </form>
  );
}

interface Programme {
  id: string;
  name: string;
}

/** `/cases/new`: admits a client; the case's process starts and its first task follows. */
function AdmissionForm() {
  const { t, describeError } = useI18n();
  const { route } = useLocation();
  const [programmes, setProgrammes] = useState<Programme[]>([]);
  const [teams, setTeams] = useState<Array<{ id: string; name: string }>>([]);
  const [values, setValues] = useState({
    firstName: '',
    lastName: '',
    dateOfBirth: '',
    programmeId: '',
    teamId: '',
    facilityId: '',
    expectedRelease: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>('admission');

  useEffect(() => {
    void Promise.all([get<Programme[]>('/api/programmes'), get<Array<{ id: string; name: string }>>('/api/teams')]).then(
      ([p, tm]) => {
        setProgrammes(p);
        setTeams(tm);
        setValues((v) => ({ ...v, programmeId: v.programmeId || p[0]?.id || '', teamId: v.teamId || tm[0]?.id || '' }));
      },
      (err: Error) => setProblem(t('errors.loadFailed', { reason: err.message })),
    );
  }, []);

  const set = (field: keyof typeof values) => (event: Event) =>
    setValues({ ...values, [field]: (event.currentTarget as HTMLInputElement).value });

  const validate = () => {
    const found: Record<string, string> = {};
    for (const field of ['firstName', 'lastName', 'dateOfBirth', 'programmeId', 'teamId', 'expectedRelease'] as const) {
      if (!values[field].trim()) found[field] = t('admission.required');
    }
    if (values.dateOfBirth && values.dateOfBirth > new Date().toISOString().slice(0, 10)) found.dateOfBirth = t('admission.birthInFuture');
    return found;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setProblem(null);
    if (Object.keys(found).length > 0) {
      document.getElementById(`admission-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await post<{ caseId: string }>('/api/cases', {
        client: { firstName: values.firstName.trim(), lastName: values.lastName.trim(), dateOfBirth: values.dateOfBirth },
        programmeId: values.programmeId,
        teamId: values.teamId,
        expectedRelease: values.expectedRelease,
        ...(values.facilityId.trim() ? { facilityId: values.facilityId.trim() } : {}),
      });
      route(`/cases/${encodeURIComponent(result.caseId)}`);
    } catch (err) {
      // The server's schema check names fields by JSON pointer (`/client/dateOfBirth`).
      const issues = err instanceof ApiError ? (err.problem.issues ?? []) : [];
      const byField: Record<string, string> = {};
      for (const issue of issues) {
        const name = issue.field?.split('/').pop();
        if (name && name in values) byField[name] = issue.message;
      }
      setErrors(byField);
      setProblem(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof typeof values, type = 'text', autoComplete = 'off') => (
    <div class="field">
      <label for={`admission-${name}`}>{t(`admission.${name}`)}</label>
      <input
        id={`admission-${name}`}
        type={type}
        value={values[name]}
        autoComplete={autoComplete}
        aria-invalid={errors[name] ? 'true' : undefined}
        aria-describedby={errors[name] ? `admission-${name}-error` : undefined}
        onInput={set(name)}
      />
      {errors[name] && (
        <p id={`admission-${name}-error`} class="field-error">
          {errors[name]}
        </p>
      )}
    </div>
  );

  return (
    <section class="page narrow-wide">
      <h1 ref={heading} tabIndex={-1}>
        {t('admission.title')}
      </h1>
      <p class="muted">{t('admission.intro')}</p>
      <form class="card stack admission-form" onSubmit={submit} noValidate>
        {field('firstName', 'text', 'off')}
        {field('lastName', 'text', 'off')}
        {field('dateOfBirth', 'date')}
        <div class="field">
          <label for="admission-programmeId">{t('admission.programmeId')}</label>
          <select id="admission-programmeId" value={values.programmeId} onChange={set('programmeId')}>
            {programmes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="admission-teamId">{t('admission.teamId')}</label>
          <select id="admission-teamId" value={values.teamId} onChange={set('teamId')}>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        </div>
        {field('facilityId')}
        {field('expectedRelease', 'date')}
        {problem && (
          <p class="notice error" role="alert">
            {problem}
          </p>
        )}
        <div>
          <button type="submit" disabled={busy}>
            {t('admission.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
