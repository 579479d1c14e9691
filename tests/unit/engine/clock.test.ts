import { describe, expect, it, vi } from 'vitest';
import { createSimulatedClock } from '../../../src/engine/clock.js';

describe('simulated clock', () => {
  it('moves forward to the time it is set to', () => {
    const clock = createSimulatedClock(new Date('2027-01-04T08:00:00Z'));
    clock.set(new Date('2027-07-04T08:00:00Z'));
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse('2027-07-04T08:00:00Z'));
  });

  it('stays where it is when set to a time it has run past since the caller read it, and never goes back', () => {
    vi.useFakeTimers({ now: Date.parse('2026-12-07T04:00:00Z'), toFake: ['Date'] });
    try {
      const clock = createSimulatedClock();
      const read = clock.now();
      vi.setSystemTime(Date.parse('2026-12-07T04:00:00.001Z'));
      clock.set(read);
      expect(clock.now().toISOString()).toBe('2026-12-07T04:00:00.001Z');
      clock.set(new Date('2020-01-01T00:00:00Z'));
      expect(clock.offsetMs()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
