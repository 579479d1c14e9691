/**
 * One process instance on bpmn-engine, one event at a time: start it or recover it, apply the
 * event, let it run until every token waits, and report what changed — element transitions,
 * the waits it now has (jobs, user tasks, message subscriptions, timers) and its new state.
 * No I/O here: the caller stores the result in one transaction (see instances.ts). The input
 * and output are plain JSON so this can run in a worker thread.
 */
import { EventEmitter } from 'node:events';
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { StartEventBehaviour } from 'bpmn-elements/events';
import { TimerEventDefinition } from 'bpmn-elements/eventDefinitions';
import { ISOInterval, getDate } from '@0dep/piso';
import { deserialize, TypeResolver } from 'moddle-context-serializer';
import type { Clock } from '../clock.js';
import { evaluateTimer, evaluateValue, FeelError, isExpression, type Variables } from './feel.js';
import { installMessageFormatter } from './message-formatter.js';
import { installMessageQueue } from './message-queue.js';
import { findErrorCatch, MI_ITEM, type ElementModel, type ProcessModel } from './model.js';

// Cheaper paths through bpmn-elements' broker, each checked against the stock one by its test.
await installMessageQueue();
await installMessageFormatter();

/** Something that happens to an instance. */
export type InstanceEvent =
  | { type: 'start'; startEventId: string; variables: Variables }
  /**
   * A job, user task, call or message catch is done; `variables` are its result, `locals` the
   * element's own input-mapped variables (its output mappings see them, as in Camunda 8).
   */
  | { type: 'complete'; executionId: string; variables: Variables; locals?: Variables }
  /** A job's worker threw a BPMN error; only sent when a boundary catches it. */
  | { type: 'error'; executionId: string; errorCode: string; errorMessage: string; variables: Variables }
  | { type: 'timer'; executionId: string }
  /** No change from outside: recover and let due timers fire (used after downtime). */
  | { type: 'resume' };

/** Something an instance waits for. */
export interface Wait {
  executionId: string;
  elementId: string;
  elementType: string;
  kind: 'job' | 'user-task' | 'message' | 'timer' | 'call';
  /** Local variables from the element's input mappings. */
  locals?: Variables;
  job?: { type: string; retries: number; headers: Record<string, string> };
  userTask?: {
    assignee: string | null;
    candidateGroups: string[];
    candidateUsers: string[];
    dueDate: string | null;
    followUpDate: string | null;
    formId: string | null;
    formKey: string | null;
    priority: number;
  };
  message?: { name: string; correlationKey: string };
  timer?: { dueAt: string; repetitions: number | null };
  /** A call activity: the process to start and the variables it starts with. */
  call?: { processId: string; variables: Variables };
}

/** One element instance changing state, in the order it happened. */
export interface Transition {
  executionId: string;
  elementId: string;
  elementType: string;
  state: 'ACTIVATED' | 'COMPLETED' | 'TERMINATED';
  at: string;
}

/** A problem that stops a token where it is until someone resolves it. */
export interface IncidentReport {
  elementId: string;
  executionId?: string;
  errorType: 'EXTRACT_VALUE_ERROR' | 'IO_MAPPING_ERROR' | 'UNHANDLED_ERROR_EVENT' | 'CONDITION_ERROR' | 'UNKNOWN';
  message: string;
}

/** What one event did to an instance. */
export interface EventResult {
  status: 'ACTIVE' | 'COMPLETED';
  /**
   * bpmn-engine state without the definition source, as JSON to store; null once the instance has
   * ended. (JSON text rather than objects: it passes between threads as one string, not a graph.)
   */
  state: string | null;
  variables: Variables;
  transitions: Transition[];
  /** Every wait the instance has now; details only for those not in `known`. */
  waits: Wait[];
  incident?: IncidentReport;
}

/**
 * Longest job type and correlation key an expression may produce: both are looked up through
 * an index, and `/v2/jobs/activation` accepts no longer type either.
 */
const MAX_KEY_LENGTH = 1_000;

/** Where element behaviours find the run they belong to (engine option `services`). */
const RUN_SERVICE = 'uebergangRun';

/** Where iteration-local variables live in the stored environment, by iteration execution id. */
const LOCALS = '__locals';

/** The execution id under which an event subprocess start waits (stable across recoveries). */
export const EVENT_SUBPROCESS_PREFIX = 'evsub:';
/** Under the locals, per event subprocess start: 'fired' (once-only timers), 'interrupted' (all). */
const EVENT_SUBPROCESSES = '__eventSubprocesses';

/** Under a multi-instance body's locals: the input collection, evaluated when the body started. */
const COLLECTION = '__collection';

