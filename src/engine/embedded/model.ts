/**
 * Deploy-time reading of a BPMN file: each executable process becomes a {@link ProcessModel}
 * holding what the Camunda 8 dialect adds (read from the zeebe extensions once, here) and the
 * serialized bpmn-engine context to run it. Nothing here is evaluated: values that start with
 * `=` stay FEEL text until an instance needs them.
 */
import { createRequire } from 'node:module';
import * as Elements from 'bpmn-elements';
import { BpmnModdle } from 'bpmn-moddle';
import serializer, { TypeResolver } from 'moddle-context-serializer';

const require = createRequire(import.meta.url);
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json') as object;

/** A `zeebe:input` / `zeebe:output` mapping: `source` is FEEL (or a literal), `target` a name. */
export interface Mapping {
  source: string | undefined;
  target: string;
}

/** What an element is and what the Camunda 8 dialect says about it. */
export interface ElementModel {
  id: string;
  type: string;
  name?: string;
  /** The enclosing subprocess id; undefined at process level. */
  scopeId?: string;
  /** Present for elements that become jobs. */
  job?: { type: string; retries: string };
  headers?: Record<string, string>;
  /** Present for user tasks managed by the engine (`zeebe:userTask`). */
  userTask?: {
    assignee?: string;
    candidateGroups?: string;
    candidateUsers?: string;
    dueDate?: string;
    followUpDate?: string;
    formId?: string;
    formKey?: string;
    externalReference?: string;
    priority?: string;
  };
  inputs?: Mapping[];
  outputs?: Mapping[];
  /** `zeebe:script`: FEEL evaluated by the engine, stored in `resultVariable`. */
  script?: { expression: string; resultVariable?: string };
  /** Message catch: the message name and its correlation key expression. */
  message?: { name: string; correlationKey?: string };
  timer?: { kind: 'timeDuration' | 'timeDate' | 'timeCycle'; value: string };
  /** Error events: the error code thrown or caught (undefined on a catch-all boundary). */
  error?: { code?: string };
  /** Boundary events: the activity they sit on and whether they interrupt it. */
  attachedTo?: string;
  interrupting?: boolean;
  terminate?: boolean;
  calledElement?: { processId: string; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean };
  loop?: {
    sequential: boolean;
    inputCollection?: string;
    inputElement?: string;
    outputCollection?: string;
    outputElement?: string;
  };
  /** Event subprocess start events: the subprocess they start. */
  eventSubProcess?: string;
}

/** One executable process of a deployed BPMN file. */
export interface ProcessModel {
  processId: string;
  name?: string;
  elements: Record<string, ElementModel>;
  /** Top-level start events by kind. */
  noneStart?: string;
  messageStarts: { elementId: string; messageName: string }[];
  timerStarts: { elementId: string; timer: NonNullable<ElementModel['timer']> }[];
  /**
   * Start events of event subprocesses directly in the process that start on a message or a
   * timer: the engine keeps a subscription or a timer for each while the instance is active.
   */
  eventSubprocessStarts: { elementId: string; subProcessId: string; interrupting: boolean }[];
  /** The moddle-context-serializer output with only this process executable (JSON). */
  source: string;
}

/** The BPMN cannot be read: malformed, or not BPMN. */
export class ModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ModelError';
  }
}

/** Element behaviours replaced for the Camunda 8 dialect (see runtime.ts for the others). */
export const JOB_ELEMENT_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:ScriptTask']);

/** The iteration's element when a multi-instance names no `inputElement`. */
export const MI_ITEM = '__item';

/** The job type of a user task without `zeebe:userTask` (a job-worker user task). */
export const USER_TASK_JOB_TYPE = 'io.camunda.zeebe:userTask';

type ModdleElement = { $type: string; [key: string]: any };

