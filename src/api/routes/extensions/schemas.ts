/** Request schemas of the extension routes. */
import { schemas } from '../shared/product.js';

/** Path parameters (case). */
export const caseParams = { type: 'object', required: ['caseId'], properties: { caseId: schemas.uuid } } as const;

/** Request body: extension. */
export const extensionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['months', 'justification'],
  properties: {
    months: { type: 'integer', minimum: 1, maximum: 24 },
    justification: { type: 'string', minLength: 1, maxLength: 4000 },
  },
} as const;
