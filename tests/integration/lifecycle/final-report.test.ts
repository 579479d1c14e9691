/**
 * The final report (DOMAIN.md, release stage): a PDF produced from the case data, and the
 * sharing rule enforced — the probation service when probation is ordered, anyone else only
 * with the client's consent; a refusal shares and records nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/db/index.js';
import { createApplication } from '../../../src/domain/applications.js';
import { openCase, recordNeedView } from '../../../src/domain/cases.js';
import { addTreatmentGoal } from '../../../src/domain/casework.js';
import { createClient } from '../../../src/domain/clients.js';
import { giveConsent, withdrawConsent } from '../../../src/domain/consents.js';
import { DomainError } from '../../../src/domain/errors.js';
import { listFinalReportShares, recordProbationOrder, renderFinalReport, shareFinalReport } from '../../../src/domain/final-report.js';
import { seedStaff } from '../../fixtures/domain/helpers.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const NOW = new Date('2027-11-20T09:00:00Z');

describe.each(backends)('final report on $name', (backend) => {
  const handle = useDatabase(backend);
  let staff: Awaited<ReturnType<typeof seedStaff>>;

  beforeAll(async () => {
    await migrate(handle.db);
    staff = await seedStaff(handle.db, 'erfurt');
  });

  /** A case two weeks before release with needs, an application and a treatment goal. */
  async function caseBeforeRelease() {
    const client = await createClient(handle.db, { familyName: 'Müller', givenNames: 'Jörg', birthDate: '1985-06-30' });
    const opened = await openCase(
      handle.db,
      { clientId: client.id, programmeId: 'puemas', facility: 'JVA Tonna', teamId: staff.teamId, releaseRegion: 'erfurt', expectedReleaseDate: '2027-12-04' },
      new Date('2027-01-04T08:00:00Z'),
    );
    await recordNeedView(handle.db, { caseId: opened.id, lifeDomain: 'housing', view: 'overall', rating: 3 }, NOW);
    await createApplication(handle.db, { caseId: opened.id, kind: 'citizens-income', ownerId: staff.caseworkerId }, NOW);
    await addTreatmentGoal(handle.db, { caseId: opened.id, lifeDomain: 'housing', goal: 'Eigene Wohnung finden', agreedOn: '2027-06-01' });
    return { caseId: opened.id, clientId: client.id };
  }

  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

  it('renders the case as a PDF document', async () => {
    const { caseId } = await caseBeforeRelease();
    const pdf = await renderFinalReport(handle.db, caseId, NOW);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF/);
    expect(pdf.length).toBeGreaterThan(1500);
  });

  it('refuses to share with anyone without consent, and records nothing', async () => {
    const { caseId } = await caseBeforeRelease();
    const error = await refusal(shareFinalReport(handle.db, caseId, { kind: 'other', name: 'Wohnungsbaugesellschaft' }, NOW));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'CONSENT_NOT_FOUND' });
    // nor with the probation service while no probation is ordered
    const probation = await refusal(shareFinalReport(handle.db, caseId, { kind: 'probation-service', name: 'Bewährungshilfe Erfurt' }, NOW));
    expect(probation).toMatchObject({ code: 'CONSENT_NOT_FOUND' });
    expect(await listFinalReportShares(handle.db, caseId)).toEqual([]);
  });

  it('shares with the probation service when probation is ordered, and with nobody else on that ground', async () => {
    const { caseId } = await caseBeforeRelease();
    await recordProbationOrder(handle.db, caseId, true);
    const shared = await shareFinalReport(handle.db, caseId, { kind: 'probation-service', name: 'Bewährungshilfe Erfurt' }, NOW, staff.caseworkerId);
    expect(shared.ground).toBe('probation-order');
    expect(shared.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await refusal(shareFinalReport(handle.db, caseId, { kind: 'other', name: 'Arbeitgeber' }, NOW))).toMatchObject({ code: 'CONSENT_NOT_FOUND' });
    expect(await listFinalReportShares(handle.db, caseId)).toEqual([
      { recipientKind: 'probation-service', recipientName: 'Bewährungshilfe Erfurt', ground: 'probation-order', sharedAt: NOW },
    ]);
  });

  it('shares with others while the client consents, and no longer once the consent is withdrawn', async () => {
    const { caseId, clientId } = await caseBeforeRelease();
    const consent = await giveConsent(handle.db, { clientId, purpose: 'final-report-sharing' }, new Date('2027-11-01T09:00:00Z'));
    const shared = await shareFinalReport(handle.db, caseId, { kind: 'other', name: 'Suchtberatung am Anger' }, NOW);
    expect(shared.ground).toBe('consent');
    await withdrawConsent(handle.db, consent, new Date('2027-11-21T09:00:00Z'));
    const later = new Date('2027-11-22T09:00:00Z');
    expect(await refusal(shareFinalReport(handle.db, caseId, { kind: 'other', name: 'Suchtberatung am Anger' }, later))).toMatchObject({ code: 'CONSENT_NOT_FOUND' });
    expect((await listFinalReportShares(handle.db, caseId)).map((s) => s.ground)).toEqual(['consent']);
  });

  it('refuses a recipient without a name', async () => {
    const { caseId } = await caseBeforeRelease();
    expect(await refusal(shareFinalReport(handle.db, caseId, { kind: 'other', name: '  ' }, NOW))).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
