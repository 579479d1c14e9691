/**
 * With ENGINE_AUTH=credentials (the default), Camunda 7 workers authenticate with a machine
 * credential through the client's BasicAuthInterceptor; anyone else is refused.
 */
import { BasicAuthInterceptor, Variables, type Task } from 'camunda-external-task-client-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueMachineCredential } from '../../../src/auth/machine-credentials.js';
import { backends } from '../../helpers/databases.js';
import { deferred, post, useEngineRestServer, waitFor } from './engine-rest-server.js';

describe.each(backends)('Camunda 7 external-task client with credentials on $name', (backend) => {
  const server = useEngineRestServer(backend, { ENGINE_AUTH: 'credentials' });
  let clientId: string;
  let secret: string;

  beforeAll(async () => {
    const issued = await issueMachineCredential(
      server.db,
      { clientId: 'c7-worker', description: 'Camunda 7 worker of the tests', createdBy: null },
      { actor: { type: 'system', id: null } },
    );
    clientId = issued.credential.clientId;
    secret = issued.secret;
  });

  it('completes a task for a worker authenticated with its machine credential', async () => {
    // given a waiting task and a client with the credential in its BasicAuthInterceptor
    const { processInstanceKey } = await server.engine.createInstance({ processDefinitionId: 'c7-two-steps', variables: { lane: 'auth' } });
    const client = server.client({
      workerId: 'authenticated-worker',
      interceptors: new BasicAuthInterceptor({ username: clientId, password: secret }),
    });
    const done = deferred<Task>();
    client.subscribe('c7-first-auth', async ({ task, taskService }) => {
      await taskService.complete(task, new Variables().set('checkedBy', 'authenticated-worker'));
      done.resolve(task);
    });

    // when it polls
    client.start();
    const task = await done.promise;

    // then the task was its to complete, and the instance moved on with the variable
    expect(task.processInstanceId).toBe(processInstanceKey);
    await waitFor(async () => {
      const { rows } = await server.db.query<{ variables: Record<string, unknown> }>(
        'select variables from engine_instance where key = $1',
        [processInstanceKey],
      );
      return rows[0].variables.checkedBy === 'authenticated-worker';
    });
  });

  it('refuses callers without a valid credential with 401 in Camunda 7 error shape', async () => {
    // when a caller sends no credential, or a wrong secret
    const body = { workerId: 'anonymous', maxTasks: 1, topics: [{ topicName: 'c7-first-auth', lockDuration: 1000 }] };
    const anonymous = await post(`${server.baseUrl}/external-task/fetchAndLock`, body);
    const wrong = await post(`${server.baseUrl}/external-task/fetchAndLock`, body, {
      authorization: `Basic ${Buffer.from(`${clientId}:not-the-secret`).toString('base64')}`,
    });

    // then both are refused before anything is locked, labelled exactly application/json
    for (const answer of [anonymous, wrong]) {
      expect(answer).toMatchObject({
        status: 401,
        contentType: 'application/json',
        body: { type: 'AuthenticationException', code: 'AUTHENTICATION_REQUIRED' },
      });
    }
  });
});
