/** Request schemas of `POST /api/deployments` and `POST /api/simulation/instances`. */

/** Largest deployment body: a handful of diagrams and forms as text. */
export const DEPLOYMENT_BODY_LIMIT = 10 * 1024 * 1024;

/** Request body: deployment. */
export const deploymentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['resources'],
  properties: {
    resources: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'content'],
        properties: {
          // A plain file name: no path, ending in .bpmn or .form.
          name: { type: 'string', minLength: 6, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*\\.(bpmn|form)$' },
          content: { type: 'string', minLength: 1, maxLength: 5 * 1024 * 1024 },
        },
      },
    },
  },
} as const;

/** Request body: simulation. */
export const simulationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['processId'],
  properties: {
    processId: { type: 'string', minLength: 1, maxLength: 200 },
    variables: { type: 'object', maxProperties: 100, default: {} },
  },
} as const;
