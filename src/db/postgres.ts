import pg from 'pg';
import type { Database, QueryResult } from './types.js';

/** Connection attempts give up after this long, so a wrong host fails start-up quickly. */
const CONNECT_TIMEOUT_MS = 5_000;

/** Opens a pg.Pool on `url` and checks that the server answers before returning. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener that
  // would crash the process. The next query gets a fresh connection or a clear error.
  pool.on('error', () => {});
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnreachableError(url, error);
  }
  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    exec: async (sql) => void (await pool.query(sql)),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: (sql, params) => run(client, sql, params),
          exec: async (sql) => void (await client.query(sql)),
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Statements are prepared once per connection and run by name afterwards: PostgreSQL then skips
 * parsing and planning, about a quarter of its CPU under the engine bench (measured). The product's
 * statements are a fixed set; those built from search filters vary, so only the first
 * {@link PREPARED_STATEMENTS} distinct texts get a name and any later one runs unnamed.
 */
const PREPARED_STATEMENTS = 256;
const statementNames = new Map<string, string>();

function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (!name && statementNames.size < PREPARED_STATEMENTS) {
    name = `uebergang_${statementNames.size}`;
    statementNames.set(sql, name);
  }
  return name;
}

async function run<R>(
  target: pg.Pool | pg.PoolClient,
  sql: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  const result = await target.query({ name: statementName(sql), text: sql, values: params as unknown[] | undefined });
  return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
}

/** PostgreSQL did not answer at start-up; the message names host and port, never the password. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const { hostname, port } = new URL(url);
    const reason = (cause as { code?: string; message?: string }).code ?? (cause as Error).message;
    super(`PostgreSQL at ${hostname}:${port || 5432} is not reachable (${reason})`, { cause });
    this.name = 'DatabaseUnreachableError';
  }
}
