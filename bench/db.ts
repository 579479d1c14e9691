/**
 * The database layer's own cost: one transaction shaped like an engine event (lock a row,
 * update it, insert a history row) on PGlite and, when BENCH_DATABASE_URL is set, PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../src/db/index.js';
import { openPglite } from '../src/db/pglite.js';
import { openPostgres } from '../src/db/postgres.js';

const EVENTS = 2_000;
const IN_FLIGHT = 8;
const ROWS = 200;

export default async function benchDb(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { events: EVENTS, inFlight: IN_FLIGHT };
  const pglite = await openPglite();
  result.pglite = await measure(pglite);
  await pglite.close();

  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (serverUrl) {
    const name = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const postgres = await openPostgres(url.toString(), { max: IN_FLIGHT });
    try {
      result.postgres = await measure(postgres);
    } finally {
      await postgres.close();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    }
  }
  result.rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  return result;
}

async function measure(db: Database) {
  await db.exec(`
    create table bench_instance (id int primary key, version int not null, state jsonb not null);
    create table bench_history (id bigserial primary key, instance_id int not null, at timestamptz not null default now());
    insert into bench_instance select g, 0, '{"tokens":[]}' from generate_series(1, ${ROWS}) g;
  `);
  const state = { tokens: [{ id: 'Task_1', executionId: randomBytes(8).toString('hex') }], pad: 'x'.repeat(10_000) };
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < EVENTS) {
        const id = (next++ % ROWS) + 1;
        const t0 = performance.now();
        await db.transaction(async (tx) => {
          await tx.query('select version from bench_instance where id = $1 for update', [id]);
          await tx.query('update bench_instance set version = version + 1, state = $2 where id = $1', [id, state]);
          await tx.query('insert into bench_history (instance_id) values ($1)', [id]);
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    eventsPerSecond: Math.round(EVENTS / seconds),
    p50Ms: round(latencies[Math.floor(latencies.length * 0.5)]),
    p95Ms: round(latencies[Math.floor(latencies.length * 0.95)]),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
