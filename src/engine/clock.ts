/**
 * The engine's one clock. In production it is the wall clock; with `CLOCK=simulated` it can be
 * moved forward (never back) so that a 24-month case can be walked through in seconds.
 */
export interface Clock {
  readonly kind: 'system' | 'simulated';
  /** The current time. */
  now(): Date;
  /** How far this clock is ahead of the wall clock, in ms (0 for the system clock). */
  offsetMs(): number;
}

/** A clock that can be moved forward; shared by every part of one engine. */
export interface SimulatedClock extends Clock {
  readonly kind: 'simulated';
  /**
   * Moves the clock forward to `to`, never back: a `to` it has already passed leaves it where it
   * is. Callers refuse a target earlier than their own reading of `now()`; the clock runs on
   * between that reading and this call, so a target equal to it may be passed by then.
   */
  set(to: Date): void;
}

/** The wall clock. */
export function createSystemClock(): Clock {
  return { kind: 'system', now: () => new Date(), offsetMs: () => 0 };
}

/** A clock that starts at `start` (the wall clock by default) and moves only when told. */
export function createSimulatedClock(start = new Date()): SimulatedClock {
  let offsetMs = start.getTime() - Date.now();
  return {
    kind: 'simulated',
    // Time still passes between moves, so that durations measured in tests stay positive.
    now: () => new Date(Date.now() + offsetMs),
    offsetMs: () => offsetMs,
    set(to: Date) {
      offsetMs += Math.max(0, to.getTime() - (Date.now() + offsetMs));
    },
  };
}