/** Reads every executable process of a BPMN file. */
export async function readProcessModels(xml: string): Promise<ProcessModel[]> {
  let parsed: { rootElement: ModdleElement; warnings: { message: string }[] };
  try {
    parsed = (await new BpmnModdle({ zeebe: zeebeSchema }).fromXML(xml)) as never;
  } catch (error) {
    throw new ModelError(`not a readable BPMN file: ${(error as Error).message}`, { cause: error });
  }
  const definitions = parsed.rootElement;
  if (definitions.$type !== 'bpmn:Definitions') throw new ModelError('not a BPMN definitions document');
  const processes = (definitions.rootElements ?? []).filter(
    (element: ModdleElement) => element.$type === 'bpmn:Process' && element.isExecutable,
  ) as ModdleElement[];

  // Zeebe gives message flows no meaning, and the serializer cannot map flows to black-box pools.
  for (const root of definitions.rootElements ?? []) {
    if (root.$type === 'bpmn:Collaboration') root.messageFlows = [];
  }
  const serialized = JSON.parse(serializer(parsed as never, TypeResolver({ ...Elements })).serialize()) as {
    processes: { id: string; behaviour: { isExecutable?: boolean } }[];
    activities: { id: string; behaviour: { loopCharacteristics?: { behaviour: Record<string, unknown> } } }[];
  };
  // Multi-instance in the zeebe dialect, in the form bpmn-elements loops over: the FEEL
  // collection and the name each iteration sees its element under.
  for (const activity of serialized.activities) {
    const loop = activity.behaviour.loopCharacteristics?.behaviour;
    const zeebeLoop = (loop?.extensionElements as { values?: ModdleElement[] } | undefined)?.values?.find(
      (value) => value.$type === 'zeebe:LoopCharacteristics',
    );
    if (loop && zeebeLoop?.inputCollection) {
      loop.collection = zeebeLoop.inputCollection;
      loop.elementVariable = zeebeLoop.inputElement ?? MI_ITEM;
    }
  }

  return processes.map((process) => {
    const elements: Record<string, ElementModel> = {};
    collectElements(process, undefined, elements);
    const topLevel = (process.flowElements ?? []).filter((e: ModdleElement) => e.$type === 'bpmn:StartEvent');
    const model: ProcessModel = {
      processId: process.id,
      name: process.name,
      elements,
      messageStarts: [],
      timerStarts: [],
      eventSubprocessStarts: Object.values(elements)
        .filter((e) => e.eventSubProcess && !elements[e.eventSubProcess].scopeId && (e.message || e.timer || e.error))
        .map((e) => ({ elementId: e.id, subProcessId: e.eventSubProcess!, interrupting: Boolean(e.error) || e.interrupting !== false })),
      source: JSON.stringify({
        ...serialized,
        processes: serialized.processes.map((p) => ({
          ...p,
          behaviour: { ...p.behaviour, isExecutable: p.id === process.id },
        })),
      }),
    };
    for (const start of topLevel as ModdleElement[]) {
      const info = elements[start.id];
      if (info.message) model.messageStarts.push({ elementId: start.id, messageName: info.message.name });
      else if (info.timer) model.timerStarts.push({ elementId: start.id, timer: info.timer });
      else model.noneStart ??= start.id;
    }
    return model;
  });
}

function collectElements(container: ModdleElement, scopeId: string | undefined, into: Record<string, ElementModel>) {
  for (const element of (container.flowElements ?? []) as ModdleElement[]) {
    if (element.$type === 'bpmn:SequenceFlow') continue;
    into[element.id] = describe(element, scopeId);
    if (element.flowElements) collectElements(element, element.id, into);
    if (element.triggeredByEvent) {
      for (const child of element.flowElements ?? []) {
        if (child.$type === 'bpmn:StartEvent') into[child.id].eventSubProcess = element.id;
      }
    }
  }
}

