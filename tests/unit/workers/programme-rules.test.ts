/**
 * The programme figures the workers and the process timers rely on: intensive phase, aftercare
 * length, eligibility, standard application deadlines. Pure functions over programme data.
 */
import { describe, expect, it } from 'vitest';
import { addMonths, parseIsoDate, toIsoDate } from '../../../src/domain/dates.js';
import { DomainError } from '../../../src/domain/errors.js';
import {
  applicationDeadline,
  deriveCaseDates,
  evaluateEligibility,
  validateProgramme,
} from '../../../src/domain/programmes.js';
import { NORDLICHT, PUEMAS, SONA_NRW } from '../../fixtures/domain/programmes.js';

describe('programme dates', () => {
  it('starts the PÜMaS intensive phase 6 months before the expected release', () => {
    const dates = deriveCaseDates(PUEMAS, { expectedReleaseDate: '2026-03-15', actualReleaseDate: null });
    expect(dates).toEqual({ intensivePhaseStartsOn: '2025-09-15', aftercareEndsOn: null });
  });

  it('moves the intensive-phase start with an earlier expected release', () => {
    const before = deriveCaseDates(PUEMAS, { expectedReleaseDate: '2026-03-15', actualReleaseDate: null });
    const after = deriveCaseDates(PUEMAS, { expectedReleaseDate: '2026-01-10', actualReleaseDate: null });
    expect([before.intensivePhaseStartsOn, after.intensivePhaseStartsOn]).toEqual(['2025-09-15', '2025-07-10']);
  });

  it('ends PÜMaS aftercare 6 months after the actual release', () => {
    const dates = deriveCaseDates(PUEMAS, { expectedReleaseDate: '2026-03-15', actualReleaseDate: '2026-03-02' });
    expect(dates.aftercareEndsOn).toBe('2026-09-02');
  });

  it('ends SoNa aftercare 12 months after release, 24 with 12 months of extension', () => {
    const base = { expectedReleaseDate: '2025-01-15', actualReleaseDate: '2025-01-15' };
    expect(deriveCaseDates(SONA_NRW, base).aftercareEndsOn).toBe('2026-01-15');
    expect(deriveCaseDates(SONA_NRW, { ...base, approvedExtensionMonths: 12 }).aftercareEndsOn).toBe('2027-01-15');
  });

  it('clamps month arithmetic to the end of a shorter month, as PostgreSQL does', () => {
    expect(addMonths('2024-08-31', -6)).toBe('2024-02-29');
    expect(addMonths('2025-08-31', -6)).toBe('2025-02-28');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
  });

  it('reads dates in German time', () => {
    expect(toIsoDate(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
  });

  it('refuses impossible calendar dates', () => {
    expect(() => parseIsoDate('2025-02-29')).toThrow(DomainError);
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
  });

  it('derives standard application deadlines relative to release', () => {
    expect(applicationDeadline(PUEMAS, 'citizens-income', '2026-03-15')).toBe('2026-02-15');
    expect(applicationDeadline(PUEMAS, 'residence-registration', '2026-03-15')).toBe('2026-03-29');
    expect(applicationDeadline(PUEMAS, 'unknown', '2026-03-15')).toBeNull();
  });
});

describe('PÜMaS eligibility rules (data)', () => {
  const eligible = { sentenceMonths: 12, releaseRegion: 'erfurt', servesFullSentence: true, supervisionOrder: false };

  it('admits a sentence of exactly one year, release into Erfurt, full sentence, no supervision order', () => {
    expect(evaluateEligibility(PUEMAS, eligible)).toEqual({ outcome: 'eligible', failed: [], missing: [] });
    expect(evaluateEligibility(PUEMAS, { ...eligible, releaseRegion: 'ostthueringen' }).outcome).toBe('eligible');
  });

  it.each([
    [{ sentenceMonths: 11 }, 'SENTENCE_AT_LEAST_ONE_YEAR'],
    [{ releaseRegion: 'jena-nord' }, 'RELEASE_INTO_PILOT_REGION'],
    [{ servesFullSentence: false }, 'SERVES_FULL_SENTENCE'],
    [{ supervisionOrder: true }, 'NO_SUPERVISION_ORDER'],
  ])('refuses %o with %s', (change, rule) => {
    expect(evaluateEligibility(PUEMAS, { ...eligible, ...change })).toEqual({
      outcome: 'not-eligible',
      failed: [rule],
      missing: [],
    });
  });

  it('leaves the decision to a person when a fact is unknown', () => {
    const { supervisionOrder: _unknown, ...facts } = eligible;
    expect(evaluateEligibility(PUEMAS, facts)).toEqual({ outcome: 'undetermined', failed: [], missing: ['supervisionOrder'] });
  });

  it('applies another programme its own rules', () => {
    expect(evaluateEligibility(SONA_NRW, { socialTherapyInCustody: true, releaseRegion: 'nrw' }).outcome).toBe('eligible');
    expect(evaluateEligibility(NORDLICHT, { sentenceMonths: 6 }).outcome).toBe('eligible');
    expect(evaluateEligibility(NORDLICHT, { sentenceMonths: 5 }).outcome).toBe('not-eligible');
  });
});

describe('programme validation', () => {
  it('accepts the presets and the data-only programme', () => {
    for (const programme of [PUEMAS, SONA_NRW, NORDLICHT]) expect(() => validateProgramme(programme)).not.toThrow();
  });

  it('refuses a cap below the normal aftercare length', () => {
    expect(() => validateProgramme({ ...SONA_NRW, aftercareMaxMonths: 11 })).toThrow(/aftercareMaxMonths/);
  });

  it('refuses a rule whose operator does not fit its value', () => {
    const broken = { ...PUEMAS, eligibilityRules: [{ id: 'X', fact: 'a', op: 'in' as const, value: 3 }] };
    expect(() => validateProgramme(broken)).toThrow(/only "in" takes a list/);
  });
});
