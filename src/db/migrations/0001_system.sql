-- One row that identifies this installation; it is written once and survives restarts.
create table system_info (
  id boolean primary key default true check (id),
  installation_id uuid not null default gen_random_uuid(),
  created_at timestamptz not null default now()
);
insert into system_info default values;
