/** Starts the real product (`src/main.ts`, as `npm start` does) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ProductProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Spawns the product with `env` on top of the current environment (PORT 0 unless given). */
export function spawnProduct(env: Record<string, string | undefined>): ProductProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Waits for the product's "running at <url>" log line; rejects if it exits first. */
export async function waitForUrl(product: ProductProcess, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void product.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/[^"]+)"/.exec(product.stdout);
    if (match) return match[1];
    if (ended) throw new Error(`product exited before it was ready: ${product.stderr || product.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  product.child.kill('SIGKILL');
  throw new Error(`product not ready within ${timeoutMs} ms: ${product.stderr}`);
}

/** Sends SIGTERM and returns the exit code. */
export async function stopProduct(product: ProductProcess): Promise<number | string> {
  product.child.kill('SIGTERM');
  return product.exited;
}
