import type { Config } from '../config.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Database } from './types.js';

export type { Database, Queryable, QueryResult } from './types.js';
export { migrate, readMigrations, currentMigration, type Migration } from './migrate.js';
export { DatabaseUnreachableError } from './postgres.js';

/** Opens PostgreSQL when `DATABASE_URL` is set, embedded PGlite in `DATA_DIR` otherwise. */
export function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite(config.dataDir);
}
