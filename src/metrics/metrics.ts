/**
 * The service's Prometheus metrics (prom-client), in one registry served at `GET /metrics`.
 * Modules count what they do by importing the metric they move, e.g. the mail interfaces:
 *
 * @example
 *   import { mailMessagesTotal } from '../metrics/metrics.js';
 *   mailMessagesTotal.inc({ interface: 'smtp', disposition: verdict.disposition, action: verdict.action });
 *
 * Values that live elsewhere (the compiled-settings cache, the PostgreSQL pool) are read when scraped,
 * from the sources each running app adds with `addMetricsSource`.
 */
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const registers = [registry];

export const httpRequestsTotal = new client.Counter({
  name: 'mailwarden_http_requests_total',
  help: 'HTTP requests answered, by route template, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  registers,
});

export const httpRequestDuration = new client.Histogram({
  name: 'mailwarden_http_request_duration_seconds',
  help: 'Time from request to response, by route template and method',
  labelNames: ['route', 'method'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const evaluationsTotal = new client.Counter({
  name: 'mailwarden_evaluations_total',
  help: 'Messages evaluated through the API, by disposition and action',
  labelNames: ['disposition', 'action'] as const,
  registers,
});

/** Messages through the mail interfaces (SMTP, milter, ...), by interface, disposition and action. */
export const mailMessagesTotal = new client.Counter({
  name: 'mailwarden_mail_messages_total',
  help: 'Messages through the mail interfaces, by interface, disposition and action',
  labelNames: ['interface', 'disposition', 'action'] as const,
  registers,
});

export const rateLimitRejectionsTotal = new client.Counter({
  name: 'mailwarden_rate_limit_rejections_total',
  help: 'Requests refused with 429 (rate limit, or too many failed authentications)',
  labelNames: ['route'] as const,
  registers,
});

export const compileDuration = new client.Histogram({
  name: 'mailwarden_compiled_settings_compile_duration_seconds',
  help: "Time to load and compile an account's settings for the policy engine",
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers,
});

export const groupCommitSize = new client.Histogram({
  name: 'mailwarden_sqlite_group_commit_transactions',
  help: 'Transactions made durable by one SQLite COMMIT (group commit)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  registers,
});

/** What one running app reports when scraped. */
export interface MetricsSource {
  cache(): { hits: number; compiles: number; changesApplied: number; writesDropped: number };
  pool?: () => { total: number; idle: number; waiting: number };
}

const sources = new Set<MetricsSource>();

export function addMetricsSource(source: MetricsSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

const sum = (read: (source: MetricsSource) => number | undefined) => [...sources].reduce((total, source) => total + (read(source) ?? 0), 0);

/** A counter whose value is read from the sources at scrape time. */
function sourcedCounter(name: string, help: string, read: (source: MetricsSource) => number | undefined) {
  return new client.Counter({
    name,
    help,
    registers,
    collect() {
      this.reset();
      this.inc(sum(read));
    },
  });
}

sourcedCounter('mailwarden_compiled_settings_cache_hits_total', 'Evaluations served by already compiled settings', (s) => s.cache().hits);
sourcedCounter(
  'mailwarden_compiled_settings_compiles_total',
  "Compiles of an account's settings (first use, or after a drop)",
  (s) => s.cache().compiles,
);
sourcedCounter(
  'mailwarden_compiled_settings_changes_applied_total',
  'Committed changes applied to compiled settings in place',
  (s) => s.cache().changesApplied,
);

new client.Gauge({
  name: 'mailwarden_db_pool_connections',
  help: 'PostgreSQL pool connections, by state (in_use, idle)',
  labelNames: ['state'] as const,
  registers,
  collect() {
    const total = sum((s) => s.pool?.().total);
    const idle = sum((s) => s.pool?.().idle);
    this.set({ state: 'in_use' }, total - idle);
    this.set({ state: 'idle' }, idle);
  },
});

new client.Gauge({
  name: 'mailwarden_db_pool_waiting',
  help: 'Queries waiting for a PostgreSQL pool connection',
  registers,
  collect() {
    this.set(sum((s) => s.pool?.().waiting));
  },
});

/** Recipients of mail whose domain no account protects: delivered untouched. */
export const mailRecipientsUnprotectedTotal = new client.Counter({
  name: 'mailwarden_mail_recipients_unprotected_total',
  help: 'Recipients through the mail interfaces whose domain no account protects',
  registers,
});
