/**
 * Deployments, processes and forms over the product API: deploy with the engine's check, list
 * versions, fetch the XML and the form schema, start a simulation instance.
 */
import { describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { fixture, useProductApi } from './product-harness.js';

describe.each(backends)('deployments and processes on $name', (backend) => {
  const api = useProductApi(backend);

  it('lists the deployed process with its version and serves its XML', async () => {
    // given: the harness deployed transition-case v1
    // when
    const processes = await api.as('owner', 'GET', '/api/processes');
    const xml = await api.as('supervisor', 'GET', '/api/processes/transition-case/versions/1/xml');
    // then
    expect(processes.status).toBe(200);
    expect(processes.body).toEqual([
      expect.objectContaining({
        processId: 'transition-case',
        name: 'Übergang (Testfall)',
        latestVersion: 1,
        versions: [expect.objectContaining({ version: 1, processDefinitionKey: expect.stringMatching(/^\d+$/) })],
      }),
    ]);
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(xml.body).toBe(await fixture('transition-case.bpmn'));
  });

  it('makes a changed diagram the next version and keeps an unchanged one', async () => {
    // given
    const changed = (await fixture('transition-case.bpmn')).replace('Aufnahmegespräch', 'Erstgespräch');
    // when
    const same = await api.as('owner', 'POST', '/api/deployments', {
      resources: [{ name: 'transition-case.bpmn', content: await fixture('transition-case.bpmn') }],
    });
    const next = await api.as('admin', 'POST', '/api/deployments', { resources: [{ name: 'transition-case.bpmn', content: changed }] });
    // then
    expect(same.status).toBe(201);
    expect(same.body.processes).toEqual([expect.objectContaining({ processId: 'transition-case', version: 1 })]);
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ deploymentKey: expect.stringMatching(/^\d+$/), processes: [{ processId: 'transition-case', version: 2 }], forms: [] });
    const xml = await api.as('owner', 'GET', '/api/processes/transition-case/versions/2/xml');
    expect(xml.body).toContain('Erstgespräch');
  });

  it('refuses a diagram the engine cannot run with its findings per element, and stores nothing', async () => {
    // given
    const before = await api.db.query('select count(*)::int as n from engine_deployment');
    // when
    const answer = await api.as('owner', 'POST', '/api/deployments', { resources: [{ name: 'broken.bpmn', content: await fixture('broken.bpmn') }] });
    // then
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    expect(answer.body.issues).toContainEqual({ elementId: 'work', message: expect.any(String) });
    const after = await api.db.query('select count(*)::int as n from engine_deployment');
    expect(after.rows).toEqual(before.rows);
  });

  it('serves the forms and the latest schema of one', async () => {
    // when
    const forms = await api.as('social', 'GET', '/api/forms');
    const form = await api.as('social', 'GET', '/api/forms/api-intake');
    const missing = await api.as('social', 'GET', '/api/forms/no-such-form');
    // then
    expect(forms.body).toEqual([{ formId: 'api-intake', latestVersion: 1 }]);
    expect(form.body).toMatchObject({ id: 'api-intake', components: expect.any(Array) });
    expect(missing.status).toBe(404);
  });

  it('starts a simulation instance with chosen variables for the process owner', async () => {
    // when
    const answer = await api.as('owner', 'POST', '/api/simulation/instances', {
      processId: 'transition-case',
      variables: { caseId: 'simulated', expectedRelease: '2027-01-31' },
    });
    // then
    expect(answer.status).toBe(201);
    const { rows } = await api.db.query<{ state: string }>('select state from engine_instance where key = $1', [answer.body.instanceKey]);
    expect(rows).toEqual([{ state: 'ACTIVE' }]);
  });
});

describe.each(backends)('simulation under the system clock on $name', (backend) => {
  const api = useProductApi(backend, { env: { CLOCK: 'system' }, deploy: true });

  it('refuses to start a simulation instance', async () => {
    const answer = await api.as('owner', 'POST', '/api/simulation/instances', { processId: 'transition-case', variables: {} });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('CLOCK_NOT_SIMULATED');
  });
});
