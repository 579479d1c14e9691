import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { EngineRuntime } from '../engine/index.js';
import auth, { declareScopeAccess } from './plugins/auth.js';
import database from './plugins/database.js';
import problem from './plugins/problem.js';
import securityHeaders from './plugins/security-headers.js';
import storableInput from './plugins/storable-input.js';
import ui from './plugins/ui.js';
import auditRoutes from './routes/audit/index.js';
import authRoutes from './routes/auth/index.js';
import clockRoutes from './routes/clock/index.js';
import engineRestRoutes from './routes/engine-rest/index.js';
import healthRoutes from './routes/health.js';
import userRoutes from './routes/users/index.js';
import applicationRoutes from './routes/applications/index.js';
import caseRoutes from './routes/cases/index.js';
import clientRoutes from './routes/clients/index.js';
import dashboardRoutes from './routes/dashboard/index.js';
import docsRoutes, { registerOpenApi } from './routes/docs/index.js';
import deploymentRoutes from './routes/deployments/index.js';
import extensionRoutes from './routes/extensions/index.js';
import instanceRoutes from './routes/instances/index.js';
import oidcRoutes from './routes/oidc/index.js';
import partnerRoutes from './routes/partners/index.js';
import processRoutes from './routes/processes/index.js';
import referralRoutes from './routes/referrals/index.js';
import retentionRoutes from './routes/retention/index.js';
import taskRoutes from './routes/tasks/index.js';

/** What the app plugin needs from its host. */
export interface AppOptions {
  config: Config;
  db: Database;
  engine: EngineRuntime;
}

/**
 * The whole HTTP application as one fastify plugin; `src/server.ts` is the thin entry. Not
 * encapsulated (as fastify/demo registers its app with `fp`): the access check and error handler
 * then cover every route of the server, also one registered next to the app.
 */
export default fp(async function app(fastify: FastifyInstance, options: AppOptions) {
  await fastify.register(problem);
  await fastify.register(database, { db: options.db });
  // Before any route: from here on every route must declare its access or the start fails.
  await fastify.register(auth, { config: options.config });
  await fastify.register(securityHeaders);
  await fastify.register(storableInput);
  // Before the first route: it collects every route's schema into the OpenAPI document.
  await registerOpenApi(fastify);
  await fastify.register(async (publicScope) => {
    declareScopeAccess(publicScope, 'public');
    await publicScope.register(healthRoutes);
    // The browser app's files and page URLs: signing in happens inside the app.
    await publicScope.register(ui);
  });
  await fastify.register(authRoutes);
  await fastify.register(userRoutes);
  await fastify.register(auditRoutes);
  await fastify.register(clockRoutes, { clock: options.engine.clock, engine: options.engine.engine });
  // The product API (issue 5): one plugin per resource, each with its own error handler.
  const product = { engine: options.engine, config: options.config };
  await fastify.register(deploymentRoutes, product);
  await fastify.register(processRoutes);
  await fastify.register(taskRoutes, product);
  await fastify.register(caseRoutes, product);
  await fastify.register(partnerRoutes);
  await fastify.register(referralRoutes, product);
  await fastify.register(applicationRoutes, product);
  await fastify.register(extensionRoutes, product);
  await fastify.register(dashboardRoutes, product);
  await fastify.register(instanceRoutes, product);
  await fastify.register(retentionRoutes, product);
  await fastify.register(clientRoutes, product);
  await fastify.register(docsRoutes);
  await fastify.register(oidcRoutes, { config: options.config });
  await fastify.register(import('./routes/v2/index.js'), { prefix: '/v2', engine: options.engine });
  await fastify.register(engineRestRoutes, { prefix: '/engine-rest', engine: options.engine.engine });
}, { name: 'app' });
