/**
 * Issue 6, acceptance 4 (the static half): German and English have the same keys, and every key
 * a view asks for with a literal `t('…')` exists in both, so no page shows a raw key. Dynamic
 * keys (`t(\`phase.${phase}\`)`) are checked by the browser tests, which fail on the console
 * error a missing key logs.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UI_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../modeler-ui/src');

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : flatten(value, `${prefix}${key}.`),
  );
}

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sources(full);
      return Promise.resolve(/\.(ts|tsx)$/.test(entry.name) ? [full] : []);
    }),
  );
  return files.flat();
}

const load = async (language: string) =>
  flatten(JSON.parse(await readFile(path.join(UI_SRC, 'i18n', `${language}.json`), 'utf8')) as Tree);

describe('UI translations', () => {
  it('has the same keys in German and English', async () => {
    const [de, en] = await Promise.all([load('de'), load('en')]);
    expect(de.filter((key) => !en.includes(key))).toEqual([]);
    expect(en.filter((key) => !de.includes(key))).toEqual([]);
  });

  it('has every literal key the views use, in both languages', async () => {
    const de = new Set(await load('de'));
    // A pluralised key exists as `key_one` / `key_other`.
    const known = (key: string) => de.has(key) || de.has(`${key}_other`);
    const used = new Set<string>();
    for (const file of await sources(UI_SRC)) {
      for (const match of (await readFile(file, 'utf8')).matchAll(/\bt\(\s*'([^']+)'/g)) used.add(match[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((key) => !known(key))).toEqual([]);
  });
});
