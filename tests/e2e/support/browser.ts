/**
 * Real Chromium for the end-to-end tests: the system's `/usr/bin/chromium` driven by
 * playwright-core (never a downloaded browser), with console errors collected, an axe-core check,
 * screenshots into `test-artifacts/` and a check for horizontal scrolling.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where screenshots go (gitignored). */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** The phone viewport of the acceptance criteria. */
export const PHONE = { width: 390, height: 844 } as const;

/** A desktop viewport. */
export const DESKTOP = { width: 1366, height: 900 } as const;

/** Starts the system Chromium headless. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    // As root (CI, containers) Chromium refuses its sandbox; /dev/shm is small in containers;
    // the machine has no network, so Chromium's own background connections are switched off.
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page of its own context, with everything it logged as an error. */
export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
}

/** Opens a fresh context (own cookies) with `viewport` and German as the browser language. */
export async function openPage(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<TestPage> {
  const context = await browser.newContext({ viewport, locale: 'de-DE', acceptDownloads: true });
  const page = await context.newPage();
  // Generous: in CI the browser shares 2 cores with the server and the rest of the suite.
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return { page, context, errors };
}

let axeSource: string | undefined;

/** One axe-core finding. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core on the page (injected through the DevTools protocol, so the page's CSP stays
 * in force) and returns the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  // A string, not a function: these tests are type-checked without the DOM library.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => String(n.target)),
    })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Writes a full-page screenshot to `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** How far the page scrolls sideways (0 means no horizontal scroll bar). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
}

/** Signs in through the login page and waits for the landing page. */
export async function signInThroughUi(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel(/Benutzername|User name/).fill(username);
  await page.getByLabel(/Passwort|Password/).fill(password);
  await page.getByRole('button', { name: /^(Anmelden|Sign in)$/ }).click();
  await page.waitForURL((target) => !target.pathname.startsWith('/login'));
}
