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
 *
 * Threads start from a small CommonJS file beside the bundle that imports it. piscina loads a task
 * module with `require()` first and `import()` only when that fails, and Node 20's `require()` of
 * an ES module with top-level await (the bundle has one) once aborted a whole test process with
 * `FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated module` instead of
 * throwing; the CommonJS file keeps threads off that path.
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

/**
 * Builds the bundle in memory and writes it (atomically) when it is new, with its CommonJS entry;
 * returns the entry's file.
 */
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
  const name = `instance-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}`;
  const entry = path.join(CACHE, `${name}.cjs`);
  if (existsSync(entry)) return entry;
  mkdirSync(CACHE, { recursive: true });
  writeAtomically(path.join(CACHE, `${name}.mjs`), code);
  // Written after the bundle: where the entry exists, so does what it imports.
  writeAtomically(
    entry,
    `'use strict';\nlet apply;\nmodule.exports = function applyInWorker(task) {\n` +
      `  apply ??= import('./${name}.mjs').then((module) => module.default);\n` +
      `  return apply.then((run) => run(task));\n};\n`,
  );
  return entry;
}

/** Writes `file` whole or not at all (threads of one process may write it at the same time). */
function writeAtomically(file: string, content: string | Uint8Array) {
  const partial = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}

// `node --import tsx src/engine/embedded/worker-bundle.ts` (the Dockerfile): prepares the bundle
// while the installation is still writable.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${ensureBundle()}\n`);
}
