import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import createError from '@fastify/error';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build:ui` (and `npm start`, see src/ui-build.ts) writes the browser app. */
export const UI_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../modeler-ui/dist');

/**
 * The deep-linkable pages of the single-page app: each answers with its `index.html`, and the
 * app's router shows the page. Everything else outside /api, /v2, /engine-rest stays a 404.
 */
export const UI_PAGES = [
  '/',
  '/login',
  '/modeler',
  '/modeler/:processId',
  '/tasks',
  '/tasks/:taskKey',
  '/cases/:caseId',
  '/supervisor',
  '/supervisor/instances/:instanceKey',
] as const;

/** The UI was not built (or is being rebuilt): a 404, not a 5xx, because the API works on. */
const UI_NOT_BUILT = createError('UI_NOT_BUILT', 'The web UI is not built: run `npm run build:ui`', 404);

/** Hashed file names never change content: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the browser app from `modeler-ui/dist` on the same origin as the API: `/assets/*` as
 * static files, the page URLs as `index.html` (no caching, so a new build is picked up at once).
 * Register it in a scope declared public: signing in happens inside the app.
 */
export default async function uiPlugin(fastify: FastifyInstance, options: { root?: string } = {}) {
  const root = options.root ?? UI_DIST;
  await fastify.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    decorateReply: true,
    index: false,
    redirect: false,
    cacheControl: false,
    setHeaders: (res) => res.setHeader('cache-control', IMMUTABLE),
  });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(path.join(root, 'index.html'))) throw new UI_NOT_BUILT();
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };
  for (const page of UI_PAGES) {
    fastify.get(page, { logLevel: 'warn' }, (_request, reply) => sendIndex(reply));
  }
}
