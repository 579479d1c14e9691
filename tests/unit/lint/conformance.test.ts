import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkResource, lintBpmn } from '../../../src/engine/lint/index.js';
import { REPO_ROOT } from './fixtures.js';

// Third-party Camunda 8 files, read in place (CI has the folder; they are not ours to copy).
const CORPUS = path.resolve(REPO_ROOT, '../shared/conformance/bpmn');
const present = existsSync(CORPUS);
const files = present ? readdirSync(CORPUS).filter((file) => file.endsWith('.bpmn')).sort() : [];

/**
 * Files of the corpus deploy must refuse, with the rules that refuse them. Empty: every file
 * uses only what the embedded engine supports.
 */
const EXPECTED_REJECTIONS: Record<string, string[]> = {};

const title = present
  ? 'conformance corpus ../shared/conformance/bpmn'
  : 'conformance corpus ../shared/conformance/bpmn (skipped: folder absent)';

describe.skipIf(!present)(title, () => {
  it('is not empty', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is accepted unless listed as expected rejection', async (file) => {
    // Given a real Camunda 8 file
    const content = readFileSync(path.join(CORPUS, file));

    // When deploy checks it
    const problem = await checkResource(file, content);
    const issues = problem ? [] : await lintBpmn(content.toString('utf8'));

    // Then it is accepted, or refused only by the rules recorded for it
    expect(problem).toBeUndefined();
    expect([...new Set(issues.map((issue) => issue.rule))].sort()).toEqual(EXPECTED_REJECTIONS[file] ?? []);
  });
});
