/** Request schemas of the application routes. */
import { LIFE_DOMAINS } from '../../../domain/programmes.js';
import { schemas } from '../shared/product.js';

/** Path parameters (case). */
export const caseParams = { type: 'object', required: ['caseId'], properties: { caseId: schemas.uuid } } as const;
/** Path parameters (application). */
export const applicationParams = { type: 'object', required: ['id'], properties: { id: schemas.uuid } } as const;

/** Request body: application. */
export const applicationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind'],
  properties: {
    kind: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*$' },
    lifeDomain: { type: 'string', enum: [...LIFE_DOMAINS] },
    deadline: schemas.date,
    ownerId: schemas.uuid,
  },
} as const;

/** Request body: status. */
export const statusBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: ['planned', 'submitted', 'approved', 'rejected'] } },
} as const;
