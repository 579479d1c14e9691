/**
 * The partner network, referrals (with the partner's answer told to the process), applications
 * and extension requests over the product API, each scoped to the case's team and audited.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sendToFirstFreePartner } from '../../../src/domain/referrals.js';
import { backends } from '../../helpers/databases.js';
import { useProductApi } from './product-harness.js';

describe.each(backends)('casework on $name', (backend) => {
  const api = useProductApi(backend);
  let kase: { caseId: string };
  let partnerId: string;

  beforeAll(async () => {
    kase = await api.admit();
  });

  it('lets a supervisor add a partner that caseworkers then find by region, life domain and name', async () => {
    // when
    const created = await api.as('supervisor', 'POST', '/api/partners', {
      name: 'Wohnhilfe Erfurt e. V.',
      type: 'housing-provider',
      regions: ['erfurt'],
      capacity: 2,
      dataSharingAgreement: true,
      offers: [{ lifeDomain: 'housing', service: 'supported-living', description: 'Betreutes Wohnen' }],
      contacts: [{ name: 'Frau Kontakt', role: 'Leitung', email: 'kontakt@example.org' }],
    });
    const refused = await api.as('social', 'POST', '/api/partners', { name: 'X', type: 'y', regions: ['erfurt'] });
    partnerId = created.body.id;
    // then
    expect(created.status).toBe(201);
    expect(refused.status).toBe(403);
    expect((await api.as('social', 'GET', '/api/partners?region=erfurt&lifeDomain=housing')).body).toEqual([{ id: partnerId, name: 'Wohnhilfe Erfurt e. V.' }]);
    expect((await api.as('social', 'GET', '/api/partners?q=wohnhilfe')).body).toHaveLength(1);
    expect((await api.as('social', 'GET', '/api/partners?region=nrw')).body).toEqual([]);
    expect((await api.as('psych', 'GET', `/api/partners/${partnerId}`)).body).toMatchObject({
      name: 'Wohnhilfe Erfurt e. V.', capacity: 2, offers: [{ lifeDomain: 'housing', service: 'supported-living' }], contacts: [{ name: 'Frau Kontakt' }],
    });
  });

  it('creates a referral, and records the partner’s answer as a message for the process', async () => {
    // given
    const created = await api.as('social', 'POST', `/api/cases/${kase.caseId}/referrals`, { lifeDomain: 'housing', service: 'supported-living' });
    expect(created.status).toBe(201);
    const referralId = created.body.id;
    const requested = await api.db.query(`select variables from engine_message where name = 'referral-requested' and correlation_key = $1`, [kase.caseId]);
    expect(requested.rows).toEqual([{ variables: { referralId } }]);
    // the partner-referrals worker sends it
    await sendToFirstFreePartner(api.db, {
      referralId,
      candidates: [{ partnerId, freeCapacity: 2, dataSharingAgreement: true }],
      sentAt: new Date(),
      answerDueAt: new Date(Date.now() + 14 * 86_400_000),
      sharingGround: 'consent',
      copaymentCents: null,
    });
    // when
    const foreign = await api.as('other', 'POST', `/api/referrals/${referralId}/answer`, { accepted: true });
    const answered = await api.as('social', 'POST', `/api/referrals/${referralId}/answer`, { accepted: true });
    const twice = await api.as('social', 'POST', `/api/referrals/${referralId}/answer`, { accepted: false });
    // then
    expect(foreign.status).toBe(403);
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ id: referralId, status: 'accepted', attempts: [{ partnerId, status: 'accepted' }] });
    expect(twice.status).toBe(409);
    const { rows } = await api.db.query('select name, correlation_key, variables from engine_message where correlation_key = $1', [referralId]);
    expect(rows).toEqual([{ name: 'partner-answered', correlation_key: referralId, variables: { accepted: true } }]);
    const listed = await api.as('psych', 'GET', `/api/cases/${kase.caseId}/referrals`);
    expect(listed.body.map((r: { id: string }) => r.id)).toEqual([referralId]);
  });

  it('plans an application with the programme’s deadline and moves it on', async () => {
    // when
    const planned = await api.as('social', 'POST', `/api/cases/${kase.caseId}/applications`, { kind: 'citizens-income' });
    const submitted = await api.as('social', 'PATCH', `/api/applications/${planned.body.id}`, { status: 'submitted' });
    const backwards = await api.as('social', 'PATCH', `/api/applications/${planned.body.id}`, { status: 'planned' });
    const foreign = await api.as('other', 'PATCH', `/api/applications/${planned.body.id}`, { status: 'approved' });
    // then: 28 days before the expected release of 2027-06-30
    expect(planned.status).toBe(201);
    expect(planned.body).toMatchObject({ kind: 'citizens-income', lifeDomain: 'finances', status: 'planned', deadline: '2027-06-02' });
    expect(submitted.body).toMatchObject({ status: 'submitted' });
    expect(backwards.status).toBe(409);
    expect(foreign.status).toBe(403);
    expect((await api.as('supervisor', 'GET', `/api/cases/${kase.caseId}/applications`)).body).toHaveLength(1);
  });

  it('records an extension request and tells the process', async () => {
    // when
    const requested = await api.as('social', 'POST', `/api/cases/${kase.caseId}/extensions`, { months: 3, justification: 'Wohnung noch nicht gesichert' });
    const foreign = await api.as('other', 'GET', `/api/cases/${kase.caseId}/extensions`);
    // then
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ caseId: kase.caseId, months: 3, status: 'requested' });
    expect(foreign.status).toBe(403);
    expect((await api.as('social', 'GET', `/api/cases/${kase.caseId}/extensions`)).body).toEqual([requested.body]);
    const { rows } = await api.db.query(`select name, variables from engine_message where correlation_key = $1 and name = 'extension-requested'`, [kase.caseId]);
    expect(rows).toEqual([{ name: 'extension-requested', variables: { extensionId: requested.body.id } }]);
    const audit = await api.db.query<{ action: string }>('select action from audit_log where team_id = $1 order by seq', ['team-a']);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['referral.create', 'referral.answer', 'application.create', 'application.status', 'extension.request']));
  });
});
