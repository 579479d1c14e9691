/**
 * The engine as the rest of the product sees it. Only `src/engine/` knows which engine runs:
 * today the embedded one; `ENGINE=camunda8` (a Camunda 8 cluster through @camunda8/sdk) is not
 * built yet and is refused at start-up.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import { createSimulatedClock, createSystemClock, type Clock } from './clock.js';
import { createEmbeddedEngine, type EmbeddedEngine } from './embedded/engine.js';
import { startScheduler } from './embedded/scheduler.js';

export type { Clock } from './clock.js';
export type { EmbeddedEngine } from './embedded/engine.js';
export { EngineError } from './errors.js';

/** A running engine with its clock and background loop. */
export interface EngineRuntime {
  engine: EmbeddedEngine;
  clock: Clock;
  /** Stops the background loop after its current round. */
  close(): Promise<void>;
}

/** The configured engine was not built into this version. */
export class EngineUnavailableError extends Error {}

/** Starts the configured engine on `db`; the scheduler starts at once. */
export function startEngine(
  config: Pick<Config, 'engine' | 'clock' | 'clockStart' | 'engineThreads'>,
  db: Database,
  log: Logger,
): EngineRuntime {
  if (config.engine !== 'embedded') {
    throw new EngineUnavailableError('ENGINE=camunda8 is not available in this version yet; use ENGINE=embedded');
  }
  const clock = config.clock === 'simulated' ? createSimulatedClock(config.clockStart) : createSystemClock();
  const engine = createEmbeddedEngine({
    db,
    clock,
    log: log.child({ component: 'engine' }),
    threads: config.engineThreads,
  });
  const scheduler = startScheduler(engine, log.child({ component: 'scheduler' }));
  return {
    engine,
    clock,
    async close() {
      await scheduler.stop();
      await engine.close();
    },
  };
}
