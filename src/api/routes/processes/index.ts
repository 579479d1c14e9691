/**
 * Deployed processes and forms: `GET /api/processes` with their versions, the BPMN XML of one
 * version, the element heatmap (how often each element ran, how long on average), and the forms
 * with their latest schema. Definitions carry no personal data.
 */
import type { FastifyInstance } from 'fastify';
import { listForms, listProcesses, readHeatmap, readLatestForm, readProcessXml } from '../../../engine/embedded/product-queries.js';
import { productErrors, useProductErrors } from '../shared/product.js';
import { formIdParams, heatmapQuery, processIdParams, processList, xmlParams } from './schemas.js';

const MODEL_READERS = ['process-owner', 'supervisor', 'admin'] as const;

/** Registers the process and form routes. */
export default async function processRoutes(fastify: FastifyInstance) {
  useProductErrors(fastify);

  fastify.get(
    '/api/processes',
    { config: { access: MODEL_READERS }, schema: { response: { 200: processList } } },
    async () => listProcesses(fastify.db),
  );

  fastify.get<{ Params: { processId: string; version: number } }>(
    '/api/processes/:processId/versions/:version/xml',
    { config: { access: MODEL_READERS }, schema: { params: xmlParams } },
    async (request, reply) => {
      const xml = await readProcessXml(fastify.db, request.params.processId, request.params.version);
      if (xml === undefined) throw new productErrors.PROCESS_NOT_FOUND(`${request.params.processId} v${request.params.version}`);
      return reply.type('application/xml; charset=utf-8').send(xml);
    },
  );

  fastify.get<{ Params: { processId: string }; Querystring: { version?: number } }>(
    '/api/processes/:processId/heatmap',
    { config: { access: MODEL_READERS }, schema: { params: processIdParams, querystring: heatmapQuery } },
    async (request) => ({ elements: await readHeatmap(fastify.db, request.params.processId, request.query.version) }),
  );

  fastify.get('/api/forms', { config: { access: 'authenticated' } }, async () => listForms(fastify.db));

  fastify.get<{ Params: { formId: string } }>(
    '/api/forms/:formId',
    { config: { access: 'authenticated' }, schema: { params: formIdParams } },
    async (request) => {
      const form = await readLatestForm(fastify.db, request.params.formId);
      if (!form) throw new productErrors.FORM_NOT_FOUND(request.params.formId);
      return form;
    },
  );
}
