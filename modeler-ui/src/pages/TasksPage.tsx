/**
 * `/tasks` and `/tasks/:taskKey` (caseworkers): the task list — mine, my groups', all I may see —
 * with filters, sorting and filters saved on the server; beside it the open task with its form,
 * the case panel and comments. On a phone the list and the task are one screen each.
 */
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import {
  deleteFilter,
  listFilters,
  saveFilter,
  searchTasks,
  urgencyOf,
  type SavedFilter,
  type TaskItem,
  type TaskQuery,
} from '../tasks/api';
import { TaskDetailView } from '../tasks/TaskDetailView';

const VIEWS = ['mine', 'groups', 'all'] as const;
const SORTS = ['due-asc', 'due-desc', 'priority', 'created'] as const;
const PHASES = ['intake', 'custody', 'intensive', 'aftercare', 'closed'] as const;

/** The engine's time (simulated in simulation mode), for overdue and due-soon. */
function useEngineNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    get<{ time: string }>('/api/clock').then((clock) => setNow(new Date(clock.time).getTime()), () => {});
  }, []);
  return now;
}

/** The task list page. */
export function TasksPage({ params }: { params: Record<string, string> }) {
  const { t } = useI18n();
  const taskKey = params.taskKey;
  const now = useEngineNow();
  const [filters, setFilters] = useState<TaskQuery>({ view: 'groups', sort: 'due-asc' });
  const [items, setItems] = useState<TaskItem[] | null>(null);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    searchTasks(filters).then(
      (page) => {
        if (cancelled) return;
        setItems(page.items);
        setTotal(page.total);
        setCursor(page.nextCursor);
      },
      (err: Error) => !cancelled && setError(t('errors.loadFailed', { reason: err.message })),
    );
    return () => {
      cancelled = true;
    };
  }, [JSON.stringify(filters), reload]);

  const loadMore = async () => {
    if (!cursor) return;
    const page = await searchTasks(filters, cursor);
    setItems((current) => [...(current ?? []), ...page.items]);
    setCursor(page.nextCursor);
  };

  return (
    <section class={`tasks-page ${taskKey ? 'has-task' : ''}`}>
      <div class="task-list-pane">
        <div class="title-row">
          <h1>{t('tasks.title')}</h1>
          <a class="button secondary" href="/cases/new">
            {t('tasks.newCase')}
          </a>
        </div>
        <div class="tabs" role="tablist" aria-label={t('tasks.views')}>
          {VIEWS.map((view) => (
            <button
              key={view}
              type="button"
              role="tab"
              aria-selected={filters.view === view}
              onClick={() => setFilters({ ...filters, view })}
            >
              {t(`tasks.view.${view}`)}
            </button>
          ))}
        </div>
        <FilterBar filters={filters} onChange={setFilters} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {items === null ? (
          <p class="muted">{t('common.loading')}</p>
        ) : (
          <>
            <p class="muted small" role="status">
              {t('tasks.count', { count: total })}
            </p>
            {items.length === 0 ? (
              <p>{t('tasks.empty')}</p>
            ) : (
              <ul class="task-list" data-testid="task-list" onKeyDown={moveFocus} aria-describedby="task-list-keys">
                {items.map((task) => (
                  <TaskRow key={task.taskKey} task={task} now={now} current={task.taskKey === taskKey} />
                ))}
              </ul>
            )}
            <p id="task-list-keys" class="visually-hidden">
              {t('tasks.keys')}
            </p>
            {cursor && (
              <button type="button" class="secondary" onClick={loadMore}>
                {t('common.more')}
              </button>
            )}
          </>
        )}
      </div>
      <div class="task-detail-pane">
        {taskKey ? (
          <TaskDetailView key={taskKey} taskKey={taskKey} now={now} onChanged={() => setReload((n) => n + 1)} />
        ) : (
          <p class="muted placeholder">{t('tasks.choose')}</p>
        )}
      </div>
    </section>
  );
}

