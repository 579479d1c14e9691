/** The product as a separate process on a fresh PostgreSQL database, for benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running server: its address, its process, the highest RSS seen, and how to stop it. */
export interface BenchServer {
  base: string;
  process: ChildProcess;
  /** Highest resident set size of the server process so far, in MiB (sampled every 200 ms). */
  maxRssMb(): number;
  /** Current resident set size of the server process, in MiB. */
  rssMb(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the product on a new database of BENCH_DATABASE_URL (or TEST_DATABASE_URL). */
export async function startBenchServer(name: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL server where the bench may create a database');
  const database = `bench_${name}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const port = await freePort();
  // The server starts as `npm start` starts it (its node flags: heap limits), plus
  // BENCH_SERVER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`; BENCH_SERVER_STDOUT=1
  // shows its standard output (where `--trace-gc` writes).
  const nodeArgs = [...(await startFlags()), ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url.toString(),
      PORT: String(port),
      ENGINE_AUTH: 'none',
      LOG_LEVEL: 'warn',
      // Another number of worker threads than the server's default, to compare.
      ...(process.env.BENCH_ENGINE_THREADS && { ENGINE_THREADS: process.env.BENCH_ENGINE_THREADS }),
      ...env,
    },
    stdio: ['ignore', process.env.BENCH_SERVER_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  const rssMb = () => rssOf(child.pid!);
  let max = 0;
  const sampler = setInterval(async () => (max = Math.max(max, await rssMb())), 200);
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    clearInterval(sampler);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  };
  try {
    await waitForHealth(base);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, process: child, maxRssMb: () => max, rssMb, stop };
}

/** The node flags of the `npm start` script (`node <flags> --import tsx src/main.ts`). */
async function startFlags(): Promise<string[]> {
  const { scripts } = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(' ');
  return words.slice(1, words.indexOf('--import'));
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

async function waitForHealth(base: string) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start within 30 s');
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A Camunda 8 SDK client for `base` without request validation (it costs the bench's CPU). */
export async function sdkClient(base: string) {
  process.env.CAMUNDA_SDK_VALIDATION = 'none';
  process.env.CAMUNDA_LOG_LEVEL = 'none';
  const { Camunda8 } = await import('@camunda8/sdk');
  return new Camunda8({ ZEEBE_REST_ADDRESS: base, CAMUNDA_AUTH_STRATEGY: 'NONE' }).getOrchestrationClusterApiClientLoose(
    {},
    { cached: false },
  );
}

/** Runs `task` with `parallel` workers until `total` runs have started. */
export async function runParallel(total: number, parallel: number, task: (index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** CPU time (user + system) a process has used so far, in ms; 0 where /proc cannot tell. */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // The fields after the command name (which may hold spaces) start at its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) || 0) + (Number(fields[12]) || 0)) * CLOCK_TICK_MS;
}

/** CPU time used so far by every PostgreSQL process on this machine, in ms (0 when none runs here). */
export async function postgresCpuMs(): Promise<number> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  let total = 0;
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.startsWith('postgres')) total += await processCpuMs(Number(pid));
  }
  return total;
}

/** Linux reports CPU times in clock ticks of 10 ms (USER_HZ = 100). */
const CLOCK_TICK_MS = 10;
