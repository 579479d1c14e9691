/**
 * One open task: claim or give it back, fill in its form (errors inline, the server's too),
 * complete it and go on to the case's next task; the case panel beside the form; comments.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useFocusOnMount } from '../components/useFocusOnMount';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import {
  addComment,
  claimTask,
  completeTask,
  fetchTask,
  listComments,
  searchTasks,
  unclaimTask,
  urgencyOf,
  type TaskComment,
  type TaskDetail,
  type TaskItem,
} from './api';
import { CasePanel } from './CasePanel';
import { TaskForm, type TaskFormHandle } from './TaskForm';

/** Props of {@link TaskDetailView}. */
export interface TaskDetailViewProps {
  taskKey: string;
  now: number;
  /** The list should reload (claimed, completed). */
  onChanged(): void;
}

type Outcome = { kind: 'completed'; next: TaskItem | null; waiting: boolean } | { kind: 'error'; text: string; issues?: string[] };

/** How long to look for the case's next task after completing one (workers may run first). */
const NEXT_TASK_ATTEMPTS = 30;
const NEXT_TASK_INTERVAL_MS = 1000;

/** The task page's right-hand side. */
export function TaskDetailView({ taskKey, now, onChanged }: TaskDetailViewProps) {
  const { t, formatDate, describeError } = useI18n();
  const { user } = useSession();
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const formHandle = useRef<TaskFormHandle>(null);
  const heading = useFocusOnMount<HTMLHeadingElement>(task?.taskKey);

  const load = async () => {
    try {
      setTask(await fetchTask(taskKey));
    } catch (err) {
      setLoadError(err instanceof ApiError && err.status === 404 ? t('tasks.gone') : t('errors.loadFailed', { reason: (err as Error).message }));
    }
  };
  useEffect(() => {
    void load();
  }, [taskKey]);

  if (loadError) {
    return (
      <div class="task-detail">
        <a class="back-link" href="/tasks">
          {t('tasks.backToList')}
        </a>
        <p class="error" role="alert">
          {loadError}
        </p>
      </div>
    );
  }
  if (!task) return <p class="muted">{t('common.loading')}</p>;

  const mine = !!user && task.assignee === user.username;
  const urgency = urgencyOf(task.dueDate, now);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setOutcome(null);
    try {
      await action();
      await load();
      onChanged();
    } catch (err) {
      setOutcome({ kind: 'error', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const complete = async () => {
    const variables = task.form ? formHandle.current?.submit() : {};
    if (!variables) {
      setOutcome({ kind: 'error', text: t('tasks.fixErrors') });
      return;
    }
    setBusy(true);
    setOutcome(null);
    try {
      await completeTask(task.taskKey, variables);
      setOutcome({ kind: 'completed', next: null, waiting: !!task.caseId });
      onChanged();
      if (task.caseId) {
        // The case goes on: automated steps (workers) may run first, so look a few times.
        let next: TaskItem | null = null;
        for (let attempt = 0; attempt < NEXT_TASK_ATTEMPTS && !next; attempt++) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, NEXT_TASK_INTERVAL_MS));
          const page = await searchTasks({ view: 'all', caseId: task.caseId }, undefined, 5).catch(() => null);
          next = page?.items.find((item) => item.taskKey !== task.taskKey) ?? null;
        }
        setOutcome({ kind: 'completed', next, waiting: false });
        if (next) onChanged();
      }
    } catch (err) {
      if (err instanceof ApiError && err.problem.issues?.length) {
        const unplaced = formHandle.current?.showIssues(err.problem.issues) ?? err.problem.issues;
        setOutcome({ kind: 'error', text: t('tasks.fixErrors'), issues: unplaced.map((issue) => issue.message) });
      } else {
        setOutcome({ kind: 'error', text: describeError(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  if (outcome?.kind === 'completed') {
    return (
      <div class="task-detail">
        <a class="back-link" href="/tasks">
          {t('tasks.backToList')}
        </a>
        <div class="notice success" role="status" data-testid="completed">
          <p>{t('tasks.completed', { name: task.name })}</p>
          {outcome.next ? (
            <p>
              {t('tasks.nextTask')}{' '}
              <a href={`/tasks/${encodeURIComponent(outcome.next.taskKey)}`} data-testid="next-task">
                {outcome.next.name}
              </a>
            </p>
          ) : outcome.waiting ? (
            <p>{t('tasks.waitingForNext')}</p>
          ) : (
            <p>{t('tasks.noNextTask')}</p>
          )}
        </div>
      </div>
    );
  }

  return (
    <div class="task-detail" data-testid="task-detail">
      <a class="back-link" href="/tasks">
        {t('tasks.backToList')}
      </a>
      <header class="task-header">
        <h2 ref={heading} tabIndex={-1}>
          {task.name || task.elementId}
        </h2>
        <p class="task-meta">
          <span>{task.dueDate ? t('tasks.due', { date: formatDate(task.dueDate) }) : t('tasks.noDue')}</span>
          {urgency && <span class={`badge ${urgency}`}>{t(`tasks.${urgency}`)}</span>}
          {task.followUpDate && <span>{t('tasks.followUp', { date: formatDate(task.followUpDate) })}</span>}
          <span>
            {task.assignee
              ? mine
                ? t('tasks.assignedToMe')
                : t('tasks.assignedTo', { assignee: task.assignee })
              : t('tasks.unassigned')}
          </span>
          <span>{t('tasks.groups', { groups: task.candidateGroups.map((g) => t(`roles.${g}`, { defaultValue: g })).join(', ') || '–' })}</span>
        </p>
        <div class="button-row">
          {mine ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => act(() => unclaimTask(task.taskKey))}>
              {t('tasks.unclaim')}
            </button>
          ) : (
            <button type="button" disabled={busy || (!!task.assignee && !mine)} onClick={() => act(() => claimTask(task.taskKey))}>
              {t('tasks.claim')}
            </button>
          )}
        </div>
      </header>
      <div class="task-body">
        {/* Not a <form>: form-js renders its own, and forms do not nest. */}
        <section class="task-form-card card" aria-labelledby="task-form-title">
          <h3 id="task-form-title">{t('tasks.form')}</h3>
          {!mine && <p class="muted small">{t('tasks.claimFirst')}</p>}
          {task.form ? (
            <TaskForm schema={task.form} data={task.variables} disabled={!mine || busy} handle={formHandle} />
          ) : (
            <p class="muted">{t('tasks.noForm')}</p>
          )}
          {outcome?.kind === 'error' && (
            <div class="notice error" role="alert" data-testid="task-error">
              <p>{outcome.text}</p>
              {outcome.issues && outcome.issues.length > 0 && (
                <ul>
                  {outcome.issues.map((issue, index) => (
                    <li key={index}>{issue}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <button type="button" disabled={!mine || busy} onClick={complete}>
            {t('tasks.complete')}
          </button>
        </section>
        {task.case && <CasePanel summary={task.case} />}
      </div>
      <Comments taskKey={task.taskKey} />
    </div>
  );
}

function Comments({ taskKey }: { taskKey: string }) {
  const { t, formatDateTime, describeError } = useI18n();
  const [comments, setComments] = useState<TaskComment[] | null>(null);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listComments(taskKey).then(setComments, () => setComments([]));
  }, [taskKey]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) return;
    try {
      const comment = await addComment(taskKey, text.trim());
      setComments((list) => [...(list ?? []), comment]);
      setText('');
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section class="comments card" aria-labelledby="comments-title">
      <h3 id="comments-title">{t('tasks.comments')}</h3>
      {comments === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : comments.length === 0 ? (
        <p class="muted small">{t('tasks.noComments')}</p>
      ) : (
        <ol class="comment-list" data-testid="comments">
          {comments.map((comment) => (
            <li key={comment.id}>
              <p class="small muted">
                {comment.author}, {formatDateTime(comment.createdAt)}
              </p>
              <p class="comment-text">{comment.text}</p>
            </li>
          ))}
        </ol>
      )}
      <form class="stack" onSubmit={submit}>
        <label>
          {t('tasks.newComment')}
          <textarea value={text} maxLength={4000} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div>
          <button type="submit" class="secondary" disabled={!text.trim()}>
            {t('tasks.addComment')}
          </button>
        </div>
      </form>
    </section>
  );
}
