/**
 * The service's configuration, read once from the environment, checked, and frozen. Nothing else reads
 * `process.env`; tests build a `Config` directly.
 */
import Type from 'typebox';
import Value from 'typebox/value';
import { ListenAddressError, parseListenAddress, type ListenAddress } from './mail/listen-address.js';
import type { ApiIds } from './resources/resource-service.js';

/** The import route's body limit when the configuration leaves it unset (256 MiB). */
export const DEFAULT_IMPORT_BODY_LIMIT = 256 * 1024 * 1024;

const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8787 }),
  DATABASE_URL: Type.String({ minLength: 1, default: 'sqlite:./data/mailwarden.db' }),
  MAILWARDEN_BOOTSTRAP_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  MAILWARDEN_BODY_LIMIT: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024 }),
  MAILWARDEN_IMPORT_BODY_LIMIT: Type.Integer({ minimum: 1024, default: DEFAULT_IMPORT_BODY_LIMIT }),
  MAILWARDEN_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  MAILWARDEN_DB_QUERY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  MAILWARDEN_AUTH: Type.Union([Type.Literal('enforced'), Type.Literal('open')], { default: 'enforced' }),
  MAILWARDEN_RATE_LIMIT: Type.Integer({ minimum: 0, default: 1200 }),
  MAILWARDEN_RATE_LIMIT_WINDOW: Type.Integer({ minimum: 1, default: 300 }),
  MAILWARDEN_AUTH_FAILURE_LIMIT: Type.Integer({ minimum: 0, default: 100 }),
  MAILWARDEN_RATE_LIMIT_STORE: Type.Optional(Type.Union([Type.Literal('memory'), Type.Literal('postgres'), Type.Literal('redis')])),
  MAILWARDEN_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  MAILWARDEN_REDIS_KEY_PREFIX: Type.String({ default: 'mailwarden:' }),
  MAILWARDEN_CORS_ORIGINS: Type.Optional(Type.String()),
  MAILWARDEN_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  MAILWARDEN_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  MAILWARDEN_KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 72_000 }),
  MAILWARDEN_MAX_HEADER_BYTES: Type.Integer({ minimum: 1024, maximum: 1024 * 1024, default: 16 * 1024 }),
  MAILWARDEN_MAX_CONNECTIONS: Type.Integer({ minimum: 0, default: 1000 }),
  MAILWARDEN_MAX_CONNECTIONS_PER_IP: Type.Integer({ minimum: 0, default: 100 }),
  MAILWARDEN_TRUST_PROXY: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  MAILWARDEN_API_IDS: Type.String({ default: 'integer' }),
  MAILWARDEN_ADMIN_API: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'off' }),
  MAILWARDEN_SEED_FILE: Type.Optional(Type.String({ minLength: 1 })),
  MAILWARDEN_METRICS_PUBLIC: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  MAILWARDEN_MILTER_LISTEN: Type.Optional(Type.String({ minLength: 1 })),
  MAILWARDEN_POLICY_LISTEN: Type.Optional(Type.String({ minLength: 1 })),
  MAILWARDEN_MAIL_DROP_ACTION: Type.Union([Type.Literal('reject'), Type.Literal('discard'), Type.Literal('quarantine')], {
    default: 'reject',
  }),
  MAILWARDEN_MAIL_ON_ERROR: Type.Union([Type.Literal('tempfail'), Type.Literal('accept')], { default: 'tempfail' }),
  MAILWARDEN_DNS_CACHE_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 60 }),
  MAILWARDEN_DNS_SERVER: Type.Optional(Type.String({ pattern: '^(?:\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$' })),
  MAILWARDEN_TRUSTED_AUTHSERV_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  MAILWARDEN_DASHBOARD_SESSION_SECONDS: Type.Integer({ minimum: 60, maximum: 30 * 24 * 3600, default: 8 * 3600 }),
  MAILWARDEN_DASHBOARD_DIR: Type.Optional(Type.String({ minLength: 1 })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
});

/** The values of `MAILWARDEN_API_IDS`. */
const API_IDS: readonly ApiIds[] = ['integer', 'uuid'];

