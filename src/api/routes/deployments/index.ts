/**
 * `POST /api/deployments` (process owner): deploys BPMN diagrams and forms with the engine's
 * deploy-time check; a refusal lists its findings per element. `POST /api/simulation/instances`
 * starts an instance with chosen variables, only under the simulated clock (CLOCK=simulated).
 */
import type { FastifyInstance } from 'fastify';
import { recordAudit } from '../../../auth/audit.js';
import type { Config } from '../../../config.js';
import type { EngineRuntime } from '../../../engine/index.js';
import { errors } from '../../errors.js';
import { auditOf, useProductErrors } from '../shared/product.js';
import { DEPLOYMENT_BODY_LIMIT, deploymentBody, simulationBody } from './schemas.js';

/** Registers the deployment and simulation routes. */
export default async function deploymentRoutes(fastify: FastifyInstance, options: { engine: EngineRuntime; config: Config }) {
  useProductErrors(fastify);
  const { engine } = options.engine;

  fastify.post<{ Body: { resources: { name: string; content: string }[] } }>(
    '/api/deployments',
    { config: { access: ['process-owner', 'admin'] }, bodyLimit: DEPLOYMENT_BODY_LIMIT, schema: { body: deploymentBody } },
    async (request, reply) => {
      const result = await engine.deploy(request.body.resources);
      await recordAudit(
        fastify.db,
        auditOf(request, {
          action: 'deployment.create',
          recordType: 'deployment',
          recordId: result.deploymentKey,
          details: { processes: result.processes.map((p) => `${p.processDefinitionId}:${p.version}`), forms: result.forms.map((f) => `${f.formId}:${f.version}`) },
        }),
      );
      request.log.info({ deploymentKey: result.deploymentKey }, 'deployed');
      return reply.status(201).send({
        deploymentKey: result.deploymentKey,
        processes: result.processes.map((p) => ({ processId: p.processDefinitionId, version: p.version, processDefinitionKey: p.processDefinitionKey })),
        forms: result.forms.map((f) => ({ formId: f.formId, version: f.version })),
      });
    },
  );

  fastify.post<{ Body: { processId: string; variables: Record<string, unknown> } }>(
    '/api/simulation/instances',
    { config: { access: ['process-owner'] }, schema: { body: simulationBody } },
    async (request, reply) => {
      if (options.config.clock !== 'simulated') throw new errors.CLOCK_NOT_SIMULATED();
      const started = await engine.createInstance({ processDefinitionId: request.body.processId, variables: request.body.variables });
      await recordAudit(
        fastify.db,
        auditOf(request, { action: 'simulation.start', recordType: 'process-instance', recordId: started.processInstanceKey }),
      );
      return reply.status(201).send({ instanceKey: started.processInstanceKey });
    },
  );
}
