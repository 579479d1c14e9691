import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './types.js';

/** Where the numbered, forward-only SQL files live: `NNNN_name.sql`. */
export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** A migration file, by its number. */
export interface Migration {
  id: number;
  name: string;
  sql: string;
}

/** Serialises migrators across processes sharing one PostgreSQL database. */
const LOCK_SQL = `select pg_advisory_xact_lock(hashtext('uebergang.migrate'))`;

const CREATE_TABLE_SQL = `create table if not exists schema_migrations (
  id integer primary key,
  name text not null,
  applied_at timestamptz not null default now()
)`;

/** Reads the migration files in order; refuses a badly named file or a number used twice. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file ${file} must be named NNNN_name.sql`);
    const id = Number(match[1]);
    if (migrations.some((m) => m.id === id)) throw new Error(`Migration number ${match[1]} is used twice`);
    migrations.push({ id, name: match[2], sql: await readFile(path.join(dir, file), 'utf8') });
  }
  return migrations;
}

/**
 * Applies every migration not yet recorded, each in its own transaction together with its
 * record. A transaction-scoped advisory lock makes concurrent starts apply each one exactly once.
 * @returns the ids applied by this call
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of migrations ?? (await readMigrations())) {
    const done = await db.transaction(async (tx) => {
      await tx.query(LOCK_SQL);
      await tx.query(CREATE_TABLE_SQL);
      const { rows } = await tx.query<{ name: string }>('select name from schema_migrations where id = $1', [
        migration.id,
      ]);
      if (rows.length > 0) {
        if (rows[0].name !== migration.name) {
          throw new Error(
            `Migration ${migration.id} is recorded as "${rows[0].name}" but the file is "${migration.name}"`,
          );
        }
        return false;
      }
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new Error(`Migration ${migration.id}_${migration.name} failed`, { cause: error });
      }
      await tx.query('insert into schema_migrations (id, name) values ($1, $2)', [migration.id, migration.name]);
      return true;
    });
    if (done) applied.push(migration.id);
  }
  return applied;
}

/** The highest migration number recorded in the database, or 0 before the first migration. */
export async function currentMigration(db: Database): Promise<number> {
  const { rows: table } = await db.query(`select to_regclass('schema_migrations') is not null as found`);
  if (!table[0].found) return 0;
  const { rows } = await db.query<{ id: number | null }>('select max(id) as id from schema_migrations');
  return rows[0].id ?? 0;
}
