/** Request schemas of the process and form routes. */
import { schemas } from '../shared/product.js';

/** Path parameters (process id). */
export const processIdParams = {
  type: 'object',
  required: ['processId'],
  properties: { processId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Path parameters (xml). */
export const xmlParams = {
  type: 'object',
  required: ['processId', 'version'],
  properties: { processId: processIdParams.properties.processId, version: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
} as const;

/** Query string: heatmap. */
export const heatmapQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { version: { type: 'integer', minimum: 1, maximum: 1_000_000 } },
} as const;

/** Path parameters (form id). */
export const formIdParams = {
  type: 'object',
  required: ['formId'],
  properties: { formId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Process list. */
export const processList = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      processId: { type: 'string' },
      name: { type: 'string' },
      latestVersion: { type: 'integer' },
      versions: {
        type: 'array',
        items: {
          type: 'object',
          properties: { version: { type: 'integer' }, processDefinitionKey: schemas.key, deployedAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
  },
} as const;
