-- The embedded engine: deployments, instances and everything an instance waits for are rows.
-- Keys are int64 as in Camunda 8 and come from one sequence; each process takes blocks of 100.
create sequence engine_key start 2251799813685249 increment 100;

create table engine_deployment (
  key bigint primary key,
  tenant_id text not null default '<default>',
  created_at timestamptz not null
);

create table engine_resource (
  key bigint primary key,
  deployment_key bigint not null references engine_deployment (key),
  name text not null,
  kind text not null check (kind in ('bpmn', 'form')),
  checksum text not null,
  content text not null
);

create table engine_process_definition (
  key bigint primary key,
  process_id text not null,
  version integer not null,
  name text,
  resource_key bigint not null references engine_resource (key),
  checksum text not null,
  model jsonb not null,
  created_at timestamptz not null,
  unique (process_id, version)
);

create table engine_form (
  key bigint primary key,
  form_id text not null,
  version integer not null,
  resource_key bigint not null references engine_resource (key),
  checksum text not null,
  schema jsonb not null,
  unique (form_id, version)
);

create table engine_instance (
  key bigint primary key,
  definition_key bigint not null references engine_process_definition (key),
  process_id text not null,
  version integer not null,
  state text not null check (state in ('ACTIVE', 'COMPLETED', 'TERMINATED')),
  business_key text,
  -- Set for instances started by a message with a correlation key: one active instance per key.
  start_message_key text,
  parent_instance_key bigint,
  parent_execution_id text,
  -- bpmn-engine state without the definition source; null once the instance has ended.
  engine_state jsonb,
  variables jsonb not null default '{}',
  revision integer not null default 0,
  incident boolean not null default false,
  started_at timestamptz not null,
  ended_at timestamptz
);
create index engine_instance_active on engine_instance (process_id) where state = 'ACTIVE';
create index engine_instance_start_message on engine_instance (process_id, start_message_key) where state = 'ACTIVE';
create index engine_instance_children on engine_instance (parent_instance_key) where parent_instance_key is not null;

-- History: every element instance with its state and times.
create table engine_element_instance (
  key bigint primary key,
  instance_key bigint not null references engine_instance (key),
  element_id text not null,
  element_type text not null,
  execution_id text not null,
  state text not null check (state in ('ACTIVE', 'COMPLETED', 'TERMINATED')),
  started_at timestamptz not null,
  ended_at timestamptz,
  unique (instance_key, execution_id)
);

create table engine_job (
  key bigint primary key,
  instance_key bigint not null references engine_instance (key),
  element_instance_key bigint not null,
  element_id text not null,
  execution_id text not null,
  type text not null,
  state text not null check (state in ('ACTIVATABLE', 'ACTIVATED', 'FAILED', 'COMPLETED', 'ERROR_THROWN', 'CANCELED')),
  retries integer not null,
  worker text,
  deadline timestamptz,
  retry_at timestamptz,
  error_message text,
  custom_headers jsonb not null default '{}',
  locals jsonb not null default '{}',
  created_at timestamptz not null,
  ended_at timestamptz
);
create index engine_job_activatable on engine_job (type, retry_at) where state = 'ACTIVATABLE';
create index engine_job_deadline on engine_job (deadline) where state = 'ACTIVATED';
create index engine_job_instance on engine_job (instance_key);

create table engine_user_task (
  key bigint primary key,
  instance_key bigint not null references engine_instance (key),
  element_instance_key bigint not null,
  element_id text not null,
  execution_id text not null,
  process_id text not null,
  definition_key bigint not null,
  state text not null check (state in ('CREATED', 'COMPLETED', 'CANCELED')),
  assignee text,
  candidate_groups text[] not null default '{}',
  candidate_users text[] not null default '{}',
  due_date timestamptz,
  follow_up_date timestamptz,
  form_key text,
  form_id text,
  priority integer not null default 50,
  locals jsonb not null default '{}',
  created_at timestamptz not null,
  completed_at timestamptz
);
create index engine_user_task_open on engine_user_task (state, due_date);
create index engine_user_task_instance on engine_user_task (instance_key);

create table engine_timer (
  key bigint primary key,
  instance_key bigint references engine_instance (key),
  definition_key bigint references engine_process_definition (key),
  element_id text not null,
  execution_id text,
  due_at timestamptz not null,
  repetitions integer
);
create index engine_timer_due on engine_timer (due_at);
create index engine_timer_instance on engine_timer (instance_key);

create table engine_message_subscription (
  key bigint primary key,
  instance_key bigint not null references engine_instance (key),
  element_id text not null,
  execution_id text not null,
  message_name text not null,
  correlation_key text not null,
  created_at timestamptz not null
);
create index engine_message_subscription_match on engine_message_subscription (message_name, correlation_key);
create index engine_message_subscription_instance on engine_message_subscription (instance_key);

-- Published messages kept until their time to live ends, to correlate with later subscriptions.
create table engine_message (
  key bigint primary key,
  name text not null,
  correlation_key text not null,
  message_id text,
  variables jsonb not null default '{}',
  expires_at timestamptz not null,
  created_at timestamptz not null
);
create index engine_message_match on engine_message (name, correlation_key);
create unique index engine_message_id on engine_message (name, message_id) where message_id is not null;
-- Which buffered message already went to which process (a message correlates once per process id).
create table engine_message_correlation (
  message_key bigint not null references engine_message (key) on delete cascade,
  process_id text not null,
  instance_key bigint not null,
  primary key (message_key, process_id)
);

create table engine_incident (
  key bigint primary key,
  instance_key bigint not null references engine_instance (key),
  element_id text not null,
  execution_id text,
  job_key bigint,
  error_type text not null,
  error_message text not null,
  state text not null check (state in ('ACTIVE', 'RESOLVED')),
  created_at timestamptz not null,
  resolved_at timestamptz
);
create index engine_incident_active on engine_incident (instance_key) where state = 'ACTIVE';
