/** Request schemas of the case routes. */
import { schemas } from '../shared/product.js';

/** A person's name: letters, marks, spaces, hyphens, apostrophes and dots. */
const personName = { type: 'string', minLength: 1, maxLength: 200, pattern: "^[\\p{L}\\p{M}][\\p{L}\\p{M} .'’-]*$" } as const;

/** Request body: admit. */
export const admitBody = {
  type: 'object',
  additionalProperties: false,
  required: ['client', 'programmeId', 'teamId', 'expectedRelease'],
  properties: {
    client: {
      type: 'object',
      additionalProperties: false,
      required: ['firstName', 'lastName', 'dateOfBirth'],
      properties: { firstName: personName, lastName: personName, dateOfBirth: schemas.date },
    },
    programmeId: { type: 'string', minLength: 2, maxLength: 63, pattern: '^[a-z0-9][a-z0-9-]*$' },
    facilityId: { type: 'string', minLength: 1, maxLength: 200 },
    teamId: { type: 'string', minLength: 1, maxLength: 100 },
    expectedRelease: schemas.date,
  },
} as const;

/** Query string: case list. */
export const caseListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phase: { type: 'string', enum: ['intake', 'custody', 'intensive', 'aftercare', 'closed'] },
    programmeId: { type: 'string', minLength: 1, maxLength: 63 },
    q: { type: 'string', minLength: 1, maxLength: 50 },
    limit: schemas.limit,
    cursor: schemas.cursor,
  },
} as const;

/** Path parameters (case). */
export const caseParams = {
  type: 'object',
  required: ['caseId'],
  properties: { caseId: schemas.uuid },
} as const;

/** Request body: expected release. */
export const expectedReleaseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['expectedRelease'],
  properties: { expectedRelease: schemas.date },
} as const;

/** Request body: release. */
export const releaseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['actualRelease'],
  properties: { actualRelease: schemas.date },
} as const;

/** Request body: close. */
export const closeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', enum: ['regular', 'drop-out', 'not-eligible'] } },
} as const;

/** Request body: reentry. */
export const reentryBody = {
  type: 'object',
  additionalProperties: false,
  required: ['justification'],
  properties: { justification: { type: 'string', minLength: 1, maxLength: 4000 } },
} as const;