const INTEGER_VARIABLES = Object.entries(EnvSchema.properties)
  .filter(([, schema]) => (schema as { type?: string }).type === 'integer')
  .map(([key]) => key);

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  /** Accepted as `Authorization: Bearer <value>`, an administrator credential for every account. */
  bootstrapToken?: string;
  /** Largest accepted JSON body in bytes; larger is a 413. */
  bodyLimit: number;
  /** Largest accepted body of `POST .../email-security/import` (JSON or CSV) in bytes; unset: 256 MiB. */
  importBodyLimit?: number;
  logLevel: string;
  /** PostgreSQL connections per process. */
  dbPoolSize: number;
  /** How long a PostgreSQL query may go unanswered (a silent partition) before it fails with a 503. */
  dbQueryTimeoutMs: number;
  /** `open` accepts any well-formed credential (for test suites with fixed fake keys). */
  authMode: 'enforced' | 'open';
  /** Requests per credential per window; 0 turns rate limiting off. */
  rateLimit: number;
  rateLimitWindowSeconds: number;
  /** Failed authentications per client IP per rate-limit window before it is refused (429); 0: no limit. */
  authFailureLimit: number;
  /** Where both limits count (src/limits/limit-store.ts); unset: Redis if configured, else PostgreSQL if used, else memory. */
  rateLimitStore?: 'memory' | 'postgres' | 'redis';
  /** `redis://` or `rediss://` URL of the Redis that replicas share rate-limit counters through. */
  redisUrl?: string;
  /** Prefix of every Redis key (default `mailwarden:`), so several deployments can share one Redis. */
  redisKeyPrefix?: string;
  /** Origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
  /** Take the client IP from X-Forwarded-For (only behind a proxy you control). */
  trustProxy: boolean;
  /**
   * How the API names records: `integer` ids, as the SDK 5.x era API did (the default), or `uuid` ids for
   * allow policies, blocked senders, trusted domains, impersonation entries and sending domain
   * restrictions, as today's API does. Every record has both, so a store can be served either way.
   */
  apiIds?: ApiIds;
  /** Serve the `/_mailwarden/` reset and snapshot routes (to administrator tokens). */
  adminApi?: boolean;
  /** An export file imported at start into an empty store. */
  seedFile?: string;
  /** Serve `/metrics` without a credential. */
  metricsPublic?: boolean;
  /** The mail interfaces (src/mail/): where the milter and the policy service listen, and how they act. */
  mail?: MailConfig;
  /** How long a dashboard session lasts from sign-in, in seconds (default 8 hours). */
  dashboardSessionSeconds?: number;
  /** The built dashboard to serve at `/` (default: dist/web of this installation). */
  dashboardDirectory?: string;
  /** How long one client may hold a connection (see src/http/connection-limits.ts); 0 means no cap. */
  connections: ConnectionLimits;
}

export interface ConnectionLimits {
  /** The request line and headers must arrive within this (a slow-header client is answered 408). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (a body that never ends: 408). */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Largest request line plus headers, in bytes; larger is a 431. */
  maxHeaderBytes: number;
  /** Open connections the server holds at most; more are closed at once. */
  maxConnections: number;
  /** Open connections per client address; not applied behind a trusted proxy. */
  maxConnectionsPerIp: number;
}

export interface MailConfig {
  milterListen?: ListenAddress;
  policyListen?: ListenAddress;
  dropAction: 'reject' | 'discard' | 'quarantine';
  onError: 'tempfail' | 'accept';
  /** `HOST:PORT` of the DNS server for SPF/DKIM/DMARC lookups; undefined: the system resolver. */
  dnsServer?: string;
  /** How long DNS answers for those lookups are reused; 0: not at all. */
  dnsCacheSeconds: number;
  /** Upstream authserv-ids (comma-separated in the variable) whose Authentication-Results header is trusted instead of computing. */
  trustedAuthservIds?: string[];
}

export class ConfigError extends Error {}

