/**
 * The service's configuration, read once from the environment, checked, and frozen. Nothing else reads
 * `process.env`; tests build a `Config` directly.
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8787 }),
  DATABASE_URL: Type.String({ minLength: 1, default: 'sqlite:./data/mailwarden.db' }),
  MAILWARDEN_BOOTSTRAP_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  MAILWARDEN_BODY_LIMIT: Type.Integer({ minimum: 1024, default: 8 * 1024 * 1024 }),
  MAILWARDEN_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  MAILWARDEN_DB_QUERY_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  MAILWARDEN_AUTH: Type.Union([Type.Literal('enforced'), Type.Literal('open')], { default: 'enforced' }),
  MAILWARDEN_RATE_LIMIT: Type.Integer({ minimum: 0, default: 1200 }),
  MAILWARDEN_RATE_LIMIT_WINDOW: Type.Integer({ minimum: 1, default: 300 }),
  MAILWARDEN_AUTH_FAILURE_LIMIT: Type.Integer({ minimum: 0, default: 100 }),
  MAILWARDEN_CORS_ORIGINS: Type.Optional(Type.String()),
  MAILWARDEN_TRUST_PROXY: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
});

const INTEGER_VARIABLES = Object.entries(EnvSchema.properties)
  .filter(([, schema]) => (schema as { type?: string }).type === 'integer')
  .map(([key]) => key);

export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  /** Accepted as `Authorization: Bearer <value>`, an administrator credential for every account. */
  bootstrapToken?: string;
  /** Largest accepted JSON body in bytes (Decision 16); larger is a 413. */
  bodyLimit: number;
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
  /** Origins allowed by CORS; empty means CORS is off. */
  corsOrigins: string[];
  /** Take the client IP from X-Forwarded-For (only behind a proxy you control). */
  trustProxy: boolean;
}

export class ConfigError extends Error {}

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
  const values = parsed as Static<typeof EnvSchema>;
  return Object.freeze({
    host: values.HOST,
    port: values.PORT,
    databaseUrl: values.DATABASE_URL,
    bootstrapToken: values.MAILWARDEN_BOOTSTRAP_TOKEN,
    bodyLimit: values.MAILWARDEN_BODY_LIMIT,
    logLevel: values.LOG_LEVEL,
    dbPoolSize: values.MAILWARDEN_DB_POOL_SIZE,
    dbQueryTimeoutMs: values.MAILWARDEN_DB_QUERY_TIMEOUT_MS,
    authMode: values.MAILWARDEN_AUTH,
    rateLimit: values.MAILWARDEN_RATE_LIMIT,
    rateLimitWindowSeconds: values.MAILWARDEN_RATE_LIMIT_WINDOW,
    authFailureLimit: values.MAILWARDEN_AUTH_FAILURE_LIMIT,
    corsOrigins: (values.MAILWARDEN_CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustProxy: values.MAILWARDEN_TRUST_PROXY === 'true',
  });
}
