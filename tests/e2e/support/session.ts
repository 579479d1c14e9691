/** The product and a browser tab for one e2e file: opened before its tests, closed after them. */
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, type TestPage } from './browser.js';
import { startProduct, type E2eProduct } from './product.js';

export interface E2eSession {
  product: E2eProduct;
  browser: Browser;
  tab: TestPage;
  page: Page;
}

/** Starts the product and Chromium side by side and opens one desktop tab. */
export async function openSession(): Promise<E2eSession> {
  const [product, browser] = await Promise.all([startProduct(), launchBrowser()]);
  const tab = await openPage(browser);
  tab.page.setDefaultTimeout(30_000);
  return { product, browser, tab, page: tab.page };
}

/** Closes what {@link openSession} opened; safe when it failed half-way. */
export async function closeSession(session: E2eSession | undefined): Promise<void> {
  await session?.browser.close();
  await session?.product.close();
}
