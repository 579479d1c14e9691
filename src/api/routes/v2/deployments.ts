import type { Multipart } from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../../engine/errors.js';
import { DEFAULT_TENANT } from '../../../engine/embedded/search.js';
import { MAX_RESOURCE_BYTES } from '../../../engine/lint/index.js';
import { findUnstorable } from '../../plugins/storable-input.js';
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
    try {
      for await (const part of request.parts()) {
        await readPart(part, files);
      }
    } catch (error) {
      // Our own refusals and @fastify/multipart's limit errors carry a status; what comes without
      // one is busboy finding the body itself malformed (no boundary, cut short): the client's fault.
      if ((error as { statusCode?: number }).statusCode !== undefined) throw error;
      throw new EngineError('INVALID_ARGUMENT', `not a readable multipart/form-data body: ${(error as Error).message}`, {
        cause: error,
      });
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

/** Takes one part of a deployment: checks a field, buffers a resource into `files`. */
async function readPart(part: Multipart, files: { name: string; content: Buffer }[]): Promise<void> {
  if (part.type === 'field') {
    if (part.fieldname === 'tenantId') checkTenant(String(part.value));
    return;
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
  checkStorable(part.filename, content);
  files.push({ name: part.filename, content });
}

/**
 * Refuses a resource the engine could parse but the database could not store: the file is kept
 * as text (no NUL byte allowed) and a form's schema as jsonb (see src/api/plugins/storable-input.ts).
 */
function checkStorable(name: string, content: Buffer): void {
  if (content.includes(0)) throw new EngineError('INVALID_ARGUMENT', `${name}: contains a NUL byte`);
  if (!name.endsWith('.form')) return;
  let schema: unknown;
  try {
    schema = JSON.parse(content.toString());
  } catch {
    return; // the engine refuses it with its own message
  }
  const problem = findUnstorable(schema, name);
  if (problem) throw new EngineError('INVALID_ARGUMENT', problem);
}