/** Variables bpmn-elements (and this layer) put into the environment for their own use. */
const RESERVED_VARIABLES = new Set(['fields', 'content', 'properties', LOCALS]);

const sourceCache = new WeakMap<ProcessModel, object>();

/**
 * Applies `event` to an instance of `model` whose stored state is `state` (undefined for a
 * start). `known` lists the executionIds of waits already stored, so their details (input
 * mappings, correlation keys) are not evaluated again.
 */
export async function applyEvent(
  model: ProcessModel,
  state: string | null,
  event: InstanceEvent,
  clock: Clock,
  known: ReadonlySet<string> = new Set(),
): Promise<EventResult> {
  return new LiveInstance(model, clock).apply(state, event, known);
}

/**
 * One instance's bpmn-engine, kept alive between events: the first {@link LiveInstance.apply}
 * starts or recovers it, later ones continue on the same engine and skip the recover (the
 * caller keeps live instances in a bounded cache, checked against the stored revision).
 */
export class LiveInstance {
  private transitions: Transition[] = [];
  private readonly waiting = new Map<string, { elementId: string; elementType: string; api: Api }>();
  private readonly timers = new Map<
    string,
    { ownerExecutionId: string; elementId: string; elementType: string; dueAt: Date; repeat: number | null; fire: () => void }
  >();
  private incident: IncidentReport | undefined;
  private engine: InstanceType<typeof Engine> | undefined;
  private readonly listener = new EventEmitter();
  private known: ReadonlySet<string> = new Set();
  /** An error event subprocess that bpmn-elements started itself (an error end or throw event). */
  private interruptedBy: string | undefined;
  /** Set while this layer starts an event subprocess, which then interrupts on its own terms. */
  private triggering = false;

  constructor(
    readonly model: ProcessModel,
    readonly clock: Clock,
  ) {
    this.listen();
  }

  /**
   * Applies `event`; `state` is the stored state, used only when this instance is not live yet.
   * `known` lists the executionIds of waits already stored.
   */
  async apply(state: string | null, event: InstanceEvent, known: ReadonlySet<string> = new Set()): Promise<EventResult> {
    this.transitions = [];
    this.incident = undefined;
    this.known = known;
    if (event.type === 'start') {
      this.engine = this.createEngine({ ...event.variables }, event.startEventId);
      await this.engine.execute({ listener: this.listener });
    } else {
      if (!this.engine) {
        this.engine = this.createEngine({}, undefined);
        this.engine.recover(JSON.parse(state ?? 'null') as never);
        await this.engine.resume({ listener: this.listener });
      }
      this.applyOutside(event);
    }
    this.interruptForThrownError();
    this.runInternalWaits();
    return this.result();
  }

  private createEngine(variables: Variables, startEventId: string | undefined) {
    const run = this;
    return new Engine({
      name: this.model.processId,
      sourceContext: this.sourceContext(),
      variables,
      settings: { startEventId },
      // Element behaviours are resolved once per model and cached; they find this run here.
      services: { [RUN_SERVICE]: run },
      timers: new Elements.Timers({
        // Nothing waits in memory: timers are rows, fired by the scheduler through an event.
        setTimeout: (() => ({})) as never,
        clearTimeout: () => undefined,
      }),
      expressions: {
        resolveExpression: (expression: unknown, message: { content?: Variables }) =>
          run.resolve(expression, message),
        isExpression,
        hasExpression: isExpression,
      },
      Logger: silentLogger,
      elements: ELEMENTS,
    } as never);
  }

  /** bpmn-elements asks for expression values: conditions, timers, job types… */
  private resolve(expression: unknown, message: { content?: Variables }): unknown {
    if (!isExpression(expression)) return expression;
    void message;
    // Conditions use the result's truth; FEEL gives true, false or null for a condition.
    return evaluateValue(expression, this.variables(), this.clock);
  }

  private sourceContext() {
    let cached = sourceCache.get(this.model);
    if (!cached) {
      cached = deserialize(JSON.parse(this.model.source), TypeResolver({ ...Elements, ...ELEMENTS }));
      sourceCache.set(this.model, cached);
    }
    return cached;
  }

