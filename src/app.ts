/**
 * Builds the HTTP application over an open database. `server.ts` and the tests call this; it never
 * listens by itself and never reads the environment.
 */
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAuditLog } from './audit/audit-log.js';
import { registerAuditRoutes } from './audit/audit-routes.js';
import { createAuthenticator } from './auth/authenticate.js';
import { createFailureLimiter } from './auth/failure-limiter.js';
import { registerRequestAuth } from './auth/request-auth.js';
import { createTokenStore } from './auth/token-store.js';
import { DEFAULT_IMPORT_BODY_LIMIT, type Config } from './config.js';
import { createDashboard } from './dashboard/dashboard.js';
import { isDatabaseReady, type Database } from './db/database.js';
import { applyConnectionCaps, connectionServerOptions } from './http/connection-limits.js';
import { registerErrorHandling, frameworkErrorHandler } from './http/error-handler.js';
import { unavailable } from './http/errors.js';
import { registerAccountId } from './http/identifiers.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { registerStorableTextCheck } from './http/storable-text.js';
import { registerUnreadBodyDrain } from './http/unread-body.js';
import { openLimitStore } from './limits/limit-store.js';
import { registerRateLimit } from './http/rate-limit.js';
import { deferredChildLoggerFactory } from './http/request-logger.js';
import { newRequestId, registerResponseHeaders } from './http/response-headers.js';
import { validatorCompiler } from './http/validator-compiler.js';
import { RESOURCES, UUID_MODE_RESOURCES } from './resources/index.js';
import { registerResourceRoutes } from './resources/resource-routes.js';
import { createResourceService, type ResourceService, type SettingsChanges } from './resources/resource-service.js';
import { createCompiledSettingsCache, loadAccountSettings, type CompiledSettingsCache } from './policy/compiled-settings-cache.js';
import { registerEvaluateRoutes } from './policy/evaluate-routes.js';
import { registerAdminRoutes } from './admin/admin-routes.js';
import { seedStore } from './admin/seed.js';
import { createSettingsStore } from './admin/settings-store.js';
import { compileDuration, groupCommitSize } from './metrics/metrics.js';
import { registerMetrics } from './metrics/metrics-routes.js';
import { createImporter } from './transfer/importer.js';
import { registerTransferRoutes } from './transfer/transfer-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The policy engine's compiled settings per account (its `stats()` tell compiles from changes applied in place). */
    compiledSettings: CompiledSettingsCache;
  }
}

const API_PREFIX = '/client/v4';

/** The change announcements of a collection the policy engine does not read: nothing to tell. */
const NO_ENGINE_EFFECT: SettingsChanges = { publish: async () => {}, committed: () => {} };

export interface AppDependencies {
  database: Database;
  /** Pino options or `false`; tests pass `false` to keep output quiet. */
  logger?: boolean | object;
}

