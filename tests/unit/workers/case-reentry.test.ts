import { describe, expect, it } from 'vitest';
import type { Case } from '../../../src/domain/cases.js';
import { DomainError } from '../../../src/domain/errors.js';
import { handler } from '../../../workers/case-reentry/handler.js';
import type { CaseReentryStore } from '../../../workers/case-reentry/store.js';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { jobHelpers } from '../../fixtures/domain/helpers.js';

const OLD = '00000000-0000-4000-8000-00000000c001';
const NEW = '00000000-0000-4000-8000-00000000c002';
const SUPERVISOR = '00000000-0000-4000-8000-000000000051';
const NOW = new Date('2027-03-01T09:00:00Z');

const opened = (expectedReleaseDate = '2027-12-01'): Case =>
  ({ id: NEW, programmeId: 'puemas', teamId: 'erfurt', expectedReleaseDate, previousCaseId: OLD, status: 'open', phase: 'intake' }) as Case;

function fakeStore(options: { existing?: Case; refuse?: DomainError } = {}) {
  const calls: unknown[] = [];
  const store: CaseReentryStore = {
    findLinkedCase: async () => options.existing ?? null,
    async openReentryCase(input) {
      calls.push(input);
      if (options.refuse) throw options.refuse;
      return opened(input.expectedReleaseDate);
    },
  };
  return { store, calls };
}

const run = (variables: Record<string, unknown>, store: CaseReentryStore) =>
  handler({ previousCaseId: OLD, ...variables }, { ...jobHelpers({ now: NOW }, 'case-reentry'), store });

describe('case-reentry handler', () => {
  it('opens a linked case approved by the supervisor and hands back what the new instance starts with', async () => {
    const { store, calls } = fakeStore();
    const output = await run({ reentryDecision: 'approved', decidedBy: SUPERVISOR, newExpectedRelease: '2028-01-15T00:00:00Z' }, store);
    expect(calls).toEqual([{ previousCaseId: OLD, approvedBy: SUPERVISOR, expectedReleaseDate: '2028-01-15' }]);
    expect(output).toEqual({ newCaseId: NEW, programmeId: 'puemas', newCaseTeamId: 'erfurt', expectedRelease: '2028-01-15' });
  });

  it('keeps the old expected release date when none is given', async () => {
    const { store, calls } = fakeStore();
    await run({ reentryDecision: 'approved', decidedBy: SUPERVISOR, newExpectedRelease: '' }, store);
    expect(calls).toEqual([{ previousCaseId: OLD, approvedBy: SUPERVISOR, expectedReleaseDate: undefined }]);
  });

  it('answers a retry with the case opened the first time', async () => {
    const { store, calls } = fakeStore({ existing: opened() });
    expect((await run({ reentryDecision: 'approved', decidedBy: SUPERVISOR }, store)).newCaseId).toBe(NEW);
    expect(calls).toEqual([]);
  });

  it('opens nothing without an approval', async () => {
    const { store, calls } = fakeStore();
    await expect(run({ reentryDecision: 'rejected', decidedBy: SUPERVISOR }, store)).rejects.toMatchObject({ code: 'REENTRY_NOT_APPROVED' });
    expect(calls).toEqual([]);
  });

  it('turns the domain refusals into BPMN errors', async () => {
    for (const code of ['REENTRY_APPROVAL_REQUIRED', 'REENTRY_CASE_NOT_CLOSED'] as const) {
      const { store } = fakeStore({ refuse: new DomainError(code, 'refused') });
      const error = await run({ reentryDecision: 'approved' }, store).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BpmnError);
      expect(error).toMatchObject({ code });
    }
  });
});
