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
