/**
 * The embedded engine end to end, on PostgreSQL: 2,000 instances of start → service task (a
 * `@camunda8/sdk` job worker over HTTP) → user task (completed over REST) → end, against the
 * real server in its own process. Instances are started and user tasks found and completed with
 * plain keep-alive HTTP requests to the same Camunda 8 REST endpoints, so that the load
 * generator, which shares the machine's two cores with the server, stays light. In the same run, the same process on bare in-memory
 * bpmn-engine (one thread, no durability, no HTTP) for comparison: half of its instances before
 * the durable run and half after it.
 * Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL): a server where it may create a database.
 */
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { createJsonClient } from './lib/http.js';
import { postgresCpuMs, processCpuMs, ROOT, round, runParallel, sdkClient, startBenchServer } from './lib/server.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2_000);
/**
 * Instances each side runs before the measured ones, unmeasured: the figures are those of a
 * warm server. Cold, the first 2,000 instances after a start also pay V8 compiling the hot code
 * once in each of the server's three isolates (the HTTP thread and two engine threads): about
 * 2 ms of CPU per instance more, measured. `BENCH_WARMUP=0` gives the cold figures.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1_000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const bpmnFile = path.join(ROOT, 'bench/fixtures/engine-bench.bpmn');

export default async function benchEngine(): Promise<Record<string, unknown>> {
  const server = await startBenchServer('engine');
  try {
    const client = await sdkClient(server.base);
    await client.deployResourcesFromFiles([bpmnFile]);
    // The bare engine runs half its instances before the durable run and half after it, so that
    // a machine whose speed drifts during the run (as a shared one does) moves both figures alike.
    const source = await readFile(bpmnFile, 'utf8');
    if (WARMUP) await runBare(source, WARMUP);
    const bareBefore = await runBare(source, Math.ceil(INSTANCES / 2));
    if (WARMUP) await runDurable(client, server.base, WARMUP);
    const cpuBefore = await cpuSample(server.process.pid!);
    const durable = await runDurable(client, server.base, INSTANCES);
    const cpuAfter = await cpuSample(server.process.pid!);
    const bareAfter = await runBare(source, Math.floor(INSTANCES / 2));
    const bare = INSTANCES / (bareBefore.seconds + bareAfter.seconds);
    return {
      completedPerSecond: round(durable.perSecond),
      bareEnginePerSecond: round(bare),
      ratio: round(durable.perSecond / bare, 2),
      // The bare engine before and after the durable run: how far the machine drifted meanwhile.
      bareBeforeAfterPerSecond: [round(bareBefore.perSecond), round(bareAfter.perSecond)],
      p95EventMs: round(durable.p95EventMs),
      rssMb: server.maxRssMb(),
      instances: INSTANCES,
      warmupInstances: WARMUP,
      inFlight: IN_FLIGHT,
      // Where the durable run's CPU went, in ms per completed instance (two cores in all).
      cpuMsPerInstance: {
        server: round((cpuAfter.server - cpuBefore.server) / INSTANCES, 2),
        database: round((cpuAfter.database - cpuBefore.database) / INSTANCES, 2),
        loadGenerator: round((cpuAfter.loadGenerator - cpuBefore.loadGenerator) / INSTANCES, 2),
      },
    };
  } finally {
    await server.stop();
  }
}

/** CPU used so far by the server, by PostgreSQL and by this process (the load generator), in ms. */
async function cpuSample(serverPid: number) {
  const { user, system } = process.cpuUsage();
  return { server: await processCpuMs(serverPid), database: await postgresCpuMs(), loadGenerator: (user + system) / 1000 };
}

/** Runs `count` instances through the server; `client` has deployed the process. */
async function runDurable(client: Awaited<ReturnType<typeof sdkClient>>, base: string, count: number) {
  const latencies: number[] = [];
  const timed = async <T>(command: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await command();
    latencies.push(performance.now() - started);
    return result;
  };
  const worker = client.createJobWorker({
    jobType: 'bench-work',
    maxParallelJobs: IN_FLIGHT,
    jobTimeoutMs: 60_000,
    pollTimeoutMs: 10_000,
    jobHandler: (job: { complete(variables: object): Promise<unknown> }) => timed(() => job.complete({ worked: true })),
  } as never);

  const rest = createJsonClient(base);
  const started = performance.now();
  let completed = 0;
  const creators = runParallel(count, IN_FLIGHT, async () => {
    await timed(() => rest.post('/v2/process-instances', { processDefinitionId: 'engine-bench', variables: {} }));
  });
  const completers = (async () => {
    while (completed < count) {
      const { items } = await rest.post<{ items: { userTaskKey: string }[] }>('/v2/user-tasks/search', {
        filter: { state: 'CREATED' },
        page: { limit: IN_FLIGHT * 4 },
      });
      if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await Promise.all(
        items.map(async (task) => {
          await timed(() => rest.post(`/v2/user-tasks/${task.userTaskKey}/completion`, { variables: {} }));
          completed++;
        }),
      );
    }
  })();
  await Promise.all([creators, completers]);
  const seconds = (performance.now() - started) / 1000;
  worker.stop();
  rest.close();
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p95EventMs: latencies[Math.floor(latencies.length * 0.95)] };
}

/**
 * The same process (its BPMN `source`) on bpmn-engine alone: in memory, one thread, signals
 * instead of HTTP. Returns how long `count` instances took, and their rate.
 */
async function runBare(source: string, count: number): Promise<{ seconds: number; perSecond: number }> {
  const elements = { ...Elements, ServiceTask: Elements.SignalTask };
  const runOne = async () => {
    const listener = new EventEmitter();
    const engine = new Engine({ name: 'bare', source, elements } as never);
    const waits: { id: string; executionId: string }[] = [];
    listener.on('activity.wait', (api: { id: string; executionId: string }) => waits.push(api));
    const ended = new Promise((resolve) => engine.once('end', resolve));
    await engine.execute({ listener } as never);
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      const wait = waits.shift()!;
      engine.execution.signal({ id: wait.id, executionId: wait.executionId });
    }
    await ended;
  };
  const started = performance.now();
  await runParallel(count, IN_FLIGHT, runOne);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: count / seconds };
}

