-- The domain of issue 4: clients, cases, needs, the partner network, referrals, applications,
-- casework, extensions, consents, programmes as data and the notification outbox.
-- Depends on 0003 (team, app_user). Calendar dates are `date`, instants `timestamptz`, money cents.

-- The life domains needs, referrals and applications are tagged with (DOMAIN.md).
create table life_domain (id text primary key);
insert into life_domain (id) values
  ('housing'), ('work'), ('finances'), ('health'), ('family'), ('leisure'), ('identity');

-- A programme is data, not code: durations, caps, eligibility rules, regions and deadlines.
-- Adding a programme is one insert; nothing in src/ or workers/ names a programme.
create table programme (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null,
  jurisdiction text not null,
  -- the intensive phase starts this many months before the expected release date
  intensive_phase_months integer not null check (intensive_phase_months >= 0),
  -- normal aftercare length after the actual release
  aftercare_months integer not null check (aftercare_months > 0),
  -- aftercare in total including every approved extension; equal to aftercare_months = none
  aftercare_max_months integer not null,
  reentry_requires_approval boolean not null default true,
  -- a partner that has not answered a referral after this many days gets a reminder
  referral_answer_days integer not null check (referral_answer_days > 0),
  -- reminders to the application owner this many days before a deadline (one per stage)
  reminder_lead_days integer[] not null,
  -- release regions the programme serves; partners and cases use the same codes
  regions text[] not null,
  offices text[] not null default '{}',
  -- [{ "id": "SENTENCE_AT_LEAST_ONE_YEAR", "fact": "sentenceMonths", "op": "gte", "value": 12 }]
  eligibility_rules jsonb not null default '[]',
  -- [{ "kind": "citizens-income", "lifeDomain": "finances", "offsetDays": -28 }]: relative to release
  application_deadlines jsonb not null default '[]',
  created_at timestamptz not null default now(),
  check (aftercare_max_months >= aftercare_months)
);

insert into programme (id, name, jurisdiction, intensive_phase_months, aftercare_months, aftercare_max_months,
  reentry_requires_approval, referral_answer_days, reminder_lead_days, regions, offices, eligibility_rules,
  application_deadlines) values
(
  'puemas', 'PÜMaS – Professionelles Übergangsmanagement', 'TH', 6, 6, 6, true, 14, '{14,3}',
  '{erfurt,ostthueringen}', '{Erfurt,Gera}',
  '[
    {"id": "SENTENCE_AT_LEAST_ONE_YEAR", "fact": "sentenceMonths", "op": "gte", "value": 12},
    {"id": "RELEASE_INTO_PILOT_REGION", "fact": "releaseRegion", "op": "in", "value": ["erfurt", "ostthueringen"]},
    {"id": "SERVES_FULL_SENTENCE", "fact": "servesFullSentence", "op": "eq", "value": true},
    {"id": "NO_SUPERVISION_ORDER", "fact": "supervisionOrder", "op": "eq", "value": false}
  ]',
  '[
    {"kind": "housing-entitlement", "lifeDomain": "housing", "offsetDays": -56},
    {"kind": "id-card", "lifeDomain": "identity", "offsetDays": -42},
    {"kind": "citizens-income", "lifeDomain": "finances", "offsetDays": -28},
    {"kind": "health-insurance", "lifeDomain": "health", "offsetDays": -14},
    {"kind": "residence-registration", "lifeDomain": "identity", "offsetDays": 14}
  ]'
),
(
  'sona-nrw', 'SoNa NRW – Sozialtherapeutische Nachsorge', 'NW', 6, 12, 24, true, 14, '{14,3}',
  '{nrw}', '{}',
  '[
    {"id": "SOCIAL_THERAPY_IN_CUSTODY", "fact": "socialTherapyInCustody", "op": "eq", "value": true},
    {"id": "RELEASE_INTO_NRW", "fact": "releaseRegion", "op": "in", "value": ["nrw"]}
  ]',
  '[
    {"kind": "housing-entitlement", "lifeDomain": "housing", "offsetDays": -56},
    {"kind": "id-card", "lifeDomain": "identity", "offsetDays": -42},
    {"kind": "citizens-income", "lifeDomain": "finances", "offsetDays": -28},
    {"kind": "health-insurance", "lifeDomain": "health", "offsetDays": -14},
    {"kind": "residence-registration", "lifeDomain": "identity", "offsetDays": 14}
  ]'
);

-- Personal data lives here and only here; everything else shows the pseudonym.
create table client (
  id uuid primary key default gen_random_uuid(),
  pseudonym text not null unique,
  family_name text not null,
  given_names text not null,
  birth_date date not null,
  prisoner_number text,
  created_at timestamptz not null default now(),
  anonymised_at timestamptz
);

