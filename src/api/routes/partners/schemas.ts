/** Request schemas of the partner routes. */
import { LIFE_DOMAINS } from '../../../domain/programmes.js';
import { schemas } from '../shared/product.js';

const lifeDomain = { type: 'string', enum: [...LIFE_DOMAINS] } as const;
const code = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*$' } as const;

/** Query string: partner. */
export const partnerQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { q: { type: 'string', minLength: 1, maxLength: 100 }, region: code, lifeDomain },
} as const;

/** Path parameters (partner). */
export const partnerParams = { type: 'object', required: ['id'], properties: { id: schemas.uuid } } as const;

/** Request body: partner. */
export const partnerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type', 'regions'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    type: { type: 'string', minLength: 1, maxLength: 100 },
    regions: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: code },
    capacity: { type: ['integer', 'null'], minimum: 0, maximum: 100_000, default: null },
    dataSharingAgreement: { type: 'boolean', default: false },
    offers: {
      type: 'array',
      maxItems: 100,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lifeDomain', 'service'],
        properties: { lifeDomain, service: code, description: { type: 'string', maxLength: 2000 } },
      },
    },
    contacts: {
      type: 'array',
      maxItems: 50,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          role: { type: 'string', maxLength: 200 },
          email: { type: 'string', format: 'email', maxLength: 200 },
          phone: { type: 'string', maxLength: 50, pattern: '^[0-9 +()/-]*$' },
        },
      },
    },
  },
} as const;
