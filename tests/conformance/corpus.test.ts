/**
 * Issue 3, acceptance 1: every scenario of the third-party Camunda 8 corpus in
 * ../shared/conformance (beside the repository; never copied into it) runs through
 * `@camunda8/sdk` in strict validation mode against the real server, one scenario at a time,
 * on every back-end. Scenarios the engine cannot run yet are listed in KNOWN_FAILING with the
 * reason, and the test asserts that they still fail: when one starts to pass, its test fails
 * until it is taken off the list.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CamundaClientLoose } from '@camunda8/orchestration-cluster-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/databases.js';
import { createSdkClient, startEngineServer, type EngineServer } from '../helpers/engine-server.js';
import { runScenario, scenarioName, type Scenario } from './scenario-driver.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS_DIR = path.resolve(repositoryRoot, '..', 'shared', 'conformance');
const SCENARIOS_FILE = path.join(CORPUS_DIR, 'scenarios.json');

/**
 * Scenarios that fail today, with what fails and the engine feature that is missing. Keep it
 * exact: a listed scenario that passes fails its test, so fixing the engine means updating this.
 */
const KNOWN_FAILING: Record<string, string> = {};

const corpus: Scenario[] = existsSync(SCENARIOS_FILE) ? (JSON.parse(readFileSync(SCENARIOS_FILE, 'utf8')) as Scenario[]) : [];

if (corpus.length === 0) {
  describe.skip('conformance corpus (skipped: ../shared/conformance/scenarios.json not found beside the repository)', () => {
    it('runs every scenario of the corpus', () => undefined);
  });
} else {
  describe.each(backends)('conformance corpus on $name', (backend) => {
    let engine: EngineServer;
    let client: CamundaClientLoose;
    // Per run, so that messages buffered by an earlier run cannot correlate (MANIFEST, caution 3).
    const suffix = `-${backend.name}-${Date.now().toString(36)}`;

    beforeAll(async () => {
      engine = await startEngineServer(backend);
      client = await createSdkClient(engine.url);
    });
    afterAll(async () => {
      await engine?.close();
    });

    it('lists only scenarios that exist in the corpus as known failures', () => {
      const names = new Set(corpus.map(scenarioName));
      expect(Object.keys(KNOWN_FAILING).filter((name) => !names.has(name))).toEqual([]);
    });

    // One at a time (vitest runs the tests of a file in order): job types collide between files.
    for (const scenario of corpus) {
      const name = scenarioName(scenario);
      const knownFailure = KNOWN_FAILING[name];
      const title = knownFailure ? `${name} still fails (known: ${knownFailure})` : `${name} runs to its expected end`;
      it(
        title,
        async () => {
          // given: the scenario's files; when: the driver runs it through the SDK
          const outcome = await runScenario(client, CORPUS_DIR, scenario, suffix);
          // then: it passes, or — when listed as known failing — it still fails
          if (knownFailure) {
            expect(outcome.failures, `${name} passes now: take it off KNOWN_FAILING`).not.toEqual([]);
          } else {
            expect(outcome.failures).toEqual([]);
          }
        },
        (scenario.maxSeconds + 10) * 1000,
      );
    }
  });
}
