/** Request schemas of the task list, task commands, comments and saved filters. */
import { schemas } from '../shared/product.js';

const dateTime = { type: 'string', format: 'date-time', maxLength: 40 } as const;

/** Query string: task. */
export const taskQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    view: { type: 'string', enum: ['mine', 'groups', 'all'], default: 'all' },
    candidateGroup: { type: 'string', minLength: 1, maxLength: 100 },
    assignee: { type: 'string', minLength: 1, maxLength: 100 },
    processId: { type: 'string', minLength: 1, maxLength: 200 },
    phase: { type: 'string', enum: ['intake', 'custody', 'intensive', 'aftercare', 'closed'] },
    caseId: schemas.uuid,
    dueFrom: dateTime,
    dueTo: dateTime,
    followUpFrom: dateTime,
    followUpTo: dateTime,
    sort: { type: 'string', enum: ['due-asc', 'due-desc', 'priority', 'created'], default: 'due-asc' },
    limit: schemas.limit,
    cursor: schemas.cursor,
  },
} as const;

/** Path parameters (task). */
export const taskParams = {
  type: 'object',
  required: ['taskKey'],
  properties: { taskKey: schemas.key },
} as const;

/** Request body: assign. */
export const assignBody = {
  type: 'object',
  additionalProperties: false,
  required: ['assignee'],
  properties: { assignee: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z0-9][a-z0-9._-]*$' } },
} as const;

/** Request body: complete. */
export const completeBody = {
  type: 'object',
  additionalProperties: false,
  properties: { variables: { type: 'object', maxProperties: 200, default: {} } },
} as const;

/** Request body: comment. */
export const commentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } },
} as const;

/** Request body: filter. */
export const filterBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'query'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    // The query parameters of GET /api/tasks, checked by the same schema.
    query: { ...taskQuery, properties: { ...taskQuery.properties, view: { type: 'string', enum: ['mine', 'groups', 'all'] }, sort: { type: 'string', enum: ['due-asc', 'due-desc', 'priority', 'created'] } } },
  },
} as const;

/** Path parameters (filter). */
export const filterParams = {
  type: 'object',
  required: ['id'],
  properties: { id: schemas.uuid },
} as const;
