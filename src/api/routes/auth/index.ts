import type { FastifyInstance } from 'fastify';
import machineRoutes from './machine-routes.js';
import sessionRoutes from './session-routes.js';

/** `/api/auth/…`: sign-in and sessions of people; machine credentials and tokens of workers. */
export default async function authRoutes(fastify: FastifyInstance) {
  await fastify.register(sessionRoutes);
  await fastify.register(machineRoutes);
}
