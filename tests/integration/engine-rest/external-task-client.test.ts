/**
 * Issue 3, acceptance 2: the real camunda-external-task-client-js 3.1 completes, fails and
 * throws BPMN errors on the engine's jobs over /engine-rest, against the real server, on every
 * back-end. ENGINE_AUTH=none here; credentials are covered in credentials.test.ts.
 */
import { Variables, type EngineError, type Task, type TaskService } from 'camunda-external-task-client-js';
import { describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { deferred, post, useEngineRestServer, waitFor } from './engine-rest-server.js';

describe.each(backends)('Camunda 7 external-task client on $name', (backend) => {
  const server = useEngineRestServer(backend, { ENGINE_AUTH: 'none' });

  const instance = async (key: string) => {
    const { rows } = await server.db.query<{ state: string; variables: Record<string, unknown>; incident: boolean }>(
      'select state, variables, incident from engine_instance where key = $1',
      [key],
    );
    return rows[0];
  };
  const completedElements = async (key: string) => {
    const { rows } = await server.db.query<{ element_id: string }>(
      `select element_id from engine_element_instance where instance_key = $1 and state = 'COMPLETED' order by key`,
      [key],
    );
    return rows.map((row) => row.element_id);
  };
  const job = async (key: string) => {
    const { rows } = await server.db.query<{ state: string; worker: string | null; deadline: Date | null; retries: number }>(
      'select state, worker, deadline, retries from engine_job where key = $1',
      [key],
    );
    return rows[0];
  };

  it('hands over typed variables and headers, and completes with typed variables that steer the gateway', async () => {
    // given an instance waiting at a c7-score job, and a worker subscribed to that topic
    const { processInstanceKey } = await server.engine.createInstance({
      processDefinitionId: 'c7-scoring',
      variables: { applicant: 'A-17', months: 14, bigNumber: 2 ** 40, ratio: 0.75, urgent: true, address: { city: 'Bremen' }, note: null },
    });
    const received = deferred<Task>();
    const client = server.client({ workerId: 'scorer' });
    client.subscribe('c7-score', { includeExtensionProperties: true }, async ({ task, taskService }) => {
      received.resolve(task);
      const output = new Variables()
        .setTyped('approved', { type: 'boolean', value: true })
        .setTyped('points', { type: 'integer', value: 12 })
        .setTyped('caseNumber', { type: 'long', value: 2 ** 35 })
        .setTyped('weight', { type: 'double', value: 1.5 })
        .setTyped('label', { type: 'string', value: 'ok' })
        .setTyped('decision', { type: 'json', value: { by: 'scorer', reasons: ['stable housing'] } })
        .setTyped('decidedAt', { type: 'date', value: new Date('2027-01-04T09:30:00Z') })
        .setTyped('cleared', { type: 'null', value: null });
      await taskService.complete(task, output);
    });

    // when the client polls
    client.start();
    const task = await received.promise;

    // then it got the task with its variables typed as Camunda 7 types them
    expect(task).toMatchObject({
      topicName: 'c7-score',
      workerId: 'scorer',
      processInstanceId: processInstanceKey,
      processDefinitionKey: 'c7-scoring',
      activityId: 'score-application',
      retries: 3,
      extensionProperties: { model: 'points-v2' },
    });
    expect(task.lockExpirationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    const typed = task.variables.getAllTyped();
    expect(typed.applicant).toMatchObject({ type: 'string', value: 'A-17' });
    expect(typed.months).toMatchObject({ type: 'integer', value: 14 });
    expect(typed.bigNumber).toMatchObject({ type: 'long', value: 2 ** 40 });
    expect(typed.ratio).toMatchObject({ type: 'double', value: 0.75 });
    expect(typed.urgent).toMatchObject({ type: 'boolean', value: true });
    expect(typed.address).toMatchObject({ type: 'json', value: { city: 'Bremen' } });
    expect(typed.note).toMatchObject({ type: 'null', value: null });

    // and its completion moved the instance through the approved branch with the variables stored
    await waitFor(async () => (await instance(processInstanceKey)).state === 'COMPLETED');
    expect(await completedElements(processInstanceKey)).toContain('approved');
    expect((await instance(processInstanceKey)).variables).toMatchObject({
      approved: true,
      points: 12,
      caseNumber: 2 ** 35,
      weight: 1.5,
      label: 'ok',
      decision: { by: 'scorer', reasons: ['stable housing'] },
      decidedAt: '2027-01-04T09:30:00.000Z',
      cleared: null,
    });
  });

  it('retries a failed task after its retryTimeout, and raises an incident when no retries are left', async () => {
    // given an instance at a c7-flaky job and a worker that always fails
    const { processInstanceKey } = await server.engine.createInstance({ processDefinitionId: 'c7-flaky', variables: {} });
    const attempts: { id: string; retries: number | null; at: number }[] = [];
    const client = server.client({ workerId: 'flaky-worker' });
    client.subscribe('c7-flaky', async ({ task, taskService }) => {
      attempts.push({ id: task.id, retries: task.retries, at: Date.now() });
      const retries = attempts.length === 1 ? 1 : 0;
      await taskService.handleFailure(task, {
        errorMessage: `partner unreachable (attempt ${attempts.length})`,
        errorDetails: 'ECONNREFUSED at connect',
        retries,
        retryTimeout: 600,
      });
    });

    // when it polls
    client.start();

    // then the task comes back only after the retry timeout, with the retries the worker reported
    await waitFor(async () => attempts.length >= 2);
    expect(attempts[1].id).toBe(attempts[0].id);
    expect(attempts[1].retries).toBe(1);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(600);

    // and the second failure with no retries left is an incident on the instance, not a third attempt
    const incident = await waitFor(async () => {
      const { rows } = await server.db.query<{ error_type: string; error_message: string; state: string; job_key: string }>(
        'select error_type, error_message, state, job_key from engine_incident where instance_key = $1',
        [processInstanceKey],
      );
      return rows[0];
    });
    expect(incident).toMatchObject({
      error_type: 'JOB_NO_RETRIES',
      error_message: 'partner unreachable (attempt 2)',
      state: 'ACTIVE',
      job_key: attempts[0].id,
    });
    expect(await instance(processInstanceKey)).toMatchObject({ state: 'ACTIVE', incident: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(attempts).toHaveLength(2);
  });

  it('throws a BPMN error with variables that the error boundary catches', async () => {
    // given an instance at a c7-eligibility job with an error boundary for NOT_ELIGIBLE
    const { processInstanceKey } = await server.engine.createInstance({ processDefinitionId: 'c7-eligibility', variables: {} });
    const client = server.client({ workerId: 'eligibility-worker' });
    client.subscribe('c7-eligibility', async ({ task, taskService }) => {
      await taskService.handleBpmnError(
        task,
        'NOT_ELIGIBLE',
        'sentence shorter than one year',
        new Variables().set('rejectionReason', 'short-sentence'),
      );
    });

    // when the worker answers with the BPMN error
    client.start();

    // then the boundary took it: the instance ended at closed-not-eligible with the variable set
    await waitFor(async () => (await instance(processInstanceKey)).state === 'COMPLETED');
    const completed = await completedElements(processInstanceKey);
    expect(completed).toContain('closed-not-eligible');
    expect(completed).not.toContain('eligible');
    expect((await instance(processInstanceKey)).variables).toMatchObject({ rejectionReason: 'short-sentence' });
  });

  it('extends a lock and unlocks a task, which is then fetched again', async () => {
    // given a task fetched with a short lock
    const { processInstanceKey } = await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane: 'lock' } });
    const seen: string[] = [];
    const extended = deferred<void>();
    const client = server.client({ workerId: 'lock-worker', lockDuration: 5_000 });
    let taskId = '';
    let extendedChecked = false;
    client.subscribe('c7-first-lock', async ({ task, taskService }) => {
      seen.push(task.id);
      taskId = task.id;
      if (seen.length === 1) {
        // when the worker extends its lock to ten minutes, and later gives the task back
        await taskService.extendLock(task, 600_000);
        extended.resolve();
        await waitFor(async () => extendedChecked);
        await taskService.unlock(task);
        return;
      }
      await taskService.complete(task);
    });
    client.start();
    await extended.promise;

    // then the lock runs ten minutes from now instead of five seconds
    const locked = await job(taskId);
    expect(locked.state).toBe('ACTIVATED');
    expect(locked.worker).toBe('lock-worker');
    expect(new Date(locked.deadline!).getTime() - Date.now()).toBeGreaterThan(590_000);
    extendedChecked = true;

    // and after the unlock the same task is fetched again at once and can be completed
    await waitFor(async () => (await instance(processInstanceKey)).state === 'ACTIVE' && seen.length >= 2);
    expect(seen).toEqual([taskId, taskId]);
    await waitFor(async () => (await job(taskId)).state === 'COMPLETED');
  });

  it('answers a waiting long poll as soon as a task of its topic appears', async () => {
    // given a long-polling client (20 s) on the second step, whose poll is already waiting
    const { processInstanceKey } = await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane: 'poll' } });
    const first = await post(`${server.baseUrl}/external-task/fetchAndLock`, {
      workerId: 'starter',
      maxTasks: 1,
      topics: [{ topicName: 'c7-first-poll', lockDuration: 30_000 }],
    });
    expect(first.body).toHaveLength(1);
    const received = deferred<number>();
    const pollStarted = deferred<void>();
    const client = server.client({ workerId: 'long-poller', asyncResponseTimeout: 20_000 });
    client.once('poll:start', () => pollStarted.resolve());
    client.subscribe('c7-second-poll', async ({ task, taskService }) => {
      received.resolve(Date.now());
      await taskService.complete(task);
    });
    client.start();
    await pollStarted.promise;
    // Well inside the wait, and away from its periodic re-check (every 2 s).
    await new Promise((resolve) => setTimeout(resolve, 700));

    // when the first step completes, which makes the second step's task
    const completedAt = Date.now();
    const completion = await post(`${server.baseUrl}/external-task/${first.body[0].id}/complete`, { workerId: 'starter' });
    expect(completion.status).toBe(204);

    // then the waiting poll answers at once, not at its next re-check or its timeout
    const receivedAt = await received.promise;
    expect(receivedAt - completedAt).toBeLessThan(800);
    await waitFor(async () => (await instance(processInstanceKey)).state === 'COMPLETED');
  });

  it('refuses a command from a worker that does not hold the lock, in Camunda 7 terms', async () => {
    // given a task locked by one worker
    await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane: 'intruder' } });
    const holder = server.client({ workerId: 'holder' });
    const fetched = deferred<{ task: Task; taskService: TaskService }>();
    holder.subscribe('c7-first-intruder', (args) => fetched.resolve(args));
    holder.start();
    const { task } = await fetched.promise;
    holder.stop();

    // when another worker tries to complete, fail or extend it
    const intruder = server.client({ workerId: 'intruder' });
    const [completing, failing, extending] = await Promise.allSettled([
      intruder.taskService.complete(task),
      intruder.taskService.handleFailure(task, { errorMessage: 'x', retries: 0 }),
      intruder.taskService.extendLock(task, 1_000),
    ]);

    // then each is refused with 400 and Camunda 7's message, and the task stays with its holder
    const refusals = [completing, failing, extending].map((outcome) =>
      outcome.status === 'rejected' ? (outcome.reason as EngineError) : undefined,
    );
    expect(refusals.map((refusal) => refusal?.httpStatusCode)).toEqual([400, 400, 400]);
    expect(refusals[0]).toMatchObject({
      type: 'RestException',
      engineMsg: `External Task ${task.id} cannot be completed by worker 'intruder'. It is locked by worker 'holder'.`,
    });
    expect(await job(task.id)).toMatchObject({ state: 'ACTIVATED', worker: 'holder' });
  });
});
