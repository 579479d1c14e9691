/**
 * Soziotherapie, a partner service with statutory limits (DOMAIN.md): it needs a prescription;
 * a GP prescribes at most 5 units; at most 120 hours per illness case within at most 3 years;
 * a co-payment of 7 EUR per unit unless the client is exempt.
 */
import type { Queryable } from '../db/types.js';
import { addMonths, parseIsoDate, type IsoDate } from './dates.js';
import { DomainError, ensure } from './errors.js';
import { isUuid } from './ids.js';

/** The figures, in one place. */
export const SOCIOTHERAPY = Object.freeze({
  /** The service code partners offer it under. */
  service: 'sociotherapy',
  gpMaxUnits: 5,
  maxHoursPerIllnessCase: 120,
  windowYears: 3,
  // A unit (Therapieeinheit) lasts 60 minutes under the Soziotherapie-Richtlinie, so 120 hours
  // are 120 units; kept separate so a shorter unit would only change this line.
  unitMinutes: 60,
  copaymentCentsPerUnit: 700,
});

/** Services that leave only with a prescription. */
export const SERVICES_REQUIRING_PRESCRIPTION: readonly string[] = [SOCIOTHERAPY.service];

/** Who prescribed: specialists, psychological psychotherapists, psychiatric outpatient clinics, or a GP. */
export type PrescriberKind = 'specialist' | 'psychological-psychotherapist' | 'psychiatric-outpatient-clinic' | 'gp';
const PRESCRIBER_KINDS: readonly PrescriberKind[] = [
  'specialist',
  'psychological-psychotherapist',
  'psychiatric-outpatient-clinic',
  'gp',
];

/** A prescription with what the limits need to know about its illness case. */
export interface Prescription {
  id: string;
  illnessCaseId: string;
  illnessCaseStartedOn: IsoDate;
  prescriberKind: PrescriberKind;
  units: number;
  issuedOn: IsoDate;
  copaymentExempt: boolean;
  /** Units of the other prescriptions of the same illness case. */
  otherUnitsOfIllnessCase: number;
}

/** Why a Soziotherapie referral cannot go out; these are the BPMN error codes too. */
export type SociotherapyRefusal =
  | 'SOCIOTHERAPY_PRESCRIPTION_REQUIRED'
  | 'SOCIOTHERAPY_GP_UNITS_EXCEEDED'
  | 'SOCIOTHERAPY_PERIOD_EXPIRED'
  | 'SOCIOTHERAPY_HOURS_EXCEEDED';

/** The verdict of {@link checkSociotherapy}. */
export type SociotherapyVerdict =
  | { ok: true; units: number; copaymentCents: number }
  | { ok: false; code: SociotherapyRefusal; detail: string };

/** Applies the statutory limits to a prescription on `today`. */
export function checkSociotherapy(prescription: Prescription | null, today: IsoDate): SociotherapyVerdict {
  if (!prescription) {
    return { ok: false, code: 'SOCIOTHERAPY_PRESCRIPTION_REQUIRED', detail: 'Soziotherapie needs a prescription' };
  }
  const p = prescription;
  if (p.prescriberKind === 'gp' && p.units > SOCIOTHERAPY.gpMaxUnits) {
    return {
      ok: false,
      code: 'SOCIOTHERAPY_GP_UNITS_EXCEEDED',
      detail: `a GP prescription covers at most ${SOCIOTHERAPY.gpMaxUnits} units (got ${p.units})`,
    };
  }
  const windowEnds = addMonths(p.illnessCaseStartedOn, SOCIOTHERAPY.windowYears * 12);
  if (p.issuedOn >= windowEnds || today >= windowEnds) {
    return {
      ok: false,
      code: 'SOCIOTHERAPY_PERIOD_EXPIRED',
      detail: `the ${SOCIOTHERAPY.windowYears}-year period of the illness case ended on ${windowEnds}`,
    };
  }
  const minutes = (p.otherUnitsOfIllnessCase + p.units) * SOCIOTHERAPY.unitMinutes;
  if (minutes > SOCIOTHERAPY.maxHoursPerIllnessCase * 60) {
    return {
      ok: false,
      code: 'SOCIOTHERAPY_HOURS_EXCEEDED',
      detail: `at most ${SOCIOTHERAPY.maxHoursPerIllnessCase} hours per illness case (would be ${minutes / 60})`,
    };
  }
  return { ok: true, units: p.units, copaymentCents: copaymentCents(p.units, p.copaymentExempt) };
}

/** The co-payment for `units`: 7 EUR each, nothing when exempt. */
export function copaymentCents(units: number, exempt: boolean): number {
  return exempt ? 0 : units * SOCIOTHERAPY.copaymentCentsPerUnit;
}

/** The module's queries, named. */
export const SQL = {
  insertIllnessCase: `insert into illness_case (client_id, started_on) values ($1, $2) returning id`,
  insertPrescription: `insert into prescription (illness_case_id, prescriber_kind, units, issued_on, copayment_exempt)
    values ($1, $2, $3, $4, $5) returning id`,
  get: `select p.id, p.illness_case_id as "illnessCaseId", i.started_on::text as "illnessCaseStartedOn",
      p.prescriber_kind as "prescriberKind", p.units, p.issued_on::text as "issuedOn",
      p.copayment_exempt as "copaymentExempt",
      (select coalesce(sum(o.units), 0)::int from prescription o
        where o.illness_case_id = p.illness_case_id and o.id <> p.id) as "otherUnitsOfIllnessCase"
    from prescription p join illness_case i on i.id = p.illness_case_id where p.id = $1`,
} as const;

/** Opens an illness case of a client; its start begins the 3-year window. */
export async function createIllnessCase(db: Queryable, input: { clientId: string; startedOn: IsoDate }): Promise<string> {
  ensure(isUuid(input.clientId), 'clientId must be a client id');
  const { rows } = await db.query<{ id: string }>(SQL.insertIllnessCase, [
    input.clientId,
    parseIsoDate(input.startedOn, 'startedOn'),
  ]);
  return rows[0].id;
}

/** Records a prescription. The limits are checked when a referral uses it, not here. */
export async function addPrescription(
  db: Queryable,
  input: { illnessCaseId: string; prescriberKind: PrescriberKind; units: number; issuedOn: IsoDate; copaymentExempt?: boolean },
): Promise<string> {
  ensure(PRESCRIBER_KINDS.includes(input.prescriberKind), `Unknown prescriber kind ${input.prescriberKind}`);
  ensure(Number.isInteger(input.units) && input.units > 0, 'units must be a whole number > 0');
  const { rows } = await db.query<{ id: string }>(SQL.insertPrescription, [
    input.illnessCaseId,
    input.prescriberKind,
    input.units,
    parseIsoDate(input.issuedOn, 'issuedOn'),
    input.copaymentExempt ?? false,
  ]);
  return rows[0].id;
}

/** Reads a prescription with its illness case's start and other units. @throws DomainError PRESCRIPTION_NOT_FOUND */
export async function getPrescription(db: Queryable, id: string): Promise<Prescription> {
  const { rows } = isUuid(id) ? await db.query<Prescription>(SQL.get, [id]) : { rows: [] };
  if (rows.length === 0) throw new DomainError('PRESCRIPTION_NOT_FOUND', `No prescription ${id}`);
  return rows[0];
}
