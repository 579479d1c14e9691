import type { FastifyInstance } from 'fastify';
import type { SimulatedClock } from '../../../engine/clock.js';
import { EngineError } from '../../../engine/errors.js';
import { errors } from '../../errors.js';
import { LATEST_CLOCK_TIME_MS } from '../../limits.js';
import type { V2RouteOptions } from './index.js';
import { machineAccess } from './schemas.js';

/**
 * `PUT /v2/clock` (`{"timestamp": <epoch ms>}`) and `POST /v2/clock/reset`, with
 * `CLOCK=simulated` only (otherwise 409, as `POST /api/clock/advance` answers).
 *
 * Differences from Camunda 8, both from the engine's one clock: a pinned time keeps running
 * from where it was set instead of standing still, and the clock never goes back — pinning
 * an earlier time is refused (400), and a reset is possible only while the simulated time has
 * not run ahead of the wall clock (409 otherwise). Everything that fell due fires, in order,
 * before the answer.
 */
export default async function clockRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { clock, engine } = options.engine;

  const simulated = () => {
    if (clock.kind !== 'simulated') throw new errors.CLOCK_NOT_SIMULATED();
    return clock as SimulatedClock;
  };
  const fireDueTimers = async () => {
    while ((await engine.fireDueTimers()) > 0);
  };

  fastify.put<{ Body: { timestamp: number } }>(
    '/clock',
    {
      config: machineAccess,
      schema: {
        body: {
          type: 'object',
          required: ['timestamp'],
          properties: { timestamp: { type: 'integer', minimum: 0, maximum: LATEST_CLOCK_TIME_MS } },
        },
      },
    },
    async (request, reply) => {
      const moving = simulated();
      const target = new Date(request.body.timestamp);
      if (target < moving.now()) throw new errors.CLOCK_BACKWARDS();
      moving.set(target);
      await fireDueTimers();
      return reply.status(204).send();
    },
  );

  fastify.post('/clock/reset', { config: machineAccess }, async (_request, reply) => {
    // The offset, not two readings of the running clocks: between those a millisecond may pass.
    const moving = simulated();
    if (moving.offsetMs() > 0) {
      throw new EngineError('CONFLICT', 'the simulated clock is ahead of the wall clock and cannot go back in time');
    }
    moving.set(new Date());
    await fireDueTimers();
    return reply.status(204).send();
  });
}
