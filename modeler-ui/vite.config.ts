/**
 * The browser application's build: Preact with automatic JSX, output in `modeler-ui/dist`,
 * served by the API server (src/api/plugins/ui.ts). The deploy-time lint rules are imported from
 * `src/engine/lint` (browser-safe) so the modeler lints with exactly the rules the engine applies.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const UI_ROOT = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: UI_ROOT,
  base: '/',
  publicDir: false,
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  resolve: {
    // One copy of Preact for the app and bpmn-io's panels (form-js-editor keeps its own pinned one).
    dedupe: ['preact'],
  },
  server: {
    // The lint rules live in the server's source tree.
    fs: { allow: [path.resolve(UI_ROOT, '..')] },
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
  build: {
    outDir: path.join(UI_ROOT, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
});
