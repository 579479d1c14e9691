import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { DEFAULT_TENANT } from '../../../engine/embedded/search.js';
import { MAX_RESOURCE_BYTES } from '../../../engine/lint/index.js';
import type { V2RouteOptions } from './index.js';
import { checkTenant, machineAccess } from './schemas.js';

/** Largest whole deployment request: a few resources of the largest size plus multipart framing. */
const DEPLOYMENT_BODY_LIMIT = 4 * MAX_RESOURCE_BYTES;

/**
 * `POST /v2/deployments`: multipart `resources` (BPMN and form files) and an optional
 * `tenantId`. All or nothing: the engine checks every file before it stores any.
 */
export default async function deploymentRoutes(fastify: FastifyInstance, options: V2RouteOptions) {
  const { engine } = options.engine;

  fastify.post('/deployments', { config: machineAccess, bodyLimit: DEPLOYMENT_BODY_LIMIT }, async (request) => {
    if (!request.isMultipart()) {
      throw new EngineError('INVALID_ARGUMENT', 'a deployment is a multipart/form-data request with one or more "resources"');
    }
    const files: { name: string; content: Buffer }[] = [];
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === 'tenantId') checkTenant(String(part.value));
        continue;
      }
      if (part.fieldname !== 'resources') {
        throw new EngineError('INVALID_ARGUMENT', `unexpected file field "${part.fieldname}": resources go in "resources"`);
      }
      let content: Buffer;
      try {
        content = await part.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new EngineError('INVALID_ARGUMENT', `${part.filename}: larger than ${MAX_RESOURCE_BYTES / 1024 / 1024} MB`, {
            cause: error,
          });
        }
        throw error;
      }
      files.push({ name: part.filename, content });
    }
    const result = await engine.deploy(files);
    return {
      tenantId: DEFAULT_TENANT,
      deploymentKey: result.deploymentKey,
      deployments: [
        ...result.processes.map((process) => ({
          processDefinition: {
            processDefinitionId: process.processDefinitionId,
            processDefinitionVersion: process.version,
            resourceName: process.resourceName,
            tenantId: DEFAULT_TENANT,
            processDefinitionKey: process.processDefinitionKey,
          },
        })),
        ...result.forms.map((form) => ({
          form: {
            formId: form.formId,
            version: form.version,
            resourceName: form.resourceName,
            tenantId: DEFAULT_TENANT,
            formKey: form.formKey,
          },
        })),
      ],
    };
  });
}
