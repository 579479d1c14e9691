/**
 * Memory with many waiting instances: 20,000 instances started over HTTP that all wait at their
 * service task's job; the server's resident memory afterwards (target: under 400 MB). On PostgreSQL; needs
 * BENCH_DATABASE_URL (or TEST_DATABASE_URL).
 */
import path from 'node:path';
import { ROOT, round, runParallel, sdkClient, startBenchServer } from './lib/server.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 20_000);

export default async function benchWaiting(): Promise<Record<string, unknown>> {
  const server = await startBenchServer('waiting');
  try {
    const client = await sdkClient(server.base);
    await client.deployResourcesFromFiles([path.join(ROOT, 'bench/fixtures/engine-bench.bpmn')]);
    const started = performance.now();
    // The job of each instance is left alone: every instance waits with an activatable job.
    await runParallel(INSTANCES, 32, async () => {
      await client.createProcessInstance({ processDefinitionId: 'engine-bench', variables: { step: 'waiting' } });
    });
    const seconds = (performance.now() - started) / 1000;
    // Let the collector settle before reading the resident size.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return {
      waitingInstances: INSTANCES,
      rssMb: await server.rssMb(),
      maxRssMb: server.maxRssMb(),
      createdPerSecond: round(INSTANCES / seconds),
    };
  } finally {
    await server.stop();
  }
}
