import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's place in tests/unit/lint. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Reads a BPMN fixture of tests/fixtures/bpmn/lint as text. */
export function readFixture(name: string): string {
  return readFileSync(path.join(REPO_ROOT, 'tests/fixtures/bpmn/lint', name), 'utf8');
}
