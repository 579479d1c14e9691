/**
 * Issue 6: the API server serves the web UI on its own origin — every page URL answers with the
 * app's index.html (deep links work after a reload), the hashed assets are cached for good, the
 * CSP forbids inline script, and anything else stays a problem+json 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_PAGES } from '../../src/api/plugins/ui.js';
import { E2E_TIMEOUT_MS, startProduct, type E2eProduct } from './support/product.js';

describe('serving the web UI', { timeout: E2E_TIMEOUT_MS }, () => {
  let product: E2eProduct;
  beforeAll(async () => {
    product = await startProduct();
  }, E2E_TIMEOUT_MS);
  afterAll(() => product?.close());

  it('answers every page URL with the app, not cached, under a CSP without inline script', async () => {
    const examples = UI_PAGES.map((page) => page.replace(/:\w+/g, 'x-1'));
    for (const path of [...examples, '/cases/new', '/supervisor?tab=instances']) {
      const response = await fetch(`${product.url}${path}`);
      const html = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(html).toContain('<div id="app"></div>');
      // Scripts are files of this origin: nothing inline for the CSP to allow.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    }
  });

  it('serves the hashed assets the page names, cached for a year', async () => {
    const html = await (await fetch(`${product.url}/login`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      const response = await fetch(`${product.url}${asset}`);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      expect(response.headers.get('cache-control')).toContain('immutable');
      await response.arrayBuffer();
    }
  });

  it('keeps unknown paths and unknown assets a problem+json 404', async () => {
    for (const path of ['/nowhere', '/assets/missing.js', '/api/nowhere', '/tasks/1/2']) {
      const response = await fetch(`${product.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      await response.text();
    }
  });
});
