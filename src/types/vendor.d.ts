// Packages that ship no type declarations of their own (or none for these entry points).
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, object>);
    fromXML(xml: string): Promise<{ rootElement: any; references: any[]; warnings: { message: string }[]; elementsById: Record<string, any> }>;
  }
}
declare module 'bpmn-elements/events' {
  export const StartEventBehaviour: any;
}
declare module 'bpmn-elements/eventDefinitions' {
  export const TimerEventDefinition: any;
}

// camunda-external-task-client-js 3.1 ships no type declarations: the part the workers and tests use.
declare module 'camunda-external-task-client-js' {
  import { EventEmitter } from 'node:events';

  export interface TypedValue {
    type: string;
    value: unknown;
    valueInfo?: Record<string, unknown>;
  }

  export class Variables {
    constructor(initial?: Record<string, TypedValue>);
    get(name: string): any;
    getTyped(name: string): TypedValue | null;
    getAll(): Record<string, any>;
    getAllTyped(): Record<string, TypedValue>;
    set(name: string, value: unknown): this;
    setTyped(name: string, typedValue: TypedValue): this;
    setAll(values: Record<string, unknown>): this;
  }

  export interface Task {
    id: string;
    topicName: string;
    workerId: string;
    lockExpirationTime: string;
    processInstanceId: string;
    processDefinitionId: string;
    processDefinitionKey: string;
    activityId: string;
    activityInstanceId: string;
    executionId: string;
    retries: number | null;
    businessKey: string | null;
    extensionProperties: Record<string, string>;
    variables: Variables;
  }

  export interface TaskService {
    complete(task: { id: string }, variables?: Variables, localVariables?: Variables): Promise<void>;
    handleFailure(
      task: { id: string },
      options: { errorMessage?: string; errorDetails?: string; retries?: number; retryTimeout?: number },
    ): Promise<void>;
    handleBpmnError(task: { id: string }, errorCode: string, errorMessage?: string, variables?: Variables): Promise<void>;
    extendLock(task: { id: string }, newDuration: number): Promise<void>;
    unlock(task: { id: string }): Promise<void>;
  }

  export type Handler = (args: { task: Task; taskService: TaskService }) => unknown;

  export type Interceptor = (config: Record<string, any>) => Record<string, any>;

  export interface ClientOptions {
    baseUrl: string;
    workerId?: string;
    maxTasks?: number;
    interval?: number;
    lockDuration?: number;
    autoPoll?: boolean;
    asyncResponseTimeout?: number;
    usePriority?: boolean;
    interceptors?: Interceptor | Interceptor[];
  }

  export class Client extends EventEmitter {
    constructor(options: ClientOptions);
    readonly taskService: TaskService;
    subscribe(
      topic: string,
      options: { lockDuration?: number; variables?: string[]; includeExtensionProperties?: boolean } | Handler,
      handler?: Handler,
    ): { unsubscribe(): void };
    start(): void;
    stop(): void;
  }

  /** `new BasicAuthInterceptor(...)` returns the interceptor function itself. */
  export const BasicAuthInterceptor: new (options: { username: string; password: string }) => Interceptor;

  /** The error the client rejects with for a non-2xx answer. */
  export interface EngineError extends Error {
    httpStatusCode: number;
    type: string;
    code: unknown;
    engineMsg: string;
  }
}
