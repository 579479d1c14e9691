/**
 * Request schemas of the Camunda 7 external-task routes, after Camunda 7's DTOs
 * (FetchExternalTasksExtendedDto, CompleteExternalTaskDto, ExternalTaskFailureDto,
 * ExternalTaskBpmnError, ExtendLockOnExternalTaskDto). Unknown properties are ignored, as
 * Camunda 7 ignores them, so that newer clients keep working.
 */
import { MAX_DURATION_MS } from '../../limits.js';
import type { TypedVariables } from './variables.js';

/** Camunda 7's upper limit for `asyncResponseTimeout` (30 minutes). */
export const MAX_ASYNC_RESPONSE_TIMEOUT_MS = 1_800_000;

const typedVariables = {
  type: ['object', 'null'],
  additionalProperties: {
    type: ['object', 'null'],
    properties: {
      type: { type: ['string', 'null'] },
      valueInfo: { type: ['object', 'null'] },
    },
  },
} as const;

const workerId = { type: 'string', minLength: 1, maxLength: 255 } as const;

/** One topic of a fetchAndLock request. */
export interface FetchTopic {
  topicName: string;
  lockDuration: number;
  variables?: string[] | null;
  localVariables?: boolean;
  deserializeValues?: boolean;
  includeExtensionProperties?: boolean;
  businessKey?: string | null;
  processDefinitionId?: string | null;
  processDefinitionIdIn?: string[] | null;
  processDefinitionKey?: string | null;
  processDefinitionKeyIn?: string[] | null;
  processDefinitionVersionTag?: string | null;
  processVariables?: Record<string, unknown> | null;
  tenantIdIn?: string[] | null;
  withoutTenantId?: boolean;
}

/** The body of POST /external-task/fetchAndLock. */
export interface FetchAndLockBody {
  workerId: string;
  maxTasks?: number;
  usePriority?: boolean;
  asyncResponseTimeout?: number | null;
  sorting?: { sortBy?: string; sortOrder?: string }[] | null;
  topics?: FetchTopic[] | null;
}

/** Schema of POST /external-task/fetchAndLock. */
export const fetchAndLockSchema = {
  body: {
    type: 'object',
    required: ['workerId'],
    properties: {
      workerId,
      maxTasks: { type: 'integer', minimum: 0, maximum: 1000 },
      usePriority: { type: ['boolean', 'null'] },
      // Checked in the handler, to answer with Camunda 7's own message.
      asyncResponseTimeout: { type: ['integer', 'null'], minimum: 0 },
      sorting: {
        type: ['array', 'null'],
        items: { type: 'object', properties: { sortBy: { type: 'string' }, sortOrder: { type: 'string' } } },
      },
      topics: {
        type: ['array', 'null'],
        maxItems: 100,
        items: {
          type: 'object',
          required: ['topicName', 'lockDuration'],
          properties: {
            topicName: { type: 'string', minLength: 1, maxLength: 255 },
            lockDuration: { type: 'integer', minimum: 1, maximum: MAX_DURATION_MS },
            variables: { type: ['array', 'null'], items: { type: 'string' } },
            localVariables: { type: ['boolean', 'null'] },
            deserializeValues: { type: ['boolean', 'null'] },
            includeExtensionProperties: { type: ['boolean', 'null'] },
            businessKey: { type: ['string', 'null'] },
            processDefinitionId: { type: ['string', 'null'] },
            processDefinitionIdIn: { type: ['array', 'null'], items: { type: 'string' } },
            processDefinitionKey: { type: ['string', 'null'] },
            processDefinitionKeyIn: { type: ['array', 'null'], items: { type: 'string' } },
            processDefinitionVersionTag: { type: ['string', 'null'] },
            processVariables: { type: ['object', 'null'] },
            tenantIdIn: { type: ['array', 'null'], items: { type: 'string' } },
            withoutTenantId: { type: ['boolean', 'null'] },
          },
        },
      },
    },
  },
} as const;

const taskParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 64 } },
} as const;

/** The path parameters of the task routes. */
export interface TaskParams {
  id: string;
}

/** The body of POST /external-task/{id}/complete. */
export interface CompleteBody {
  workerId: string;
  variables?: TypedVariables | null;
  localVariables?: TypedVariables | null;
}

/** Schema of POST /external-task/{id}/complete. */
export const completeSchema = {
  params: taskParams,
  body: {
    type: 'object',
    required: ['workerId'],
    properties: { workerId, variables: typedVariables, localVariables: typedVariables },
  },
} as const;

/** The body of POST /external-task/{id}/failure. */
export interface FailureBody {
  workerId: string;
  errorMessage?: string | null;
  errorDetails?: string | null;
  retries?: number | null;
  retryTimeout?: number | null;
}

/** Schema of POST /external-task/{id}/failure. */
export const failureSchema = {
  params: taskParams,
  body: {
    type: 'object',
    required: ['workerId'],
    properties: {
      workerId,
      errorMessage: { type: ['string', 'null'] },
      errorDetails: { type: ['string', 'null'] },
      retries: { type: ['integer', 'null'], minimum: 0, maximum: 2 ** 31 - 1 },
      retryTimeout: { type: ['integer', 'null'], minimum: 0, maximum: MAX_DURATION_MS },
    },
  },
} as const;

/** The body of POST /external-task/{id}/bpmnError. */
export interface BpmnErrorBody {
  workerId: string;
  errorCode: string;
  errorMessage?: string | null;
  variables?: TypedVariables | null;
}

/** Schema of POST /external-task/{id}/bpmnError. */
export const bpmnErrorSchema = {
  params: taskParams,
  body: {
    type: 'object',
    required: ['workerId', 'errorCode'],
    properties: {
      workerId,
      errorCode: { type: 'string', minLength: 1, maxLength: 255 },
      errorMessage: { type: ['string', 'null'] },
      variables: typedVariables,
    },
  },
} as const;

/** The body of POST /external-task/{id}/extendLock. */
export interface ExtendLockBody {
  workerId: string;
  newDuration: number;
}

/** Schema of POST /external-task/{id}/extendLock. */
export const extendLockSchema = {
  params: taskParams,
  body: {
    type: 'object',
    required: ['workerId', 'newDuration'],
    properties: { workerId, newDuration: { type: 'integer', minimum: 1, maximum: MAX_DURATION_MS } },
  },
} as const;

/** Schema of POST /external-task/{id}/unlock (no body: Camunda 7 checks no worker here). */
export const unlockSchema = { params: taskParams } as const;