  private listen() {
    const record = (state: Transition['state']) => (api: Api) => {
      if (api.type === 'bpmn:Process' || api.type === 'bpmn:SequenceFlow') return;
      this.transitions.push({
        executionId: api.executionId,
        elementId: api.id,
        elementType: api.type,
        state,
        at: this.clock.now().toISOString(),
      });
    };
    this.listener.on('activity.enter', record('ACTIVATED'));
    this.listener.on('activity.enter', (api: Api) => this.rememberIteration(api));
    this.listener.on('activity.enter', (api: Api) => {
      const start = this.model.eventSubprocessStarts.find((candidate) => candidate.elementId === api.id);
      if (start && this.model.elements[api.id].error && !this.triggering) this.interruptedBy = start.subProcessId;
    });
    this.listener.on('activity.end', (api: Api) => this.onEnd(api));
    this.listener.on('activity.end', record('COMPLETED'));
    this.listener.on('activity.discard', record('TERMINATED'));
    this.listener.on('activity.wait', (api: Api) => {
      this.waiting.set(api.executionId, { elementId: api.id, elementType: api.type, api });
    });
    const done = (api: Api) => {
      this.waiting.delete(api.executionId);
      for (const [id, timer] of this.timers) if (timer.ownerExecutionId === api.executionId) this.timers.delete(id);
    };
    this.listener.on('activity.leave', (api: Api) => {
      // An activity interrupted by a boundary event leaves without ending: it was terminated.
      const interrupted =
        this.waiting.has(api.executionId) || [...this.timers.values()].some((t) => t.ownerExecutionId === api.executionId);
      if (interrupted) record('TERMINATED')(api);
      done(api);
    });
    this.listener.on('activity.end', done);
    this.listener.on('activity.discard', done);
  }

  /**
   * A multi-instance body starts: its input collection is evaluated once, now, as Camunda 8
   * does. Each iteration (execution id `<body>_<index>`) later sees its element and counter.
   */
  private rememberIteration(api: Api) {
    const loop = this.model.elements[api.id]?.loop;
    // The body and its iterations all say isMultiInstance; only iterations carry an index.
    if (!loop?.inputCollection || typeof api.content.index === 'number') return;
    const collection = evaluateValue(loop.inputCollection, this.contextFor(api), this.clock);
    this.locals()[api.executionId] = { [COLLECTION]: Array.isArray(collection) ? collection : [] };
  }

  /**
   * An element ended. Elements that wait get their output mappings when their wait completes
   * (see complete); the others — events, gateways, subprocesses — get them here. A finished
   * iteration contributes its output element and drops its locals.
   */
  private onEnd(api: Api) {
    const element = this.model.elements[api.id];
    if (!element) return;
    const context = this.contextFor(api);
    try {
      if (element.outputs && !this.waitsItself(element)) {
        for (const output of element.outputs) this.setVariable(output.target, evaluateValue(output.source, context, this.clock));
      }
      const content = api.content as { isMultiInstance?: boolean; index?: number; loopCardinality?: number };
      if (element.loop?.outputCollection && content.isMultiInstance && typeof content.index === 'number') {
        const current = this.variables()[element.loop.outputCollection];
        const collection = Array.isArray(current) ? [...current] : new Array(content.loopCardinality ?? 0).fill(null);
        collection[content.index] = element.loop.outputElement
          ? evaluateValue(element.loop.outputElement, context, this.clock)
          : null;
        this.setVariable(element.loop.outputCollection, collection);
      }
    } catch (error) {
      this.raise(element, api.executionId, 'IO_MAPPING_ERROR', error);
    }
    if (typeof api.content.index !== 'number') delete this.locals()[api.executionId];
  }

  /** Elements whose outputs are applied when their wait completes. */
  private waitsItself(element: ElementModel): boolean {
    return Boolean(element.job || element.userTask || element.calledElement || (element.message && element.type !== 'bpmn:StartEvent'));
  }

  private locals(): Record<string, Variables> {
    const variables = this.engine!.environment.variables as Variables;
    return ((variables[LOCALS] as Record<string, Variables> | undefined) ??= {});
  }

  /**
   * The variables an element sees: the process scope, then the locals of every enclosing
   * multi-instance iteration (outermost first), then its own.
   */
  private contextFor(api: { executionId: string; content?: Record<string, unknown> }): Variables {
    const locals = this.locals();
    const chain: string[] = [api.executionId];
    const parent = api.content?.parent as { executionId?: string; path?: { executionId?: string }[] } | undefined;
    if (parent?.executionId) chain.push(parent.executionId);
    for (const step of parent?.path ?? []) if (step.executionId) chain.push(step.executionId);
    const context = this.variables();
    for (const executionId of chain.reverse()) {
      // An iteration `<body>_<index>` of a multi-instance body whose collection is known.
      const iteration = /^(.*)_(\d+)$/.exec(executionId);
      const body = iteration && locals[iteration[1]];
      if (body && Array.isArray(body[COLLECTION])) {
        const elementId = this.elementOfBody(iteration[1]);
        const loop = elementId ? this.model.elements[elementId]?.loop : undefined;
        const index = Number(iteration[2]);
        context[loop?.inputElement ?? MI_ITEM] = (body[COLLECTION] as unknown[])[index] ?? null;
        context.loopCounter = index + 1;
      }
    }
    return context;
  }

