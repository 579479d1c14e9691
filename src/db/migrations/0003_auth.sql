-- Sign-in, roles, machine credentials and the audit trail (issue 5).

-- Teams (office / region). Domain tables reference team(id); keep this shape.
create table team (id text primary key, name text not null);

-- People who sign in. Usernames are stored lower-case so that "Admin" and "admin" are one account.
create table app_user (
  id uuid primary key default gen_random_uuid(),
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
  display_name text not null check (length(display_name) between 1 and 200),
  -- argon2id in PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
  password_hash text not null check (password_hash like '$argon2id$%'),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

-- A person's roles. Caseworker groups and supervisors act for a team; admin and process-owner
-- are not bound to one (an admin sees every team, a process owner edits diagrams for all).
create table membership (
  id bigint generated always as identity primary key,
  user_id uuid not null references app_user (id) on delete cascade,
  role text not null check (
    role in ('process-owner', 'social-service', 'psychological-service', 'administration', 'supervisor', 'admin')
  ),
  team_id text references team (id),
  check ((role in ('admin', 'process-owner')) = (team_id is null))
);
create unique index membership_unique on membership (user_id, role, coalesce(team_id, ''));
create index membership_team on membership (team_id);

-- Server-side sessions. The cookie carries a random token; only its SHA-256 is stored, so a
-- copy of this table does not let anyone sign in.
create table user_session (
  token_hash text primary key,
  user_id uuid not null references app_user (id) on delete cascade,
  -- synchronizer token for unsafe requests; useless without the cookie, hence stored as is
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  last_seen_at timestamptz not null default now()
);
create index user_session_user on user_session (user_id);
create index user_session_expires on user_session (expires_at);

-- Failed sign-ins per account name (its SHA-256: people type passwords into the name field),
-- so that guessing one account is throttled across every API process sharing the database.
create table login_failure (
  id bigint generated always as identity primary key,
  username_hash text not null,
  failed_at timestamptz not null default now()
);
create index login_failure_name on login_failure (username_hash, failed_at);

-- Workers on /v2 and /engine-rest: machines, never people. The secret is 256 random bits, so
-- a SHA-256 of it is enough (argon2 guards guessable passwords and would slow every poll).
create table machine_credential (
  id uuid primary key default gen_random_uuid(),
  client_id text not null unique check (client_id ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
  secret_hash text not null,
  description text not null default '',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  created_by uuid references app_user (id)
);

-- Bearer tokens issued to a machine credential (client-credentials grant), SHA-256 stored.
create table machine_token (
  token_hash text primary key,
  credential_id uuid not null references machine_credential (id) on delete cascade,
  expires_at timestamptz not null
);
create index machine_token_expires on machine_token (expires_at);

-- The audit trail: append-only and hash-chained. seq is gapless (assigned under a lock by the
-- appender), each row's hash covers its content and the previous row's hash, so a row changed,
-- removed or inserted afterwards breaks the chain at that row (npm run audit:verify).
-- Ids and codes only: never names, dates of birth or free text.
create table audit_log (
  seq bigint primary key check (seq > 0),
  at timestamptz not null,
  actor_type text not null check (actor_type in ('user', 'machine', 'system', 'anonymous')),
  actor_id text,
  action text not null,
  record_type text,
  record_id text,
  -- the team the record belongs to: supervisors read the audit rows of their teams
  team_id text,
  route text,
  outcome text not null check (outcome in ('success', 'denied', 'failure')),
  details jsonb,
  prev_hash text not null,
  hash text not null
);
create index audit_log_record on audit_log (record_type, record_id);
create index audit_log_team on audit_log (team_id, seq);

create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end;
$$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse_change();