-- One case = one process instance (business key = case id).
create table transition_case (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null references client (id),
  programme_id text not null references programme (id),
  facility text not null,
  team_id text not null references team (id),
  release_region text not null,
  expected_release_date date not null,
  actual_release_date date,
  -- set at release, moved by approved extensions
  aftercare_ends_on date,
  phase text not null default 'intake'
    check (phase in ('intake', 'custody', 'intensive', 'aftercare', 'closed')),
  status text not null default 'open' check (status in ('open', 'closed')),
  eligibility text not null default 'pending' check (eligibility in ('pending', 'eligible', 'not-eligible')),
  closure_reason text check (closure_reason in ('regular', 'drop-out', 'not-eligible')),
  closed_at timestamptz,
  previous_case_id uuid references transition_case (id),
  reentry_approved_by uuid references app_user (id),
  opened_at timestamptz not null default now(),
  check ((status = 'closed') = (phase = 'closed')),
  check ((status = 'closed') = (closure_reason is not null)),
  check ((status = 'closed') = (closed_at is not null)),
  check (previous_case_id is null or previous_case_id <> id)
);
create index transition_case_team on transition_case (team_id, status);
create index transition_case_client on transition_case (client_id);
-- one open case per client and programme: a re-entry needs the old one closed first
create unique index transition_case_one_open on transition_case (client_id, programme_id) where status = 'open';

-- Life domains another programme covers (e.g. work by a B.I.S.S. integration agreement):
-- no needs, referrals or applications are created for them.
create table case_domain_elsewhere (
  case_id uuid not null references transition_case (id) on delete cascade,
  life_domain text not null references life_domain (id),
  handled_by text not null check (length(handled_by) between 1 and 200),
  recorded_at timestamptz not null default now(),
  primary key (case_id, life_domain)
);

-- Needs and resources per life domain, from four views (DOMAIN.md, intake).
create table need (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  life_domain text not null references life_domain (id),
  created_at timestamptz not null default now(),
  unique (case_id, life_domain)
);
create table need_view (
  need_id uuid not null references need (id) on delete cascade,
  view text not null check (view in ('professional', 'client', 'third-party', 'overall')),
  -- 0 no need … 3 high need
  rating smallint not null check (rating between 0 and 3),
  note text,
  assessed_by uuid references app_user (id),
  assessed_at timestamptz not null,
  primary key (need_id, view)
);

-- Casework: contacts, notes, treatment-contract goals and measures begun in custody.
create table contact (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  kind text not null check (kind in ('in-person', 'phone', 'video', 'home-visit', 'crisis')),
  place text not null check (place in ('prison', 'home', 'work', 'family', 'office', 'other')),
  occurred_at timestamptz not null,
  author_id uuid references app_user (id),
  note text
);
create index contact_case on contact (case_id, occurred_at);
create table note (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  author_id uuid references app_user (id),
  body text not null,
  created_at timestamptz not null
);
create index note_case on note (case_id, created_at);
create table treatment_goal (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  life_domain text references life_domain (id),
  goal text not null,
  agreed_on date not null,
  status text not null default 'open' check (status in ('open', 'achieved', 'dropped')),
  reviewed_at timestamptz
);
create index treatment_goal_case on treatment_goal (case_id);
create table custody_measure (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  kind text not null check (kind in ('addiction-counselling', 'debt-counselling', 'social-skills-training', 'other')),
  started_on date not null,
  continue_after_release boolean not null default true
);

-- The partner network database (INA). Network offices, working groups, conferences: metadata.
create table partner (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  type text not null,
  regions text[] not null check (cardinality(regions) > 0),
  -- open referrals the partner takes at a time; null = not limited
  capacity integer check (capacity >= 0),
  data_sharing_agreement boolean not null default false,
  active boolean not null default true,
  metadata jsonb not null default '{}'
);
create table partner_offer (
  id uuid primary key default gen_random_uuid(),
  partner_id uuid not null references partner (id) on delete cascade,
  life_domain text not null references life_domain (id),
  -- a service code, e.g. 'sociotherapy', 'supported-living', 'debt-counselling'
  service text not null,
  description text,
  unique (partner_id, service)
);
create index partner_offer_match on partner_offer (service, life_domain);
create table partner_contact (
  id uuid primary key default gen_random_uuid(),
  partner_id uuid not null references partner (id) on delete cascade,
  name text not null,
  role text,
  email text,
  phone text
);

-- Soziotherapie: an illness case bounds the hours (120 within 3 years); prescriptions grant units.
create table illness_case (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null references client (id),
  started_on date not null
);
create table prescription (
  id uuid primary key default gen_random_uuid(),
  illness_case_id uuid not null references illness_case (id),
  prescriber_kind text not null check (prescriber_kind in
    ('specialist', 'psychological-psychotherapist', 'psychiatric-outpatient-clinic', 'gp')),
  units integer not null check (units > 0),
  issued_on date not null,
  copayment_exempt boolean not null default false
);
create index prescription_illness_case on prescription (illness_case_id);