function describe(element: ModdleElement, scopeId: string | undefined): ElementModel {
  const model: ElementModel = { id: element.id, type: element.$type };
  if (element.name) model.name = element.name;
  if (scopeId) model.scopeId = scopeId;
  const ext = extensions(element);

  const taskDefinition = ext('zeebe:TaskDefinition');
  if (taskDefinition) model.job = { type: taskDefinition.type, retries: taskDefinition.retries ?? '3' };
  if (element.$type === 'bpmn:UserTask') {
    if (ext('zeebe:UserTask')) {
      const assignment = ext('zeebe:AssignmentDefinition');
      const schedule = ext('zeebe:TaskSchedule');
      const form = ext('zeebe:FormDefinition');
      model.userTask = compact({
        assignee: assignment?.assignee,
        candidateGroups: assignment?.candidateGroups,
        candidateUsers: assignment?.candidateUsers,
        dueDate: schedule?.dueDate,
        followUpDate: schedule?.followUpDate,
        formId: form?.formId,
        formKey: form?.formKey,
        externalReference: form?.externalReference,
        priority: ext('zeebe:PriorityDefinition')?.priority,
      });
    } else {
      model.job = { type: USER_TASK_JOB_TYPE, retries: '1' };
    }
  }
  const headers = ext('zeebe:TaskHeaders');
  if (headers?.values?.length) {
    model.headers = Object.fromEntries(headers.values.map((h: ModdleElement) => [h.key, h.value ?? '']));
  }
  const io = ext('zeebe:IoMapping');
  if (io?.inputParameters?.length) model.inputs = io.inputParameters.map(mapping);
  if (io?.outputParameters?.length) model.outputs = io.outputParameters.map(mapping);
  const script = ext('zeebe:Script');
  if (script) model.script = compact({ expression: script.expression, resultVariable: script.resultVariable });
  const called = ext('zeebe:CalledElement');
  if (called) {
    model.calledElement = {
      processId: called.processId,
      propagateAllChildVariables: called.propagateAllChildVariables !== false,
      propagateAllParentVariables: called.propagateAllParentVariables !== false,
    };
  }
  const loop = element.loopCharacteristics as ModdleElement | undefined;
  if (loop?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    const zeebeLoop = extensions(loop)('zeebe:LoopCharacteristics');
    model.loop = compact({
      sequential: Boolean(loop.isSequential),
      inputCollection: zeebeLoop?.inputCollection,
      inputElement: zeebeLoop?.inputElement,
      outputCollection: zeebeLoop?.outputCollection,
      outputElement: zeebeLoop?.outputElement,
    }) as ElementModel['loop'];
  }
  if (element.attachedToRef) {
    model.attachedTo = element.attachedToRef.id;
    model.interrupting = element.cancelActivity !== false;
  }
  if (element.$type === 'bpmn:StartEvent' && element.isInterrupting === false) model.interrupting = false;
  if (element.$type === 'bpmn:ReceiveTask' && element.messageRef) model.message = message(element.messageRef);
  for (const definition of (element.eventDefinitions ?? []) as ModdleElement[]) {
    switch (definition.$type) {
      case 'bpmn:MessageEventDefinition':
        if (definition.messageRef) model.message = message(definition.messageRef);
        break;
      case 'bpmn:TimerEventDefinition': {
        const kind = (['timeDuration', 'timeDate', 'timeCycle'] as const).find((k) => definition[k]);
        if (kind) model.timer = { kind, value: String(definition[kind].body ?? '').trim() };
        break;
      }
      case 'bpmn:ErrorEventDefinition':
        model.error = compact({ code: definition.errorRef?.errorCode });
        break;
      case 'bpmn:TerminateEventDefinition':
        model.terminate = true;
        break;
    }
  }
  return model;
}

function extensions(element: ModdleElement): (type: string) => ModdleElement | undefined {
  const values = (element.extensionElements?.values ?? []) as ModdleElement[];
  return (type) => values.find((value) => value.$type === type);
}

function mapping(parameter: ModdleElement): Mapping {
  return { source: parameter.source, target: parameter.target };
}

function message(ref: ModdleElement): NonNullable<ElementModel['message']> {
  const subscription = extensions(ref)('zeebe:Subscription');
  return compact({ name: ref.name, correlationKey: subscription?.correlationKey });
}

function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== null)) as T;
}

/** Does an error boundary or error event subprocess around `elementId` catch `errorCode`? */
export function findErrorCatch(model: ProcessModel, elementId: string, errorCode: string): ElementModel | undefined {
  const elements = Object.values(model.elements);
  // At each level the catch naming the code wins over a catch-all, as in Camunda 8.
  const specific = (candidate: ElementModel) => candidate.error?.code === errorCode;
  const catchAll = (candidate: ElementModel) => Boolean(candidate.error) && candidate.error!.code === undefined;
  for (let scope: string | undefined = elementId; scope; scope = model.elements[scope]?.scopeId) {
    const boundaries = elements.filter((e) => e.attachedTo === scope);
    const boundary = boundaries.find(specific) ?? boundaries.find(catchAll);
    if (boundary) return boundary;
    const parentScope = model.elements[scope]?.scopeId;
    const starts = elements.filter((e) => e.eventSubProcess && model.elements[e.eventSubProcess]?.scopeId === parentScope);
    const eventSubProcessStart = starts.find(specific) ?? starts.find(catchAll);
    if (eventSubProcessStart) return eventSubProcessStart;
  }
  return undefined;
}
