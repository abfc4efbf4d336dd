/**
 * Builds the HTTP application over an open database. `server.ts` and the tests call this; it never
 * listens by itself and never reads the environment.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { createBootstrapAuth } from './auth/bootstrap-auth.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { registerErrorHandling, frameworkErrorHandler } from './http/error-handler.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { validatorCompiler } from './http/validator-compiler.js';
import { RESOURCES } from './resources/index.js';
import { registerResourceRoutes } from './resources/resource-routes.js';
import { createResourceService } from './resources/resource-service.js';

export const API_PREFIX = '/client/v4';

export interface AppDependencies {
  database: Database;
  /** Pino options or `false`; tests pass `false` to keep output quiet. */
  logger?: boolean | object;
}

export async function buildApp(config: Readonly<Config>, deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    // Long malformed ids must reach the identifier check (400/7003), not fall out of the router as 404.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  registerJsonBodyParser(app);
  registerErrorHandling(app, config.bodyLimit);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mailwarden: Email Security settings API',
        description: 'Self-hosted, Cloudflare-compatible Email Security settings API.',
        version: '0.1.0',
      },
    },
  });

  const authenticate = createBootstrapAuth(config.bootstrapToken);
  app.addHook('onRequest', async (request) => {
    const path = request.url;
    if (path.startsWith('/accounts/') || path.startsWith(`${API_PREFIX}/accounts/`)) await authenticate(request);
  });

  const services = RESOURCES.map((definition) => createResourceService(definition, deps.database));
  // Decision 1: the real API root, and `/accounts/...` as an alias left out of the OpenAPI document.
  for (const [prefix, hidden] of [[API_PREFIX, false], ['', true]] as const) {
    await app.register(
      async (scope) => {
        for (const service of services) registerResourceRoutes(scope, service, { hidden });
      },
      { prefix },
    );
  }

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.addHook('onClose', async () => deps.database.close());
  return app;
}
