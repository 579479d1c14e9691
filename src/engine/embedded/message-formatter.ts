/**
 * A shorter way for bpmn-elements' message formatter (bpmn-elements 17.3.0) to format an
 * activity's run message when there is nothing to format. Every step an activity takes (enter,
 * start, execute, end, leave, …) is formatted first: the stock formatter publishes a message of
 * its own to the activity's `format-run-q`, consumes that queue, finds its own message, cancels
 * its consumer and calls back — four broker messages and a consumer for each step, in an engine
 * that runs no formatting extensions. When that queue holds no message, the stock formatter does
 * all of that synchronously and calls back with the run message's content unchanged and
 * `formatted` false; this calls back with the same at once. With anything in the queue
 * (formatting published by extensions, input/output specifications or properties) the stock
 * formatter runs as before.
 *
 * It replaces `Formatter.prototype.format` of the bpmn-elements module the engine imports, and
 * only of the version it was written against: any other version is left as it is, and the test of
 * this module fails, so that an upgrade is checked rather than trusted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The bpmn-elements version whose `Formatter.prototype.format` the shortcut was checked against. */
export const ELEMENTS_VERSION = '17.3.0';

/** Marks the formatter prototype once the shortcut is in place. */
const installed = Symbol('uebergang.messageFormatter');

type FormatCallback = (error: Error | null, content?: unknown, formatted?: boolean) => unknown;

/** What the shortcut needs of bpmn-elements' formatter. */
export interface ElementsFormatter {
  broker: { getQueue(name: string): { messageCount: number } | undefined };
  format(message: { content: unknown }, callback: FormatCallback): unknown;
}

/**
 * The folder of the bpmn-elements package the engine imports. `require` resolves its CommonJS
 * build (dist/); `import 'bpmn-elements'` loads the ES modules in src/ beside it.
 */
export function elementsRoot(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('bpmn-elements')), '..');
}

/**
 * The `MessageFormatter` module of the bpmn-elements that `import 'bpmn-elements'` loads (its ES
 * module build, the same module instance), with the package's version.
 */
export async function elementsFormatter() {
  const root = elementsRoot();
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const module = (await import(pathToFileURL(path.join(root, 'src', 'MessageFormatter.js')).href)) as {
    Formatter: { prototype: ElementsFormatter & { [installed]?: true } };
  };
  return { version, Formatter: module.Formatter };
}

/**
 * Installs the shortcut when bpmn-elements is {@link ELEMENTS_VERSION}; returns whether it did.
 * Safe to call more than once.
 */
export async function installMessageFormatter(): Promise<boolean> {
  const { version, Formatter } = await elementsFormatter();
  if (version !== ELEMENTS_VERSION) return false;
  const prototype = Formatter.prototype;
  if (prototype[installed]) return true;
  const stock = prototype.format;
  prototype.format = function format(this: ElementsFormatter, message, callback) {
    if (this.broker.getQueue('format-run-q')?.messageCount === 0) return callback(null, message.content, false);
    return stock.call(this, message, callback);
  };
  prototype[installed] = true;
  return true;
}