  /** The element id of a multi-instance body execution (`<elementId>_<random>`). */
  private elementOfBody(executionId: string): string | undefined {
    const cut = executionId.lastIndexOf('_');
    return cut > 0 ? executionId.slice(0, cut) : undefined;
  }

  /**
   * The variables a timer expression sees when its timer starts: the instance's variables as
   * they are now (an element's own environment is a copy taken when the process started).
   */
  timerContext(content: { executionId: string; parent?: unknown }): Variables {
    return this.contextFor({ executionId: content.executionId, content: content as Record<string, unknown> });
  }

  /** Called by the clocked timer definition when a timer starts waiting. */
  registerTimer(
    activity: { id: string; type: string },
    ownerExecutionId: string,
    timerExecutionId: string,
    dueAt: Date,
    repeat: number | null,
    fire: () => void,
  ) {
    this.timers.set(timerExecutionId, {
      ownerExecutionId,
      elementId: activity.id,
      elementType: activity.type,
      dueAt,
      repeat,
      fire,
    });
  }

  private applyOutside(event: Exclude<InstanceEvent, { type: 'start' }>) {
    if (event.type === 'resume') return;
    if (event.type !== 'error' && event.executionId.startsWith(EVENT_SUBPROCESS_PREFIX)) {
      this.triggerEventSubprocess(event.executionId.slice(EVENT_SUBPROCESS_PREFIX.length), event.type === 'complete' ? event.variables : {});
      return;
    }
    if (event.type === 'timer') {
      const timer = [...this.timers.values()].find((t) => t.ownerExecutionId === event.executionId);
      // A due timer fired during resume already; one that is not due yet is fired now.
      timer?.fire();
      return;
    }
    const wait = this.waiting.get(event.executionId);
    if (!wait) throw new StaleEventError(event.executionId);
    const element = this.model.elements[wait.elementId];
    if (event.type === 'complete') {
      this.complete(element, event.executionId, event.variables, event.locals);
      return;
    }
    this.mergeVariables(event.variables);
    // bpmn-elements lets an error event subprocess catch only errors thrown by error events;
    // an error a worker reports would fail the whole process. The engine starts it instead.
    const catcher = findErrorCatch(this.model, wait.elementId, event.errorCode);
    if (catcher?.eventSubProcess) {
      this.triggerEventSubprocess(catcher.id, {}, event.errorCode);
      return;
    }
    // bpmn-elements lets every error boundary that matches catch, a catch-all beside a specific
    // one too; in Camunda 8 only the most specific one does. The others stop listening first.
    for (const [, other] of [...this.waiting]) {
      const boundary = this.model.elements[other.elementId];
      if (boundary?.error && boundary.attachedTo === wait.elementId && boundary.id !== catcher?.id) other.api.discard();
    }
    wait.api.sendApiMessage('error', { message: event.errorMessage, code: event.errorCode });
  }

  /**
   * A message, a timer or a worker's BPMN error started an event subprocess. bpmn-elements runs
   * one only when its own events trigger it, so it is run here and its start event completed at
   * once (its trigger has happened). An interrupting one (an error one always is) first ends
   * everything else the process does, as Camunda 8 does; no event subprocess starts after that.
   */
  private triggerEventSubprocess(startId: string, variables: Variables, errorCode?: string) {
    const start = this.model.eventSubprocessStarts.find((s) => s.elementId === startId);
    const memory = this.eventSubprocessMemory();
    if (!start || memory.interrupted) throw new StaleEventError(`${EVENT_SUBPROCESS_PREFIX}${startId}`);
    const element = this.model.elements[startId];
    try {
      if (element.outputs) {
        const context = { ...this.variables(), ...variables };
        for (const output of element.outputs) this.setVariable(output.target, evaluateValue(output.source, context, this.clock));
      } else {
        this.mergeVariables(variables);
      }
    } catch (error) {
      this.raise(element, `${EVENT_SUBPROCESS_PREFIX}${startId}`, 'IO_MAPPING_ERROR', error);
      return;
    }
    if (element.timer && element.timer.kind !== 'timeCycle') memory[startId] = 'fired';
    const execution = this.engine!.execution as unknown as {
      definitions: { getProcesses(): { getActivityById(id: string): { run(message: object): void } }[] }[];
    };
    const bpmnProcess = execution.definitions[0].getProcesses()[0];
    // What runs now, taken before the event subprocess starts: an interrupting one ends it.
    const running = [...this.waiting];
    this.triggering = true;
    try {
      bpmnProcess.getActivityById(start.subProcessId).run({ id: startId });
    } finally {
      this.triggering = false;
    }
    // Its start event now waits for the message, timer or error that has already come: complete it.
    for (const [executionId, wait] of [...this.waiting]) {
      if (wait.elementId !== startId) continue;
      if (element.error) {
        // An error start event takes no signal: it catches an error thrown at its (first and
        // only) event definition, execution `<start>_0`, as bpmn-elements' own throw would.
        wait.api.broker.publish('execution', `execute.throw.${executionId}_0`, { error: { code: errorCode ?? element.error.code } });
      } else {
        wait.api.signal({ id: startId, executionId });
      }
    }
    for (const timer of [...this.timers.values()]) if (timer.elementId === startId) timer.fire();
    if (start.interrupting) {
      memory.interrupted = 'interrupted';
      // Leaving while still waiting is recorded as TERMINATED (see listen).
      for (const [, wait] of running) wait.api.discard();
      for (const [timerId, timer] of [...this.timers]) {
        if (this.model.elements[timer.elementId]?.scopeId !== start.subProcessId) this.timers.delete(timerId);
      }
    }
  }

