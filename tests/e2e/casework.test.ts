/**
 * Issue 6, acceptance 2 and 3 in real Chromium, on the product's own processes and workers:
 * a caseworker admits a case, claims the intake task, submits its form with an invalid field
 * (the error shows on the field), fixes it, completes it and the next task appears; a supervisor
 * finds the case on the dashboard, opens its diagram, and the token overlay sits on the element
 * the engine reports as active. Screenshots of the pages, the tasklist and case page also at the
 * 390 × 844 phone viewport without horizontal scrolling; an axe-core check of each page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE,
  horizontalOverflow,
  openPage,
  screenshot,
  seriousA11yViolations,
  signInThroughUi,
  type TestPage,
} from './support/browser.js';
import { call, signIn } from '../helpers/auth-server.js';
import { E2E_TIMEOUT_MS, POLL, TEST_PASSWORD, type E2eProduct } from './support/product.js';
import { closeSession, openSession, type E2eSession } from './support/session.js';

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

describe('casework (caseworker and supervisor)', { timeout: E2E_TIMEOUT_MS }, () => {
  let product: E2eProduct;
  let browser: Browser;
  let worker: TestPage;
  let page: Page;
  let caseUrl: string;
  let caseId: string;
  let taskUrl: string;
  let instanceUrl: string;
  let session: E2eSession | undefined;

  beforeAll(async () => {
    session = await openSession();
    ({ product, browser, page, tab: worker } = session);
  }, E2E_TIMEOUT_MS);
  afterAll(() => closeSession(session));

  it('admits a new case through the admission form', async () => {
    await signInThroughUi(page, product.url, 'e2e.worker', TEST_PASSWORD);
    await page.waitForURL(/\/tasks$/);
    await page.getByRole('link', { name: 'Neuen Fall aufnehmen' }).click();
    await page.getByRole('heading', { name: 'Neuen Fall aufnehmen' }).waitFor();

    // Sent empty, the form names what is missing next to the fields.
    await page.getByRole('button', { name: 'Fall aufnehmen' }).click();
    await expect(page.locator('.field-error').count()).resolves.toBeGreaterThanOrEqual(4);

    await page.getByLabel('Vorname').fill('Erika');
    await page.getByLabel('Nachname').fill('Musterfrau');
    await page.getByLabel('Geburtsdatum').fill('1990-04-12');
    const release = new Date(Date.now() + 90 * 24 * 3600 * 1000);
    await page.getByLabel('Voraussichtliches Entlassungsdatum').fill(isoDate(release));
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'admission');
    await page.getByRole('button', { name: 'Fall aufnehmen' }).click();

    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    caseUrl = page.url();
    caseId = caseUrl.split('/').pop()!;
    await page.getByTestId('case-page').waitFor();
    await expect(page.getByText('Erika Musterfrau').count()).resolves.toBe(1);
    await page.getByTestId('timeline').waitFor();
  });

  it('claims the intake task, shows the invalid field, completes it and the next task appears', async () => {
    // The case's first task arrives in the list of the caseworker's groups.
    await page.goto(`${product.url}/tasks`);
    const row = page.getByTestId('task-list').locator('li', { hasText: 'Einwilligung und Datenschutzhinweis erfassen' });
    await expect.poll(async () => {
      await page.locator('.task-list-pane [role="status"]').waitFor();
      if ((await row.count()) > 0) return true;
      await page.reload();
      return false;
    }, POLL).toBe(true);
    await row.first().locator('a').click();
    await page.getByTestId('task-detail').waitFor();
    await page.getByTestId('case-panel').waitFor();

    await page.getByRole('button', { name: 'Übernehmen' }).click();
    await page.getByRole('button', { name: 'Zurückgeben' }).waitFor();

    // The privacy notice is required: completing without it shows the error on that field.
    await page.getByRole('button', { name: 'Abschließen' }).click();
    await page.getByTestId('task-error').waitFor();
    const fieldError = page.locator('.fjs-has-errors .fjs-form-field-error');
    await expect(fieldError.count()).resolves.toBeGreaterThan(0);
    await expect(fieldError.first().textContent()).resolves.toBe('Pflichtfeld.');
    await screenshot(page, 'task-invalid');

    await page.getByLabel('Datenschutzhinweis ausgehändigt und erklärt').check();
    await page.getByRole('button', { name: 'Abschließen' }).click();
    await page.getByTestId('completed').waitFor();
    const next = page.getByTestId('next-task');
    await next.waitFor({ timeout: 40_000 });
    expect(await next.textContent()).not.toBe('Einwilligung und Datenschutzhinweis erfassen');
    await next.click();
    await page.getByTestId('task-detail').waitFor();
    taskUrl = page.url();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, 'task');
  });

  it('keeps a comment on the task', async () => {
    await page.getByLabel('Neuer Kommentar').fill('Termin mit der Klientin am Montag.');
    await page.getByRole('button', { name: 'Kommentar hinzufügen' }).click();
    await expect(page.getByTestId('comments').textContent()).resolves.toContain('Termin mit der Klientin am Montag.');
  });

  it('saves a filter on the server and applies it again after a reload', async () => {
    await page.goto(`${product.url}/tasks`);
    await page.getByText('Filter und Sortierung').click();
    await page.getByLabel('Sortierung').selectOption('priority');
    await page.getByLabel('Phase', { exact: true }).selectOption('intake');
    await page.getByLabel('Name des Filters').fill('Aufnahme nach Priorität');
    await page.getByRole('button', { name: 'Filter speichern' }).click();
    await page.getByRole('status').filter({ hasText: 'gespeichert' }).waitFor();

    await page.reload();
    await page.getByText('Filter und Sortierung').click();
    await page.getByRole('button', { name: 'Aufnahme nach Priorität', exact: true }).click();
    await expect(page.getByLabel('Sortierung').inputValue()).resolves.toBe('priority');
    await expect(page.getByLabel('Phase', { exact: true }).inputValue()).resolves.toBe('intake');
    await page.getByRole('button', { name: 'Filter „Aufnahme nach Priorität“ löschen' }).click();
    await page.getByText('Noch keine Filter gespeichert.').waitFor();
  });

  it('works the task list with the keyboard alone', async () => {
    await page.goto(`${product.url}/tasks`);
    const links = page.getByTestId('task-list').locator('.task-row a');
    await expect.poll(() => links.count(), POLL).toBeGreaterThan(1);
    await links.first().focus();
    await page.keyboard.press('ArrowDown');
    const second = await links.nth(1).getAttribute('href');
    await expect(page.evaluate('document.activeElement.getAttribute("href")')).resolves.toBe(second);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === second);
    // The opened task's heading takes the focus, so reading and tabbing start there.
    // (it does so once the task has loaded, which may be after the detail is first drawn)
    await page.getByTestId('task-detail').waitFor();
    await expect.poll(() => page.evaluate('document.activeElement.tagName'), POLL).toBe('H2');
  });

  it('highlights tasks that are due soon, and overdue ones once their date has passed', async () => {
    await page.goto(`${product.url}/tasks`);
    const rows = page.getByTestId('task-list').locator('.task-row');
    await rows.first().waitFor();
    const due = await page.evaluate(`fetch('/api/tasks?view=groups').then((r) => r.json()).then((page) => page.items.map((t) => t.dueDate))`) as string[];
    expect(due.every(Boolean)).toBe(true);
    // A process owner moves the simulated clock to one day before the earliest due date…
    const owner = await signIn(product.url, 'e2e.owner');
    const clock = await call(product.url, 'GET', '/api/clock', { session: owner });
    const earliest = Math.min(...due.map((d) => new Date(d).getTime()));
    const dayBefore = new Date(earliest - 24 * 3600 * 1000).toISOString();
    expect(new Date(dayBefore).getTime()).toBeGreaterThan(new Date(clock.body.time).getTime());
    expect((await call(product.url, 'POST', '/api/clock/advance', { session: owner, body: { to: dayBefore } })).status).toBe(200);
    await page.reload();
    await rows.first().waitFor();
    await expect(page.locator('.task-row.due-soon').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('.task-row .badge.due-soon').first().textContent()).resolves.toBe('bald fällig');
    // …and then past it.
    const dayAfter = new Date(earliest + 24 * 3600 * 1000).toISOString();
    expect((await call(product.url, 'POST', '/api/clock/advance', { session: owner, body: { to: dayAfter } })).status).toBe(200);
    await page.reload();
    await rows.first().waitFor();
    await expect(page.locator('.task-row.overdue').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('.task-row .badge.overdue').first().textContent()).resolves.toBe('überfällig');
    await screenshot(page, 'tasks-overdue');
  });

  it('fits the tasklist and the case page on a phone', async () => {
    const phone = await openPage(browser, PHONE);
    try {
      await signInThroughUi(phone.page, product.url, 'e2e.worker', TEST_PASSWORD);
      await phone.page.getByTestId('task-list').waitFor();
      expect(await horizontalOverflow(phone.page)).toBe(0);
      expect(await seriousA11yViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'tasks-phone');

      await phone.page.getByTestId('task-list').locator('a').first().click();
      await phone.page.getByTestId('task-detail').waitFor();
      expect(await horizontalOverflow(phone.page)).toBe(0);
      await screenshot(phone.page, 'task-phone');

      await phone.page.goto(caseUrl);
      await phone.page.getByTestId('timeline').waitFor();
      expect(await horizontalOverflow(phone.page)).toBe(0);
      expect(await seriousA11yViolations(phone.page)).toEqual([]);
      await screenshot(phone.page, 'case-phone');
      expect(phone.errors).toEqual([]);
    } finally {
      await phone.context.close();
    }
  });

  it('lets a supervisor find the case on the dashboard and see its token where the engine says', async () => {
    const supervisor = await openPage(browser);
    try {
      const sp = supervisor.page;
      sp.setDefaultTimeout(30_000);
      await signInThroughUi(sp, product.url, 'e2e.supervisor', TEST_PASSWORD);
      await sp.waitForURL(/\/tasks$/);
      await sp.goto(`${product.url}/supervisor`);
      const releases = sp.getByTestId('releases');
      await releases.waitFor();
      expect(await seriousA11yViolations(sp)).toEqual([]);
      await screenshot(sp, 'supervisor-dashboard');

      const entry = releases.locator('li', { has: sp.locator(`a[href="/cases/${caseId}"]`) });
      await entry.getByRole('link', { name: 'Instanz suchen' }).click();
      const instanceLink = sp.getByTestId('instances').locator('a[href^="/supervisor/instances/"]').first();
      await instanceLink.waitFor();
      await screenshot(sp, 'supervisor-instances');
      // The CSV export of the same search: a header line and the case's instance.
      const csvUrl = (await sp.getByRole('link', { name: 'CSV exportieren' }).getAttribute('href'))!;
      expect(csvUrl).toContain(caseId);
      const csv = (await sp.evaluate(`fetch(${JSON.stringify(csvUrl)}).then((r) => r.text())`)) as string;
      expect(csv.split(/\r?\n/).filter(Boolean).length).toBe(2);
      expect(csv).toContain(caseId);
      await instanceLink.click();

      await sp.getByTestId('instance-page').waitFor();
      instanceUrl = sp.url();
      const instanceKey = sp.url().split('/').pop()!;
      const overlay = sp.locator('.token-overlay');
      await overlay.first().waitFor();
      // What the engine reports, asked over the API with the same session.
      const reported = (await sp.evaluate(`fetch('/api/instances/${instanceKey}').then((r) => r.json())`)) as {
        activeElementIds: string[];
      };
      const shown = await overlay.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-element-id')));
      expect(reported.activeElementIds.length).toBeGreaterThan(0);
      expect(new Set(shown)).toEqual(new Set(reported.activeElementIds));
      // The overlay is drawn on the element's shape in the diagram.
      const [elementId] = reported.activeElementIds;
      const shape = (await sp.locator(`.djs-element[data-element-id="${elementId}"]`).first().boundingBox())!;
      const badge = (await sp.locator(`.token-overlay[data-element-id="${elementId}"]`).first().boundingBox())!;
      expect(badge.x).toBeGreaterThanOrEqual(shape.x - badge.width);
      expect(badge.x).toBeLessThanOrEqual(shape.x + shape.width);
      expect(badge.y).toBeGreaterThanOrEqual(shape.y - 2 * badge.height);
      expect(badge.y).toBeLessThanOrEqual(shape.y + shape.height);
      expect(await seriousA11yViolations(sp)).toEqual([]);
      await screenshot(sp, 'supervisor-instance');
      expect(supervisor.errors).toEqual([]);
    } finally {
      await supervisor.context.close();
    }
    expect(worker.errors).toEqual([]);
  });

  it.each(['de', 'en'])('renders every page in %s without console errors or serious accessibility violations', async (language) => {
    const visitor = await openPage(browser);
    try {
      const vp = visitor.page;
      vp.setDefaultTimeout(30_000);
      await vp.goto(`${product.url}/login`);
      await vp.getByRole('button', { name: language.toUpperCase(), exact: true }).click();
      await vp.waitForFunction(`document.documentElement.lang === '${language}'`);
      expect(await seriousA11yViolations(vp)).toEqual([]);
      await screenshot(vp, `login-${language}`);
      await signInThroughUi(vp, product.url, 'e2e.supervisor', TEST_PASSWORD);
      const pages: Array<[string, string, string]> = [
        ['tasks', '/tasks', '.task-list-pane [role="status"]'],
        ['task', new URL(taskUrl).pathname, '[data-testid="task-detail"] .fjs-form'],
        ['case', new URL(caseUrl).pathname, '[data-testid="timeline"]'],
        ['admission', '/cases/new', '#admission-firstName'],
        ['dashboard', '/supervisor', '[data-testid="dashboard"]'],
        ['instances', '/supervisor?tab=instances', '[data-testid="instances"] tbody tr'],
        ['heatmap', '/supervisor?tab=heatmap&processId=transition-case', '[data-testid="heatmap"] .heat-overlay'],
        ['instance', new URL(instanceUrl).pathname, '.token-overlay'],
      ];
      for (const [name, path, ready] of pages) {
        await vp.goto(`${product.url}${path}`);
        await vp.locator(ready).first().waitFor();
        await expect(vp.locator('html').getAttribute('lang')).resolves.toBe(language);
        const violations = await seriousA11yViolations(vp);
        expect({ name, violations }).toEqual({ name, violations: [] });
        await screenshot(vp, `${name}-${language}`);
      }
      expect(visitor.errors).toEqual([]);
    } finally {
      await visitor.context.close();
    }
  });
});
