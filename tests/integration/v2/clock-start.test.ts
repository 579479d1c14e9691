/**
 * `CLOCK_START`: a simulated clock that starts at a given date-time, also one in the past, so
 * that tests and trainings walk through the same dates whatever day they run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { startEngineServer, type EngineServer } from '../../helpers/engine-server.js';

describe.each(backends)('a simulated clock started at CLOCK_START on $name', (backend) => {
  let engine: EngineServer;

  beforeAll(async () => {
    engine = await startEngineServer(backend, { CLOCK_START: '2026-01-05T08:00:00Z' });
  });
  afterAll(async () => {
    await engine?.close();
  });

  const pin = (at: string) =>
    fetch(`${engine.url}/v2/clock`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timestamp: Date.parse(at) }),
    });

  it('starts there, before today, and moves on from there', async () => {
    // when the clock is pinned to a time after its start, long before the wall clock
    const later = await pin('2026-02-01T08:00:00Z');
    // then that is a move forward
    expect(later.status).toBe(204);
    // and the start lies behind it now: the clock does not go back
    const back = await pin('2026-01-05T08:00:00Z');
    expect(back.status).toBe(400);
    expect(await back.json()).toMatchObject({ code: 'CLOCK_BACKWARDS' });
  });
});