  /**
   * bpmn-elements starts an error event subprocess when an error event inside the process
   * throws, but lets the rest of the process run on. An error start event interrupts in Camunda
   * 8: everything outside the event subprocess ends now, and no other event subprocess starts.
   */
  private interruptForThrownError() {
    const subProcessId = this.interruptedBy;
    this.interruptedBy = undefined;
    if (!subProcessId) return;
    this.eventSubprocessMemory().interrupted = 'interrupted';
    const inside = (elementId: string) => {
      for (let scope: string | undefined = elementId; scope; scope = this.model.elements[scope]?.scopeId) {
        if (scope === subProcessId) return true;
      }
      return false;
    };
    for (const [, wait] of [...this.waiting]) if (!inside(wait.elementId)) wait.api.discard();
    for (const [timerId, timer] of [...this.timers]) if (!inside(timer.elementId)) this.timers.delete(timerId);
  }

  private eventSubprocessMemory(): Record<string, string> {
    const locals = this.locals();
    return ((locals[EVENT_SUBPROCESSES] as Record<string, string> | undefined) ??= {});
  }

  private complete(element: ElementModel, executionId: string, result: Variables, locals: Variables = {}) {
    try {
      if (element.outputs) {
        const wait = this.waiting.get(executionId);
        const context = { ...(wait ? this.contextFor(wait.api) : this.variables()), ...locals, ...result };
        for (const output of element.outputs) {
          this.setVariable(output.target, evaluateValue(output.source, context, this.clock));
        }
      } else {
        this.mergeVariables(result);
      }
    } catch (error) {
      this.raise(element, executionId, 'IO_MAPPING_ERROR', error);
      return;
    }
    // Straight to this execution: a signal by element id would reach every parallel iteration.
    const wait = this.waiting.get(executionId);
    if (wait) wait.api.signal({ id: element.id, executionId });
    else this.engine!.execution.signal({ id: element.id, executionId });
  }

