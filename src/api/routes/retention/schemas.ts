/** Request schema of `POST /api/retention/run`. */
export const runBody = {
  type: 'object',
  additionalProperties: false,
  required: ['dryRun'],
  properties: { dryRun: { type: 'boolean' } },
} as const;
