import { beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/db/index.js';
import {
  createApplication,
  listApplications,
  planStandardApplications,
  setApplicationStatus,
} from '../../../src/domain/applications.js';
import {
  changeExpectedReleaseDate,
  closeCase,
  getCase,
  listNeeds,
  openCase,
  openReentryCase,
  recordDomainHandledElsewhere,
  recordNeedView,
  recordRelease,
  setPhase,
} from '../../../src/domain/cases.js';
import { addContact, addTreatmentGoal, listContacts, listTreatmentGoals } from '../../../src/domain/casework.js';
import { createClient, getClientPersonalData, getClientRef } from '../../../src/domain/clients.js';
import { findSharingGround, giveConsent, recordLegalBasis, withdrawConsent } from '../../../src/domain/consents.js';
import { decideExtension, getExtension, requestExtension } from '../../../src/domain/extensions.js';
import { createPartner, findMatchingPartners, getPartner, searchPartners, setPartnerActive } from '../../../src/domain/partners.js';
import { getProgramme, listProgrammes } from '../../../src/domain/programmes.js';
import { createReferral, getReferral, recordReferralAnswer } from '../../../src/domain/referrals.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { addPrescription, createIllnessCase } from '../../../src/domain/sociotherapy.js';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { handler as referralHandler } from '../../../workers/partner-referrals/handler.js';
import { createPartnerReferralStore } from '../../../workers/partner-referrals/store.js';
import { jobHelpers, seedStaff } from '../../fixtures/domain/helpers.js';
import { PUEMAS, SONA_NRW } from '../../fixtures/domain/programmes.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const NOW = new Date('2025-03-01T09:00:00Z');

describe.each(backends)('domain repositories on $name', (backend) => {
  const handle = useDatabase(backend);
  let staff: Awaited<ReturnType<typeof seedStaff>>;

  beforeAll(async () => {
    await migrate(handle.db);
    staff = await seedStaff(handle.db, 'erfurt');
  });

  async function newCase(programmeId = 'puemas', expectedReleaseDate = '2026-03-15', releaseRegion = 'erfurt') {
    const client = await createClient(handle.db, { familyName: 'Mustermann', givenNames: 'Erika', birthDate: '1980-02-29' });
    const opened = await openCase(
      handle.db,
      { clientId: client.id, programmeId, facility: 'JVA Tonna', teamId: staff.teamId, releaseRegion, expectedReleaseDate },
      NOW,
    );
    return { client, opened };
  }

  describe('programmes', () => {
    it('seeds PÜMaS and SoNa NRW exactly as specified', async () => {
      expect(await getProgramme(handle.db, 'puemas')).toEqual(PUEMAS);
      expect(await getProgramme(handle.db, 'sona-nrw')).toEqual(SONA_NRW);
      expect((await listProgrammes(handle.db)).map((p) => p.id)).toEqual(['puemas', 'sona-nrw']);
    });
  });

  describe('clients and cases', () => {
    it('keeps personal data apart: a case shows the pseudonym only', async () => {
      const { client, opened } = await newCase();
      expect(client.pseudonym).toMatch(/^K-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      expect(JSON.stringify(opened)).not.toMatch(/Mustermann|Erika|1980/);
      expect(opened.pseudonym).toBe(client.pseudonym);
      expect(await getClientPersonalData(handle.db, client.id)).toMatchObject({
        familyName: 'Mustermann',
        givenNames: 'Erika',
        birthDate: '1980-02-29',
      });
      await expect(getClientRef(handle.db, 'not-an-id')).rejects.toMatchObject({ code: 'CLIENT_NOT_FOUND' });
    });

    it('opens a case in intake and allows one open case per client and programme', async () => {
      const { client, opened } = await newCase();
      expect(opened).toMatchObject({ phase: 'intake', status: 'open', eligibility: 'pending', expectedReleaseDate: '2026-03-15' });
      await expect(
        openCase(
          handle.db,
          { clientId: client.id, programmeId: 'puemas', facility: 'JVA Tonna', teamId: staff.teamId, releaseRegion: 'erfurt', expectedReleaseDate: '2026-01-01' },
          NOW,
        ),
      ).rejects.toMatchObject({ code: 'OPEN_CASE_EXISTS' });
    });

    it('moves derived application deadlines and the intensive-phase start with an early release', async () => {
      const { opened } = await newCase();
      await planStandardApplications(handle.db, opened.id, staff.caseworkerId, NOW);
      const manual = await createApplication(
        handle.db,
        { caseId: opened.id, kind: 'debt-settlement', lifeDomain: 'finances', deadline: '2026-02-01', ownerId: staff.caseworkerId },
        NOW,
      );
      const submitted = (await listApplications(handle.db, opened.id)).find((a) => a.kind === 'id-card')!;
      await setApplicationStatus(handle.db, submitted.id, 'submitted', NOW);

      const { dates, movedApplications } = await changeExpectedReleaseDate(handle.db, opened.id, '2026-01-15', NOW);

      expect(dates.intensivePhaseStartsOn).toBe('2025-07-15');
      expect(movedApplications).toBe(4);
      const deadlines = Object.fromEntries((await listApplications(handle.db, opened.id)).map((a) => [a.kind, a.deadline]));
      expect(deadlines).toEqual({
        'housing-entitlement': '2025-11-20',
        'id-card': '2026-02-01', // submitted before: keeps its deadline
        'citizens-income': '2025-12-18',
        'health-insurance': '2026-01-01',
        'residence-registration': '2026-01-29',
        'debt-settlement': manual.deadline, // set by hand: not derived
      });
    });

    it('starts aftercare at the actual release and ends it after the programme months', async () => {
      const puemas = (await newCase('puemas')).opened;
      const sona = (await newCase('sona-nrw', '2026-03-15', 'nrw')).opened;
      await setPhase(handle.db, puemas.id, 'intensive');
      const releasedP = await recordRelease(handle.db, puemas.id, '2026-03-02', NOW);
      const releasedS = await recordRelease(handle.db, sona.id, '2026-03-02', NOW);
      expect(releasedP).toMatchObject({ phase: 'aftercare', actualReleaseDate: '2026-03-02', aftercareEndsOn: '2026-09-02' });
      expect(releasedS.aftercareEndsOn).toBe('2027-03-02');
      await expect(recordRelease(handle.db, puemas.id, '2026-03-03', NOW)).rejects.toMatchObject({ code: 'CASE_ALREADY_RELEASED' });
    });

    it('refuses to move a phase backwards', async () => {
      const { opened } = await newCase();
      await setPhase(handle.db, opened.id, 'intensive');
      await expect(setPhase(handle.db, opened.id, 'custody')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('closes a case and refuses changes afterwards', async () => {
      const { opened } = await newCase();
      const closed = await closeCase(handle.db, opened.id, 'drop-out', NOW);
      expect(closed).toMatchObject({ status: 'closed', phase: 'closed', closureReason: 'drop-out' });
      await expect(setPhase(handle.db, opened.id, 'intensive')).rejects.toMatchObject({ code: 'CASE_CLOSED' });
    });

    it('re-enters only with approval, as a new case linked to the old one', async () => {
      const { opened } = await newCase();
      await expect(openReentryCase(handle.db, { previousCaseId: opened.id, approvedBy: staff.supervisorId }, NOW)).rejects.toMatchObject({
        code: 'REENTRY_CASE_NOT_CLOSED',
      });
      await closeCase(handle.db, opened.id, 'drop-out', NOW);
      await expect(openReentryCase(handle.db, { previousCaseId: opened.id, approvedBy: null }, NOW)).rejects.toMatchObject({
        code: 'REENTRY_APPROVAL_REQUIRED',
      });
      const reentry = await openReentryCase(handle.db, { previousCaseId: opened.id, approvedBy: staff.supervisorId }, NOW);
      expect(reentry).toMatchObject({ previousCaseId: opened.id, clientId: opened.clientId, status: 'open', phase: 'intake' });
      expect(reentry.id).not.toBe(opened.id);
    });
  });

  describe('life domains handled elsewhere, needs and casework', () => {
    it('records four views per life domain and refuses work in a domain handled elsewhere', async () => {
      const { opened } = await newCase();
      await recordDomainHandledElsewhere(handle.db, opened.id, 'work', 'B.I.S.S.', NOW);
      for (const view of ['professional', 'client', 'third-party', 'overall'] as const) {
        await recordNeedView(handle.db, { caseId: opened.id, lifeDomain: 'housing', view, rating: 3 }, NOW);
      }
      expect(await listNeeds(handle.db, opened.id)).toEqual([
        {
          lifeDomain: 'housing',
          views: {
            client: { rating: 3, note: null },
            overall: { rating: 3, note: null },
            professional: { rating: 3, note: null },
            'third-party': { rating: 3, note: null },
          },
        },
      ]);
      await expect(
        recordNeedView(handle.db, { caseId: opened.id, lifeDomain: 'work', view: 'overall', rating: 2 }, NOW),
      ).rejects.toMatchObject({ code: 'LIFE_DOMAIN_HANDLED_ELSEWHERE' });
      await expect(
        createReferral(handle.db, { caseId: opened.id, lifeDomain: 'work', service: 'vocational-training' }, NOW),
      ).rejects.toMatchObject({ code: 'LIFE_DOMAIN_HANDLED_ELSEWHERE' });
      const planned = await planStandardApplications(handle.db, opened.id, staff.caseworkerId, NOW);
      expect(planned.map((a) => a.kind).sort()).toEqual(
        ['citizens-income', 'health-insurance', 'housing-entitlement', 'id-card', 'residence-registration'],
      );
    });

    it('records contacts, including crisis contacts, and treatment-contract goals', async () => {
      const { opened } = await newCase();
      await addContact(handle.db, { caseId: opened.id, kind: 'crisis', place: 'home', occurredAt: NOW });
      await addTreatmentGoal(handle.db, { caseId: opened.id, lifeDomain: 'housing', goal: 'Eigene Wohnung', agreedOn: '2025-03-01' });
      expect((await listContacts(handle.db, opened.id)).map((c) => c.kind)).toEqual(['crisis']);
      expect(await listTreatmentGoals(handle.db, opened.id)).toMatchObject([{ goal: 'Eigene Wohnung', status: 'open' }]);
    });
  });

  describe('applications', () => {
    it('moves planned → submitted → approved and refuses skipping', async () => {
      const { opened } = await newCase();
      const app = await createApplication(handle.db, { caseId: opened.id, kind: 'citizens-income', ownerId: staff.caseworkerId }, NOW);
      expect(app).toMatchObject({ status: 'planned', deadline: '2026-02-15', releaseOffsetDays: -28, lifeDomain: 'finances' });
      await expect(setApplicationStatus(handle.db, app.id, 'approved', NOW)).rejects.toMatchObject({
        code: 'APPLICATION_STATUS_TRANSITION',
      });
      await setApplicationStatus(handle.db, app.id, 'submitted', NOW);
      expect((await setApplicationStatus(handle.db, app.id, 'approved', NOW)).status).toBe('approved');
    });
  });

  describe('consents', () => {
    it('counts consent from giving until withdrawal, and a legal basis once recorded', async () => {
      const { client, opened } = await newCase();
      const later = new Date(NOW.getTime() + 60_000);
      expect(await findSharingGround(handle.db, opened.id, 'partner-referral', NOW)).toBeNull();
      const consent = await giveConsent(handle.db, { clientId: client.id, purpose: 'partner-referral' }, NOW);
      expect(await findSharingGround(handle.db, opened.id, 'partner-referral', NOW)).toBe('consent');
      expect(await findSharingGround(handle.db, opened.id, 'final-report-sharing', NOW)).toBeNull();
      await withdrawConsent(handle.db, consent, later);
      expect(await findSharingGround(handle.db, opened.id, 'partner-referral', later)).toBeNull();
      await expect(withdrawConsent(handle.db, consent, later)).rejects.toMatchObject({ code: 'CONSENT_ALREADY_WITHDRAWN' });
      await recordLegalBasis(handle.db, { caseId: opened.id, purpose: 'partner-referral', basis: '§ 60 StVollzG NRW' }, later);
      expect(await findSharingGround(handle.db, opened.id, 'partner-referral', later)).toBe('legal-basis');
    });
  });

  describe('partners and referrals', () => {
    it('matches by service, life domain, region and free capacity, most free places first', async () => {
      const offer = [{ lifeDomain: 'housing' as const, service: 'supported-living' }];
      const small = await createPartner(handle.db, {
        name: 'Wohnhilfe Gera', type: 'supported-living', regions: ['ostthueringen'], capacity: 1, dataSharingAgreement: true,
        offers: offer, contacts: [{ name: 'Frau Beispiel', role: 'Leitung', email: 'leitung@wohnhilfe.example' }],
      });
      const large = await createPartner(handle.db, {
        name: 'Betreutes Wohnen Ost', type: 'supported-living', regions: ['ostthueringen', 'erfurt'], capacity: 5,
        dataSharingAgreement: false, offers: offer, contacts: [],
      });
      await createPartner(handle.db, {
        name: 'Wohnen Köln', type: 'supported-living', regions: ['nrw'], capacity: null, dataSharingAgreement: true, offers: offer, contacts: [],
      });
      await createPartner(handle.db, {
        name: 'Schuldnerberatung Gera', type: 'debt-counselling', regions: ['ostthueringen'], capacity: null, dataSharingAgreement: true,
        offers: [{ lifeDomain: 'finances', service: 'debt-counselling' }], contacts: [],
      });
      expect((await getPartner(handle.db, small.id)).contacts).toEqual([
        { name: 'Frau Beispiel', role: 'Leitung', email: 'leitung@wohnhilfe.example', phone: null },
      ]);

      const criteria = { service: 'supported-living', lifeDomain: 'housing' as const, region: 'ostthueringen' };
      expect((await findMatchingPartners(handle.db, criteria)).map((m) => [m.partnerId, m.freeCapacity])).toEqual([
        [large.id, 5],
        [small.id, 1],
      ]);
      expect((await findMatchingPartners(handle.db, { ...criteria, excludePartnerIds: [large.id] })).map((m) => m.partnerId)).toEqual([
        small.id,
      ]);
      await setPartnerActive(handle.db, large.id, false);
      expect((await findMatchingPartners(handle.db, criteria)).map((m) => m.partnerId)).toEqual([small.id]);
      await setPartnerActive(handle.db, large.id, true);
      expect((await searchPartners(handle.db, { region: 'ostthueringen', name: 'gera' })).map((p) => p.name)).toEqual([
        'Schuldnerberatung Gera',
        'Wohnhilfe Gera',
      ]);
    });

    it('runs the referral worker on SQL: full partner skipped, decline moves to the next, none left ends it', async () => {
      // given a case with consent and two Soziotherapie partners in Erfurt, one with a single place
      const { client, opened } = await newCase();
      await giveConsent(handle.db, { clientId: client.id, purpose: 'partner-referral' }, NOW);
      const offer = [{ lifeDomain: 'health' as const, service: 'sociotherapy' }];
      const one = await createPartner(handle.db, {
        name: 'Soziotherapie A', type: 'sociotherapy', regions: ['erfurt'], capacity: 1, dataSharingAgreement: true, offers: offer, contacts: [],
      });
      const two = await createPartner(handle.db, {
        name: 'Soziotherapie B', type: 'sociotherapy', regions: ['erfurt'], capacity: 3, dataSharingAgreement: true, offers: offer, contacts: [],
      });
      const illness = await createIllnessCase(handle.db, { clientId: client.id, startedOn: '2025-01-10' });
      const prescription = await addPrescription(handle.db, {
        illnessCaseId: illness, prescriberKind: 'gp', units: 5, issuedOn: '2025-02-20',
      });
      const store = createPartnerReferralStore(handle.db);
      const run = (referralId: string) =>
        referralHandler({ caseId: opened.id, referralId }, { ...jobHelpers({ now: NOW }, 'partner-referrals'), store });

      // when B is asked first (more free places) and declines, A is asked next
      const referral = await createReferral(handle.db, { caseId: opened.id, lifeDomain: 'health', service: 'sociotherapy', prescriptionId: prescription }, NOW);
      const first = await run(referral);
      expect(first).toMatchObject({ partnerId: two.id, copaymentCents: 3500, sharingGround: 'consent', answerDueAt: '2025-03-15T09:00:00.000Z' });
      await recordReferralAnswer(handle.db, { referralId: referral, partnerId: two.id, answer: 'declined' }, NOW);
      expect((await run(referral)).partnerId).toBe(one.id);
      await recordReferralAnswer(handle.db, { referralId: referral, partnerId: one.id, answer: 'accepted' }, NOW);
      expect((await getReferral(handle.db, referral)).status).toBe('accepted');

      // then A is full (its place is taken), so a second referral goes to B only, and after B declines none is left
      const second = await createReferral(handle.db, { caseId: opened.id, lifeDomain: 'health', service: 'sociotherapy', prescriptionId: prescription }, NOW);
      expect((await run(second)).partnerId).toBe(two.id);
      await recordReferralAnswer(handle.db, { referralId: second, partnerId: two.id, answer: 'declined' }, NOW);
      const error = await run(second).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BpmnError);
      expect((error as BpmnError).code).toBe('NO_MATCHING_PARTNER');
      expect((await getReferral(handle.db, second)).status).toBe('no-partner');
    });

    it('lets no referral data leave after consent is withdrawn', async () => {
      const { client, opened } = await newCase();
      const consent = await giveConsent(handle.db, { clientId: client.id, purpose: 'partner-referral' }, NOW);
      await withdrawConsent(handle.db, consent, NOW);
      const referral = await createReferral(handle.db, { caseId: opened.id, lifeDomain: 'housing', service: 'supported-living' }, NOW);
      const store = createPartnerReferralStore(handle.db);
      const error = await referralHandler({ caseId: opened.id, referralId: referral }, { ...jobHelpers({ now: NOW }), store }).catch((e: unknown) => e);
      expect((error as BpmnError).code).toBe('REFERRAL_NO_SHARING_GROUND');
      expect((await getReferral(handle.db, referral)).attempts).toEqual([]);
    });
  });

  describe('extensions', () => {
    it('approves SoNa to 18 months and lets only one of two racing approvals reach 25', async () => {
      const { opened } = await newCase('sona-nrw', '2025-01-15', 'nrw');
      await recordRelease(handle.db, opened.id, '2025-01-15', NOW);
      const six = await requestExtension(handle.db, { caseId: opened.id, months: 6, justification: 'Krisenhafte Entwicklung' }, NOW);
      const approved = await decideExtension(handle.db, { extensionId: six, decision: 'approved', decidedBy: staff.supervisorId }, NOW);
      expect(approved.aftercareEndsOn).toBe('2026-07-15');
      expect((await getCase(handle.db, opened.id)).aftercareEndsOn).toBe('2026-07-15');

      // two requests of 4 months each: 18 + 4 = 22 fits, 18 + 4 + 4 = 26 does not
      const a = await requestExtension(handle.db, { caseId: opened.id, months: 4, justification: 'A' }, NOW);
      const b = await requestExtension(handle.db, { caseId: opened.id, months: 4, justification: 'B' }, NOW);
      // on PostgreSQL from two pools, as two API processes would
      const other = handle.url ? await openPostgres(handle.url) : handle.db;
      try {
        const results = await Promise.all([
          decideExtension(handle.db, { extensionId: a, decision: 'approved', decidedBy: staff.supervisorId }, NOW),
          decideExtension(other, { extensionId: b, decision: 'approved', decidedBy: staff.supervisorId }, NOW),
        ]);
        expect(results.map((r) => r.refusal).sort()).toEqual(['EXTENSION_CAP_EXCEEDED', null].sort());
      } finally {
        if (other !== handle.db) await other.close();
      }
      expect((await getCase(handle.db, opened.id)).aftercareEndsOn).toBe('2026-11-15');
      const statuses = [(await getExtension(handle.db, a)).status, (await getExtension(handle.db, b)).status].sort();
      expect(statuses).toEqual(['approved', 'rejected']);
    });
  });
});
