/**
 * The web UI in real Chromium (`/usr/bin/chromium`, playwright-core) against the product on
 * PostgreSQL with its demo data: the tasklist's first render with 10,000 open tasks visible to
 * the caseworker (median of 5 loads; target ≤ 1.5 s), and an instance page with its diagram and
 * token overlay (median of 5 loads; target ≤ 1 s). Each load is a fresh navigation, timed until
 * the first task row, or the overlay, is on screen.
 * Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { createJsonClient } from './lib/http.js';
import { ROOT, round, runParallel, startBenchServer } from './lib/server.js';

const OPEN_TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const LOADS = 5;
const PASSWORD = 'ui-bench-password';

export default async function benchUi(): Promise<Record<string, unknown>> {
  const server = await startBenchServer('ui', { DEMO: '1', DEMO_PASSWORD: PASSWORD, WORKERS_PROTOCOL: 'off' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const caseworker = await signInOverApi(server.base, 'caseworker');
    const caseId = await firstCase(server.base, caseworker);
    const instanceKey = await createOpenTasks(server.base, caseId);
    // What the tasklist opens with: the open tasks of the caseworker's groups.
    const visible = await fetch(`${server.base}/api/tasks?view=groups&limit=1`, { headers: { cookie: caseworker } });
    const { total } = (await visible.json()) as { total: number };
    const tasklist = await timeLoads(browser, server.base, 'caseworker', '/tasks', '.task-row');
    const diagram = await timeLoads(browser, server.base, 'supervisor', `/supervisor/instances/${instanceKey}`, '.token-overlay');
    return {
      openTasks: OPEN_TASKS,
      tasksVisibleToCaseworker: total,
      tasklistFirstRenderMs: round(median(tasklist)),
      diagramWithOverlaysMs: round(median(diagram)),
      loads: LOADS,
      targets: { tasklistFirstRenderMs: 1500, diagramWithOverlaysMs: 1000 },
    };
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** Signs in over the API; returns the session cookie. */
async function signInOverApi(base: string, username: string): Promise<string> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!login.ok) throw new Error(`sign-in as ${username} failed: ${login.status}`);
  return login.headers.getSetCookie().map((header) => header.split(';')[0]).join('; ');
}

/** A case the signed-in user may see. */
async function firstCase(base: string, cookie: string): Promise<string> {
  const cases = (await (await fetch(`${base}/api/cases?limit=1`, { headers: { cookie } })).json()) as { items: { caseId: string }[] };
  if (!cases.items[0]) throw new Error('the demo data has no case for the caseworker');
  return cases.items[0].caseId;
}

/** Deploys the benchmark process and starts OPEN_TASKS instances of it, each waiting at a user task. */
async function createOpenTasks(base: string, caseId: string): Promise<string> {
  const form = new FormData();
  const file = path.join(ROOT, 'bench/fixtures/ui-bench.bpmn');
  form.append('resources', new Blob([await readFile(file)]), 'ui-bench.bpmn');
  const deployed = await fetch(`${base}/v2/deployments`, { method: 'POST', body: form });
  if (!deployed.ok) throw new Error(`deploying the benchmark process failed: ${deployed.status} ${await deployed.text()}`);
  const rest = createJsonClient(base);
  let last = '';
  await runParallel(OPEN_TASKS, 32, async () => {
    const created = await rest.post<{ processInstanceKey: string }>('/v2/process-instances', {
      processDefinitionId: 'ui-bench',
      variables: { caseId },
    });
    last = created.processInstanceKey;
  });
  rest.close();
  return last;
}

/** Signs in once, then loads `pagePath` LOADS times, each until `selector` is visible. */
async function timeLoads(browser: import('playwright-core').Browser, base: string, username: string, pagePath: string, selector: string) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await signIn(page, base, username);
  const times: number[] = [];
  for (let load = 0; load < LOADS; load++) {
    const started = performance.now();
    await page.goto(`${base}${pagePath}`);
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: 30_000 });
    times.push(performance.now() - started);
  }
  await context.close();
  return times;
}

async function signIn(page: Page, base: string, username: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/Benutzername|User name/).fill(username);
  await page.getByLabel(/Passwort|Password/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(Anmelden|Sign in)$/ }).click();
  await page.waitForURL((target) => !target.pathname.startsWith('/login'));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
