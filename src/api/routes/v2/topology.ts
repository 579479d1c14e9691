import type { FastifyInstance } from 'fastify';
import type { V2RouteOptions } from './index.js';
import { machineAccess } from './schemas.js';

/** The Camunda version whose API this server speaks; clients pick features by it. */
export const GATEWAY_VERSION = '8.8.0';

/**
 * `GET /v2/topology`: the embedded engine as a one-broker, one-partition cluster — the honest
 * description of one process on one database, in the shape clients expect.
 */
export default async function topologyRoutes(fastify: FastifyInstance, _options: V2RouteOptions) {
  fastify.get('/topology', { config: machineAccess }, async (request) => {
    const address = request.socket.localAddress ?? '127.0.0.1';
    return {
      brokers: [
        {
          nodeId: 0,
          host: address,
          port: request.socket.localPort ?? 0,
          partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }],
          version: GATEWAY_VERSION,
        },
      ],
      clusterSize: 1,
      partitionsCount: 1,
      replicationFactor: 1,
      gatewayVersion: GATEWAY_VERSION,
      lastCompletedChangeId: '-1',
    };
  });
}
