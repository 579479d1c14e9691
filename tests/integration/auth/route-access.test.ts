/** Every route declares who may call it, or the server does not start. */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { declareScopeAccess } from '../../../src/api/plugins/auth.js';
import { RouteAccessError } from '../../../src/auth/access.js';
import { listenWithRoutes } from '../../helpers/auth-app.js';
import { backends, useDatabase } from '../../helpers/databases.js';

describe.each(backends)('route access declarations on $name', (backend) => {
  const handle = useDatabase(backend);
  let fastify: FastifyInstance | undefined;
  afterEach(async () => {
    await fastify?.close();
    fastify = undefined;
  });

  const build = (extra: (instance: FastifyInstance) => Promise<void>) => listenWithRoutes(handle.db, {}, extra);

  it('refuses to start when a route has no access declaration', async () => {
    const start = build(async (instance) => {
      instance.get('/api/forgotten', async () => ({ secret: true }));
    });
    await expect(start).rejects.toThrow(RouteAccessError);
    await expect(start).rejects.toThrow(/GET \/api\/forgotten has no access declaration/);
  });

  it('refuses to start when a route names a role that does not exist', async () => {
    const start = build(async (instance) => {
      instance.get('/api/typo', { config: { access: ['supervisr' as 'supervisor'] } }, async () => ({}));
    });
    await expect(start).rejects.toThrow(/GET \/api\/typo has an invalid access declaration/);
  });

  it('gives routes of a plugin scope declared public no check, and nothing outside it', async () => {
    const { url, fastify: instance } = await listenWithRoutes(handle.db, {}, async (root) => {
      await root.register(async (scope) => {
        declareScopeAccess(scope, 'public');
        scope.get('/open', async () => ({ open: true }));
      });
      root.get('/closed', { config: { access: 'authenticated' } }, async () => ({ closed: true }));
    });
    fastify = instance;
    expect((await fetch(`${url}/open`)).status).toBe(200);
    expect((await fetch(`${url}/closed`)).status).toBe(401);
  });

  it('authenticates machine routes and rejects people on them', async () => {
    const { url, fastify: instance } = await listenWithRoutes(handle.db, {}, async (root) => {
      root.post('/test/machine/only', { config: { access: 'machine' } }, async (request) => ({
        credentialId: request.principal?.kind === 'machine' ? request.principal.credentialId : 'not a machine',
      }));
    });
    fastify = instance;
    const answer = await fetch(`${url}/test/machine/only`, { method: 'POST' });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="uebergang"');
  });
});
