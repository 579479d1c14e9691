/**
 * Programmes are data (migration 0004 seeds PÜMaS and SoNa NRW): durations, caps, eligibility
 * rules, regions and application deadlines. Nothing here or in the workers names a programme.
 */
import type { Queryable } from '../db/types.js';
import { addDays, addMonths, type IsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';

/** The life domains of DOMAIN.md, as stored in table `life_domain`. */
export const LIFE_DOMAINS = ['housing', 'work', 'finances', 'health', 'family', 'leisure', 'identity'] as const;
/** One life domain. */
export type LifeDomain = (typeof LIFE_DOMAINS)[number];

/** A value a fact about a person's situation can take in an eligibility rule. */
export type FactValue = string | number | boolean;

/** One eligibility condition, e.g. `{ fact: 'sentenceMonths', op: 'gte', value: 12 }`. */
export interface EligibilityRule {
  /** SCREAMING_SNAKE name reported when the rule fails. */
  id: string;
  fact: string;
  op: 'eq' | 'neq' | 'gte' | 'lte' | 'in';
  value: FactValue | FactValue[];
}

/** An application the programme plans by default, with its deadline relative to release. */
export interface ApplicationDeadline {
  kind: string;
  lifeDomain: LifeDomain;
  /** Days after the release date (negative: before). */
  offsetDays: number;
}

/** A programme preset. */
export interface Programme {
  id: string;
  name: string;
  jurisdiction: string;
  intensivePhaseMonths: number;
  aftercareMonths: number;
  /** Aftercare in total including every approved extension. */
  aftercareMaxMonths: number;
  reentryRequiresApproval: boolean;
  referralAnswerDays: number;
  reminderLeadDays: number[];
  regions: string[];
  offices: string[];
  eligibilityRules: EligibilityRule[];
  applicationDeadlines: ApplicationDeadline[];
}

const COLUMNS = `id, name, jurisdiction, intensive_phase_months as "intensivePhaseMonths",
  aftercare_months as "aftercareMonths", aftercare_max_months as "aftercareMaxMonths",
  reentry_requires_approval as "reentryRequiresApproval", referral_answer_days as "referralAnswerDays",
  reminder_lead_days as "reminderLeadDays", regions, offices, eligibility_rules as "eligibilityRules",
  application_deadlines as "applicationDeadlines"`;

/** The module's queries, named. */
export const SQL = {
  get: `select ${COLUMNS} from programme where id = $1`,
  list: `select ${COLUMNS} from programme order by id`,
  upsert: `insert into programme (id, name, jurisdiction, intensive_phase_months, aftercare_months,
      aftercare_max_months, reentry_requires_approval, referral_answer_days, reminder_lead_days, regions,
      offices, eligibility_rules, application_deadlines)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
    on conflict (id) do update set name = excluded.name, jurisdiction = excluded.jurisdiction,
      intensive_phase_months = excluded.intensive_phase_months, aftercare_months = excluded.aftercare_months,
      aftercare_max_months = excluded.aftercare_max_months,
      reentry_requires_approval = excluded.reentry_requires_approval,
      referral_answer_days = excluded.referral_answer_days, reminder_lead_days = excluded.reminder_lead_days,
      regions = excluded.regions, offices = excluded.offices, eligibility_rules = excluded.eligibility_rules,
      application_deadlines = excluded.application_deadlines`,
} as const;

/** Reads one programme. @throws DomainError PROGRAMME_NOT_FOUND */
export async function getProgramme(db: Queryable, id: string): Promise<Programme> {
  const { rows } = await db.query<Programme>(SQL.get, [id]);
  if (rows.length === 0) throw new DomainError('PROGRAMME_NOT_FOUND', `No programme ${id}`);
  return rows[0];
}

/** Every programme, by id. */
export async function listProgrammes(db: Queryable): Promise<Programme[]> {
  return (await db.query<Programme>(SQL.list)).rows;
}

/** Adds or replaces a programme after {@link validateProgramme}. */
export async function saveProgramme(db: Queryable, programme: Programme): Promise<Programme> {
  validateProgramme(programme);
  const p = programme;
  await db.query(SQL.upsert, [
    p.id,
    p.name,
    p.jurisdiction,
    p.intensivePhaseMonths,
    p.aftercareMonths,
    p.aftercareMaxMonths,
    p.reentryRequiresApproval,
    p.referralAnswerDays,
    p.reminderLeadDays,
    p.regions,
    p.offices,
    JSON.stringify(p.eligibilityRules),
    JSON.stringify(p.applicationDeadlines),
  ]);
  return getProgramme(db, p.id);
}

/** Checks a programme's figures for consistency. @throws DomainError INVALID_PROGRAMME */
export function validateProgramme(p: Programme): void {
  const fail = (why: string) => {
    throw new DomainError('INVALID_PROGRAMME', `Programme ${p.id}: ${why}`);
  };
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(p.id)) fail('id must be lower-case letters, digits and dashes');
  const whole = (n: number) => Number.isInteger(n) && n >= 0;
  if (!whole(p.intensivePhaseMonths)) fail('intensivePhaseMonths must be a whole number ≥ 0');
  if (!whole(p.aftercareMonths) || p.aftercareMonths === 0) fail('aftercareMonths must be a whole number > 0');
  if (!whole(p.aftercareMaxMonths) || p.aftercareMaxMonths < p.aftercareMonths) {
    fail('aftercareMaxMonths must be at least aftercareMonths');
  }
  if (!whole(p.referralAnswerDays) || p.referralAnswerDays === 0) fail('referralAnswerDays must be > 0');
  if (p.reminderLeadDays.length === 0 || !p.reminderLeadDays.every((d) => whole(d) && d > 0)) {
    fail('reminderLeadDays must be whole numbers > 0');
  }
  if (p.regions.length === 0) fail('regions must not be empty');
  for (const rule of p.eligibilityRules) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(rule.id)) fail(`eligibility rule id ${rule.id} must be SCREAMING_SNAKE`);
    if (!['eq', 'neq', 'gte', 'lte', 'in'].includes(rule.op)) fail(`eligibility rule ${rule.id} has op ${rule.op}`);
    if ((rule.op === 'in') !== Array.isArray(rule.value)) fail(`eligibility rule ${rule.id}: only "in" takes a list`);
  }
  for (const deadline of p.applicationDeadlines) {
    if (!LIFE_DOMAINS.includes(deadline.lifeDomain)) fail(`application ${deadline.kind} has no known life domain`);
    if (!Number.isInteger(deadline.offsetDays)) fail(`application ${deadline.kind} needs whole offsetDays`);
  }
}

