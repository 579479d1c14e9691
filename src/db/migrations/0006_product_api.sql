-- The product API (issue 5): comments on user tasks, saved task-list filters per user, and the
-- indexes the task list, the instance list and the supervisor's dashboard need.
-- Depends on 0002 (engine tables), 0003 (app_user), 0004 (transition_case).

-- Comments on a user task. The engine's task row may be gone (completed, cancelled); its key stays.
create table task_comment (
  id uuid primary key default gen_random_uuid(),
  task_key bigint not null,
  case_id uuid references transition_case (id) on delete cascade,
  author_id uuid not null references app_user (id),
  body text not null check (length(body) between 1 and 4000),
  created_at timestamptz not null
);
create index task_comment_task on task_comment (task_key, created_at);

-- Saved task-list filters, per user on the server (Camunda Tasklist keeps them in the browser).
create table task_filter (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references app_user (id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  -- the query parameters of GET /api/tasks, as given
  query jsonb not null default '{}',
  created_at timestamptz not null,
  unique (user_id, name)
);

-- The task list joins open user tasks to their instance and the instance to its case through the
-- `caseId` process variable (call-activity children carry it too).
create index engine_instance_case_id on engine_instance ((variables ->> 'caseId'));
create index transition_case_id_text on transition_case ((id::text));
create index engine_user_task_created on engine_user_task (instance_key) where state = 'CREATED';
create index engine_user_task_created_due on engine_user_task (due_date, key) where state = 'CREATED';
create index engine_user_task_assignee on engine_user_task (assignee) where state = 'CREATED';
-- Instance list (newest first) and the heatmap (element durations per definition).
create index engine_instance_started on engine_instance (started_at desc, key desc);
create index engine_element_instance_instance on engine_element_instance (instance_key);
-- Dashboard and retention.
create index transition_case_closed on transition_case (closed_at) where status = 'closed';
create index transition_case_expected_release on transition_case (expected_release_date) where status = 'open';
create index referral_attempt_due on referral_attempt (answer_due_at) where status = 'sent';
