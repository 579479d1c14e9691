/** A timer that falls due while the server is down fires within 1 s of the next start. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnProduct, stopProduct, waitForUrl } from '../../helpers/product.js';

describe('a timer due during downtime', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fires within 1 s of start', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'uebergang-downtime-'));
    const env = { DATA_DIR: dir, ENGINE_AUTH: 'none' };
    const first = spawnProduct(env);
    const base = await waitForUrl(first);
    const form = new FormData();
    const xml = await readFile(new URL('../../fixtures/bpmn/crash/short-timer.bpmn', import.meta.url));
    form.append('resources', new Blob([xml]), 'short-timer.bpmn');
    expect((await fetch(`${base}/v2/deployments`, { method: 'POST', body: form })).status).toBe(200);
    const created = await fetch(`${base}/v2/process-instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ processDefinitionId: 'short-timer' }),
    });
    const { processInstanceKey } = (await created.json()) as { processInstanceKey: string };
    expect(await stopProduct(first)).toBe(0);

    // Down for longer than the timer's 2 s.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const second = spawnProduct(env);
    const again = await waitForUrl(second);
    const ready = Date.now();
    let state = '';
    while (Date.now() - ready < 5_000) {
      const response = await fetch(`${again}/v2/process-instances/${processInstanceKey}`);
      state = ((await response.json()) as { state: string }).state;
      if (state === 'COMPLETED') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const firedAfterMs = Date.now() - ready;
    expect(await stopProduct(second)).toBe(0);
    expect(state).toBe('COMPLETED');
    expect(firedAfterMs).toBeLessThan(1_000);
  });
});
