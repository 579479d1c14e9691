/**
 * vitest globalSetup: builds the web UI once before any test file runs when `modeler-ui/dist`
 * is missing or stale, so that the end-to-end tests and every test that starts the product
 * (`src/main.ts` builds a stale UI on start) find it fresh and do not build it in parallel.
 */
import { ensureUiBuilt } from '../../../src/ui-build.js';

/** Runs once per vitest run, before the test files. */
export default async function setup(): Promise<void> {
  await ensureUiBuilt((line) => process.stdout.write(`${line}\n`));
}
