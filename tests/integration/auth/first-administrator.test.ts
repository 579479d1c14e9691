/** First start: `admin` with a random password, printed once; never again on a restart. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureFirstAdministrator } from '../../../src/auth/first-administrator.js';
import { migrate } from '../../../src/db/index.js';
import { openPostgres } from '../../../src/db/postgres.js';
import { call } from '../../helpers/auth-server.js';
import { TEST_DATABASE_URL, backends, createPostgresDatabase, dropPostgresDatabase, useDatabase } from '../../helpers/databases.js';
import { spawnProduct, stopProduct, waitForUrl, type ProductProcess } from '../../helpers/product.js';

const LINE = /^\*\*\* FIRST START: administrator account "admin" created, password: (\S+) \(shown only this once; sign in and change it\) \*\*\*$/m;

function printedPasswords(product: ProductProcess): string[] {
  return [...product.stdout.matchAll(new RegExp(LINE.source, 'gm'))].map((m) => m[1]);
}

describe.each(backends)('first administrator on $name', (backend) => {
  it('is created with a password printed once, which signs in; a restart prints nothing', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-first-'));
    const url = backend.name === 'postgres' ? await createPostgresDatabase() : undefined;
    const env = { DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'info' };
    try {
      const first = spawnProduct(env);
      const firstUrl = await waitForUrl(first);
      const passwords = printedPasswords(first);
      expect(passwords).toHaveLength(1);
      expect(passwords[0]).toMatch(/^[A-Za-z0-9_-]{24}$/);
      // The JSON log says that it happened, by id, and never carries the password.
      const logLines = first.stdout.split('\n').filter((line) => line.startsWith('{'));
      expect(logLines.some((line) => line.includes('"first administrator created"') && /"userId":"[0-9a-f-]{36}"/.test(line))).toBe(true);
      expect(logLines.join('\n')).not.toContain(passwords[0]);

      const login = await call(firstUrl, 'POST', '/api/auth/login', { body: { username: 'admin', password: passwords[0] } });
      expect(login.status).toBe(200);
      expect(login.body.user.memberships).toEqual([{ role: 'admin', teamId: null }]);
      expect(await stopProduct(first)).toBe(0);

      const second = spawnProduct(env);
      await waitForUrl(second);
      expect(second.stdout).not.toMatch(/FIRST START|password/i);
      expect(await stopProduct(second)).toBe(0);
    } finally {
      if (url) await dropPostgresDatabase(url);
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  describe('when several starts race', () => {
    const handle = useDatabase(backend);

    it('creates exactly one administrator', async () => {
      await migrate(handle.db);
      // On PostgreSQL through pools of their own, as separate processes would.
      const dbs = handle.url ? await Promise.all([1, 2, 3].map(() => openPostgres(handle.url!, { max: 2 }))) : [handle.db];
      try {
        const results = await Promise.all(
          dbs.flatMap((db) => [ensureFirstAdministrator(db), ensureFirstAdministrator(db)]),
        );
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
        const { rows } = await handle.db.query(`select username from app_user`);
        expect(rows).toEqual([{ username: 'admin' }]);
      } finally {
        if (handle.url) await Promise.all(dbs.map((db) => db.close()));
      }
    });
  });
});

describe.skipIf(!TEST_DATABASE_URL)('first administrator with two processes starting together on PostgreSQL', () => {
  it('is printed by exactly one of them', async () => {
    const url = await createPostgresDatabase();
    try {
      const products = [spawnProduct({ DATABASE_URL: url }), spawnProduct({ DATABASE_URL: url })];
      await Promise.all(products.map((product) => waitForUrl(product)));
      expect(products.flatMap(printedPasswords)).toHaveLength(1);
      expect(await Promise.all(products.map(stopProduct))).toEqual([0, 0]);
    } finally {
      await dropPostgresDatabase(url);
    }
  });
});
