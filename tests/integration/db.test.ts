import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentMigration, migrate, readMigrations, type Migration } from '../../src/db/index.js';
import { openPostgres } from '../../src/db/postgres.js';
import { backends, useDatabase } from '../helpers/databases.js';

const testMigrations: Migration[] = [
  { id: 1, name: 'first', sql: 'create table first (id int primary key); insert into first values (1);' },
  { id: 2, name: 'second', sql: 'create table second (id int primary key);' },
];

describe.each(backends)('database on $name', (backend) => {
  const handle = useDatabase(backend);

  it('returns int8 as a string so int64 keys keep every digit', async () => {
    const { rows } = await handle.db.query<{ key: string; n: number }>('select $1::int8 as key, 2::int4 as n', [
      '9223372036854775807',
    ]);
    expect(rows).toEqual([{ key: '9223372036854775807', n: 2 }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await handle.db.exec('create table tx_probe (v text)');
    await handle.db.transaction((tx) => tx.query(`insert into tx_probe values ('kept')`));
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.query(`insert into tx_probe values ('lost')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await handle.db.query('select v from tx_probe');
    expect(rows).toEqual([{ v: 'kept' }]);
  });

  it('applies each migration once and records it', async () => {
    expect(await currentMigration(handle.db)).toBe(0);
    expect(await migrate(handle.db, testMigrations)).toEqual([1, 2]);
    expect(await migrate(handle.db, testMigrations)).toEqual([]);
    const { rows } = await handle.db.query('select id, name from schema_migrations order by id');
    expect(rows).toEqual([
      { id: 1, name: 'first' },
      { id: 2, name: 'second' },
    ]);
    expect(await currentMigration(handle.db)).toBe(2);
  });

  it('leaves nothing of a failing migration behind', async () => {
    const broken: Migration = { id: 3, name: 'broken', sql: 'create table third (id int); select * from missing;' };
    await expect(migrate(handle.db, [...testMigrations, broken])).rejects.toThrow('Migration 3_broken failed');
    const { rows } = await handle.db.query(`select to_regclass('third') is null as absent`);
    expect(rows[0].absent).toBe(true);
    expect(await currentMigration(handle.db)).toBe(2);
  });

  it('refuses a migration whose recorded name differs from its file', async () => {
    const renamed = [testMigrations[0], { ...testMigrations[1], name: 'renamed' }];
    await expect(migrate(handle.db, renamed)).rejects.toThrow(/recorded as "second" but the file is "renamed"/);
  });

  it("applies the product's own migrations", async () => {
    const fresh = await backend.create();
    try {
      const all = await readMigrations();
      expect(await migrate(fresh.db, all)).toEqual(all.map((m) => m.id));
      const { rows } = await fresh.db.query('select count(*)::int as n from system_info');
      expect(rows[0].n).toBe(1);
    } finally {
      await fresh.drop();
    }
  });

  it('applies each migration exactly once when several migrators start together', async () => {
    const fresh = await backend.create();
    // On PostgreSQL each migrator has its own pool (as separate processes would).
    const others = await Promise.all([1, 2, 3].map(() => (fresh.url ? openPostgres(fresh.url) : fresh.db)));
    try {
      const applied = await Promise.all(others.map((db) => migrate(db, testMigrations)));
      expect(applied.flat().sort()).toEqual([1, 2]);
      const { rows } = await fresh.db.query('select count(*)::int as n from first');
      expect(rows[0].n).toBe(1);
    } finally {
      if (fresh.url) await Promise.all(others.map((db) => db.close()));
      await fresh.drop();
    }
  });
});

describe('migration files', () => {
  it('are numbered, ordered and unique', async () => {
    const migrations = await readMigrations();
    expect(migrations.map((m) => m.id)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('refuse a badly named file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await writeFile(path.join(dir, '1_first.sql'), 'select 1');
    await expect(readMigrations(dir)).rejects.toThrow('must be named NNNN_name.sql');
  });
});
