/**
 * Edges of the /v2 protocol that the SDK's happy paths do not reach: oversized deployments,
 * bodiless JSON requests, long polls whose worker went away, and long polls during shutdown.
 * Raw HTTP where the point is what goes over the wire.
 */
import { fileURLToPath } from 'node:url';
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESOURCE_BYTES } from '../../../src/engine/lint/index.js';
import { backends } from '../../helpers/databases.js';
import { createSdkClient, startEngineServer, type EngineServer } from '../../helpers/engine-server.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/bpmn/v2/${name}`, import.meta.url));

describe.each(backends)('/v2 protocol edges on $name', (backend) => {
  let engine: EngineServer;
  let client: CamundaClientLoose;

  beforeAll(async () => {
    engine = await startEngineServer(backend);
    client = await createSdkClient(engine.url);
    await client.deployResourcesFromFiles([fixture('v2-job-flow.bpmn')]);
  });
  afterAll(async () => {
    await engine?.close();
  });

  const activation = (type: string, requestTimeout: number, signal?: AbortSignal) =>
    fetch(`${engine.url}/v2/jobs/activation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type, worker: 'raw', maxJobsToActivate: 1, timeout: '60000', requestTimeout: String(requestTimeout) }),
      signal,
    });

  it('refuses a resource over 5 MB with a 400 problem naming it', async () => {
    // given: a "BPMN" file one byte over the limit
    const form = new FormData();
    form.append('resources', new Blob([Buffer.alloc(MAX_RESOURCE_BYTES + 1, 0x20)], { type: 'application/xml' }), 'huge.bpmn');
    // when: it is deployed
    const response = await fetch(`${engine.url}/v2/deployments`, { method: 'POST', body: form });
    // then: refused, with the file named in a problem body
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 400, detail: expect.stringContaining('huge.bpmn') });
  });

  it('takes a JSON request without a body as an empty one, as the SDK sends commands without payload', async () => {
    // when: a cancellation arrives with a JSON content type and no body
    const response = await fetch(`${engine.url}/v2/process-instances/42/cancellation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    // then: it is judged on its merits (no such instance), not refused as malformed
    expect(response.status).toBe(404);
  });

  const send = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${engine.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as any };
  };
  const countInstances = async () => (await send('POST', '/v2/process-instances/search', {})).body.page.totalItems as number;

  it('refuses NUL characters, lone surrogates and deep nesting with 400, and starts no instance', async () => {
    // given the number of instances so far
    const before = await countInstances();
    // when variables carry what PostgreSQL's jsonb cannot hold
    const nul = await send('POST', '/v2/process-instances', { processDefinitionId: 'v2-job-flow', variables: { kind: 'a\u0000' } });
    const surrogate = await send('POST', '/v2/process-instances', '{"processDefinitionId":"v2-job-flow","variables":{"kind":"\\ud800"}}');
    const deep = await send(
      'POST',
      '/v2/process-instances',
      `{"processDefinitionId":"v2-job-flow","variables":{"kind":"x","d":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`,
    );
    const message = await send('POST', '/v2/messages/publication', { name: 'm\u0000', timeToLive: 0 });
    // then each is a 400 problem naming the place, and nothing was started
    for (const answer of [nul, surrogate, deep, message]) {
      expect(answer).toMatchObject({ status: 400, type: expect.stringContaining('application/problem+json'), body: { code: 'INVALID_INPUT' } });
    }
    expect(nul.body.detail).toContain('body.variables.kind');
    expect(await countInstances()).toBe(before);
  });

  it('refuses a multipart body it cannot read, and resources the database cannot store, with 400', async () => {
    // when the multipart framing is broken, or a resource holds a NUL byte or a form nested too deeply
    const post = (headers: Record<string, string>, body: string | FormData) =>
      fetch(`${engine.url}/v2/deployments`, { method: 'POST', headers, body });
    const noBoundary = await post({ 'content-type': 'multipart/form-data' }, 'no boundary');
    const cutShort = await post(
      { 'content-type': 'multipart/form-data; boundary=x' },
      '--x\r\nContent-Disposition: form-data; name="resources"; filename="a.bpmn"\r\n\r\n<a/>',
    );
    const form = (name: string, content: string) => {
      const data = new FormData();
      data.append('resources', new Blob([content]), name);
      return data;
    };
    const deepForm = await post({}, form('deep.form', `{"id":"deep","components":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`));
    const nulForm = await post({}, form('nul.form', '{"id":"nul","components":[{"label":"\\u0000"}]}'));
    const nulByte = await post({}, form('nul.bpmn', '<?xml version="1.0"?><!-- \u0000 --><a/>'));
    // then each is a 400 problem, none a 500
    for (const response of [noBoundary, cutShort, deepForm, nulForm, nulByte]) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses durations, retries, versions and clock times that no column or date can hold with 400', async () => {
    const answers = [
      await send('POST', '/v2/jobs/activation', { type: 'v2-none', timeout: 1e15, maxJobsToActivate: 1, requestTimeout: -1 }),
      await send('POST', '/v2/messages/publication', { name: 'v2-none', timeToLive: '100000000000000000' }),
      await send('PATCH', '/v2/jobs/1', { changeset: { timeout: 1e300 } }),
      await send('PATCH', '/v2/jobs/1', { changeset: { retries: 2 ** 31 } }),
      await send('POST', '/v2/jobs/1/failure', { retries: 1e20 }),
      await send('POST', '/v2/jobs/1/failure', { retries: 1, retryBackOff: 1e300 }),
      await send('POST', '/v2/process-instances', { processDefinitionId: 'v2-job-flow', processDefinitionVersion: 1e20 }),
      await send('PUT', '/v2/clock', { timestamp: 8.64e15 }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));
  });

  it('refuses search filters and pages beyond their columns with 400, as any other invalid filter', async () => {
    const search = (body: unknown) => send('POST', '/v2/process-instances/search', body);
    const cursor = Buffer.from('{"offset":1e20}').toString('base64');
    const answers = [
      await search({ filter: { processDefinitionVersion: 1e20 } }),
      await search({ filter: { processDefinitionVersion: { $gt: 2 ** 31 } } }),
      await search({ filter: { startDate: '+275760-09-13T00:00:00Z' } }),
      await search({ filter: { startDate: { $gte: '0000-01-01T00:00:00Z' } } }),
      await search({ filter: { variables: [{ name: 'kind', value: '"\\u0000"' }] } }),
      await search({ page: { from: 1e20 } }),
      await search({ page: { after: cursor } }),
    ];
    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual(answers.map(() => [400, 'INVALID_ARGUMENT']));
    // and the edges that still fit are answered
    expect((await search({ filter: { startDate: { $lt: '9999-12-31T23:59:59Z' }, processDefinitionVersion: 2 ** 31 - 1 } })).status).toBe(200);
  });

  it('hands a job to the next worker when the worker that polled for it went away', async () => {
    // given: a long poll that its worker abandons after 200 ms
    const abandoned = new AbortController();
    const poll = activation('v2-check-abandoned', 10_000, abandoned.signal).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    abandoned.abort();
    await poll;
    // when: a job of that type appears
    const { processInstanceKey } = await client.createProcessInstance({ processDefinitionId: 'v2-job-flow', variables: { kind: 'abandoned' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // then: the next worker gets it (the abandoned poll did not keep it locked)
    const { jobs } = await client.activateJobs({ type: 'v2-check-abandoned', worker: 'w', maxJobsToActivate: 1, timeout: 5_000, requestTimeout: -1 });
    expect(jobs.map((job) => job.processInstanceKey)).toEqual([processInstanceKey]);
  });

  it('answers a waiting long poll at once, with no jobs, when the server shuts down', async () => {
    // given: a long poll waiting for up to 30 s
    const poll = activation('v2-check-never', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // when: the server closes
    const started = Date.now();
    await engine.server.close();
    // then: the poll got an answer with no jobs and the close did not wait for its timeout
    const response = await poll;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jobs: [] });
  });
});
