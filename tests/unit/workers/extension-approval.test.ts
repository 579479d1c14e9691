import { describe, expect, it } from 'vitest';
import type { Case } from '../../../src/domain/cases.js';
import { evaluateExtension, type Extension, type ExtensionDecision } from '../../../src/domain/extensions.js';
import type { Programme } from '../../../src/domain/programmes.js';
import { handler } from '../../../workers/extension-approval/handler.js';
import type { ExtensionApprovalStore, ExtensionContext } from '../../../workers/extension-approval/store.js';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';
import { NORDLICHT, PUEMAS, SONA_NRW } from '../../fixtures/domain/programmes.js';

const CASE = '00000000-0000-4000-8000-00000000c001';
const EXTENSION = '00000000-0000-4000-8000-00000000e001';
const SUPERVISOR = '00000000-0000-4000-8000-000000000051';
const NOW = new Date('2025-12-01T10:00:00Z');

function releasedCase(overrides: Partial<Case> = {}): Case {
  return {
    id: CASE,
    clientId: '00000000-0000-4000-8000-00000000d001',
    pseudonym: 'K-ABCD-EFGH',
    programmeId: 'sona-nrw',
    facility: 'JVA Werl',
    teamId: 'werl',
    releaseRegion: 'nrw',
    expectedReleaseDate: '2025-01-15',
    actualReleaseDate: '2025-01-15',
    aftercareEndsOn: '2026-01-15',
    phase: 'aftercare',
    status: 'open',
    eligibility: 'eligible',
    closureReason: null,
    closedAt: null,
    previousCaseId: null,
    openedAt: new Date('2024-01-01T00:00:00Z'),
    ...overrides,
  };
}

function request(overrides: Partial<Extension> = {}): Extension {
  return {
    id: EXTENSION,
    caseId: CASE,
    months: 6,
    justification: 'Therapieziele noch nicht stabil erreicht',
    status: 'requested',
    requestedAt: NOW,
    decidedBy: null,
    decidedAt: null,
    rejectionCode: null,
    ...overrides,
  };
}

/** The fake decides with the same rule function the SQL store uses under its lock. */
function fakeStore(ctx: ExtensionContext) {
  const calls = { rejectedByRule: [] as string[], decided: [] as unknown[] };
  const store: ExtensionApprovalStore = {
    load: async () => ctx,
    async rejectByRule(_id, code) {
      calls.rejectedByRule.push(code);
    },
    async decide(input): Promise<ExtensionDecision> {
      calls.decided.push(input);
      const verdict = evaluateExtension(ctx.programme, ctx.case, ctx.extension, ctx.approvedMonths);
      const approved = input.decision === 'approved' && verdict.ok;
      return {
        extension: { ...ctx.extension, status: approved ? 'approved' : 'rejected' },
        aftercareEndsOn: approved && verdict.ok ? verdict.aftercareEndsOn : ctx.case.aftercareEndsOn,
        refusal: input.decision === 'approved' && !verdict.ok ? verdict.code : null,
      };
    },
  };
  return { store, calls };
}

function ctx(programme: Programme, extension: Partial<Extension> = {}, approvedMonths = 0, current: Partial<Case> = {}) {
  return { extension: request(extension), case: releasedCase(current), programme, approvedMonths };
}

async function run(store: ExtensionApprovalStore, variables: Record<string, unknown> = {}) {
  return handler(
    { caseId: CASE, extensionId: EXTENSION, ...variables },
    { ...jobHelpers({ now: NOW }, 'extension-approval'), store },
  );
}

async function refusal(store: ExtensionApprovalStore, variables: Record<string, unknown> = {}): Promise<string> {
  const error = await run(store, variables).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BpmnError);
  return (error as BpmnError).code;
}

