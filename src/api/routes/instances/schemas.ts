/** Request schemas of the instance and incident routes. */
import { schemas } from '../shared/product.js';

/** Query string: instance. */
export const instanceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    processId: { type: 'string', minLength: 1, maxLength: 200 },
    state: { type: 'string', enum: ['ACTIVE', 'COMPLETED', 'TERMINATED', 'INCIDENT'] },
    q: { type: 'string', minLength: 1, maxLength: 100 },
    limit: schemas.limit,
    cursor: schemas.cursor,
  },
} as const;

/** The CSV export takes the same filters and a larger page. */
export const csvQuery = {
  ...instanceQuery,
  properties: { ...instanceQuery.properties, limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 10_000 } },
} as const;

/** Path parameters (instance). */
export const instanceParams = { type: 'object', required: ['instanceKey'], properties: { instanceKey: schemas.key } } as const;
/** Path parameters (incident). */
export const incidentParams = { type: 'object', required: ['incidentKey'], properties: { incidentKey: schemas.key } } as const;
