/**
 * The Camunda 7 protocol at the HTTP level, where the client library hides it: the exact
 * content-type (camunda-external-task-client-js ignores a body labelled
 * `application/json; charset=utf-8`), Camunda 7's error shape and statuses, request limits and
 * the variable filter.
 */
import { describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { post, useEngineRestServer, waitFor } from './engine-rest-server.js';

describe.each(backends)('Camunda 7 external-task protocol on $name', (backend) => {
  const server = useEngineRestServer(backend, { ENGINE_AUTH: 'none' });
  const fetchAndLock = (body: unknown) => post(`${server.baseUrl}/external-task/fetchAndLock`, body);

  it('labels every body exactly application/json: tasks, empty lists and errors', async () => {
    // given a waiting task
    await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane: 'type' } });

    // when tasks are fetched, nothing is there to fetch, and a request is refused
    const tasks = await fetchAndLock({ workerId: 'w', maxTasks: 5, topics: [{ topicName: 'c7-first-type', lockDuration: 10_000 }] });
    const none = await fetchAndLock({ workerId: 'w', maxTasks: 5, topics: [{ topicName: 'c7-nothing', lockDuration: 10_000 }] });
    const unknown = await post(`${server.baseUrl}/external-task/999999999/complete`, { workerId: 'w' });
    const invalid = await fetchAndLock({ maxTasks: 1 });
    const noRoute = await post(`${server.baseUrl}/no-such-resource`, {});

    // then each carries the bare media type, without a charset
    expect(tasks).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(tasks.body).toHaveLength(1);
    expect(none).toMatchObject({ status: 200, contentType: 'application/json', body: [] });
    expect(unknown.contentType).toBe('application/json');
    expect(invalid.contentType).toBe('application/json');
    expect(noRoute.contentType).toBe('application/json');
  });

  it('answers an unknown task with 404 and an unusable id the same way, in Camunda 7 error shape', async () => {
    // when a command names a task that does not exist, or an id that no task can have
    const unknown = await post(`${server.baseUrl}/external-task/999999999/complete`, { workerId: 'w' });
    const malformed = await post(`${server.baseUrl}/external-task/not-a-key/unlock`, {});

    // then both are Camunda 7's 404 for an unknown task
    expect(unknown).toMatchObject({
      status: 404,
      body: { type: 'RestException', message: 'External task with id 999999999 does not exist', code: 0 },
    });
    expect(malformed).toMatchObject({ status: 404, body: { type: 'RestException' } });
  });

  it('answers a task id beyond int64 as an unknown task, not as a failed query', async () => {
    // when commands name an id of 19 digits that no bigint can hold
    const unlock = await post(`${server.baseUrl}/external-task/9223372036854775808/unlock`, {});
    const failure = await post(`${server.baseUrl}/external-task/9999999999999999999/failure`, { workerId: 'w' });

    // then both are Camunda 7's 404 for an unknown task
    expect(unlock).toMatchObject({ status: 404, body: { type: 'RestException' } });
    expect(failure).toMatchObject({ status: 404, body: { type: 'RestException' } });
  });

  it('refuses a NUL character in a worker id or topic with 400 InvalidRequestException', async () => {
    // when text that PostgreSQL cannot store arrives in fields that reach SQL parameters
    const worker = await fetchAndLock({ workerId: 'w\u0000', maxTasks: 1, topics: [{ topicName: 't', lockDuration: 1000 }] });
    const topic = await fetchAndLock({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 't\u0000', lockDuration: 1000 }] });

    // then both are refused in Camunda 7's error shape
    expect(worker).toMatchObject({ status: 400, contentType: 'application/json', body: { type: 'InvalidRequestException' } });
    expect(topic).toMatchObject({ status: 400, body: { type: 'InvalidRequestException', message: expect.stringContaining('topicName') } });
  });

  it('refuses malformed requests with 400 InvalidRequestException, not problem+json', async () => {
    // when required fields are missing, a variable does not fit its type, or a limit is exceeded
    const noWorker = await fetchAndLock({ maxTasks: 1, topics: [] });
    const badVariable = await post(`${server.baseUrl}/external-task/1/complete`, {
      workerId: 'w',
      variables: { age: { type: 'Integer', value: 'forty' } },
    });
    const tooLong = await fetchAndLock({ workerId: 'w', maxTasks: 1, asyncResponseTimeout: 1_800_001, topics: [] });
    const unsupportedFilter = await fetchAndLock({
      workerId: 'w',
      maxTasks: 1,
      topics: [{ topicName: 't', lockDuration: 1000, businessKey: 'case-1' }],
    });

    // then each is Camunda 7's 400 with a message that says what was wrong
    expect(noWorker).toMatchObject({ status: 400, body: { type: 'InvalidRequestException', code: 0 } });
    expect(noWorker.body.message).toMatch(/workerId/);
    expect(badVariable).toMatchObject({ status: 400, body: { type: 'InvalidRequestException' } });
    expect(badVariable.body.message).toMatch(/'age'/);
    expect(tooLong).toMatchObject({
      status: 400,
      body: { message: 'The asynchronous response timeout cannot be set to a value greater than 1800000 milliseconds' },
    });
    expect(unsupportedFilter).toMatchObject({ status: 400, body: { type: 'InvalidRequestException' } });
    expect(unsupportedFilter.body.message).toMatch(/businessKey/);
  });

  it('returns only the variables a topic names, and none for an empty list', async () => {
    // given two instances with three variables each
    for (const lane of ['filter-some', 'filter-none']) {
      await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane, a: 1, b: 'two' } });
    }

    // when one topic asks for some variables and another for none
    const { body } = await fetchAndLock({
      workerId: 'w',
      maxTasks: 5,
      topics: [
        { topicName: 'c7-first-filter-some', lockDuration: 10_000, variables: ['a', 'missing'] },
        { topicName: 'c7-first-filter-none', lockDuration: 10_000, variables: [] },
      ],
    });

    // then each task carries exactly what its topic asked for
    const byTopic = Object.fromEntries(body.map((task: { topicName: string; variables: unknown }) => [task.topicName, task.variables]));
    expect(byTopic['c7-first-filter-some']).toEqual({ a: { type: 'Integer', value: 1, valueInfo: {} } });
    expect(byTopic['c7-first-filter-none']).toEqual({});
  });

  it('hands out at most maxTasks tasks across all topics of one request', async () => {
    // given three waiting tasks on two topics
    for (const lane of ['max-a', 'max-a', 'max-b']) {
      await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane } });
    }

    // when a worker asks for two
    const { body } = await fetchAndLock({
      workerId: 'w',
      maxTasks: 2,
      topics: [
        { topicName: 'c7-first-max-a', lockDuration: 10_000 },
        { topicName: 'c7-first-max-b', lockDuration: 10_000 },
      ],
    });

    // then it gets two, the first topic first, each locked for it
    expect(body.map((task: { topicName: string }) => task.topicName)).toEqual(['c7-first-max-a', 'c7-first-max-a']);
    expect(body.every((task: { workerId: string }) => task.workerId === 'w')).toBe(true);
  });

  it('ends a waiting long poll with an empty list when it times out', async () => {
    // when a worker long-polls a topic that gets no task
    const started = Date.now();
    const answer = await fetchAndLock({
      workerId: 'w',
      maxTasks: 1,
      asyncResponseTimeout: 600,
      topics: [{ topicName: 'c7-quiet', lockDuration: 10_000 }],
    });

    // then it waited for the timeout and answered with no tasks
    expect(answer).toMatchObject({ status: 200, body: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('reads Camunda 7 value types into plain JSON, and refuses what it cannot keep', async () => {
    // given a task locked by a worker
    const { processInstanceKey } = await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane: 'convert' } });
    const [task] = (await fetchAndLock({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'c7-first-convert', lockDuration: 10_000 }] })).body;
    const complete = (variables: unknown) => post(`${server.baseUrl}/external-task/${task.id}/complete`, { workerId: 'w', variables });

    // when it sends a file, or a variable marked transient
    const bytes = await complete({ scan: { type: 'Bytes', value: 'AAEC' } });
    const transient = await complete({ secret: { type: 'String', value: 'x', valueInfo: { transient: true } } });

    // then both are refused and nothing is completed
    expect(bytes).toMatchObject({ status: 400, body: { type: 'InvalidRequestException' } });
    expect(transient).toMatchObject({ status: 400, body: { type: 'InvalidRequestException' } });

    // when it completes with other Camunda 7 types, in any letter case
    const completed = await complete({
      rooms: { type: 'Short', value: 3 },
      movedIn: { type: 'Date', value: '2027-03-01T10:00:00.000+0200' },
      contact: { type: 'Object', value: '{"phone":"0421"}', valueInfo: { serializationDataFormat: 'application/json', objectTypeName: 'Contact' } },
      flags: { type: 'JSON', value: '[1,2]' },
      confirmed: { type: 'BOOLEAN', value: 'true' },
    });

    // then the instance holds them as plain JSON values, dates in UTC
    expect(completed.status).toBe(204);
    const variables = await waitFor(async () => {
      const { rows } = await server.db.query<{ variables: Record<string, unknown> }>('select variables from engine_instance where key = $1', [
        processInstanceKey,
      ]);
      return 'rooms' in rows[0].variables ? rows[0].variables : undefined;
    });
    expect(variables).toMatchObject({
      rooms: 3,
      movedIn: '2027-03-01T08:00:00.000Z',
      contact: { phone: '0421' },
      flags: [1, 2],
      confirmed: true,
    });
  });
});

describe.each(backends)('Camunda 7 long polls at shutdown on $name', (backend) => {
  const server = useEngineRestServer(backend, { ENGINE_AUTH: 'none' });

  it('answers a waiting long poll with no tasks when the server closes, instead of holding the shutdown', async () => {
    // given a long poll that would wait 30 s
    const waiting = post(`${server.baseUrl}/external-task/fetchAndLock`, {
      workerId: 'w',
      maxTasks: 1,
      asyncResponseTimeout: 30_000,
      topics: [{ topicName: 'c7-never', lockDuration: 10_000 }],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    // when the server closes
    const started = Date.now();
    await server.server.close();

    // then the poll got an empty list and the shutdown did not wait for its timeout
    expect(await waiting).toMatchObject({ status: 200, body: [] });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
