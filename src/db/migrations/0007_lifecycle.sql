-- The transition lifecycle (issue 4, processes): what the BPMN steps record beyond 0004.
-- Depends on 0004 (transition_case, referral_attempt).

-- Probation or supervision (Bewährung, Führungsaufsicht) ordered at release: the final report
-- then goes to the probation service without consent (§ 60 StVollzG NRW); anyone else needs it.
alter table transition_case add column probation_ordered boolean not null default false;

-- When a silent partner was reminded of an unanswered referral (the `referral-outcome` worker);
-- the escalation to the caseworker follows after the programme's grace period.
alter table referral_attempt add column reminded_at timestamptz;

-- Every time the final report left the team: to whom, on which ground, by whom. The sharing rule
-- (probation service when probation is ordered, anyone else only with consent) is enforced in
-- src/domain/final-report.ts; this is its record.
create table final_report_share (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  recipient_kind text not null check (recipient_kind in ('probation-service', 'other')),
  recipient_name text not null check (length(recipient_name) between 1 and 200),
  ground text not null check (ground in ('probation-order', 'consent')),
  shared_by uuid references app_user (id),
  shared_at timestamptz not null
);
create index final_report_share_case on final_report_share (case_id, shared_at);
