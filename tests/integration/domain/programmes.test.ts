/**
 * A third programme added as pure data: nothing in src/ or workers/ names it, yet cases,
 * dates, standard applications, reminders, eligibility and the extension cap all follow it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/db/index.js';
import { listApplications, planStandardApplications } from '../../../src/domain/applications.js';
import { changeExpectedReleaseDate, openCase, openReentryCase, closeCase, recordRelease } from '../../../src/domain/cases.js';
import { createClient } from '../../../src/domain/clients.js';
import { DomainError } from '../../../src/domain/errors.js';
import { requestExtension } from '../../../src/domain/extensions.js';
import { evaluateEligibility, getProgramme, listProgrammes, saveProgramme } from '../../../src/domain/programmes.js';
import { handler as reminders } from '../../../workers/application-reminders/handler.js';
import { createApplicationReminderStore } from '../../../workers/application-reminders/store.js';
import { handler as extensions } from '../../../workers/extension-approval/handler.js';
import { createExtensionApprovalStore } from '../../../workers/extension-approval/store.js';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { jobHelpers, seedStaff } from '../../fixtures/domain/helpers.js';
import { NORDLICHT } from '../../fixtures/domain/programmes.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const NOW = new Date('2025-02-01T09:00:00Z');

describe.each(backends)('a programme added as data on $name', (backend) => {
  const handle = useDatabase(backend);
  let staff: Awaited<ReturnType<typeof seedStaff>>;

  beforeAll(async () => {
    await migrate(handle.db);
    staff = await seedStaff(handle.db, 'kiel');
    // given the programme is stored like any other row
    expect(await saveProgramme(handle.db, NORDLICHT)).toEqual(NORDLICHT);
  });

  async function nordlichtCase(expectedReleaseDate = '2025-10-20') {
    const client = await createClient(handle.db, { familyName: 'Nord', givenNames: 'Licht', birthDate: '1985-05-05' });
    return openCase(
      handle.db,
      { clientId: client.id, programmeId: 'nordlicht', facility: 'JVA Kiel', teamId: staff.teamId, releaseRegion: 'kiel', expectedReleaseDate },
      NOW,
    );
  }

  it('is listed and read back with its own figures', async () => {
    expect((await listProgrammes(handle.db)).map((p) => p.id)).toEqual(['nordlicht', 'puemas', 'sona-nrw']);
    expect(evaluateEligibility(await getProgramme(handle.db, 'nordlicht'), { sentenceMonths: 6 }).outcome).toBe('eligible');
  });

  it('derives its intensive phase (4 months) and its standard applications', async () => {
    const opened = await nordlichtCase();
    const { dates } = await changeExpectedReleaseDate(handle.db, opened.id, '2025-10-20', NOW);
    expect(dates.intensivePhaseStartsOn).toBe('2025-06-20');
    await planStandardApplications(handle.db, opened.id, staff.caseworkerId, NOW);
    expect((await listApplications(handle.db, opened.id)).map((a) => [a.kind, a.deadline])).toEqual([
      ['tenancy-guarantee', '2025-08-11'],
      ['citizens-income', '2025-09-15'],
    ]);
  });

  it('reminds 21 and 7 days before, as its data says', async () => {
    const opened = await nordlichtCase();
    await planStandardApplications(handle.db, opened.id, staff.caseworkerId, NOW);
    const store = createApplicationReminderStore(handle.db);
    const runOn = (day: string) =>
      reminders({ caseId: opened.id }, { ...jobHelpers({ now: new Date(`${day}T08:00:00Z`) }), store });
    expect((await runOn('2025-08-24')).remindersEnqueued).toBe(0); // 22 days before citizens-income
    expect((await runOn('2025-08-25')).remindersEnqueued).toBe(1); // 21 days before
    expect((await runOn('2025-09-01')).remindersEnqueued).toBe(0); // 14 days: not one of its stages
    expect((await runOn('2025-09-08')).remindersEnqueued).toBe(1); // 7 days before
  });

  it('ends aftercare after 9 months and caps extensions at 15 months in total', async () => {
    const opened = await nordlichtCase('2025-03-01');
    const released = await recordRelease(handle.db, opened.id, '2025-03-01', NOW);
    expect(released.aftercareEndsOn).toBe('2025-12-01');
    const store = createExtensionApprovalStore(handle.db);
    const check = (extensionId: string) =>
      extensions({ caseId: opened.id, extensionId }, { ...jobHelpers({ now: NOW }), store });
    const seven = await requestExtension(handle.db, { caseId: opened.id, months: 7, justification: 'Begründung' }, NOW);
    const error = await check(seven).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BpmnError);
    expect((error as BpmnError).code).toBe('EXTENSION_CAP_EXCEEDED');
    const six = await requestExtension(handle.db, { caseId: opened.id, months: 6, justification: 'Begründung' }, NOW);
    expect(await check(six)).toMatchObject({ aftercareTotalMonths: 15, proposedAftercareEndsOn: '2026-06-01' });
    const decided = await extensions(
      { caseId: opened.id, extensionId: six, decision: 'approved', decidedBy: staff.supervisorId },
      { ...jobHelpers({ now: NOW }), store },
    );
    expect(decided).toEqual({ extensionDecision: 'approved', aftercareEndsOn: '2026-06-01' });
  });

  it('allows re-entry without approval because its data says so', async () => {
    const opened = await nordlichtCase();
    await closeCase(handle.db, opened.id, 'drop-out', NOW);
    const reentry = await openReentryCase(handle.db, { previousCaseId: opened.id, approvedBy: null }, NOW);
    expect(reentry.previousCaseId).toBe(opened.id);
  });

  it('refuses inconsistent programme data', async () => {
    await expect(saveProgramme(handle.db, { ...NORDLICHT, id: 'broken', aftercareMaxMonths: 3 })).rejects.toBeInstanceOf(DomainError);
  });
});
