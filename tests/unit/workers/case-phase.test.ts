import { describe, expect, it } from 'vitest';
import type { Case, ClosureReason, Phase } from '../../../src/domain/cases.js';
import { addMonths } from '../../../src/domain/dates.js';
import { handler } from '../../../workers/case-phase/handler.js';
import type { CasePhaseStore } from '../../../workers/case-phase/store.js';
import { InvalidVariableError } from '../../../workers/lib/variables.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';
import { NORDLICHT, PUEMAS, SONA_NRW } from '../../fixtures/domain/programmes.js';

const CASE = '00000000-0000-4000-8000-00000000c001';
const NOW = new Date('2027-03-01T09:00:00Z');
const PROGRAMMES = { puemas: PUEMAS, 'sona-nrw': SONA_NRW, [NORDLICHT.id]: NORDLICHT };

function aCase(overrides: Partial<Case> = {}): Case {
  return {
    id: CASE,
    clientId: '00000000-0000-4000-8000-00000000d001',
    pseudonym: 'K-ABCD-EFGH',
    programmeId: 'puemas',
    facility: 'JVA Tonna',
    teamId: 'erfurt',
    releaseRegion: 'erfurt',
    expectedReleaseDate: '2028-03-04',
    actualReleaseDate: null,
    aftercareEndsOn: null,
    phase: 'intake',
    status: 'open',
    eligibility: 'pending',
    closureReason: null,
    closedAt: null,
    previousCaseId: null,
    openedAt: new Date('2027-01-04T08:00:00Z'),
    ...overrides,
  };
}

/** An in-memory case with the domain's rules for what each change does. */
function fakeStore(initial: Case) {
  let current = { ...initial };
  const calls: string[] = [];
  const store: CasePhaseStore = {
    getCase: async () => ({ ...current }),
    getProgramme: async (id) => PROGRAMMES[id as keyof typeof PROGRAMMES],
    async setPhase(_id, phase: Phase) {
      calls.push(`phase:${phase}`);
      current = { ...current, phase };
      return { ...current };
    },
    async recordEligibility(_id, eligible) {
      calls.push(`eligible:${eligible}`);
      current = { ...current, eligibility: eligible ? 'eligible' : 'not-eligible' };
      return { ...current };
    },
    async recordRelease(_id, date) {
      calls.push(`release:${date}`);
      const programme = PROGRAMMES[current.programmeId as keyof typeof PROGRAMMES];
      current = { ...current, actualReleaseDate: date, aftercareEndsOn: addMonths(date, programme.aftercareMonths), phase: 'aftercare' };
      return { ...current };
    },
    async close(_id, reason: ClosureReason) {
      calls.push(`close:${reason}`);
      current = { ...current, status: 'closed', phase: 'closed', closureReason: reason };
      return { ...current };
    },
  };
  return { store, calls };
}

const run = (variables: Record<string, unknown>, store: CasePhaseStore) =>
  handler({ caseId: CASE, ...variables }, { ...jobHelpers({ now: NOW }, 'case-phase'), store });