-- Consent per purpose; a legal basis recorded instead of consent where the law provides one.
create table consent (
  id uuid primary key default gen_random_uuid(),
  client_id uuid not null references client (id),
  purpose text not null check (purpose in ('data-processing', 'partner-referral', 'final-report-sharing')),
  given_at timestamptz not null,
  withdrawn_at timestamptz,
  recorded_by uuid references app_user (id),
  check (withdrawn_at is null or withdrawn_at >= given_at)
);
create index consent_client on consent (client_id, purpose);
create table legal_basis (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  purpose text not null check (purpose in ('data-processing', 'partner-referral', 'final-report-sharing')),
  -- the provision, e.g. '§ 60 StVollzG NRW'
  basis text not null check (length(basis) between 3 and 200),
  recorded_at timestamptz not null,
  recorded_by uuid references app_user (id)
);
create index legal_basis_case on legal_basis (case_id, purpose);

-- A referral is the request; each partner asked is one attempt (a decline moves on to the next).
create table referral (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  life_domain text not null references life_domain (id),
  service text not null,
  prescription_id uuid references prescription (id),
  status text not null default 'open' check (status in ('open', 'sent', 'accepted', 'no-partner', 'withdrawn')),
  -- which ground let the referral data leave: consent or a recorded legal basis
  sharing_ground text check (sharing_ground in ('consent', 'legal-basis')),
  copayment_cents integer check (copayment_cents >= 0),
  created_at timestamptz not null default now()
);
create index referral_case on referral (case_id);
create table referral_attempt (
  id uuid primary key default gen_random_uuid(),
  referral_id uuid not null references referral (id) on delete cascade,
  partner_id uuid not null references partner (id),
  status text not null default 'sent' check (status in ('sent', 'accepted', 'declined', 'expired')),
  sent_at timestamptz not null,
  answer_due_at timestamptz not null,
  answered_at timestamptz,
  unique (referral_id, partner_id)
);
create index referral_attempt_partner on referral_attempt (partner_id) where status in ('sent', 'accepted');

-- Applications (Anträge) with a deadline and an owner.
create table application (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  kind text not null,
  life_domain text not null references life_domain (id),
  status text not null default 'planned' check (status in ('planned', 'submitted', 'approved', 'rejected')),
  deadline date not null,
  -- set when the deadline derives from the release date: it then follows every date change
  release_offset_days integer,
  owner_id uuid not null references app_user (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index application_due on application (deadline) where status = 'planned';
create index application_case on application (case_id);

-- The notification outbox, delivered over SMTP by the `notifications` worker. The Message-ID
-- is fixed here so that a resend after a crash carries the same one (receivers dedupe by it).
create table outbox (
  id uuid primary key,
  message_id text not null unique,
  -- { "user": id } or { "teamSupervisors": team id }: resolved to addresses at delivery
  recipient jsonb not null,
  template text not null,
  -- ids, dates and codes only: never names or free text
  params jsonb not null default '{}',
  -- closing the case cancels what is still pending: nothing goes out for a closed case
  case_id uuid references transition_case (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'dead', 'cancelled')),
  attempts integer not null default 0,
  available_at timestamptz not null,
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  sent_at timestamptz
);
create index outbox_due on outbox (available_at) where status = 'pending';
create index outbox_lease on outbox (locked_until) where status = 'sending';
create index outbox_case on outbox (case_id) where status = 'pending';

-- One row per reminder actually enqueued: the primary key makes "once per due date and stage"
-- a database guarantee, even with several worker processes racing.
create table application_reminder (
  application_id uuid not null references application (id) on delete cascade,
  deadline date not null,
  -- 'lead-14', 'lead-3', … or 'overdue' (escalation to the supervisors)
  stage text not null,
  -- the ledger row is written first (it decides who sends), the outbox row in the same transaction
  outbox_id uuid not null references outbox (id) deferrable initially deferred,
  enqueued_at timestamptz not null,
  primary key (application_id, deadline, stage)
);

-- Extension requests of the aftercare period, decided by a supervisor.
create table extension (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references transition_case (id) on delete cascade,
  months integer not null check (months > 0),
  justification text not null,
  status text not null default 'requested' check (status in ('requested', 'approved', 'rejected')),
  requested_by uuid references app_user (id),
  requested_at timestamptz not null,
  decided_by uuid references app_user (id),
  decided_at timestamptz,
  -- a code such as EXTENSION_CAP_EXCEEDED when the system rejected it, null for a person's decision
  rejection_code text,
  check ((status = 'requested') = (decided_at is null))
);
create index extension_case on extension (case_id);
