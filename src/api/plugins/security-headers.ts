import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Security headers on every response (helmet), with a Content-Security-Policy the web UI
 * (modeler-ui, served from this origin) works under: scripts only from this origin, as files —
 * no inline script, no inline event handlers, no eval; styles, data and fonts from this origin.
 * `style-src 'unsafe-inline'` because bpmn-js and form-js set style attributes on what they
 * draw and CodeMirror (the properties panel's FEEL editor) injects <style> elements. `data:`
 * images and fonts: the bpmn.io logo and bpmn-js's embedded icon font (file downloads are
 * `blob:` links, which need no source here). No workers, frames, plugins, or framing of us
 * elsewhere. HSTS is sent (browsers ignore it over plain HTTP).
 */
export default fp(
  async function securityHeadersPlugin(fastify: FastifyInstance) {
    await fastify.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          workerSrc: ["'none'"],
          frameSrc: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // Same-origin API and app: nothing needs to be readable from other origins.
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
    });
  },
  { name: 'security-headers' },
);