export async function buildApp(config: Readonly<Config>, deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? {
      level: config.logLevel,
      // Belt and braces: request logs carry no headers, but credentials must never reach a log.
      redact: ['req.headers.authorization', 'req.headers["x-auth-key"]'],
    },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // Request ids are ours, never taken from the client; they are echoed as `cf-ray` and logged as reqId.
    requestIdHeader: false,
    genReqId: newRequestId,
    // Per-request pino children are made only when the request actually logs something.
    childLoggerFactory: deferredChildLoggerFactory,
    // Long malformed ids must reach the identifier check (400/7003), not fall out of the router as 404.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors: frameworkErrorHandler,
    ...connectionServerOptions(config.connections),
  });
  applyConnectionCaps(app.server, config.connections, { trustProxy: config.trustProxy });
  app.setValidatorCompiler(validatorCompiler);
  registerJsonBodyParser(app);
  registerStorableTextCheck(app);
  registerUnreadBodyDrain(app, { bodyLimit: config.bodyLimit });
  registerErrorHandling(app, { bodyLimit: config.bodyLimit, isUnavailable: deps.database.adapter.isUnavailable });
  // cf-ray, Cache-Control and the security headers helmet's defaults would set.
  registerResponseHeaders(app);
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-auth-email', 'x-auth-key'],
      exposedHeaders: ['cf-ray', 'ratelimit', 'ratelimit-policy', 'retry-after'],
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mailwarden: Email Security settings API',
        description: 'Self-hosted, Cloudflare-compatible Email Security settings API.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          api_token: { type: 'http', scheme: 'bearer' },
          api_email: { type: 'apiKey', in: 'header', name: 'X-Auth-Email' },
          api_key: { type: 'apiKey', in: 'header', name: 'X-Auth-Key' },
        },
      },
      security: [{ api_token: [] }, { api_email: [], api_key: [] }],
    },
  });

  const tokens = createTokenStore(deps.database.db);
  registerAccountId(app);
  // Both limits count in one store: this process's memory, or one all replicas share (Redis, PostgreSQL).
  const limits = await openLimitStore(config, deps.database, app.log);
  app.addHook('onClose', () => limits.close());
  const window = config.rateLimitWindowSeconds;
  const authenticator = createAuthenticator({ mode: config.authMode, bootstrapToken: config.bootstrapToken, tokens });
  const failures = createFailureLimiter(config.authFailureLimit, await limits.counters('auth-failures', window));
  const dashboard = createDashboard({
    db: deps.database.db,
    bootstrapToken: config.bootstrapToken,
    sessionSeconds: config.dashboardSessionSeconds,
    directory: config.dashboardDirectory,
    apiIds: config.apiIds,
  });
  registerRequestAuth(app, authenticator, failures, dashboard.credential);
  await registerRateLimit(app, { max: config.rateLimit, windowSeconds: window, counters: await limits.counters('requests', window) });

  const auditLog = createAuditLog(deps.database.db);
  // The policy engine's compiled settings: changed in place by this process's writes, dropped on other replicas' changes.
  const services: ResourceService[] = [];
  const compiledSettings = createCompiledSettingsCache(deps.database, (accountId) => loadAccountSettings(services, accountId), {
    onCompiled: (seconds) => compileDuration.observe(seconds),
  });
  deps.database.onGroupCommit?.((size) => groupCommitSize.observe(size));
  services.push(
    ...RESOURCES.map((definition) =>
      createResourceService(definition, deps.database, auditLog, compiledSettings, { ids: config.apiIds ?? 'integer' }),
    ),
  );
  // Today's-API-only collections: served in uuid mode, with no effect on the policy engine to announce.
  const uuidModeServices =
    config.apiIds === 'uuid'
      ? UUID_MODE_RESOURCES.map((definition) =>
          createResourceService(definition, deps.database, auditLog, NO_ENGINE_EFFECT, { ids: 'uuid' }),
        )
      : [];
  await compiledSettings.start();
  app.decorate('compiledSettings', compiledSettings);
  const importer = createImporter(deps.database, services, compiledSettings);
  const settingsStore = createSettingsStore(deps.database, compiledSettings);
  if (config.seedFile) {
    const seeded = await seedStore(config.seedFile, settingsStore, importer);
    app.log.info({ file: config.seedFile, ...seeded }, seeded.seeded ? 'seed file imported' : 'seed file skipped: the store has settings');
  }
  if (config.adminApi) registerAdminRoutes(app, settingsStore);
  registerMetrics(app, { public: config.metricsPublic ?? false, database: deps.database, cache: compiledSettings });
  // The real API root, and `/accounts/...` as an alias left out of the OpenAPI document.
  for (const [prefix, hidden] of [
    [API_PREFIX, false],
    ['', true],
  ] as const) {
    await app.register(
      (scope, _options, done) => {
        for (const service of [...services, ...uuidModeServices]) registerResourceRoutes(scope, service, { hidden });
        registerAuditRoutes(scope, auditLog, { hidden });
        registerEvaluateRoutes(scope, compiledSettings, { hidden });
        registerTransferRoutes(scope, deps.database, services, importer, {
          hidden,
          importBodyLimit: config.importBodyLimit ?? DEFAULT_IMPORT_BODY_LIMIT,
        });
        done();
      },
      { prefix },
    );
  }

  // The web dashboard: its session endpoints under /dashboard/ and the built front end at `/`.
  await dashboard.register(app, { authenticator, failures });

  const publicRoute = { schema: { hide: true }, config: { rateLimit: false } } as const;
  // Liveness: the process serves requests. Readiness: and its database answers.
  app.get('/healthz', publicRoute, () => ({ status: 'ok' }));
  app.get('/readyz', publicRoute, async () => {
    if (!(await isDatabaseReady(deps.database))) throw unavailable();
    return { status: 'ready', store: deps.database.adapter.engine };
  });
  app.get('/openapi.json', publicRoute, () => app.swagger());

  app.addHook('onClose', async () => {
    await compiledSettings.stop();
    await deps.database.close();
  });
  return app;
}
