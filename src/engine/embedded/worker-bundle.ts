/**
 * The module the engine's worker threads load. Loading TypeScript through tsx in a worker costs
 * each thread its own module-hook thread and transpiler (measured: ~55 MB resident and ~0.75 s of
 * CPU per thread), so `instance-worker.ts` and the product code it imports are bundled into one
 * plain JavaScript module with esbuild (≈10 ms); packages stay imports, resolved from the
 * project's `node_modules`. The bundle is named by its content's hash and kept in
 * `node_modules/.cache/uebergang`, so processes that start together share one file and a changed
 * source gets a new one. Where that folder cannot be written and holds no current bundle (a
 * read-only installation that was not prepared, see the Dockerfile), threads load the TypeScript
 * through tsx as before.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';

const SOURCE = fileURLToPath(new URL('./instance-worker.ts', import.meta.url));
const CACHE = fileURLToPath(new URL('../../../node_modules/.cache/uebergang/', import.meta.url));

/** What a worker thread is started with: its module and node flags. */
export interface WorkerModule {
  filename: string;
  execArgv: string[];
  /** Why the TypeScript is loaded through tsx instead of the bundle, if it is. */
  fallback?: string;
}

/** The bundled worker module, written if it is not there yet; tsx and the source if that fails. */
export function workerModule(): WorkerModule {
  try {
    return { filename: pathToFileURL(ensureBundle()).href, execArgv: [] };
  } catch (error) {
    return { filename: pathToFileURL(SOURCE).href, execArgv: ['--import', 'tsx'], fallback: (error as Error).message };
  }
}

/** Builds the bundle in memory and returns its file, writing it (atomically) when it is new. */
function ensureBundle(): string {
  const { outputFiles } = buildSync({
    entryPoints: [SOURCE],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = outputFiles[0].contents;
  const file = path.join(CACHE, `instance-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  // (threads of one process may write at the same time: each its own partial file)
  const partial = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(partial, code);
  renameSync(partial, file);
  return file;
}

// `node --import tsx src/engine/embedded/worker-bundle.ts` (the Dockerfile): prepares the bundle
// while the installation is still writable.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${ensureBundle()}\n`);
}