describe('extension-approval handler: the check before the supervisor decides', () => {
  it('passes a justified SoNa extension from 12 to 18 months', async () => {
    const { store, calls } = fakeStore(ctx(SONA_NRW, { months: 6 }));
    expect(await run(store)).toEqual({
      extensionCheck: 'passed',
      requestedMonths: 6,
      aftercareTotalMonths: 18,
      proposedAftercareEndsOn: '2026-07-15',
    });
    expect(calls.rejectedByRule).toEqual([]);
  });

  it('passes an extension to exactly 24 months in total', async () => {
    const { store } = fakeStore(ctx(SONA_NRW, { months: 6 }, 6));
    expect(await run(store)).toMatchObject({ aftercareTotalMonths: 24, proposedAftercareEndsOn: '2027-01-15' });
  });

  it('refuses and records a request beyond 24 months in total (18 + 7 = 25)', async () => {
    const { store, calls } = fakeStore(ctx(SONA_NRW, { months: 7 }, 6));
    expect(await refusal(store)).toBe('EXTENSION_CAP_EXCEEDED');
    expect(calls.rejectedByRule).toEqual(['EXTENSION_CAP_EXCEEDED']);
  });

  it('refuses 13 more months on 12 in one request', async () => {
    const { store } = fakeStore(ctx(SONA_NRW, { months: 13 }));
    expect(await refusal(store)).toBe('EXTENSION_CAP_EXCEEDED');
  });

  it('refuses any extension of PÜMaS aftercare, whose 6 months are also its cap', async () => {
    const { store } = fakeStore(ctx(PUEMAS, { months: 1 }, 0, { programmeId: 'puemas', aftercareEndsOn: '2025-07-15' }));
    expect(await refusal(store)).toBe('EXTENSION_CAP_EXCEEDED');
  });

  it("applies a programme's cap given only as data (9 + 6 = 15 passes, 9 + 7 does not)", async () => {
    expect(await run(fakeStore(ctx(NORDLICHT, { months: 6 })).store)).toMatchObject({ aftercareTotalMonths: 15 });
    expect(await refusal(fakeStore(ctx(NORDLICHT, { months: 7 })).store)).toBe('EXTENSION_CAP_EXCEEDED');
  });

  it('refuses a request without justification', async () => {
    const { store, calls } = fakeStore(ctx(SONA_NRW, { justification: '   ' }));
    expect(await refusal(store)).toBe('EXTENSION_NOT_JUSTIFIED');
    expect(calls.rejectedByRule).toEqual(['EXTENSION_NOT_JUSTIFIED']);
  });

  it('refuses before release: only aftercare can be extended', async () => {
    const current = { phase: 'intensive' as const, actualReleaseDate: null, aftercareEndsOn: null };
    const { store } = fakeStore(ctx(SONA_NRW, {}, 0, current));
    expect(await refusal(store)).toBe('EXTENSION_WRONG_PHASE');
  });

  it('refuses for a closed case', async () => {
    const current = { phase: 'closed' as const, status: 'closed' as const, closureReason: 'regular' as const };
    const { store } = fakeStore(ctx(SONA_NRW, {}, 0, current));
    expect(await refusal(store)).toBe('EXTENSION_WRONG_PHASE');
  });
});

describe('extension-approval handler: recording the decision', () => {
  it('records an approval and moves the aftercare end date', async () => {
    const { store, calls } = fakeStore(ctx(SONA_NRW, { months: 6 }));
    const output = await run(store, { decision: 'approved', decidedBy: SUPERVISOR });
    expect(output).toEqual({ extensionDecision: 'approved', aftercareEndsOn: '2026-07-15' });
    expect(calls.decided).toEqual([{ extensionId: EXTENSION, decision: 'approved', decidedBy: SUPERVISOR }]);
  });

  it('records a rejection and keeps the aftercare end date', async () => {
    const { store } = fakeStore(ctx(SONA_NRW, { months: 6 }));
    expect(await run(store, { decision: 'rejected', decidedBy: SUPERVISOR })).toEqual({
      extensionDecision: 'rejected',
      aftercareEndsOn: '2026-01-15',
    });
  });

  it('turns an approval the cap no longer allows into that BPMN error', async () => {
    // given another extension was approved in the meantime (18 months), this one asks 7 more
    const { store } = fakeStore(ctx(SONA_NRW, { months: 7 }, 6));
    expect(await refusal(store, { decision: 'approved' })).toBe('EXTENSION_CAP_EXCEEDED');
  });

  it('answers a retry of the same decision as the first time', async () => {
    const { store, calls } = fakeStore(
      ctx(SONA_NRW, { status: 'approved' }, 6, { aftercareEndsOn: '2026-07-15' }),
    );
    expect(await run(store, { decision: 'approved' })).toEqual({ extensionDecision: 'approved', aftercareEndsOn: '2026-07-15' });
    expect(calls.decided).toEqual([]);
  });

  it('refuses to decide an extension decided otherwise before', async () => {
    const { store } = fakeStore(ctx(SONA_NRW, { status: 'rejected' }));
    expect(await refusal(store, { decision: 'approved' })).toBe('EXTENSION_ALREADY_DECIDED');
  });

  it('rejects an unknown decision value as a modelling defect', async () => {
    const { store } = fakeStore(ctx(SONA_NRW));
    const error = await run(store, { decision: 'maybe' }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(BpmnError);
    expect(String(error)).toContain('decision');
  });
});
