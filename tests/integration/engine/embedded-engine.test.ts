/** Scenarios on the durable embedded engine: the project's own BPMN, real database, simulated clock. */
import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Database } from '../../../src/db/index.js';
import { createSimulatedClock } from '../../../src/engine/clock.js';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../../src/engine/embedded/engine.js';
import { backends, useDatabase } from '../../helpers/databases.js';

const fixture = async (name: string) => ({
  name,
  content: await readFile(new URL(`../../fixtures/bpmn/engine/${name}`, import.meta.url), 'utf8'),
});

describe.each(backends)('embedded engine on $name', (backend) => {
  const handle = useDatabase(backend);
  const clock = createSimulatedClock(new Date('2027-01-04T08:00:00Z'));
  let engine: EmbeddedEngine;
  /** The test database with some of its methods replaced: for engines that count or disturb what they run. */
  const dbWith = (overrides: Partial<Database>): Database => ({
    kind: handle.db.kind,
    query: (text, params) => handle.db.query(text, params),
    exec: (text) => handle.db.exec(text),
    close: () => handle.db.close(),
    transaction: (fn) => handle.db.transaction(fn),
    ...overrides,
  });

  beforeAll(async () => {
    await migrate(handle.db);
    engine = createEmbeddedEngine({ db: handle.db, clock, log: pino({ level: 'silent' }) });
    await engine.deploy([
      await fixture('intake-check.bpmn'),
      await fixture('release-timer.bpmn'),
      await fixture('referral-answer.bpmn'),
      await fixture('aftercare-period.bpmn'),
      await fixture('message-end-job.bpmn'),
      await fixture('referral-declined.bpmn'),
      await fixture('engine-semantics.bpmn'),
    ]);
  });

  const elements = async (instanceKey: string) => {
    const { rows } = await handle.db.query<{ element_id: string; state: string }>(
      'select element_id, state from engine_element_instance where instance_key = $1 order by key',
      [instanceKey],
    );
    return rows.map((r) => `${r.element_id}:${r.state}`);
  };
  const instanceState = async (instanceKey: string) => {
    const { rows } = await handle.db.query<{ state: string; variables: Record<string, unknown> }>(
      'select state, variables from engine_instance where key = $1',
      [instanceKey],
    );
    return rows[0];
  };

  it('keeps the version of a byte-identical redeploy and counts up for a changed one', async () => {
    const resources = async () => (await handle.db.query<{ n: number }>('select count(*)::int as n from engine_resource')).rows[0].n;
    const stored = await resources();
    const again = await engine.deploy([await fixture('intake-check.bpmn')]);
    expect(again.processes).toEqual([expect.objectContaining({ processDefinitionId: 'intake-check', version: 1 })]);
    // The same bytes under the same name are not stored a second time.
    expect(await resources()).toBe(stored);
    const changed = await fixture('intake-check.bpmn');
    changed.content = changed.content.replace('retries="2"', 'retries="3"');
    const next = await engine.deploy([changed]);
    expect(next.processes[0].version).toBe(2);
    expect(next.processes[0].processDefinitionKey).toMatch(/^\d+$/);
  });

  it('refuses what it cannot run faithfully, naming element and reason, and stores nothing', async () => {
    const count = async () => (await handle.db.query<{ n: number }>('select count(*)::int as n from engine_resource')).rows[0].n;
    const before = await count();
    const xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>';
    await expect(engine.deploy([{ name: 'evil.bpmn', content: xxe }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.deploy([{ name: 'broken.bpmn', content: '<bpmn:definitions' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const inclusiveJoin = (await fixture('intake-check.bpmn')).content
      .replace('<bpmn:exclusiveGateway id="is-eligible" default="f5"/>', '<bpmn:inclusiveGateway id="is-eligible" default="f5"/>')
      .replace('targetRef="intake-done"/>', 'targetRef="is-eligible"/>');
    const refused = engine.deploy([await fixture('release-timer.bpmn'), { name: 'intake-check.bpmn', content: inclusiveJoin }]);
    await expect(refused).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      issues: [expect.objectContaining({ elementId: 'is-eligible', rule: 'uebergang/inclusive-gateway-join' })],
    });
    expect(await count()).toBe(before);
  });

  it('runs start → job (FEEL type, headers, input mapping) → FEEL gateway → user task → end', async () => {
    const { processInstanceKey } = await engine.createInstance({
      processDefinitionId: 'intake-check',
      variables: { programme: 'puemas', sentenceMonths: 14, admittedOn: '2027-01-04' },
    });
    const [job] = await engine.activateJobs({ type: 'eligibility-puemas', worker: 'w1', timeoutMs: 30_000, maxJobsToActivate: 5 });
    expect(job).toMatchObject({
      processInstanceKey,
      elementId: 'check-eligibility',
      retries: 3,
      customHeaders: { rule: 'sentence-at-least-one-year' },
      variables: { programme: 'puemas', sentenceMonths: 14, sentenceDays: 420 },
    });
    expect(await engine.activateJobs({ type: 'eligibility-puemas', worker: 'w2', timeoutMs: 30_000, maxJobsToActivate: 5 })).toEqual([]);

    await engine.completeJob(job.jobKey, { score: 7 });
    await expect(engine.completeJob(job.jobKey, { score: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const { rows: tasks } = await handle.db.query<{ key: string; candidate_groups: string[]; due_date: Date; form_id: string }>(
      `select key, candidate_groups, due_date, form_id from engine_user_task where instance_key = $1 and state = 'CREATED'`,
      [processInstanceKey],
    );
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ candidate_groups: ['social-service', 'psychological-service'], form_id: 'intake-interview' });
    expect(tasks[0].due_date.toISOString()).toBe('2027-01-18T12:00:00.000Z');

    await engine.completeUserTask(tasks[0].key, { interviewDone: true });
    expect(await instanceState(processInstanceKey)).toMatchObject({
      state: 'COMPLETED',
      variables: { score: 7, interviewDone: true, programme: 'puemas' },
    });
    expect(await elements(processInstanceKey)).toEqual(
      expect.arrayContaining(['check-eligibility:COMPLETED', 'is-eligible:COMPLETED', 'intake-interview:COMPLETED', 'intake-done:COMPLETED']),
    );
  });

  it('routes a BPMN error thrown by a worker to the error boundary', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'sona', sentenceMonths: 8 } });
    const [job] = await engine.activateJobs({ type: 'eligibility-sona', worker: 'w1', timeoutMs: 30_000, maxJobsToActivate: 1 });
    await engine.throwJobError(job.jobKey, { errorCode: 'NOT_ELIGIBLE', errorMessage: 'sentence too short' });
    expect(await instanceState(processInstanceKey)).toMatchObject({ state: 'COMPLETED' });
    expect(await elements(processInstanceKey)).toEqual(
      expect.arrayContaining(['check-eligibility:TERMINATED', 'not-eligible:COMPLETED', 'closed-not-eligible:COMPLETED']),
    );
  });

  it('turns an uncaught BPMN error and exhausted retries into incidents that can be resolved', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'x', sentenceMonths: 20 } });
    let [job] = await engine.activateJobs({ type: 'eligibility-x', worker: 'w1', timeoutMs: 30_000, maxJobsToActivate: 1 });
    await engine.failJob(job.jobKey, { retries: 1, errorMessage: 'partner database down', retryBackOffMs: 60_000 });
    expect(await engine.activateJobs({ type: 'eligibility-x', worker: 'w1', timeoutMs: 30_000, maxJobsToActivate: 1 })).toEqual([]);
    clock.set(new Date(clock.now().getTime() + 61_000));
    [job] = await engine.activateJobs({ type: 'eligibility-x', worker: 'w1', timeoutMs: 30_000, maxJobsToActivate: 1 });
    expect(job.retries).toBe(1);
    await engine.failJob(job.jobKey, { retries: 0, errorMessage: 'still down' });

    const { rows: incidents } = await handle.db.query<{ key: string; error_type: string; error_message: string }>(
      `select key, error_type, error_message from engine_incident where instance_key = $1 and state = 'ACTIVE'`,
      [processInstanceKey],
    );
    expect(incidents).toEqual([expect.objectContaining({ error_type: 'JOB_NO_RETRIES', error_message: 'still down' })]);
    await engine.resolveIncident(incidents[0].key);
    [job] = await engine.activateJobs({ type: 'eligibility-x', worker: 'w1', timeoutMs: 30_000, maxJobsToActivate: 1 });
    await engine.throwJobError(job.jobKey, { errorCode: 'SOMETHING_ELSE' });
    const { rows: unhandled } = await handle.db.query(
      `select error_type from engine_incident where instance_key = $1 and state = 'ACTIVE'`,
      [processInstanceKey],
    );
    expect(unhandled).toEqual([{ error_type: 'UNHANDLED_ERROR_EVENT' }]);
  });

  it('raises an incident instead of storing a job type of thousands of characters', async () => {
    const { processInstanceKey } = await engine.createInstance({
      processDefinitionId: 'intake-check',
      variables: { programme: 'x'.repeat(2_000), sentenceMonths: 1 },
    });
    const { rows } = await handle.db.query<{ error_type: string; error_message: string }>(
      `select error_type, error_message from engine_incident where instance_key = $1 and state = 'ACTIVE'`,
      [processInstanceKey],
    );
    expect(rows).toEqual([{ error_type: 'EXTRACT_VALUE_ERROR', error_message: expect.stringContaining('job type is 2012 characters long') }]);
    const jobs = await handle.db.query('select 1 from engine_job where instance_key = $1', [processInstanceKey]);
    expect(jobs.rows).toEqual([]);
  });

  it('gives a job back when its worker lets the lock time run out', async () => {
    await engine.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'lock', sentenceMonths: 20 } });
    const [job] = await engine.activateJobs({ type: 'eligibility-lock', worker: 'slow', timeoutMs: 1_000, maxJobsToActivate: 1 });
    clock.set(new Date(clock.now().getTime() + 2_000));
    expect(await engine.releaseTimedOutJobs()).toBeGreaterThanOrEqual(1);
    const [again] = await engine.activateJobs({ type: 'eligibility-lock', worker: 'fast', timeoutMs: 1_000, maxJobsToActivate: 1 });
    expect(again.jobKey).toBe(job.jobKey);
  });

  it('fires a date timer derived from data, then one 400 days ahead, at the right simulated moments', async () => {
    const { processInstanceKey } = await engine.createInstance({
      processDefinitionId: 'release-timer',
      variables: { expectedRelease: '2028-03-31' },
    });
    const due = async () =>
      (await handle.db.query<{ due_at: Date }>('select due_at from engine_timer where instance_key = $1', [processInstanceKey])).rows.map(
        (r) => r.due_at.toISOString(),
      );
    expect(await due()).toEqual(['2027-09-30T00:00:00.000Z']);

    clock.set(new Date('2027-09-29T23:59:00Z'));
    await engine.fireDueTimers();
    expect(await due()).toEqual(['2027-09-30T00:00:00.000Z']);

    clock.set(new Date('2027-09-30T00:00:01Z'));
    expect(await engine.fireDueTimers()).toBeGreaterThanOrEqual(1);
    const [next] = await due();
    expect(new Date(next).getTime() - new Date('2027-09-30T00:00:01Z').getTime()).toBeLessThan(400 * 86_400_000 + 5_000);
    expect(new Date(next).getTime() - new Date('2027-09-30T00:00:01Z').getTime()).toBeGreaterThanOrEqual(400 * 86_400_000);

    clock.set(new Date(new Date(next).getTime() - 60_000));
    await engine.fireDueTimers();
    expect((await instanceState(processInstanceKey)).state).toBe('ACTIVE');
    clock.set(new Date(new Date(next).getTime() + 1));
    await engine.fireDueTimers();
    expect((await instanceState(processInstanceKey)).state).toBe('COMPLETED');
  });

  it('correlates a message by name and key, before or after the subscription opens', async () => {
    // Published first, buffered with a time to live, taken when the receive task starts waiting.
    await engine.publishMessage({ name: 'partner-answer', correlationKey: 'ref-1', variables: { answer: 'accepted' }, timeToLiveMs: 60_000 });
    const early = await engine.createInstance({ processDefinitionId: 'referral-answer', variables: { referralId: 'ref-1' } });
    expect(await instanceState(early.processInstanceKey)).toMatchObject({ state: 'COMPLETED', variables: { answer: 'accepted' } });

    // Subscription first; a message for another key does not touch it.
    const late = await engine.createInstance({ processDefinitionId: 'referral-answer', variables: { referralId: 'ref-2' } });
    await engine.publishMessage({ name: 'partner-answer', correlationKey: 'ref-3', variables: { answer: 'declined' } });
    expect((await instanceState(late.processInstanceKey)).state).toBe('ACTIVE');
    await engine.publishMessage({ name: 'partner-answer', correlationKey: 'ref-2', variables: { answer: 'declined' } });
    expect(await instanceState(late.processInstanceKey)).toMatchObject({ state: 'COMPLETED', variables: { answer: 'declined' } });
  });

  it('keeps waiting after a non-interrupting timer boundary fires', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'referral-answer', variables: { referralId: 'ref-silent' } });
    clock.set(new Date(clock.now().getTime() + 15 * 86_400_000));
    await engine.fireDueTimers();
    const [reminder] = await engine.activateJobs({ type: 'notifications', worker: 'w', timeoutMs: 10_000, maxJobsToActivate: 1 });
    expect(reminder.processInstanceKey).toBe(processInstanceKey);
    await engine.completeJob(reminder.jobKey);
    expect((await instanceState(processInstanceKey)).state).toBe('ACTIVE');
    await engine.publishMessage({ name: 'partner-answer', correlationKey: 'ref-silent' });
    expect(await instanceState(processInstanceKey)).toMatchObject({ state: 'COMPLETED' });
    expect(await elements(processInstanceKey)).toEqual(expect.arrayContaining(['reminded:COMPLETED', 'answered:COMPLETED']));
  });

  it('starts a non-interrupting message event subprocess beside the work, as often as the message comes', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'aftercare-period', variables: { caseId: 'case-7' } });
    const openTasks = async () =>
      (
        await handle.db.query<{ element_id: string }>(
          `select element_id from engine_user_task where instance_key = $1 and state = 'CREATED' order by key`,
          [processInstanceKey],
        )
      ).rows.map((r) => r.element_id);
    await engine.publishMessage({ name: 'crisis-reported', correlationKey: 'case-7', variables: { crisisLevel: 'high' } });
    expect(await openTasks()).toEqual(['regular-contact', 'crisis-intervention']);
    expect(await instanceState(processInstanceKey)).toMatchObject({ state: 'ACTIVE', variables: { crisisLevel: 'high' } });

    const { rows } = await handle.db.query<{ key: string }>(
      `select key from engine_user_task where instance_key = $1 and element_id = 'crisis-intervention' and state = 'CREATED'`,
      [processInstanceKey],
    );
    await engine.completeUserTask(rows[0].key);
    await engine.publishMessage({ name: 'crisis-reported', correlationKey: 'case-7' });
    expect(await openTasks()).toEqual(['regular-contact', 'crisis-intervention']);
    expect(await elements(processInstanceKey)).toEqual(expect.arrayContaining(['crisis-handled:COMPLETED', 'crisis:COMPLETED']));
  });

  it('ends everything else when an interrupting timer event subprocess starts', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'aftercare-period', variables: { caseId: 'case-8' } });
    const { rows: timers } = await handle.db.query<{ due_at: Date }>('select due_at from engine_timer where instance_key = $1', [
      processInstanceKey,
    ]);
    expect(timers).toHaveLength(1);
    clock.set(new Date(timers[0].due_at.getTime() + 1_000));
    await engine.fireDueTimers();

    const { rows: tasks } = await handle.db.query<{ state: string }>(
      `select state from engine_user_task where instance_key = $1 and element_id = 'regular-contact'`,
      [processInstanceKey],
    );
    expect(tasks).toEqual([{ state: 'CANCELED' }]);
    // A crisis after the period is over starts nothing: the subscription is gone.
    const { rows: subscriptions } = await handle.db.query('select 1 from engine_message_subscription where instance_key = $1', [
      processInstanceKey,
    ]);
    expect(subscriptions).toEqual([]);
    // (The instance of the test before has reached its twelve months as well.)
    const reviews = await engine.activateJobs({ type: 'end-of-period-review', worker: 'w', timeoutMs: 10_000, maxJobsToActivate: 5 });
    const review = reviews.find((job) => job.processInstanceKey === processInstanceKey);
    expect(review).toBeDefined();
    await engine.completeJob(review!.jobKey);
    expect((await instanceState(processInstanceKey)).state).toBe('COMPLETED');
    expect(await elements(processInstanceKey)).toEqual(
      expect.arrayContaining(['regular-contact:TERMINATED', 'twelve-months:COMPLETED', 'closed:COMPLETED', 'period-over:COMPLETED']),
    );
  });

  it('starts an instance in one statement and completes a job in one transaction of two, when it holds the instance live', async () => {
    // given an engine whose statements and transactions are counted
    const counted = { statements: 0, transactions: 0 };
    const db = dbWith({
      query: (text, params) => (counted.statements++, handle.db.query(text, params)),
      transaction: (fn) => {
        counted.transactions++;
        return handle.db.transaction((tx) => fn({ ...tx, query: (text, params) => (counted.statements++, tx.query(text, params)) }));
      },
    });
    const counting = createEmbeddedEngine({ db, clock, log: pino({ level: 'silent' }) });
    // (warmed up: the model is parsed and a block of keys taken)
    await counting.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'warm', sentenceMonths: 14 } });
    await counting.completeJob(
      (await counting.activateJobs({ type: 'eligibility-warm', worker: 'w', timeoutMs: 30_000, maxJobsToActivate: 1 }))[0].jobKey,
      { score: 7 },
    );

    // when an instance starts
    Object.assign(counted, { statements: 0, transactions: 0 });
    const { processInstanceKey } = await counting.createInstance({
      processDefinitionId: 'intake-check',
      variables: { programme: 'counted', sentenceMonths: 14 },
    });
    // then it takes no transaction: the definition is looked up, and one statement writes the instance with its job
    expect(counted).toEqual({ statements: 2, transactions: 0 });

    // when its job is activated and completed
    Object.assign(counted, { statements: 0, transactions: 0 });
    const [job] = await counting.activateJobs({ type: 'eligibility-counted', worker: 'w', timeoutMs: 30_000, maxJobsToActivate: 1 });
    expect(counted).toEqual({ statements: 1, transactions: 0 });
    Object.assign(counted, { statements: 0, transactions: 0 });
    await counting.completeJob(job.jobKey, { score: 7 });

    // then one transaction locks the instance and completes the job in one statement, and stores the result in another
    expect(counted).toEqual({ statements: 2, transactions: 1 });
    const { rows } = await handle.db.query<{ element_id: string }>('select element_id from engine_user_task where instance_key = $1', [
      processInstanceKey,
    ]);
    expect(rows).toEqual([{ element_id: 'intake-interview' }]);

    // when another process's instance has its job completed here, where it is not live
    const elsewhere = await engine.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'counted', sentenceMonths: 14 } });
    const [other] = await engine.activateJobs({ type: 'eligibility-counted', worker: 'w', timeoutMs: 30_000, maxJobsToActivate: 1 });
    expect(other.processInstanceKey).toBe(elsewhere.processInstanceKey);
    Object.assign(counted, { statements: 0, transactions: 0 });
    await counting.completeJob(other.jobKey, { score: 7 });
    // then the lock reads the stored state and waits with the instance: still two statements
    expect(counted).toEqual({ statements: 2, transactions: 1 });
    expect(
      (await handle.db.query('select element_id from engine_user_task where instance_key = $1', [elsewhere.processInstanceKey])).rows,
    ).toEqual([{ element_id: 'intake-interview' }]);
    await counting.close();
  });

  it('completes a job whose live engine left the cache while the lock was read without its state', async () => {
    // given an engine that holds an instance live, and whose cache drops it (as it does when full
    // or idle) right after the completion's lock statement, which skips the state a live engine holds
    let local: EmbeddedEngine | undefined;
    let dropAfterNextStatement = false;
    const db = dbWith({
      transaction: (fn) =>
        handle.db.transaction((tx) =>
          fn({
            ...tx,
            query: async <R>(text: string, params?: readonly unknown[]) => {
              const result = await tx.query<R>(text, params);
              if (dropAfterNextStatement) {
                dropAfterNextStatement = false;
                (local as unknown as { live: Map<string, unknown> }).live.clear();
              }
              return result;
            },
          }),
        ),
    });
    local = createEmbeddedEngine({ db, clock, log: pino({ level: 'silent' }) });
    const { processInstanceKey } = await local.createInstance({
      processDefinitionId: 'intake-check',
      variables: { programme: 'evicted', sentenceMonths: 14 },
    });
    const [job] = await local.activateJobs({ type: 'eligibility-evicted', worker: 'w', timeoutMs: 30_000, maxJobsToActivate: 1 });

    // when its job is completed
    dropAfterNextStatement = true;
    await local.completeJob(job.jobKey, { score: 7 });

    // then the stored state and waits were read after all, and the instance moved on to its user task
    const { rows } = await handle.db.query('select element_id from engine_user_task where instance_key = $1', [processInstanceKey]);
    expect(rows).toEqual([{ element_id: 'intake-interview' }]);
    await local.close();
  });

  it('runs a transaction again that PostgreSQL chose as a deadlock victim, keeping nothing of the first attempt', async () => {
    // given an engine whose first transaction is rolled back as a deadlock victim would be, and an instance waiting at a job
    let victims = 1;
    const db = dbWith({
      transaction: (fn) =>
        handle.db.transaction(async (tx) => {
          const result = await fn(tx);
          if (victims-- > 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
          return result;
        }),
    });
    const retrying = createEmbeddedEngine({ db, clock, log: pino({ level: 'silent' }) });
    const { processInstanceKey } = await engine.createInstance({
      processDefinitionId: 'intake-check',
      variables: { programme: 'deadlock', sentenceMonths: 14 },
    });
    const [job] = await engine.activateJobs({ type: 'eligibility-deadlock', worker: 'w', timeoutMs: 30_000, maxJobsToActivate: 1 });

    // when its job is completed through it
    await retrying.completeJob(job.jobKey, { score: 7 });

    // then the completion took effect once, from the second attempt, and the first attempt left nothing
    expect(victims).toBe(-1);
    const { rows: tasks } = await handle.db.query<{ element_id: string }>(
      'select element_id from engine_user_task where instance_key = $1',
      [processInstanceKey],
    );
    expect(tasks).toEqual([{ element_id: 'intake-interview' }]);
    const { rows: history } = await handle.db.query<{ n: number }>(
      `select count(*)::int as n from engine_element_instance where instance_key = $1 and element_id = 'intake-interview'`,
      [processInstanceKey],
    );
    expect(history[0].n).toBe(1);
    expect((await instanceState(processInstanceKey)).state).toBe('ACTIVE');
    await retrying.close();
  });

  describe('as Camunda 8 does', () => {
    const jobOf = async (type: string, instanceKey: string) => {
      const jobs = await engine.activateJobs({ type, worker: 'w', timeoutMs: 10_000, maxJobsToActivate: 10 });
      const job = jobs.find((candidate) => candidate.processInstanceKey === instanceKey);
      expect(job).toBeDefined();
      return job!;
    };
    const userTasks = async (instanceKey: string) =>
      (
        await handle.db.query<{ element_id: string; state: string }>(
          'select element_id, state from engine_user_task where instance_key = $1 order by key',
          [instanceKey],
        )
      ).rows.map((r) => `${r.element_id}:${r.state}`);

    it('evaluates a timer expression with the variables of the moment the timer starts', async () => {
      const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'timer-from-output' });
      const job = await jobOf('semantics-compute-date', processInstanceKey);

      await engine.completeJob(job.jobKey, { releaseDate: '2031-03-15', months: 6 });

      const { rows } = await handle.db.query<{ due_at: Date }>('select due_at from engine_timer where instance_key = $1', [
        processInstanceKey,
      ]);
      expect(rows.map((r) => r.due_at.toISOString())).toEqual(['2030-09-15T00:00:00.000Z']);
    });

    it('ends the work of every other branch when a terminate end event is reached', async () => {
      const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'terminate-branches' });
      const job = await jobOf('semantics-check-closure', processInstanceKey);

      await engine.completeJob(job.jobKey);

      expect((await instanceState(processInstanceKey)).state).toBe('COMPLETED');
      expect(await userTasks(processInstanceKey)).toEqual(['plan-integration:CANCELED']);
      const active = await handle.db.query(`select 1 from engine_element_instance where instance_key = $1 and state = 'ACTIVE'`, [
        processInstanceKey,
      ]);
      expect(active.rows).toEqual([]);
      expect(await elements(processInstanceKey)).toEqual(expect.arrayContaining(['plan-integration:TERMINATED', 'case-closed:COMPLETED']));
    });

    it('lets only the error boundary naming the code catch, not a catch-all beside it', async () => {
      const specific = await engine.createInstance({ processDefinitionId: 'two-error-boundaries' });
      await engine.throwJobError((await jobOf('semantics-send-referral', specific.processInstanceKey)).jobKey, {
        errorCode: 'NO_MATCHING_PARTNER',
      });
      const other = await engine.createInstance({ processDefinitionId: 'two-error-boundaries' });
      await engine.throwJobError((await jobOf('semantics-send-referral', other.processInstanceKey)).jobKey, {
        errorCode: 'PARTNER_UNREACHABLE',
      });

      expect(await userTasks(specific.processInstanceKey)).toEqual(['refer-manually:CREATED']);
      expect(await userTasks(other.processInstanceKey)).toEqual(['check-error:CREATED']);
    });
  });

  describe('an error event subprocess', () => {
    const userTasks = async (instanceKey: string) =>
      (
        await handle.db.query<{ element_id: string; state: string }>(
          'select element_id, state from engine_user_task where instance_key = $1 order by key',
          [instanceKey],
        )
      ).rows.map((r) => `${r.element_id}:${r.state}`);
    const sendReferralJob = async (instanceKey: string) => {
      const jobs = await engine.activateJobs({ type: 'evsub-send-referral', worker: 'w', timeoutMs: 10_000, maxJobsToActivate: 10 });
      const job = jobs.find((candidate) => candidate.processInstanceKey === instanceKey);
      expect(job).toBeDefined();
      return job!;
    };

    it('catches a BPMN error a worker throws and ends everything else the process does', async () => {
      const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'referral-declined' });
      const job = await sendReferralJob(processInstanceKey);

      await engine.throwJobError(job.jobKey, { errorCode: 'REFERRAL_DECLINED', variables: { declinedBy: 'partner-1' } });

      expect(await userTasks(processInstanceKey)).toEqual(['prepare-release:CANCELED', 'find-another-partner:CREATED']);
      expect((await instanceState(processInstanceKey)).variables).toMatchObject({ declinedBy: 'partner-1' });
      const { rows } = await handle.db.query<{ key: string }>(
        `select key from engine_user_task where instance_key = $1 and state = 'CREATED'`,
        [processInstanceKey],
      );
      await engine.completeUserTask(rows[0].key);
      expect((await instanceState(processInstanceKey)).state).toBe('COMPLETED');
      expect(await elements(processInstanceKey)).toEqual(
        expect.arrayContaining(['send-referral:TERMINATED', 'prepare-release:TERMINATED', 'partner-declined:COMPLETED', 'declined:COMPLETED']),
      );
    });

    it('catches an error end event of the process the same way', async () => {
      const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'referral-declined' });
      const job = await sendReferralJob(processInstanceKey);

      await engine.completeJob(job.jobKey, { answer: null });

      expect(await userTasks(processInstanceKey)).toEqual(['prepare-release:CANCELED', 'chase-partner:CREATED']);
      expect(await elements(processInstanceKey)).toEqual(expect.arrayContaining(['answer-missing:COMPLETED', 'answer-was-missing:COMPLETED']));
    });

    it('leaves an error no event subprocess catches as an incident', async () => {
      const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'referral-declined' });
      const job = await sendReferralJob(processInstanceKey);

      await engine.throwJobError(job.jobKey, { errorCode: 'SOMETHING_ELSE' });

      const { rows } = await handle.db.query<{ error_type: string }>(
        `select error_type from engine_incident where instance_key = $1 and state = 'ACTIVE'`,
        [processInstanceKey],
      );
      expect(rows).toEqual([{ error_type: 'UNHANDLED_ERROR_EVENT' }]);
      expect(await userTasks(processInstanceKey)).toEqual(['prepare-release:CREATED']);
    });
  });

  it('runs a message end event with a task definition as a job, as Camunda 8 does', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'message-end-job' });
    expect((await instanceState(processInstanceKey)).state).toBe('ACTIVE');
    const jobs = await engine.activateJobs({ type: 'notifications', worker: 'w', timeoutMs: 10_000, maxJobsToActivate: 10 });
    const job = jobs.find((candidate) => candidate.processInstanceKey === processInstanceKey);
    expect(job?.elementId).toBe('notify-probation');
    await engine.completeJob(job!.jobKey);
    expect((await instanceState(processInstanceKey)).state).toBe('COMPLETED');
    expect(await elements(processInstanceKey)).toContain('notify-probation:COMPLETED');
  });

  it('cancels an instance and everything it waits for', async () => {
    const { processInstanceKey } = await engine.createInstance({ processDefinitionId: 'referral-answer', variables: { referralId: 'ref-cancel' } });
    await engine.cancelInstance(processInstanceKey);
    expect((await instanceState(processInstanceKey)).state).toBe('TERMINATED');
    const { rows } = await handle.db.query('select 1 from engine_message_subscription where instance_key = $1', [processInstanceKey]);
    expect(rows).toEqual([]);
    await expect(engine.cancelInstance(processInstanceKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe.each(backends)('embedded engine with worker threads on $name', (backend) => {
  const handle = useDatabase(backend);
  const clock = createSimulatedClock(new Date('2027-01-04T08:00:00Z'));
  let engine: EmbeddedEngine;

  beforeAll(async () => {
    await migrate(handle.db);
    engine = createEmbeddedEngine({ db: handle.db, clock, log: pino({ level: 'silent' }), threads: 2 });
    await engine.deploy([await fixture('intake-check.bpmn'), await fixture('release-timer.bpmn')]);
  });
  afterAll(() => engine?.close());

  it('runs jobs, BPMN errors, stale completions and timers in the worker threads', async () => {
    const state = async (key: string) =>
      (await handle.db.query<{ state: string }>('select state from engine_instance where key = $1', [key])).rows[0].state;
    const ok = await engine.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'p', sentenceMonths: 3, admittedOn: '2027-01-04' } });
    const failing = await engine.createInstance({ processDefinitionId: 'intake-check', variables: { programme: 'p', sentenceMonths: 3 } });
    const jobs = await engine.activateJobs({ type: 'eligibility-p', worker: 'w', timeoutMs: 10_000, maxJobsToActivate: 2 });
    const byInstance = new Map(jobs.map((job) => [job.processInstanceKey, job]));
    expect(byInstance.get(ok.processInstanceKey)?.variables).toMatchObject({ sentenceDays: 90 });

    await engine.completeJob(byInstance.get(ok.processInstanceKey)!.jobKey, { score: 1 });
    expect(await state(ok.processInstanceKey)).toBe('COMPLETED');
    await expect(engine.completeJob(byInstance.get(ok.processInstanceKey)!.jobKey)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await engine.throwJobError(byInstance.get(failing.processInstanceKey)!.jobKey, { errorCode: 'NOT_ELIGIBLE' });
    expect(await state(failing.processInstanceKey)).toBe('COMPLETED');

    const timed = await engine.createInstance({ processDefinitionId: 'release-timer', variables: { expectedRelease: '2027-06-01' } });
    clock.set(new Date('2027-12-31T00:00:00Z'));
    await engine.fireDueTimers();
    clock.set(new Date('2029-03-01T00:00:00Z'));
    await engine.fireDueTimers();
    expect(await state(timed.processInstanceKey)).toBe('COMPLETED');
  });
});