/** Arrow keys (and j / k) move between the tasks of the list; Enter opens one (it is a link). */
function moveFocus(event: KeyboardEvent) {
  const step = event.key === 'ArrowDown' || event.key === 'j' ? 1 : event.key === 'ArrowUp' || event.key === 'k' ? -1 : 0;
  if (!step) return;
  const links = Array.from((event.currentTarget as HTMLElement).querySelectorAll<HTMLAnchorElement>('.task-row a'));
  const index = links.indexOf(document.activeElement as HTMLAnchorElement);
  const next = links[Math.min(links.length - 1, Math.max(0, index + step))];
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

function TaskRow({ task, now, current }: { task: TaskItem; now: number; current: boolean }) {
  const { t, formatDate } = useI18n();
  const { user } = useSession();
  const urgency = urgencyOf(task.dueDate, now);
  return (
    <li class={`task-row ${urgency ?? ''}`} data-task-key={task.taskKey}>
      <a href={`/tasks/${encodeURIComponent(task.taskKey)}`} aria-current={current ? 'page' : undefined}>
        <span class="task-name">{task.name || task.elementId}</span>
        <span class="task-meta">
          {task.casePseudonym && <span>{task.casePseudonym}</span>}
          {task.phase && <span>{t(`phase.${task.phase}`)}</span>}
          <span>
            {task.assignee
              ? task.assignee === user?.username
                ? t('tasks.assignedToMe')
                : t('tasks.assignedTo', { assignee: task.assignee })
              : t('tasks.unassigned')}
          </span>
        </span>
        <span class="task-due">
          {task.dueDate ? t('tasks.due', { date: formatDate(task.dueDate) }) : t('tasks.noDue')}
          {urgency && <span class={`badge ${urgency}`}>{t(`tasks.${urgency}`)}</span>}
        </span>
      </a>
    </li>
  );
}

function FilterBar({ filters, onChange }: { filters: TaskQuery; onChange(filters: TaskQuery): void }) {
  const { t } = useI18n();
  const [saved, setSaved] = useState<SavedFilter[]>([]);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const dateOnly = (value?: string) => (value ? value.slice(0, 10) : '');
  const toStart = (value: string) => (value ? `${value}T00:00:00.000Z` : undefined);
  const toEnd = (value: string) => (value ? `${value}T23:59:59.999Z` : undefined);

  useEffect(() => {
    listFilters().then(setSaved, () => setSaved([]));
  }, []);

  const save = async (event: Event) => {
    event.preventDefault();
    if (!name.trim()) return;
    try {
      const filter = await saveFilter(name.trim(), filters);
      setSaved((list) => [...list.filter((f) => f.name !== filter.name), filter].sort((a, b) => a.name.localeCompare(b.name)));
      setName('');
      setMessage(t('tasks.filterSaved', { name: filter.name }));
    } catch (err) {
      setMessage(t('errors.loadFailed', { reason: (err as Error).message }));
    }
  };

  const remove = async (filter: SavedFilter) => {
    await deleteFilter(filter.id);
    setSaved((list) => list.filter((f) => f.id !== filter.id));
  };

  return (
    <details class="filter-panel">
      <summary>{t('tasks.filters')}</summary>
      <div class="filters">
        <div class="field">
          <label for="filter-sort">{t('tasks.sort')}</label>
          <select id="filter-sort" value={filters.sort} onChange={(e) => onChange({ ...filters, sort: e.currentTarget.value as TaskQuery['sort'] })}>
            {SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {t(`tasks.sortBy.${sort}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-phase">{t('tasks.phase')}</label>
          <select id="filter-phase" value={filters.phase ?? ''} onChange={(e) => onChange({ ...filters, phase: e.currentTarget.value || undefined })}>
            <option value="">{t('tasks.anyPhase')}</option>
            {PHASES.map((phase) => (
              <option key={phase} value={phase}>
                {t(`phase.${phase}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-process">{t('tasks.process')}</label>
          <input
            id="filter-process"
            value={filters.processId ?? ''}
            onChange={(e) => onChange({ ...filters, processId: e.currentTarget.value.trim() || undefined })}
          />
        </div>
        <div class="field">
          <label for="filter-dueFrom">{t('tasks.dueFrom')}</label>
          <input id="filter-dueFrom" type="date" value={dateOnly(filters.dueFrom)} onChange={(e) => onChange({ ...filters, dueFrom: toStart(e.currentTarget.value) })} />
        </div>
        <div class="field">
          <label for="filter-dueTo">{t('tasks.dueTo')}</label>
          <input id="filter-dueTo" type="date" value={dateOnly(filters.dueTo)} onChange={(e) => onChange({ ...filters, dueTo: toEnd(e.currentTarget.value) })} />
        </div>
        <button type="button" class="secondary" onClick={() => onChange({ view: filters.view, sort: 'due-asc' })}>
          {t('common.reset')}
        </button>
      </div>
      <div class="saved-filters">
        <h2>{t('tasks.savedFilters')}</h2>
        {saved.length === 0 ? (
          <p class="muted small">{t('tasks.noSavedFilters')}</p>
        ) : (
          <ul>
            {saved.map((filter) => (
              <li key={filter.id}>
                <button type="button" class="link" onClick={() => onChange({ view: 'groups', sort: 'due-asc', ...filter.query })}>
                  {filter.name}
                </button>
                <button type="button" class="link" aria-label={t('tasks.deleteFilter', { name: filter.name })} onClick={() => remove(filter)}>
                  {t('common.delete')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <form class="inline-form" onSubmit={save}>
          <label>
            {t('tasks.filterName')}
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={100} />
          </label>
          <button type="submit" class="secondary" disabled={!name.trim()}>
            {t('tasks.saveFilter')}
          </button>
        </form>
        {message && (
          <p class="muted small" role="status">
            {message}
          </p>
        )}
      </div>
    </details>
  );
}
