import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { workerModule } from '../../../src/engine/embedded/worker-bundle.js';

describe('the engine threads’ module', () => {
  it('is one bundled JavaScript file, named by its content, that a thread loads without tsx through a CommonJS entry', async () => {
    const first = workerModule();
    expect(first.fallback).toBeUndefined();
    expect(first.execArgv).toEqual([]);
    const file = fileURLToPath(first.filename);
    expect(file).toMatch(/node_modules\/\.cache\/uebergang\/instance-worker-[0-9a-f]{16}\.cjs$/);
    expect(existsSync(file)).toBe(true);
    expect(workerModule().filename).toBe(first.filename);

    // piscina loads it with require() first: that must find the task function, no ES module.
    const thread = new Worker(
      `require('node:worker_threads').parentPort.postMessage(typeof require(${JSON.stringify(file)}))`,
      { eval: true },
    );
    const exported = await new Promise((resolve, reject) => thread.once('message', resolve).once('error', reject));
    await thread.terminate();
    expect(exported).toBe('function');
  });
});
