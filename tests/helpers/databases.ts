/**
 * Integration tests run on every available back-end: embedded PGlite always, PostgreSQL too when
 * TEST_DATABASE_URL is set. Each test file gets a fresh database of its own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { openPglite } from '../../src/db/pglite.js';
import { openPostgres } from '../../src/db/postgres.js';

/** The PostgreSQL server the tests may create databases on, or undefined. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

/** A back-end the test file can open fresh databases on. */
export interface Backend {
  name: 'pglite' | 'postgres';
  /** A fresh, empty database; `url` is set for PostgreSQL (for other processes to connect). */
  create(): Promise<TestDatabase>;
}

export interface TestDatabase {
  db: Database;
  url?: string;
  /** Closes the handle and removes the database. */
  drop(): Promise<void>;
}

const pglite: Backend = {
  name: 'pglite',
  async create() {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  },
};

const postgres: Backend = {
  name: 'postgres',
  async create() {
    const url = await createPostgresDatabase();
    const db = await openPostgres(url);
    return {
      db,
      url,
      async drop() {
        await db.close();
        await dropPostgresDatabase(url);
      },
    };
  },
};

/** PGlite, and PostgreSQL when TEST_DATABASE_URL is set: use with `describe.each(backends)`. */
export const backends: Backend[] = TEST_DATABASE_URL ? [pglite, postgres] : [pglite];

/** Creates an empty database on the TEST_DATABASE_URL server and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by {@link createPostgresDatabase}, closing whatever still uses it. */
export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^test_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
}

async function withAdmin(fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Opens a fresh database on `backend` before the tests of the surrounding `describe` and drops
 * it after them. Read `.db` / `.url` inside tests and hooks.
 */
export function useDatabase(backend: Backend): { readonly db: Database; readonly url: string | undefined } {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await backend.create();
  });
  afterAll(async () => {
    await current?.drop();
  });
  return {
    get db() {
      if (!current) throw new Error('database not open yet: use it inside a test or hook');
      return current.db;
    },
    get url() {
      return current?.url;
    },
  };
}
