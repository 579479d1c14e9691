import type { FastifyInstance } from 'fastify';
import type { Clock, SimulatedClock } from '../../../engine/clock.js';
import type { EmbeddedEngine } from '../../../engine/embedded/engine.js';
import { addIsoDuration } from '../../../engine/embedded/engine.js';
import { errors } from '../../errors.js';
import { LATEST_CLOCK_TIME_MS } from '../../limits.js';

const clockBody = {
  type: 'object',
  properties: { time: { type: 'string', format: 'date-time' }, kind: { type: 'string', enum: ['system', 'simulated'] } },
  required: ['time', 'kind'],
} as const;

/**
 * `GET /api/clock`: the engine's time. `POST /api/clock/advance` with `{"duration":"P6M"}` or
 * `{"to":"<date-time>"}` (simulation mode only) moves it forward and fires everything that
 * became due, in order, before it answers.
 */
export default async function clockRoutes(fastify: FastifyInstance, options: { clock: Clock; engine: EmbeddedEngine }) {
  const { clock, engine } = options;

  fastify.get(
    '/api/clock',
    { config: { access: 'authenticated' }, schema: { response: { 200: clockBody } } },
    async () => ({ time: clock.now().toISOString(), kind: clock.kind }),
  );

  fastify.post<{ Body: { duration?: string; to?: string } }>(
    '/api/clock/advance',
    {
      config: { access: ['process-owner', 'admin'] },
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            duration: { type: 'string', maxLength: 64 },
            to: { type: 'string', format: 'date-time' },
          },
          oneOf: [{ required: ['duration'] }, { required: ['to'] }],
        },
        response: { 200: clockBody },
      },
    },
    async (request) => {
      if (clock.kind !== 'simulated') throw new errors.CLOCK_NOT_SIMULATED();
      const now = clock.now();
      const target = request.body.to ? new Date(request.body.to) : addIsoDuration(now, request.body.duration!);
      if (!target) throw new errors.INVALID_DURATION(request.body.duration);
      // Also an invalid date (`P999999999Y`): every later deadline would fail to be stored.
      if (!(target.getTime() <= LATEST_CLOCK_TIME_MS)) {
        throw new errors.CLOCK_OUT_OF_RANGE(new Date(LATEST_CLOCK_TIME_MS).toISOString());
      }
      if (target < now) throw new errors.CLOCK_BACKWARDS();
      (clock as SimulatedClock).set(target);
      while ((await engine.fireDueTimers()) > 0);
      return { time: clock.now().toISOString(), kind: clock.kind };
    },
  );
}
