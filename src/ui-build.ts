/**
 * Builds the browser app (`modeler-ui/`, Vite) when `modeler-ui/dist` is missing or older than
 * its sources: `npm start` calls {@link ensureUiBuilt} before the server starts, `npm run
 * build:ui` runs this file to build unconditionally. Builds go to a temporary folder that
 * replaces `dist` only when complete, so a server never serves half a build.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const UI_ROOT = path.join(ROOT, 'modeler-ui');
const DIST = path.join(UI_ROOT, 'dist');

/**
 * What the UI is built from: its own sources, the deploy-time lint rules it bundles, and the
 * lockfile (a changed dependency changes the bundle).
 */
const SOURCES = [
  path.join(UI_ROOT, 'src'),
  path.join(UI_ROOT, 'index.html'),
  path.join(UI_ROOT, 'vite.config.ts'),
  path.join(ROOT, 'src/engine/lint'),
  path.join(ROOT, 'package-lock.json'),
];

/** Where progress goes: a line per step (stdout by default). */
export type ProgressWriter = (line: string) => void;

async function newestModification(target: string): Promise<number> {
  let info;
  try {
    info = await stat(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) {
    newest = Math.max(newest, await newestModification(path.join(target, entry)));
  }
  return newest;
}

/** Whether `modeler-ui/dist` is missing or older than any of its sources. */
export async function isUiStale(): Promise<boolean> {
  const index = path.join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = (await stat(index)).mtimeMs;
  for (const source of SOURCES) {
    if ((await newestModification(source)) > built) return true;
  }
  return false;
}

/** Builds the UI with Vite's JS API into `modeler-ui/dist`, printing progress. */
export async function buildUi(write: ProgressWriter = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const started = Date.now();
  write('uebergang: building the web UI (modeler-ui) with Vite …');
  // Vite is loaded only when a build is needed: it is large, and most starts do not need it.
  const { build } = await import('vite');
  const staging = `${DIST}.build-${process.pid}`;
  try {
    await build({
      configFile: path.join(UI_ROOT, 'vite.config.ts'),
      root: UI_ROOT,
      logLevel: 'info',
      build: { outDir: staging, emptyOutDir: true },
    });
    await rm(DIST, { recursive: true, force: true });
    try {
      await rename(staging, DIST);
    } catch (error) {
      // Another process finished the same build first: its dist is as good as ours.
      if (!existsSync(path.join(DIST, 'index.html'))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  write(`uebergang: web UI built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const LOCK = path.join(UI_ROOT, '.build-lock');
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 5 * 60_000;

/** Runs `task` while holding the build lock (a directory: created atomically), across processes. */
async function withBuildLock<T>(task: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await stat(LOCK).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > STALE_LOCK_MS) await rm(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await task();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

/**
 * Builds the UI when it is missing or stale; otherwise does nothing. Processes starting at the
 * same time (tests, several servers) build once: the others wait and find it fresh.
 */
export async function ensureUiBuilt(write: ProgressWriter = (line) => process.stdout.write(`${line}\n`)): Promise<boolean> {
  if (!(await isUiStale())) return false;
  // In a process of its own: the memory Vite takes goes back to the system when the build ends,
  // instead of staying with the server that started it.
  await runBuildProcess(['--if-stale'], write);
  return true;
}

/** Runs this file as a child process; its output goes to `write` line by line. */
async function runBuildProcess(args: string[], write: ProgressWriter): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) write(line);
  };
  child.stdout!.on('data', forward);
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
    forward(chunk);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`building the web UI failed (exit code ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
}

// `npm run build:ui`: an unconditional build; with `--if-stale` (from ensureUiBuilt) only when needed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ifStale = process.argv.includes('--if-stale');
  withBuildLock(async () => {
    if (ifStale && !(await isUiStale())) return;
    await buildUi();
  }).catch((error: unknown) => {
    process.stderr.write(`uebergang: building the web UI failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