describe('case-phase handler', () => {
  it('records eligibility and moves an intake case into custody, handing back the intensive-phase start', async () => {
    const { store, calls } = fakeStore(aCase());
    const output = await run({ phase: 'custody', eligible: true }, store);
    expect(calls).toEqual(['eligible:true', 'phase:custody']);
    expect(output).toEqual({
      casePhase: 'custody',
      expectedRelease: '2028-03-04',
      actualRelease: null,
      aftercareEndsOn: null,
      intensivePhaseStartsAt: '2027-09-04T00:00:00.000Z',
      aftercareEndsAt: null,
      intensivePhaseMonths: 6,
      aftercareMonths: 6,
      aftercareMaxMonths: 6,
    });
  });

  it('takes the intensive-phase months from the programme, not from the code', async () => {
    const { store } = fakeStore(aCase({ programmeId: NORDLICHT.id }));
    const output = await run({ phase: 'custody' }, store);
    expect(output.intensivePhaseMonths).toBe(NORDLICHT.intensivePhaseMonths);
    expect(output.intensivePhaseStartsAt).toBe(`${addMonths('2028-03-04', -NORDLICHT.intensivePhaseMonths)}T00:00:00.000Z`);
  });

  it('reads the dates back without moving backwards when the release date changed in the intensive phase', async () => {
    const { store, calls } = fakeStore(aCase({ phase: 'intensive', expectedReleaseDate: '2027-12-01' }));
    const output = await run({ phase: 'custody', expectedRelease: '2028-03-04' }, store);
    expect(calls).toEqual([]);
    expect(output).toMatchObject({ casePhase: 'intensive', expectedRelease: '2027-12-01', intensivePhaseStartsAt: '2027-06-01T00:00:00.000Z' });
  });

  it('records the release from the message when the API has not, and ends aftercare after the programme months', async () => {
    const { store, calls } = fakeStore(aCase({ programmeId: 'sona-nrw', phase: 'intensive' }));
    const output = await run({ phase: 'aftercare', actualRelease: '2027-12-20' }, store);
    expect(calls).toEqual(['release:2027-12-20']);
    expect(output).toMatchObject({ casePhase: 'aftercare', aftercareEndsOn: '2028-12-20', aftercareEndsAt: '2028-12-20T00:00:00.000Z', aftercareMonths: 12, aftercareMaxMonths: 24 });
  });

  it('does not record a release twice, and reads a moved aftercare end back', async () => {
    const released = aCase({ phase: 'aftercare', actualReleaseDate: '2027-12-20', aftercareEndsOn: '2028-06-20' });
    const { store, calls } = fakeStore(released);
    const output = await run({ phase: 'aftercare', actualRelease: '2027-12-21' }, store);
    expect(calls).toEqual([]);
    expect(output.aftercareEndsOn).toBe('2028-06-20');
  });

  it('cuts a date-time from a date field to its date', async () => {
    const { store, calls } = fakeStore(aCase({ phase: 'intensive' }));
    await run({ phase: 'aftercare', actualRelease: '2027-12-20T00:00:00Z' }, store);
    expect(calls).toEqual(['release:2027-12-20']);
  });

  it('closes an open case with the reason, recording a negative eligibility first', async () => {
    const { store, calls } = fakeStore(aCase());
    const output = await run({ phase: 'closed', closureReason: 'not-eligible', eligible: false }, store);
    expect(calls).toEqual(['eligible:false', 'close:not-eligible']);
    expect(output.casePhase).toBe('closed');
  });

  it('leaves a case the API closed first as it is', async () => {
    const { store, calls } = fakeStore(aCase({ status: 'closed', phase: 'closed', closureReason: 'drop-out' }));
    const output = await run({ phase: 'closed', closureReason: 'regular' }, store);
    expect(calls).toEqual([]);
    expect(output.casePhase).toBe('closed');
  });

  it('does not move a closed case into another phase', async () => {
    const { store, calls } = fakeStore(aCase({ status: 'closed', phase: 'closed', closureReason: 'drop-out' }));
    expect((await run({ phase: 'intensive' }, store)).casePhase).toBe('closed');
    expect(calls).toEqual([]);
  });

  it('refuses a modelling defect as a plain error (retried, then an incident)', async () => {
    const { store } = fakeStore(aCase());
    await expect(run({ phase: 'intake' }, store)).rejects.toBeInstanceOf(InvalidVariableError);
    await expect(run({ phase: 'closed', closureReason: 'bored' }, store)).rejects.toBeInstanceOf(InvalidVariableError);
    await expect(run({ phase: 'aftercare', actualRelease: 'soon' }, fakeStore(aCase()).store)).rejects.toMatchObject({ code: 'INVALID_DATE' });
    await expect(handler({ phase: 'custody' }, { ...jobHelpers({ now: NOW }), store })).rejects.toBeInstanceOf(InvalidVariableError);
  });
});
