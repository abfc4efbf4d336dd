/**
 * `GET /metrics` in Prometheus text format (a valid credential needed, unless MAILWARDEN_METRICS_PUBLIC),
 * and the hook that counts every answered request by route template, method and status.
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { CompiledSettingsCache } from '../policy/compiled-settings-cache.js';
import { addMetricsSource, httpRequestDuration, httpRequestsTotal, rateLimitRejectionsTotal, registry } from './metrics.js';

export function registerMetrics(
  app: FastifyInstance,
  options: { public: boolean; database: Database; cache: CompiledSettingsCache },
): void {
  const remove = addMetricsSource({ cache: () => options.cache.stats(), pool: options.database.poolStats });
  app.addHook('onClose', (_instance, done) => {
    remove();
    done();
  });
  // A callback hook: it runs on every response, and an async one costs a promise each time.
  app.addHook('onResponse', (request, reply, done) => {
    // Unrouted requests share one label, so random URLs cannot grow the series without bound.
    const route = request.routeOptions.url ?? 'unrouted';
    const status = String(reply.statusCode);
    httpRequestsTotal.inc({ route, method: request.method, status });
    httpRequestDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) rateLimitRejectionsTotal.inc({ route });
    done();
  });
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { rateLimit: false, ...(options.public ? {} : { permission: 'read' as const }) } },
    async (_request, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
}
