/**
 * `npm run bench -- <name>`: runs bench/<name>.ts and prints its result as one JSON line.
 * Benchmarks read BENCH_DATABASE_URL (a PostgreSQL server they may create databases on).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = (await readdir(dir))
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}>\n`);
  process.exit(2);
}
const bench = (await import(`./${name}.ts`)) as { default: () => Promise<Record<string, unknown>> };
process.stdout.write(`${JSON.stringify({ bench: name, ...(await bench.default()) })}\n`);
process.exit(0);