/** The outcome of {@link evaluateEligibility}. */
export interface EligibilityResult {
  /** `undetermined` when a fact is missing: a person decides. */
  outcome: 'eligible' | 'not-eligible' | 'undetermined';
  failed: string[];
  missing: string[];
}

/**
 * Applies a programme's eligibility rules to the facts of one person. A missing fact never
 * decides on its own: eligibility is configuration or a person's decision, not a guess.
 */
export function evaluateEligibility(programme: Programme, facts: Record<string, FactValue | undefined>): EligibilityResult {
  const failed: string[] = [];
  const missing: string[] = [];
  for (const rule of programme.eligibilityRules) {
    const fact = facts[rule.fact];
    if (fact === undefined) missing.push(rule.fact);
    else if (!holds(rule, fact)) failed.push(rule.id);
  }
  const outcome = failed.length > 0 ? 'not-eligible' : missing.length > 0 ? 'undetermined' : 'eligible';
  return { outcome, failed, missing };
}

function holds(rule: EligibilityRule, fact: FactValue): boolean {
  switch (rule.op) {
    case 'eq':
      return fact === rule.value;
    case 'neq':
      return fact !== rule.value;
    case 'gte':
      return typeof fact === 'number' && fact >= (rule.value as number);
    case 'lte':
      return typeof fact === 'number' && fact <= (rule.value as number);
    case 'in':
      return (rule.value as FactValue[]).includes(fact);
  }
}

/** The dates a case's timers follow; recomputed whenever a release date changes. */
export interface CaseDates {
  intensivePhaseStartsOn: IsoDate;
  /** Only once released: actual release + aftercare + approved extensions. */
  aftercareEndsOn: IsoDate | null;
}

/** Derives the intensive-phase start and the aftercare end from the release dates. */
export function deriveCaseDates(
  programme: Programme,
  release: { expectedReleaseDate: IsoDate; actualReleaseDate: IsoDate | null; approvedExtensionMonths?: number },
): CaseDates {
  const extension = release.approvedExtensionMonths ?? 0;
  ensure(extension >= 0, 'approvedExtensionMonths must not be negative');
  return {
    intensivePhaseStartsOn: addMonths(release.expectedReleaseDate, -programme.intensivePhaseMonths),
    aftercareEndsOn: release.actualReleaseDate
      ? addMonths(release.actualReleaseDate, programme.aftercareMonths + extension)
      : null,
  };
}

/** The deadline of a standard application of the programme, relative to a release date. */
export function applicationDeadline(programme: Programme, kind: string, releaseDate: IsoDate): IsoDate | null {
  const entry = programme.applicationDeadlines.find((d) => d.kind === kind);
  return entry ? addDays(releaseDate, entry.offsetDays) : null;
}