  /** Script tasks with `zeebe:script` are the engine's own work: done before anything waits. */
  private runInternalWaits() {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = [...this.waiting].find(([executionId, wait]) => {
        const element = this.model.elements[wait.elementId];
        return element?.script && !element.job && !this.known.has(executionId);
      });
      if (!next || this.incident) return;
      const [executionId, wait] = next;
      const element = this.model.elements[wait.elementId];
      let value: unknown;
      try {
        value = evaluateValue(`=${element.script!.expression.replace(/^\s*=/, '')}`, this.contextFor(wait.api), this.clock);
      } catch (error) {
        this.raise(element, executionId, 'EXTRACT_VALUE_ERROR', error);
        return;
      }
      this.complete(element, executionId, element.script!.resultVariable ? { [element.script!.resultVariable]: value } : {});
    }
  }

  private raise(element: ElementModel, executionId: string, errorType: IncidentReport['errorType'], error: unknown) {
    this.incident = { elementId: element.id, executionId, errorType, message: (error as Error).message };
  }

  private variables(): Variables {
    const all = this.engine!.environment.variables as Variables;
    const visible: Variables = {};
    for (const [key, value] of Object.entries(all)) if (!RESERVED_VARIABLES.has(key)) visible[key] = value;
    return visible;
  }

  private mergeVariables(variables: Variables) {
    for (const [key, value] of Object.entries(variables)) this.setVariable(key, value);
  }

  private setVariable(name: string, value: unknown) {
    (this.engine!.environment.variables as Variables)[name] = value;
  }

  private async result(): Promise<EventResult> {
    const waits: Wait[] = [];
    for (const timer of this.timers.values()) {
      waits.push({
        executionId: timer.ownerExecutionId,
        elementId: timer.elementId,
        elementType: timer.elementType,
        kind: 'timer',
        timer: { dueAt: timer.dueAt.toISOString(), repetitions: timer.repeat },
      });
    }
    if (this.engine!.state === 'running') waits.push(...this.eventSubprocessWaits());
    for (const [executionId, wait] of this.waiting) {
      const element = this.model.elements[wait.elementId];
      if (!element || element.eventSubProcess) continue;
      try {
        const described = this.describeWait(executionId, wait, element);
        if (described) waits.push(described);
      } catch (error) {
        this.incident ??= {
          elementId: element.id,
          executionId,
          errorType: error instanceof FeelError ? 'EXTRACT_VALUE_ERROR' : 'UNKNOWN',
          message: (error as Error).message,
        };
      }
    }
    const completed = !this.incident && (this.engine!.state === 'idle' || this.onlyStaleFlowsLeft(waits));
    // An instance that ended keeps no state (see EventResult.state).
    let state: string | null = null;
    if (!completed) {
      const engineState = (await this.engine!.getState()) as { definitions: { source?: unknown }[] };
      for (const definition of engineState.definitions) delete definition.source;
      state = JSON.stringify(engineState);
    }
    if (completed) {
      // The process has ended — a terminate end event ends it while other work still waits,
      // and bpmn-elements tells nothing of that work: it was terminated, nothing waits any more.
      const left = new Set(this.transitions.filter((t) => t.state !== 'ACTIVATED').map((t) => t.executionId));
      const at = this.clock.now().toISOString();
      for (const wait of waits) {
        if (left.has(wait.executionId) || wait.executionId.startsWith(EVENT_SUBPROCESS_PREFIX)) continue;
        this.transitions.push({ executionId: wait.executionId, elementId: wait.elementId, elementType: wait.elementType, state: 'TERMINATED', at });
      }
      waits.length = 0;
    }
    return {
      status: completed ? 'COMPLETED' : 'ACTIVE',
      state,
      variables: this.variables(),
      transitions: this.transitions,
      waits,
      ...(this.incident ? { incident: this.incident } : {}),
    };
  }

  /** The message subscriptions and timers of the process's event subprocesses. */
  private eventSubprocessWaits(): Wait[] {
    const memory = this.eventSubprocessMemory();
    if (memory.interrupted) return [];
    const waits: Wait[] = [];
    for (const start of this.model.eventSubprocessStarts) {
      if (memory[start.elementId] === 'fired') continue;
      const element = this.model.elements[start.elementId];
      if (element.error) continue; // started by a thrown error, not waited for
      const executionId = `${EVENT_SUBPROCESS_PREFIX}${start.elementId}`;
      const base = { executionId, elementId: element.id, elementType: element.type };
      if (this.known.has(executionId)) {
        waits.push({ ...base, kind: element.message ? 'message' : 'timer' });
        continue;
      }
      try {
        if (element.message) {
          const key = element.message.correlationKey;
          const correlationKey =
            key === undefined ? '' : boundedKey('correlation key', key, evaluateValue(key, this.variables(), this.clock) ?? '');
          waits.push({ ...base, kind: 'message', message: { name: element.message.name, correlationKey } });
        } else if (element.timer) {
          const value = evaluateTimer(element.timer.value, this.variables(), this.clock);
          const dueAt = timerDueAt(element.timer.kind, value, this.clock.now());
          if (dueAt) waits.push({ ...base, kind: 'timer', timer: { dueAt: dueAt.toISOString(), repetitions: null } });
        }
      } catch (error) {
        this.raise(element, executionId, 'EXTRACT_VALUE_ERROR', error);
      }
    }
    return waits;
  }

  /**
   * bpmn-elements quirk (measured with a recovered parallel join): the join completes and the
   * process reaches its end event, yet the flow that arrived last stays listed as postponed and
   * the process never reports completion. With nothing else waiting, the instance is done.
   */
  private onlyStaleFlowsLeft(waits: Wait[]): boolean {
    if (waits.length > 0 || this.waiting.size > 0 || this.timers.size > 0) return false;
    const postponed = this.engine!.execution.getPostponed();
    return postponed.length > 0 && postponed.every((item) => item.type === 'bpmn:SequenceFlow');
  }

  private describeWait(
    executionId: string,
    wait: { elementId: string; elementType: string; api: Api },
    element: ElementModel,
  ): Wait | undefined {
    const base = { executionId, elementId: element.id, elementType: element.type };
    const isNew = !this.known.has(executionId);
    const scope = isNew ? this.contextFor(wait.api) : {};
    if (element.calledElement) {
      if (!isNew) return { ...base, kind: 'call' };
      const locals = this.inputs(element, scope);
      const processId = String(evaluateValue(element.calledElement.processId, scope, this.clock));
      const variables = element.calledElement.propagateAllParentVariables ? { ...scope, ...locals } : locals;
      return { ...base, kind: 'call', locals, call: { processId, variables } };
    }
    if (element.job) {
      if (!isNew) return { ...base, kind: 'job' };
      const locals = this.inputs(element, scope);
      const context = { ...scope, ...locals };
      const retries = Number(evaluateValue(element.job.retries, context, this.clock));
      const type = boundedKey('job type', element.job.type, evaluateValue(element.job.type, context, this.clock));
      return {
        ...base,
        kind: 'job',
        locals,
        job: {
          type,
          retries: Number.isFinite(retries) ? retries : 3,
          headers: element.headers ?? {},
        },
      };
    }
    if (element.userTask) {
      if (!isNew) return { ...base, kind: 'user-task' };
      const locals = this.inputs(element, scope);
      const context = { ...scope, ...locals };
      const task = element.userTask;
      const value = (text: string | undefined) => (text === undefined ? null : evaluateValue(text, context, this.clock));
      return {
        ...base,
        kind: 'user-task',
        locals,
        userTask: {
          assignee: (value(task.assignee) as string | null) ?? null,
          candidateGroups: list(value(task.candidateGroups)),
          candidateUsers: list(value(task.candidateUsers)),
          dueDate: dateOrNull(value(task.dueDate)),
          followUpDate: dateOrNull(value(task.followUpDate)),
          formId: task.formId ?? null,
          formKey: task.formKey ?? null,
          priority: Number(value(task.priority) ?? 50),
        },
      };
    }
    if (element.message && wait.elementType !== 'bpmn:StartEvent') {
      if (!isNew) return { ...base, kind: 'message' };
      const key = element.message.correlationKey;
      return {
        ...base,
        kind: 'message',
        message: {
          name: element.message.name,
          correlationKey: key === undefined ? '' : boundedKey('correlation key', key, evaluateValue(key, scope, this.clock) ?? ''),
        },
      };
    }
    return undefined;
  }

  /**
   * Input mappings, evaluated in the element's scope. Besides the mapped names, a job also
   * sees the locals of its multi-instance iterations (Camunda 8 hands the worker every
   * variable in scope).
   */
  private inputs(element: ElementModel, scope: Variables): Variables {
    const locals: Variables = {};
    const processScope = this.variables();
    for (const [name, value] of Object.entries(scope)) if (!(name in processScope)) locals[name] = value;
    for (const input of element.inputs ?? []) {
      locals[input.target] = evaluateValue(input.source, { ...scope, ...locals }, this.clock);
    }
    return locals;
  }
}

