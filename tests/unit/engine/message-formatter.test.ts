import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  elementsFormatter,
  elementsRoot,
  ELEMENTS_VERSION,
  installMessageFormatter,
  type ElementsFormatter,
} from '../../../src/engine/embedded/message-formatter.js';

type Format = ElementsFormatter['format'];
type Broker = {
  getQueue(name: string): { messageCount: number; queueMessage(fields: object, content: unknown): unknown };
  publish(exchange: string, routingKey: string, content: unknown): unknown;
  consumerCount: number;
};

/** bpmn-elements' formatter with the broker of an activity, as the tests use it. */
type ActivityFormatter = Omit<ElementsFormatter, 'broker'> & { broker: Broker };

let newFormatter: () => ActivityFormatter;
let stock: Format;
let shortcut: Format;

beforeAll(async () => {
  const { Formatter } = await elementsFormatter();
  // The activity broker of bpmn-elements (not exported by the package), from the same build.
  const { ActivityBroker } = (await import(pathToFileURL(path.join(elementsRoot(), 'src', 'EventBroker.js')).href)) as {
    ActivityBroker(activity: object): { broker: Broker };
  };
  const silent = { debug() {}, warn() {}, error() {} };
  newFormatter = () => {
    const { broker } = ActivityBroker({ id: 'task' });
    return new (Formatter as never as new (element: object) => ActivityFormatter)({ id: 'task', broker, logger: silent });
  };
  // The stock function, unless the engine runtime was loaded in this thread before.
  stock = Formatter.prototype.format;
  expect(await installMessageFormatter()).toBe(true);
  shortcut = Formatter.prototype.format;
  expect(shortcut).not.toBe(stock);
});

/** Formats a run message with either function after `given`, then runs `then`; what was seen. */
function observe(format: Format, given: (broker: Broker) => void, then: (broker: Broker) => void = () => undefined) {
  const formatter = newFormatter();
  given(formatter.broker);
  const calls: unknown[] = [];
  const message = { fields: { routingKey: 'run.execute' }, content: { id: 'task', executionId: 'task_1', value: 1 }, properties: {} };
  format.call(formatter, message, (error, content, formatted) => {
    calls.push({ error: error?.message ?? null, content, formatted });
  });
  const synchronous = calls.length;
  then(formatter.broker);
  return {
    synchronous,
    calls,
    queued: formatter.broker.getQueue('format-run-q').messageCount,
    consumers: formatter.broker.consumerCount,
  };
}

const scenarios: Record<string, { given: (broker: Broker) => void; then?: (broker: Broker) => void }> = {
  'nothing to format': { given: () => undefined },
  'formatting queued before the step': {
    given: (broker) => broker.getQueue('format-run-q').queueMessage({ routingKey: 'run.format.extra' }, { extra: 'added' }),
  },
  'formatting that ends later': {
    given: (broker) => broker.publish('format', 'run.format.start', { endRoutingKey: 'run.format.end' }),
    then: (broker) => broker.publish('format', 'run.format.end', { later: true }),
  },
  'formatting that fails': {
    given: (broker) => broker.publish('format', 'run.format.start', { endRoutingKey: 'run.format.end' }),
    then: (broker) => broker.publish('format', 'run.format.error', { error: new Error('formatting refused') }),
  },
};

describe('the message formatter of bpmn-elements', () => {
  it(`is shortened for bpmn-elements ${ELEMENTS_VERSION} (an upgrade must be checked against this file)`, async () => {
    const { version } = await elementsFormatter();
    expect(version).toBe(ELEMENTS_VERSION);
  });

  it.each(Object.keys(scenarios))('formats as bpmn-elements does: %s', (name) => {
    const { given, then } = scenarios[name];
    expect(observe(shortcut, given, then)).toEqual(observe(stock, given, then));
  });

  it('calls back at once, without a message or a consumer, when there is nothing to format', () => {
    expect(observe(shortcut, () => undefined)).toEqual({
      synchronous: 1,
      calls: [{ error: null, content: { id: 'task', executionId: 'task_1', value: 1 }, formatted: false }],
      queued: 0,
      consumers: 0,
    });
  });

  it('is the formatter the engine runs on, and the engine runs a process as with the stock one', async () => {
    const { Formatter } = await elementsFormatter();
    const { readProcessModels } = await import('../../../src/engine/embedded/model.js');
    const { applyEvent } = await import('../../../src/engine/embedded/runtime.js');
    expect(Formatter.prototype.format).toBe(shortcut);
    const files = ['tests/fixtures/bpmn/engine/engine-semantics.bpmn', 'bench/fixtures/engine-bench.bpmn'];
    const models = (await Promise.all(files.map(async (file) => readProcessModels(await readFile(new URL(`../../../${file}`, import.meta.url), 'utf8'))))).flat();
    const clock = { kind: 'system' as const, now: () => new Date('2026-01-01T00:00:00Z'), offsetMs: () => 0 };
    // Each process from its start, then its first job or user task completed, until it ends.
    const run = async (format: Format) => {
      Formatter.prototype.format = format;
      const steps: unknown[] = [];
      for (const model of models) {
        let result = await applyEvent(model, null, { type: 'start', startEventId: model.noneStart!, variables: { releaseDate: '2027-06-01', months: 6 } }, clock);
        for (let step = 0; ; step++) {
          steps.push(result.status, result.transitions.map((t) => `${t.elementId}:${t.state}`), result.waits.map((w) => `${w.elementId}:${w.kind}`));
          const next = result.waits.find((wait) => wait.kind === 'job' || wait.kind === 'user-task');
          if (result.status !== 'ACTIVE' || !next || step === 10) break;
          const known = new Set(result.waits.map((wait) => wait.executionId));
          result = await applyEvent(model, result.state, { type: 'complete', executionId: next.executionId, variables: {} }, clock, known);
        }
      }
      return steps;
    };
    try {
      expect(await run(shortcut)).toEqual(await run(stock));
    } finally {
      Formatter.prototype.format = shortcut;
    }
  });
});
