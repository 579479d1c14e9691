import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Database, QueryResult } from './types.js';

/**
 * Opens embedded PGlite in `dataDir` (created if missing), or in memory when `dataDir` is
 * undefined. One in-process connection: PGlite runs one statement at a time and a transaction
 * holds it exclusively, so row locks are never contended here. Never reach it through
 * pglite-socket: that shares one backend between connections and locks stop holding.
 */
export async function openPglite(dataDir?: string): Promise<Database> {
  const unlock = dataDir ? await lockDataDir(dataDir) : async () => {};
  let db: PGlite;
  try {
    // int8 comes back as a string, as pg returns it: engine keys use the whole int64 range.
    db = await PGlite.create(dataDir, { parsers: { [types.INT8]: (value: string) => value } });
  } catch (error) {
    await unlock();
    throw error;
  }
  return {
    kind: 'pglite',
    query: (sql, params) => run(db, sql, params),
    exec: async (sql) => void (await db.exec(sql)),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: (sql, params) => run(tx, sql, params), exec: async (sql) => void (await tx.exec(sql)) }),
      ),
    async close() {
      if (db.closed) return;
      await db.close();
      await unlock();
    },
  };
}

async function run<R>(
  target: Pick<PGlite, 'query'>,
  sql: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  const result = await target.query<R>(sql, params as unknown[] | undefined);
  return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
}

/**
 * Two processes writing one PGlite directory would corrupt it: the first takes a lock file
 * holding its pid; a lock whose process is gone (a crash) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'uebergang.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(await readFile(lockFile, 'utf8').catch(() => ''));
      if (pid && isAlive(pid)) {
        throw new Error(`DATA_DIR ${dataDir} is in use by process ${pid}`);
      }
      await rm(lockFile, { force: true });
    }
  }
  throw new Error(`DATA_DIR ${dataDir} could not be locked`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
