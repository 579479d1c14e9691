/**
 * Issue 6, acceptance 1 in real Chromium: a process owner signs in, opens a diagram, changes a
 * label, sees a lint error appear when a flow breaks and disappear when it is fixed, deploys,
 * sees the new version and the diff of two versions; a diagram the engine refuses shows the
 * engine's verdict on the element.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  screenshot,
  seriousA11yViolations,
  signInThroughUi,
  type TestPage,
} from './support/browser.js';
import { E2E_TIMEOUT_MS, POLL, TEST_PASSWORD, type E2eProduct } from './support/product.js';
import { closeSession, openSession, type E2eSession } from './support/session.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const FIXTURE = path.join(FIXTURES, 'e2e-review.bpmn');
const REFUSED = path.join(FIXTURES, 'e2e-refused.bpmn');

describe('modeler (process owner)', { timeout: E2E_TIMEOUT_MS }, () => {
  let product: E2eProduct;
  let tab: TestPage;
  let page: Page;
  let session: E2eSession | undefined;

  beforeAll(async () => {
    session = await openSession();
    ({ product, page, tab } = session);
  }, E2E_TIMEOUT_MS);
  afterAll(() => closeSession(session));

  const lintErrors = async () => Number(await page.locator('.lint-status').getAttribute('data-errors'));

  it('signs in and lands on the modeler, in German', async () => {
    await signInThroughUi(page, product.url, 'e2e.owner', TEST_PASSWORD);
    await page.waitForURL(/\/modeler$/);
    await page.getByRole('heading', { name: 'Prozessmodellierung' }).waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    // The bpmn.io watermark stays (its licence asks for it).
    await expect(page.locator('.bjs-powered-by').count()).resolves.toBe(1);
  });

  it('opens a file, deploys it as version 1', async () => {
    await page.locator('input[type=file][accept*=".bpmn"]').setInputFiles(FIXTURE);
    await page.locator('[data-element-id="Review"]').waitFor();
    await expect.poll(lintErrors, POLL).toBe(0);
    await page.getByRole('button', { name: 'Bereitstellen' }).click();
    await expect(page.getByTestId('verdict').textContent()).resolves.toContain('Version 1');
    await page.waitForURL(/\/modeler\/e2e-review$/);
    await expect(page.getByTestId('versions').locator('li').count()).resolves.toBe(1);
  });

  it('shows a lint error when a flow breaks and clears it when the flow is back', async () => {
    // A straight flow has a box of height 0, which Playwright will not click: click its middle.
    const flow = (await page.locator('[data-element-id="Flow_2"]').boundingBox())!;
    await page.mouse.click(flow.x + flow.width / 2, flow.y + flow.height / 2);
    await page.locator('.djs-context-pad [data-action="delete"]').click();
    await expect.poll(lintErrors, POLL).toBeGreaterThan(0);
    // The end event lost its incoming flow: bpmnlint marks it in the canvas.
    await expect(page.locator('.djs-overlays[data-container-id="End"] .bjsl-overlay').count()).resolves.toBe(1);
    await screenshot(page, 'modeler-lint-error');

    await page.locator('[data-testid="canvas"] .djs-container > svg').focus();
    await page.keyboard.press('Control+z');
    await expect.poll(lintErrors, POLL).toBe(0);
  });

  it('changes a label, deploys version 2 and shows the diff of versions 1 and 2', async () => {
    await page.locator('[data-element-id="Review"]').click();
    const general = page.locator('[data-group-id="group-general"] .bio-properties-panel-group-header');
    if (!(await general.getAttribute('class'))?.includes('open')) await general.click();
    const name = page.locator('#bio-properties-panel-name');
    await name.fill('Fall gründlich prüfen');
    await name.press('Tab');
    await expect(page.locator('[data-element-id="Review"] text').textContent()).resolves.toContain('gründlich');

    await page.getByRole('button', { name: 'Bereitstellen' }).click();
    await page.getByTestId('verdict').filter({ hasText: 'Version 2' }).waitFor();
    await expect(page.getByTestId('versions').locator('li').count()).resolves.toBe(2);

    await page.getByRole('button', { name: 'Vergleichen' }).click();
    const diff = page.getByTestId('diff');
    await diff.locator('.diff-row-changed').first().waitFor();
    await expect(diff.locator('.diff-row-changed').first().textContent()).resolves.toContain('Review');
    await expect(diff.locator('.djs-element.diff-changed[data-element-id="Review"]').count()).resolves.toBe(2);
    await screenshot(page, 'modeler-diff');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it("marks the element the engine refuses with the engine's reason", async () => {
    await page.getByRole('tab', { name: 'Diagramm' }).click();
    // A complex gateway: bpmn-elements cannot run it, so the engine refuses it at deploy.
    await page.locator('input[type=file][accept*=".bpmn"]').setInputFiles(REFUSED);
    await page.locator('[data-element-id="Decide"]').waitFor();
    await page.getByRole('button', { name: 'Bereitstellen' }).click();
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    await expect(verdict.textContent()).resolves.toMatch(/Decide.*complex gateway/);
    await expect(page.locator('.djs-element.deploy-refused[data-element-id="Decide"]').count()).resolves.toBe(1);
    await expect(page.locator('.deploy-verdict-overlay').textContent()).resolves.toContain('complex gateway');
    await screenshot(page, 'modeler-verdict');
    // The refused deploy is the only error the browser saw (its 400 answer).
    expect(tab.errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('edits a deployed form in the form editor and deploys it', async () => {
    await page.getByRole('tab', { name: 'Formulare' }).click();
    await page.getByLabel('Bereitgestellte Formulare').selectOption('consent-intake');
    await page.locator('.form-editor .fjs-form-field', { hasText: 'Datenschutzhinweis ausgehändigt' }).first().waitFor();
    await page.getByRole('button', { name: 'Formular bereitstellen' }).click();
    await expect(page.locator('.forms-panel .notice.success').textContent()).resolves.toContain('consent-intake');
    await screenshot(page, 'modeler-forms');
  });

  it('speaks English when switched, with the bpmn.io watermark kept', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('heading', { name: 'Process modeling' }).waitFor();
    await page.getByRole('tab', { name: 'Diagram' }).click();
    await expect(page.locator('.lint-status').textContent()).resolves.toMatch(/^Check: \d+ errors/);
    await expect(page.locator('.modeler-canvas .bjs-powered-by').count()).resolves.toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'modeler-en');
    await page.getByRole('button', { name: 'DE', exact: true }).click();
    // Still only the refused deploy's answer: no missing translation, no error of the page.
    expect(tab.errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('on the product process transition-case: label changed, flow broken and fixed, deployed as version 2, diffed', async () => {
    await page.goto(`${product.url}/modeler/transition-case`);
    await page.locator('[data-element-id="record-consent"]').waitFor();
    await page.getByText('transition-case, Version 1').waitFor();
    // Lint runs after the import: wait until its count holds still.
    let baseline = -1;
    await expect.poll(async () => {
      const before = await lintErrors();
      await page.waitForTimeout(300);
      const after = await lintErrors();
      baseline = after;
      return before === after && !Number.isNaN(after);
    }, POLL).toBe(true);

    await page.locator('[data-element-id="record-consent"]').click();
    const general = page.locator('[data-group-id="group-general"] .bio-properties-panel-group-header');
    if (!(await general.getAttribute('class'))?.includes('open')) await general.click();
    await page.locator('#bio-properties-panel-name').fill('Einwilligung und Datenschutz erfassen');
    await page.locator('#bio-properties-panel-name').press('Tab');
    await expect(page.locator('[data-element-id="record-consent"] text').textContent()).resolves.toContain('Datenschutz');

    // Deselect first (click empty canvas): the selected task's context pad covers the flow.
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    await page.mouse.click(canvas.x + canvas.width - 120, canvas.y + canvas.height - 120);
    await expect(page.locator('.djs-context-pad.open').count()).resolves.toBe(0);
    const flow = (await page.locator('[data-element-id="flow-to-store-consent"]').boundingBox())!;
    await page.mouse.click(flow.x + flow.width / 2, flow.y + flow.height / 2);
    await expect(page.locator('.djs-element.selected').getAttribute('data-element-id')).resolves.toBe('flow-to-store-consent');
    await page.locator('.djs-context-pad [data-action="delete"]').click();
    await expect.poll(lintErrors, POLL).toBeGreaterThan(baseline);
    await page.locator('[data-testid="canvas"] .djs-container > svg').focus();
    await page.keyboard.press('Control+z');
    await expect.poll(lintErrors, POLL).toBe(baseline);

    await page.getByRole('button', { name: 'Bereitstellen' }).click();
    await page.getByTestId('verdict').filter({ hasText: 'Version 2' }).waitFor();
    await expect(page.getByTestId('versions').locator('li').count()).resolves.toBe(2);
    await page.getByRole('button', { name: 'Vergleichen' }).click();
    const changed = page.getByTestId('diff').locator('.diff-row-changed', { hasText: 'record-consent' });
    await changed.waitFor();
    await expect(changed.textContent()).resolves.toContain('name');
    await screenshot(page, 'modeler-transition-case-diff');
  });

  it('signs out: back on the sign-in page, and the session is gone on the server', async () => {
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login$/);
    await expect(page.evaluate(`fetch('/api/auth/me').then((r) => r.status)`)).resolves.toBe(401);
    await page.goto(`${product.url}/modeler`);
    await page.waitForURL(/\/login\?next=%2Fmodeler$/);
  });
});