/** The wait an event names is gone: already completed, or never existed. */
export class StaleEventError extends Error {
  constructor(readonly executionId: string) {
    super(`nothing waits at execution ${executionId}`);
    this.name = 'StaleEventError';
  }
}

type Api = {
  id: string;
  type: string;
  executionId: string;
  content: Record<string, unknown>;
  sendApiMessage(action: string, content: object, options?: object): void;
  signal(message: object): void;
  discard(): void;
  /** The emitting element's message broker. */
  broker: { publish(exchange: string, routingKey: string, content: object): void };
};

/** When a timer of `kind` with the evaluated `value` falls due, counted from `now`. */
function timerDueAt(kind: string, value: string, now: Date): Date | undefined {
  if (kind === 'timeDate') return getDate(value);
  const parsed = new ISOInterval(value).parse();
  return parsed.getExpireAt(now, now);
}

/** A job type or correlation key as text, refused (as an incident) when it is too long. */
function boundedKey(what: string, expression: string, value: unknown): string {
  const text = String(value);
  if (text.length > MAX_KEY_LENGTH) {
    throw new FeelError(expression, `the ${what} is ${text.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`);
  }
  return text;
}

function list(value: unknown): string[] {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function dateOrNull(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const date = new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Element behaviours replaced for the Camunda 8 dialect. */
const ELEMENTS = {
  ServiceTask: Elements.SignalTask,
  SendTask: Elements.SignalTask,
  BusinessRuleTask: Elements.SignalTask,
  ScriptTask: Elements.SignalTask,
  // The called instance is a row of its own; the call activity waits like a job.
  CallActivity: Elements.SignalTask,
  StartEvent: ChosenStartEvent,
  EndEvent: jobOrStock(Elements.EndEvent),
  IntermediateThrowEvent: jobOrStock(Elements.IntermediateThrowEvent),
  TimerEventDefinition: clockedTimerEventDefinition(),
};

/**
 * Message end and throw events with a `zeebe:taskDefinition` are jobs in Camunda 8: such an
 * event waits like a service task until its job is completed; other events behave as usual.
 */
function jobOrStock(stock: (activityDef: any, context: any) => unknown) {
  return function EventOrJob(activityDef: any, context: any) {
    const values = (activityDef.behaviour?.extensionElements?.values ?? []) as { $type: string }[];
    const isJob = values.some((value) => value.$type === 'zeebe:TaskDefinition');
    return isJob ? Elements.SignalTask(activityDef, context) : stock(activityDef, context);
  };
}

function silentLogger() {
  return { debug() {}, error() {}, warn() {} };
}

/**
 * A start event that runs only when it is the one the instance was started from (Camunda 8
 * starts an instance at one start event: none, message or timer). The chosen one completes at
 * once — its trigger has already happened — and the others are discarded. Start events inside
 * subprocesses behave as usual.
 */
function ChosenStartEvent(activityDef: any, context: any) {
  return new Elements.Activity(ChosenStartEventBehaviour as never, activityDef, context);
}

/**
 * The behaviour is one function for all instances, its state on `this`: a function made per
 * instance would give every instance its own hidden class, which V8 keeps in the old generation,
 * and through it the instance's whole graph would survive each scavenge until a full collection.
 */
function ChosenStartEventBehaviour(this: any, activity: any) {
  this.id = activity.id;
  this.type = activity.type;
  this.activity = activity;
  this.inner = new StartEventBehaviour(activity);
}

ChosenStartEventBehaviour.prototype.execute = function execute(this: any, executeMessage: { content: Record<string, unknown> }) {
  const activity = this.activity;
  if (activity.parent?.type !== 'bpmn:Process') return this.inner.execute(executeMessage);
  const chosen = activity.environment.settings.startEventId;
  const routingKey = activity.id === chosen ? 'execute.completed' : 'execute.discard';
  return activity.broker.publish('execution', routingKey, { ...executeMessage.content });
};

/**
 * bpmn-elements' timer definition on the engine clock instead of `new Date()`, so that a
 * simulated clock moves timers and a due timer completes as soon as the instance is resumed.
 */
function clockedTimerEventDefinition() {
  const runOf = (definition: any): LiveInstance => definition.activity.environment.services[RUN_SERVICE];
  function ClockedTimerEventDefinition(this: any, activity: any, eventDefinition: any) {
    (TimerEventDefinition as any).call(this, activity, eventDefinition);
  }
  ClockedTimerEventDefinition.prototype = Object.create((TimerEventDefinition as any).prototype);

  ClockedTimerEventDefinition.prototype.parse = function parse(this: any, timerType: string, value: string) {
    const now = runOf(this).clock.now();
    if (timerType === 'timeDate') {
      const expireAt = getDate(value);
      return { expireAt, repeat: undefined, delay: expireAt.getTime() - now.getTime() };
    }
    const parsed = new ISOInterval(value).parse();
    const expireAt = parsed.getExpireAt(now, now);
    return { expireAt, repeat: parsed.repeat, delay: expireAt.getTime() - now.getTime() };
  };

  ClockedTimerEventDefinition.prototype._getTimers = function getTimers(this: any, executeMessage: { content: any }) {
    const run = runOf(this);
    const clock = run.clock;
    const content = executeMessage.content;
    // Evaluated only when not yet known: a recovered timer keeps the due date it was given.
    let variables: Variables | undefined;
    const context = () => (variables ??= run.timerContext(content));
    const result: any = 'expireAt' in content ? { expireAt: new Date(content.expireAt) } : {};
    for (const timerType of ['timeDuration', 'timeCycle', 'timeDate']) {
      let text: string | undefined;
      if (timerType in content) text = content[timerType];
      else if (this[timerType]) text = evaluateTimer(this[timerType], context(), clock);
      else continue;
      result[timerType] = text;
      if (!text) continue;
      const parsed = this.parse(timerType, text);
      if (!('expireAt' in result) || result.expireAt > parsed.expireAt) {
        result.timerType = timerType;
        result.expireAt = parsed.expireAt;
        result.repeat = parsed.repeat;
      }
    }
    result.timeout = 'expireAt' in result ? result.expireAt.getTime() - clock.now().getTime() : 0;
    if (content.inbound?.[0] && 'repeat' in content.inbound[0]) result.repeat = content.inbound[0].repeat;
    return result;
  };

  const execute = (TimerEventDefinition as any).prototype.execute;
  ClockedTimerEventDefinition.prototype.execute = function clockedExecute(this: any, executeMessage: any) {
    execute.call(this, executeMessage);
    const content = this[Symbol.for('timerContent')];
    if (!content || this.stopped || content.timeout <= 0) return;
    runOf(this).registerTimer(
      this.activity,
      executeMessage.content.executionId.replace(/_\d+$/, ''),
      content.executionId,
      content.expireAt,
      content.repeat ?? null,
      () => this._completed(),
    );
  };
  return ClockedTimerEventDefinition;
}
