/**
 * The scenarios every worker binding must pass, run once per binding with its real client
 * library against the real server (ENGINE_AUTH=credentials, CLOCK=simulated) on every back-end:
 * a handler's output completes the job, a BpmnError reaches the error boundary, a thrown error
 * is retried with back-off and ends as an incident naming only the error's code, and the
 * engine's simulated time reaches the handler. The handlers are probes: their own rules are
 * unit-tested (tests/unit/workers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BpmnError } from '../../../workers/lib/bpmn-error.js';
import { startWorkers, type RunningWorkers, type WorkerDefinition } from '../../../workers/run.js';
import { backends, type Backend } from '../../helpers/databases.js';
import { eventually, useWorkerServer } from './worker-server.js';

/** Back-off of the bindings under test: short, so that three attempts fit in a test. */
const BACK_OFF = { firstMs: 300, maxMs: 600 };

/** Runs the binding scenarios for `protocol` on every back-end. */
export function describeBinding(protocol: 'camunda8' | 'camunda7', title: string): void {
  describe.each(backends)(`${title} on $name`, (backend: Backend) => {
    const server = useWorkerServer(backend);
    const crashes: number[] = [];
    let workers: RunningWorkers;

    const probes: WorkerDefinition[] = [
      {
        type: 'workers-test-output',
        run: async (variables, helpers) => ({ echoed: String(variables.caseRef), jobType: helpers.job.type }),
      },
      {
        type: 'workers-test-refuse',
        run: async () => {
          throw new BpmnError('NOT_ELIGIBLE', 'sentence shorter than one year', { refusal: 'short-sentence' });
        },
      },
      {
        type: 'workers-test-crash',
        run: async () => {
          crashes.push(Date.now());
          // The message quotes personal data, as a driver's error can: it must not reach the engine.
          throw Object.assign(new Error('mailbox of erika.mustermann@example.org is full'), { code: 'EENVELOPE' });
        },
      },
      {
        type: 'workers-test-clock',
        run: async (_variables, helpers) => ({ seenAt: helpers.now().toISOString() }),
      },
    ];

    beforeAll(async () => {
      const address = protocol === 'camunda8' ? server.url : `${server.url}/engine-rest`;
      workers = await startWorkers({
        protocol,
        address,
        credentials: { kind: 'basic', ...server.credential },
        db: server.db,
        log: server.log,
        definitions: probes,
        backOff: BACK_OFF,
        pollTimeoutMs: 5_000,
      });
    });
    afterAll(async () => {
      await workers?.stop(1_000);
    });

    it('completes the job with the output variables of the handler', async () => {
      // given an instance whose service task runs the output probe
      const key = await server.start({ outcome: 'output', caseRef: 'K-2041' });
      // when the workers have run it, then the instance ended normally with the output stored
      await eventually(() => server.instance(key), (instance) => instance.state === 'COMPLETED');
      expect(await server.completedElements(key)).toContain('done');
      expect(await server.variables(key)).toMatchObject({ echoed: 'K-2041', jobType: 'workers-test-output' });
    });

    it('throws a BpmnError as a BPMN error with its variables, which the error boundary catches', async () => {
      // given an instance whose service task runs the refusing probe
      const key = await server.start({ outcome: 'refuse' });
      // then the boundary took the token to "refused", carrying the error's variables
      await eventually(() => server.instance(key), (instance) => instance.state === 'COMPLETED');
      const completed = await server.completedElements(key);
      expect(completed).toContain('refused');
      expect(completed).not.toContain('done');
      expect(await server.variables(key)).toMatchObject({ refusal: 'short-sentence' });
    });

    it('fails a thrown error with one retry less and a growing back-off, then raises an incident naming only the code', async () => {
      // given an instance (3 retries) whose service task runs the crashing probe
      const key = await server.start({ outcome: 'crash' });
      // when the workers have tried all three times
      const incident = await eventually(() => server.incident(key), (found) => found !== undefined);
      // then each retry waited longer than the one before, and the incident holds the code only
      expect(crashes).toHaveLength(3);
      expect(crashes[1] - crashes[0]).toBeGreaterThanOrEqual(BACK_OFF.firstMs);
      expect(crashes[2] - crashes[1]).toBeGreaterThanOrEqual(BACK_OFF.firstMs * 2);
      expect(incident).toMatchObject({ errorType: 'JOB_NO_RETRIES', errorMessage: 'EENVELOPE' });
      expect(await server.instance(key)).toMatchObject({ state: 'ACTIVE', hasIncident: true });
      await new Promise((resolve) => setTimeout(resolve, BACK_OFF.maxMs));
      expect(crashes).toHaveLength(3);
      // and the workers' logs named the code, never the message
      expect(server.logLines).toContainEqual(expect.objectContaining({ jobType: 'workers-test-crash', errorCode: 'EENVELOPE' }));
      expect(JSON.stringify(server.logLines)).not.toContain('mustermann');
    });

    it("lets the handler see the engine's simulated time", async () => {
      // given the engine's clock moved 400 days ahead
      const target = Date.now() + 400 * 24 * 60 * 60 * 1000;
      await server.setClock(target);
      // when an instance runs the clock probe
      const key = await server.start({ outcome: 'clock' });
      await eventually(() => server.instance(key), (instance) => instance.state === 'COMPLETED');
      // then the handler's now() was the engine's time, not the wall clock's
      const seenAt = Date.parse(String((await server.variables(key)).seenAt));
      expect(seenAt).toBeGreaterThanOrEqual(target);
      expect(seenAt - target).toBeLessThan(10_000);
    });
  });
}
