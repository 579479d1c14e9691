/** Request schemas of the referral routes. */
import { LIFE_DOMAINS } from '../../../domain/programmes.js';
import { schemas } from '../shared/product.js';

/** Path parameters (case). */
export const caseParams = { type: 'object', required: ['caseId'], properties: { caseId: schemas.uuid } } as const;
/** Path parameters (referral). */
export const referralParams = { type: 'object', required: ['id'], properties: { id: schemas.uuid } } as const;

/** Request body: referral. */
export const referralBody = {
  type: 'object',
  additionalProperties: false,
  required: ['lifeDomain', 'service'],
  properties: {
    lifeDomain: { type: 'string', enum: [...LIFE_DOMAINS] },
    service: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*$' },
    prescriptionId: schemas.uuid,
  },
} as const;

/** Request body: answer. */
export const answerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['accepted'],
  properties: { accepted: { type: 'boolean' } },
} as const;
