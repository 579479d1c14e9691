import type { Logger } from 'pino';
import type { EmbeddedEngine } from './engine.js';

/** How often the scheduler looks for due timers, expired job locks and messages. */
export const SCHEDULER_INTERVAL_MS = 250;

/**
 * The engine's background loop: fires due timers (oldest first), gives back jobs whose lock
 * ran out, drops expired messages. It runs once at start — so a timer that fell due while the
 * server was down fires right away — and then every {@link SCHEDULER_INTERVAL_MS}. Several
 * processes may run it on one database: each timer is claimed with SKIP LOCKED.
 */
export function startScheduler(engine: EmbeddedEngine, log: Logger, intervalMs = SCHEDULER_INTERVAL_MS) {
  let stopped = false;
  let timeout: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = async () => {
    try {
      await engine.releaseTimedOutJobs();
      await engine.expireMessages();
      // Drain everything due before sleeping again.
      while (!stopped && (await engine.fireDueTimers()) > 0);
    } catch (error) {
      log.error({ err: error }, 'scheduler tick failed');
    }
  };
  const loop = () => {
    running = tick().finally(() => {
      if (!stopped) timeout = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    /** Waits for the current tick and stops the loop. */
    async stop() {
      stopped = true;
      clearTimeout(timeout);
      await running;
    },
  };
}
