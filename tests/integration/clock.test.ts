/** `POST /api/clock/advance`: the simulated clock moves forward within what dates can be stored. */
import { describe, expect, it } from 'vitest';
import { call, createTestUser, signIn, useAuthServer } from '../helpers/auth-server.js';
import { backends } from '../helpers/databases.js';

describe.each(backends)('the simulated clock over /api on $name', (backend) => {
  const app = useAuthServer(backend, { CLOCK: 'simulated', LOGIN_RATE_LIMIT: '1000' });

  it('refuses to move the clock beyond the year 9000 with 400, and moves it by a day', async () => {
    // given a process owner
    await createTestUser(app.db, 'clock.owner', [{ role: 'process-owner', teamId: null }]);
    const session = await signIn(app.url, 'clock.owner');
    const advance = (body: unknown) => call(app.url, 'POST', '/api/clock/advance', { session, body });

    // when the clock is asked to go further than any stored deadline could follow, or by a day
    const years = await advance({ duration: 'P999999999Y' });
    const date = await advance({ to: '9999-12-31T23:59:59Z' });
    const before = (await call(app.url, 'GET', '/api/clock', { session })).body.time as string;
    const day = await advance({ duration: 'P1D' });

    // then the far moves are refused and the clock stayed put for them
    expect(years).toMatchObject({ status: 400, body: { code: 'CLOCK_OUT_OF_RANGE' } });
    expect(date).toMatchObject({ status: 400, body: { code: 'CLOCK_OUT_OF_RANGE' } });
    expect(day.status).toBe(200);
    expect(Date.parse(day.body.time) - Date.parse(before)).toBeGreaterThanOrEqual(24 * 3600 * 1000);
  });
});