function listenAddress(value: string | undefined, variable: string): ListenAddress | undefined {
  if (value === undefined) return undefined;
  try {
    return parseListenAddress(value, variable);
  } catch (error) {
    if (error instanceof ListenAddressError) throw new ConfigError(`Invalid configuration: ${error.message}`);
    throw error;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const relevant = Object.fromEntries(
    Object.keys(EnvSchema.properties)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  // Value.Convert is lenient ("8080.5" → 8080); whole numbers must be written as plain digits.
  const notDigits = INTEGER_VARIABLES.filter((key) => relevant[key] !== undefined && !/^[0-9]+$/.test(String(relevant[key])));
  if (notDigits.length > 0) {
    throw new ConfigError(`Invalid configuration: ${notDigits.map((key) => `${key} must be a whole number`).join('; ')}`);
  }
  const parsed = Value.Convert(EnvSchema, Value.Default(EnvSchema, relevant));
  if (!Value.Check(EnvSchema, parsed)) {
    const problems = [...Value.Errors(EnvSchema, parsed)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed;
  if (!API_IDS.includes(values.MAILWARDEN_API_IDS as ApiIds)) {
    throw new ConfigError(
      `Invalid configuration: MAILWARDEN_API_IDS must be integer or uuid (got ${JSON.stringify(values.MAILWARDEN_API_IDS)})`,
    );
  }
  if (values.MAILWARDEN_HEADERS_TIMEOUT_MS > values.MAILWARDEN_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration: MAILWARDEN_HEADERS_TIMEOUT_MS must not exceed MAILWARDEN_REQUEST_TIMEOUT_MS');
  }
  return Object.freeze({
    host: values.HOST,
    port: values.PORT,
    databaseUrl: values.DATABASE_URL,
    bootstrapToken: values.MAILWARDEN_BOOTSTRAP_TOKEN,
    bodyLimit: values.MAILWARDEN_BODY_LIMIT,
    importBodyLimit: values.MAILWARDEN_IMPORT_BODY_LIMIT,
    logLevel: values.LOG_LEVEL,
    dbPoolSize: values.MAILWARDEN_DB_POOL_SIZE,
    dbQueryTimeoutMs: values.MAILWARDEN_DB_QUERY_TIMEOUT_MS,
    authMode: values.MAILWARDEN_AUTH,
    rateLimit: values.MAILWARDEN_RATE_LIMIT,
    rateLimitWindowSeconds: values.MAILWARDEN_RATE_LIMIT_WINDOW,
    authFailureLimit: values.MAILWARDEN_AUTH_FAILURE_LIMIT,
    rateLimitStore: values.MAILWARDEN_RATE_LIMIT_STORE,
    redisUrl: values.MAILWARDEN_REDIS_URL,
    redisKeyPrefix: values.MAILWARDEN_REDIS_KEY_PREFIX,
    corsOrigins: (values.MAILWARDEN_CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustProxy: values.MAILWARDEN_TRUST_PROXY === 'true',
    apiIds: values.MAILWARDEN_API_IDS as ApiIds,
    adminApi: values.MAILWARDEN_ADMIN_API === 'on',
    seedFile: values.MAILWARDEN_SEED_FILE,
    metricsPublic: values.MAILWARDEN_METRICS_PUBLIC === 'true',
    mail: {
      milterListen: listenAddress(values.MAILWARDEN_MILTER_LISTEN, 'MAILWARDEN_MILTER_LISTEN'),
      policyListen: listenAddress(values.MAILWARDEN_POLICY_LISTEN, 'MAILWARDEN_POLICY_LISTEN'),
      dropAction: values.MAILWARDEN_MAIL_DROP_ACTION,
      onError: values.MAILWARDEN_MAIL_ON_ERROR,
      dnsServer: values.MAILWARDEN_DNS_SERVER,
      dnsCacheSeconds: values.MAILWARDEN_DNS_CACHE_SECONDS,
      trustedAuthservIds: values.MAILWARDEN_TRUSTED_AUTHSERV_ID?.split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    },
    dashboardSessionSeconds: values.MAILWARDEN_DASHBOARD_SESSION_SECONDS,
    dashboardDirectory: values.MAILWARDEN_DASHBOARD_DIR,
    connections: {
      headersTimeoutMs: values.MAILWARDEN_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.MAILWARDEN_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: values.MAILWARDEN_KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderBytes: values.MAILWARDEN_MAX_HEADER_BYTES,
      maxConnections: values.MAILWARDEN_MAX_CONNECTIONS,
      maxConnectionsPerIp: values.MAILWARDEN_MAX_CONNECTIONS_PER_IP,
    },
  });
}
