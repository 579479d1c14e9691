/**
 * The Camunda 8 REST API v2 subset, driven by the real `@camunda8/sdk` 8.8 in strict validation
 * mode (its own schemas check every request and response) against the real server over HTTP,
 * on every back-end. The project's own BPMN fixtures (tests/fixtures/bpmn/v2/).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSdkClient, startEngineServer, type EngineServer } from '../../helpers/engine-server.js';
import { backends } from '../../helpers/databases.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/bpmn/v2/${name}`, import.meta.url));
const lintFixture = (name: string) => fileURLToPath(new URL(`../../fixtures/bpmn/lint/${name}`, import.meta.url));
/** Searches read committed state at once: no eventual consistency to wait for. */
const now = { consistency: { waitUpToMs: 0 } };
const DAY_MS = 24 * 60 * 60 * 1000;
/** The SDK brands keys in search filters even in its loose client; ours are plain strings. */
const asKey = (value: unknown) => String(value) as never;

/** Polls `read` until `done` holds for its value (or fails after `timeoutMs` with the last value). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(value, replacer)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function replacer(_key: string, value: unknown) {
  return typeof value === 'bigint' ? value.toString() : value;
}

describe.each(backends)('Camunda 8 REST API v2 through @camunda8/sdk on $name', (backend) => {
  let engine: EngineServer;
  let client: CamundaClientLoose;

  beforeAll(async () => {
    engine = await startEngineServer(backend);
    client = await createSdkClient(engine.url);
    await client.deployResourcesFromFiles([fixture('v2-job-flow.bpmn'), fixture('v2-approval.bpmn'), fixture('v2-referral-start.bpmn')]);
  });
  afterAll(async () => {
    await engine?.close();
  });

  const instance = (processInstanceKey: string) => client.getProcessInstance({ processInstanceKey }, now);
  const elements = async (processInstanceKey: string) => {
    const { items } = await client.searchElementInstances({ filter: { processInstanceKey: asKey(processInstanceKey) }, page: { limit: 100 } }, now);
    return (items ?? []).map((item) => `${item.elementId}:${item.state}`);
  };
  const variablesOf = async (processInstanceKey: string) => {
    const { items } = await client.searchVariables({ filter: { processInstanceKey: asKey(processInstanceKey) } }, now);
    return Object.fromEntries(items.map((item) => [item.name, JSON.parse(item.value)]));
  };
  const startJobFlow = async (kind: string) =>
    (await client.createProcessInstance({ processDefinitionId: 'v2-job-flow', variables: { kind } })).processInstanceKey;
  const activateOne = async (type: string) => {
    const { jobs } = await client.activateJobs({ type, worker: 'v2-test', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: 5_000 });
    expect(jobs).toHaveLength(1);
    return jobs[0];
  };

  describe('deployments and process definitions', () => {
    it('deploys BPMN over multipart, keeps the version of an identical redeploy and serves the XML byte for byte', async () => {
      // given: the fixtures deployed before all tests
      // when: the same file is deployed again
      const again = await client.deployResourcesFromFiles([fixture('v2-job-flow.bpmn')]);
      // then: the same definition and version answer, and its XML is the file
      const [deployed] = again.deployments;
      expect(deployed.processDefinition).toMatchObject({ processDefinitionId: 'v2-job-flow', processDefinitionVersion: 1, resourceName: 'v2-job-flow.bpmn' });
      const xml = await client.getProcessDefinitionXml({ processDefinitionKey: deployed.processDefinition!.processDefinitionKey }, now);
      expect(xml).toBe(await readFile(fixture('v2-job-flow.bpmn'), 'utf8'));
      const { items } = await client.searchProcessDefinitions({ filter: { processDefinitionId: 'v2-job-flow', isLatestVersion: true } }, now);
      expect(items).toEqual([expect.objectContaining({ processDefinitionKey: deployed.processDefinition!.processDefinitionKey, name: 'Job flow', version: 1 })]);
    });

    it('refuses a diagram the engine would run wrong with a 400 problem naming the element, storing nothing', async () => {
      // given: a diagram with an inclusive gateway join (the engine does not synchronise it)
      const before = await client.searchProcessDefinitions({}, now);
      // when / then: the deployment is refused with the reason
      const refused = client.deployResourcesFromFiles([lintFixture('inclusive-gateway-join.fail.bpmn')]);
      await expect(refused).rejects.toMatchObject({ status: 400 });
      await expect(refused).rejects.toMatchObject({ detail: expect.stringContaining('cannot run on this engine') });
      const after = await client.searchProcessDefinitions({}, now);
      expect(after.page.totalItems).toBe(before.page.totalItems);
    });
  });

  describe('jobs', () => {
    it('lets an SDK job worker complete jobs: the instance moves on to the end event with the output variables', async () => {
      // given: a job worker for the job type the FEEL expression computes
      const seen: Record<string, unknown>[] = [];
      const worker = client.createJobWorker({
        jobType: 'v2-check-passport',
        jobTimeoutMs: 30_000,
        maxParallelJobs: 2,
        pollTimeoutMs: 2_000,
        workerName: 'passport-checker',
        jobHandler: (job) => {
          seen.push({ ...job.variables, header: job.customHeaders.source, worker: job.worker });
          return job.complete({ documentValid: true });
        },
      });
      try {
        // when: an instance starts
        const key = await startJobFlow('passport');
        // then: the worker saw its variables and headers, and the instance completed on the happy path
        await eventually(() => instance(key), (i) => i.state === 'COMPLETED');
        expect(seen).toEqual([{ kind: 'passport', header: 'v2-test', worker: 'passport-checker' }]);
        expect(await elements(key)).toContain('closed-checked:COMPLETED');
        expect(await variablesOf(key)).toEqual({ kind: 'passport', documentValid: true });
      } finally {
        worker.stop();
      }
    });

    it('answers a long poll as soon as a matching job appears, and at once for a negative request timeout', async () => {
      // given: no job of this type yet
      const immediate = Date.now();
      const none = await client.activateJobs({ type: 'v2-check-visa', worker: 'w', maxJobsToActivate: 1, timeout: 1_000, requestTimeout: -1 });
      expect(none.jobs).toEqual([]);
      expect(Date.now() - immediate).toBeLessThan(1_000);
      // when: a worker polls for up to 8 s and an instance starts 300 ms later
      const started = Date.now();
      const polling = client.activateJobs({ type: 'v2-check-visa', worker: 'w', maxJobsToActivate: 1, timeout: 60_000, requestTimeout: 8_000, fetchVariable: ['kind'] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const key = await startJobFlow('visa');
      // then: the poll returns that job long before its timeout, with only the fetched variables
      const { jobs } = await polling;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(jobs).toEqual([expect.objectContaining({ processInstanceKey: key, elementId: 'check-document', retries: 2, kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED', variables: { kind: 'visa' } })]);
      await client.completeJob({ jobKey: jobs[0].jobKey, variables: {} });
    });

    it('gives a failed job back while retries remain; without retries it raises an incident whose resolution lets it run again', async () => {
      // given: an instance whose job fails once with one retry left
      const key = await startJobFlow('birth-certificate');
      const first = await activateOne('v2-check-birth-certificate');
      await client.failJob({ jobKey: first.jobKey, retries: 1, errorMessage: 'registry offline' });
      // when: it is activated again and fails with no retries left
      const second = await activateOne('v2-check-birth-certificate');
      expect(second).toMatchObject({ jobKey: first.jobKey, retries: 1 });
      await client.failJob({ jobKey: second.jobKey, retries: 0, errorMessage: 'registry still offline' });
      // then: an incident names the job and the instance shows it
      const incidents = await client.searchIncidents({ filter: { processInstanceKey: asKey(key), state: 'ACTIVE' } }, now);
      expect(incidents.items).toEqual([
        expect.objectContaining({ errorType: 'JOB_NO_RETRIES', errorMessage: 'registry still offline', jobKey: first.jobKey, elementId: 'check-document', state: 'ACTIVE' }),
      ]);
      expect(await instance(key)).toMatchObject({ hasIncident: true, state: 'ACTIVE' });
      const none = await client.activateJobs({ type: 'v2-check-birth-certificate', worker: 'w', maxJobsToActivate: 1, timeout: 1_000, requestTimeout: -1 });
      expect(none.jobs).toEqual([]);
      // when: the incident is resolved, the job runs again and completes
      await client.resolveIncident({ incidentKey: asKey(incidents.items![0].incidentKey) });
      const third = await activateOne('v2-check-birth-certificate');
      await client.completeJob({ jobKey: third.jobKey, variables: {} });
      // then: the instance completes and the incident is resolved
      expect(await instance(key)).toMatchObject({ state: 'COMPLETED', hasIncident: false });
      const resolved = await client.getIncident({ incidentKey: asKey(incidents.items![0].incidentKey) }, now);
      expect(resolved.state).toBe('RESOLVED');
    });

    it('routes a thrown BPMN error to the matching boundary event with its variables; an unknown code becomes an incident', async () => {
      // given: two instances waiting at the document check
      const caught = await startJobFlow('residence-permit');
      const job = await activateOne('v2-check-residence-permit');
      // when: the worker throws the modelled error code
      await client.throwJobError({ jobKey: job.jobKey, errorCode: 'DOCUMENT_REJECTED', errorMessage: 'expired', variables: { reason: 'expired' } });
      // then: the boundary event takes the token to the rejection end event
      expect(await instance(caught)).toMatchObject({ state: 'COMPLETED' });
      expect(await elements(caught)).toEqual(expect.arrayContaining(['document-rejected:COMPLETED', 'closed-rejected:COMPLETED']));
      expect(await variablesOf(caught)).toMatchObject({ reason: 'expired' });

      // when: another job throws a code nothing catches
      const uncaught = await startJobFlow('residence-permit');
      const other = await activateOne('v2-check-residence-permit');
      await client.throwJobError({ jobKey: other.jobKey, errorCode: 'NOT_MODELLED' });
      // then: an incident says so
      const { items } = await client.searchIncidents({ filter: { processInstanceKey: asKey(uncaught) } }, now);
      expect(items).toEqual([expect.objectContaining({ errorType: 'UNHANDLED_ERROR_EVENT', state: 'ACTIVE' })]);
    });

    it('changes retries and the lock timeout of an activated job', async () => {
      // given: an activated job with 2 retries and a long lock
      await startJobFlow('tax-id');
      const job = await activateOne('v2-check-tax-id');
      // when: its retries are raised and its timeout shortened to 1 ms
      await client.updateJob({ jobKey: job.jobKey, changeset: { retries: 7, timeout: 1 } });
      // then: the lock runs out and the job comes back with the new retries
      const again = await activateOne('v2-check-tax-id');
      expect(again).toMatchObject({ jobKey: job.jobKey, retries: 7 });
      await client.completeJob({ jobKey: again.jobKey });
    });

    it('answers a command on a job that is not open with a 404 problem+json body', async () => {
      // when: a job that never existed is completed (raw HTTP, to see the body as sent)
      const response = await fetch(`${engine.url}/v2/jobs/123456/completion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ variables: {} }),
      });
      // then: the status and an RFC 9457 body
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found', detail: expect.stringContaining('123456') });
    });
  });

  describe('user tasks and messages', () => {
    const startApproval = async (caseId: string) =>
      (await client.createProcessInstance({ processDefinitionId: 'v2-approval', variables: { caseId, submittedOn: '2027-03-01' } })).processInstanceKey;
    const openTask = async (processInstanceKey: string) => {
      const { items } = await client.searchUserTasks({ filter: { processInstanceKey: asKey(processInstanceKey), state: 'CREATED' } }, now);
      expect(items).toHaveLength(1);
      return items[0];
    };

    it('finds a user task by candidate group, assigns, unassigns and completes it', async () => {
      // given: an instance waiting at the approval task
      const key = await startApproval('case-assign');
      // when: tasks of the candidate group are searched
      const { items } = await client.searchUserTasks({ filter: { candidateGroup: 'social-service', processInstanceKey: asKey(key) } }, now);
      // then: the task carries its name, groups and computed due date
      expect(items).toEqual([
        expect.objectContaining({ elementId: 'approve', name: 'Approve extension', candidateGroups: ['social-service'], dueDate: '2027-03-08T12:00:00.000Z', state: 'CREATED', processInstanceKey: key }),
      ]);
      const task = items[0];
      // when: it is assigned, then unassigned
      await client.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'anna' });
      expect((await client.getUserTask({ userTaskKey: task.userTaskKey }, now)).assignee).toBe('anna');
      await expect(client.assignUserTask({ userTaskKey: task.userTaskKey, assignee: 'ben', allowOverride: false })).rejects.toMatchObject({ status: 409 });
      await client.unassignUserTask({ userTaskKey: task.userTaskKey });
      expect((await client.getUserTask({ userTaskKey: task.userTaskKey }, now)).assignee).toBeUndefined();
      // when: it is completed with the form's variables
      await client.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } });
      // then: the task is completed and the instance waits for the court's answer
      expect(await client.getUserTask({ userTaskKey: task.userTaskKey }, now)).toMatchObject({ state: 'COMPLETED', completionDate: expect.stringMatching(/Z$/) });
      expect(await elements(key)).toContain('court-answer:ACTIVE');
      await expect(client.completeUserTask({ userTaskKey: task.userTaskKey })).rejects.toMatchObject({ status: 404 });
    });

    it('correlates a message to the waiting instance and reports it; a message nobody waits for is a 404', async () => {
      // given: an instance waiting for the court's answer on its case id
      const key = await startApproval('case-correlate');
      await client.completeUserTask({ userTaskKey: (await openTask(key)).userTaskKey, variables: {} });
      // when: nobody waits for another case id
      await expect(client.correlateMessage({ name: 'v2-court-answer', correlationKey: 'case-nobody' })).rejects.toMatchObject({ status: 404 });
      // when: the answer for this case is correlated
      const correlated = await client.correlateMessage({ name: 'v2-court-answer', correlationKey: 'case-correlate', variables: { granted: true } });
      // then: the response names the instance, which completed with the message's variables
      expect(correlated.processInstanceKey).toBe(key);
      expect(await instance(key)).toMatchObject({ state: 'COMPLETED' });
      expect(await variablesOf(key)).toMatchObject({ granted: true });
    });

    it('keeps a published message for its time to live and hands it to a subscription opened later', async () => {
      // given: the answer is published before anyone waits for it
      const { messageKey } = await client.publishMessage({ name: 'v2-court-answer', correlationKey: 'case-early', timeToLive: 60_000, variables: { granted: false } });
      expect(messageKey).toMatch(/^\d+$/);
      // when: the instance reaches the message catch event
      const key = await startApproval('case-early');
      await client.completeUserTask({ userTaskKey: (await openTask(key)).userTaskKey });
      // then: the buffered message completes it at once
      expect(await instance(key)).toMatchObject({ state: 'COMPLETED' });
      expect(await variablesOf(key)).toMatchObject({ granted: false });
    });

    it('starts an instance by message and fires its 30-day timer when the clock is pinned past it', async () => {
      // given: an instance started by its message start event, waiting at a 30-day timer
      const { processInstanceKey } = await client.correlateMessage({ name: 'v2-referral', correlationKey: '', variables: { partnerId: 'p-1' } });
      const started = await instance(String(processInstanceKey));
      expect(started).toMatchObject({ processDefinitionId: 'v2-referral-start', state: 'ACTIVE' });
      expect(await elements(String(processInstanceKey))).toContain('follow-up:ACTIVE');
      // when: the clock is pinned 31 days after the start
      await client.pinClock({ timestamp: Date.parse(started.startDate) + 31 * DAY_MS });
      // then: the timer has fired before the answer, and the clock cannot be reset behind it
      expect(await instance(String(processInstanceKey))).toMatchObject({ state: 'COMPLETED' });
      await expect(client.resetClock()).rejects.toMatchObject({ status: 409 });
      await expect(client.pinClock({ timestamp: Date.parse(started.startDate) })).rejects.toMatchObject({ status: 400 });
    });
  });

  describe('process instances and searches', () => {
    it('cancels an active instance: it ends TERMINATED and its user task is gone', async () => {
      // given: an instance waiting at a user task
      const { processInstanceKey } = await client.createProcessInstance({ processDefinitionId: 'v2-approval', variables: { caseId: 'case-cancel', submittedOn: '2027-03-01' } });
      // when: it is cancelled
      await client.cancelProcessInstance({ processInstanceKey });
      // then: it is terminated, its task cancelled, and a second cancel is a 404
      expect(await instance(processInstanceKey)).toMatchObject({ state: 'TERMINATED', endDate: expect.stringMatching(/Z$/) });
      const { items } = await client.searchUserTasks({ filter: { processInstanceKey: asKey(processInstanceKey) } }, now);
      expect(items.map((task) => task.state)).toEqual(['CANCELED']);
      await expect(client.cancelProcessInstance({ processInstanceKey })).rejects.toMatchObject({ status: 404 });
    });

    it('filters with operators, sorts and pages, counting every match', async () => {
      // given: three more instances of the approval process
      const keys: string[] = [];
      for (const caseId of ['case-page-1', 'case-page-2', 'case-page-3']) {
        keys.push((await client.createProcessInstance({ processDefinitionId: 'v2-approval', variables: { caseId, submittedOn: '2027-03-01' } })).processInstanceKey);
      }
      // when: they are searched two at a time, newest first
      const filter = { processInstanceKey: { $in: keys }, state: 'ACTIVE' as const };
      const first = await client.searchProcessInstances({ filter, sort: [{ field: 'processInstanceKey', order: 'DESC' }], page: { from: 0, limit: 2 } }, now);
      const second = await client.searchProcessInstances({ filter, sort: [{ field: 'processInstanceKey', order: 'DESC' }], page: { from: 2, limit: 2 } }, now);
      // then: the pages split the matches and count all three
      expect(first.page.totalItems).toBe(3n);
      expect([...first.items, ...second.items].map((item) => item.processInstanceKey)).toEqual([...keys].reverse());
      // and: variables can be filtered by value
      const byValue = await client.searchVariables({ filter: { name: 'caseId', value: JSON.stringify('case-page-2') } }, now);
      expect(byValue.items.map((item) => item.processInstanceKey)).toEqual([keys[1]]);
      // and: a filter the engine cannot evaluate is refused, not ignored
      await expect(
        client.searchProcessInstances({ filter: { processInstanceKey: { $in: keys }, batchOperationId: 'b-1' } }, now),
      ).rejects.toMatchObject({ status: 400 });
    });
  });
});
