import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { elementsSmqp, installMessageQueue, SMQP_VERSION } from '../../../src/engine/embedded/message-queue.js';

type Message = {
  fields: Record<string, unknown>;
  content: unknown;
  properties: Record<string, unknown>;
  pending: boolean;
  ack(): void;
};
type Queue = {
  messages: Message[];
  queueMessage(fields?: object, content?: unknown, properties?: object): number | undefined;
  consume(onMessage: (routingKey: string, message: Message) => void): unknown;
  on(event: string, handler: () => void): unknown;
  stop(): void;
};
type QueueMessage = Queue['queueMessage'];

let newQueue: (options?: object) => Queue;
let stock: QueueMessage;
let replacement: QueueMessage;

beforeAll(async () => {
  const { smqp } = await elementsSmqp();
  let count = 0;
  newQueue = (options = {}) => (new smqp.Broker() as any).assertQueue(`q${count++}`, options) as Queue;
  const prototype = Object.getPrototypeOf(newQueue()) as Queue;
  // The stock function, unless the engine runtime was loaded in this thread before.
  stock = prototype.queueMessage;
  expect(await installMessageQueue()).toBe(true);
  replacement = prototype.queueMessage;
  expect(replacement).not.toBe(stock);
});

/** Runs `scenario` on a queue with either function and returns what it observed. */
function observe(queueMessage: QueueMessage, scenario: (queue: Queue, queueMessage: QueueMessage) => unknown, options?: object) {
  const queue = newQueue(options);
  const events: string[] = [];
  queue.on('saturated', () => events.push('saturated'));
  const returned = scenario(queue, (...args) => queueMessage.apply(queue, args));
  const messages = queue.messages.map(({ fields, content, properties, pending }) => {
    // The time is compared as the expiry after the timestamp: the clock may tick between runs.
    const { messageId, timestamp, ttl, ...rest } = properties;
    if (ttl !== undefined) rest.ttlAfterTimestamp = (ttl as number) - (timestamp as number);
    // A consumer's tag is random; only that it is there is compared.
    const consumer = 'consumerTag' in fields ? { consumerTag: typeof fields.consumerTag } : {};
    return {
      fields: { ...fields, ...consumer },
      content,
      pending,
      properties: rest,
      hasId: typeof messageId === 'string',
      hasTimestamp: typeof timestamp === 'number',
    };
  });
  return { returned, events, messages };
}

const scenarios: Record<string, { options?: object; run: (queue: Queue, queueMessage: QueueMessage) => unknown }> = {
  'a message without consumers': {
    run: (_queue, queueMessage) => queueMessage({ routingKey: 'run.enter', exchange: 'run', consumerTag: 'tag' }, { id: 'a' }, { type: 'enter', persistent: true }),
  },
  'no fields and no properties': { run: (_queue, queueMessage) => queueMessage(undefined, 'x') },
  'an id, a timestamp and an expiration given': {
    run: (_queue, queueMessage) => queueMessage({ routingKey: 'k' }, 1, { messageId: 'mine', timestamp: 5, expiration: 100 }),
  },
  "the queue's time to live": { options: { messageTtl: 1000 }, run: (_queue, queueMessage) => queueMessage({}, 1, { type: 't' }) },
  'a full queue evicts its first message': {
    options: { maxLength: 1 },
    run: (_queue, queueMessage) => [queueMessage({ routingKey: 'a' }, 1), queueMessage({ routingKey: 'b' }, 2)],
  },
  'a queue that fills up': { options: { maxLength: 2 }, run: (_queue, queueMessage) => [queueMessage({}, 1), queueMessage({}, 2)] },
  'a consumer takes and acknowledges': {
    run: (queue, queueMessage) => {
      const seen: unknown[] = [];
      queue.consume((routingKey, message) => {
        seen.push([routingKey, message.content, message.pending, message.fields.consumerTag !== undefined]);
        message.ack();
      });
      return [queueMessage({ routingKey: 'one' }, 1), queueMessage({ routingKey: 'two' }, 2), seen];
    },
  },
  'a consumer that does not acknowledge': {
    run: (queue, queueMessage) => {
      queue.consume(() => undefined);
      return queueMessage({ routingKey: 'held' }, 1);
    },
  },
  'a stopped queue': {
    run: (queue, queueMessage) => {
      queue.stop();
      return queueMessage({}, 1);
    },
  },
};

describe('the message queue of bpmn-elements’ broker', () => {
  it(`is replaced for the smqp ${SMQP_VERSION} that bpmn-elements imports (an upgrade must be checked against this file)`, async () => {
    const { version } = await elementsSmqp();
    expect(version).toBe(SMQP_VERSION);
  });

  it.each(Object.keys(scenarios))('queues as smqp does: %s', (name) => {
    const { run, options } = scenarios[name];
    expect(observe(replacement, run, options)).toEqual(observe(stock, run, options));
  });

  it('refuses fields or properties that are not objects, as smqp does', () => {
    for (const queueMessage of [stock, replacement]) {
      const queue = newQueue();
      expect(() => queueMessage.call(queue, 'fields' as never)).toThrow(TypeError);
      expect(() => queueMessage.call(queue, {}, 1, 'properties' as never)).toThrow(TypeError);
      expect(queue.messages).toHaveLength(0);
    }
  });

  it('gives each message an id of its own', () => {
    const queue = newQueue();
    for (let i = 0; i < 100; i++) replacement.call(queue, {}, i);
    expect(new Set(queue.messages.map((message) => message.properties.messageId)).size).toBe(100);
  });

  it('is the queue the engine runs on', async () => {
    const { readProcessModels } = await import('../../../src/engine/embedded/model.js');
    const { applyEvent } = await import('../../../src/engine/embedded/runtime.js');
    const xml = await readFile(new URL('../../../bench/fixtures/engine-bench.bpmn', import.meta.url), 'utf8');
    const [model] = await readProcessModels(xml);
    const clock = { kind: 'system' as const, now: () => new Date(), offsetMs: () => 0 };
    const result = await applyEvent(model, null, { type: 'start', startEventId: 'start', variables: {} }, clock);
    const ids = [...result.state!.matchAll(/"messageId":"([^"]+)"/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => /^smq\.mid-[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+\.[0-9a-z]+$/.test(id))).toBe(true);
  });
});
