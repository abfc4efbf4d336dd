/**
 * Where the rate limits keep their counters (`MAILWARDEN_RATE_LIMIT_STORE`):
 * - `redis` (the default when `MAILWARDEN_REDIS_URL` is set): shared by every replica using that Redis,
 *   keys under `MAILWARDEN_REDIS_KEY_PREFIX`;
 * - `postgres` (the default over PostgreSQL without Redis): shared through the database itself, in the
 *   unlogged table `mailwarden_rate_limits` (one upsert per counted request);
 * - `memory` (the default over SQLite, which one process owns): in this process.
 * Shared counters fall back to this process's own while their store fails (see `StoreHealth`).
 */
import { Redis } from 'ioredis';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { localCounters, sharedCounters, StoreHealth, type WindowCounters } from './window-counters.js';

export type LimitStoreKind = 'memory' | 'postgres' | 'redis';

export interface LimitStore {
  readonly kind: LimitStoreKind;
  /** Counters named `name` (a key prefix of their own) with windows of `windowSeconds`. */
  counters(name: string, windowSeconds: number): Promise<WindowCounters>;
  close(): Promise<void>;
}

type LimitConfig = Pick<Config, 'redisUrl' | 'redisKeyPrefix' | 'rateLimitStore'>;

interface Logger {
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
}

const TABLE = 'mailwarden_rate_limits';
const DEFAULT_KEY_PREFIX = 'mailwarden:';

export class LimitStoreError extends Error {}

function kindOf(config: LimitConfig, database: Database): LimitStoreKind {
  const kind = config.rateLimitStore ?? (config.redisUrl ? 'redis' : database.pool ? 'postgres' : 'memory');
  if (kind === 'redis' && !config.redisUrl) throw new LimitStoreError('MAILWARDEN_RATE_LIMIT_STORE=redis needs MAILWARDEN_REDIS_URL');
  if (kind === 'postgres' && !database.pool) {
    throw new LimitStoreError('MAILWARDEN_RATE_LIMIT_STORE=postgres needs a PostgreSQL DATABASE_URL');
  }
  return kind;
}

/** Redis client settings for counters: a command fails at once while disconnected, and within 2 s on a silent one. */
function connectRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    // Reconnects forever, at most every 2 s: the counters are shared again as soon as Redis is back.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Without a listener ioredis prints every connection error; StoreHealth reports outages once instead.
  redis.on('error', () => {});
  void redis.connect().catch((error: Error) => {
    log.warn({ store: 'redis', reason: error.message }, 'rate-limit store unreachable at start: counting in this process until it answers');
  });
  return redis;
}

/**
 * rate-limiter-flexible's table, made UNLOGGED here: counters are worth no WAL, and without it counting
 * a request waits for no commit flush (on a logged table every request, a GET too, would wait for one).
 * The price: after a PostgreSQL crash the counters start from zero, and standbys do not have them.
 */
async function createCounterTable(pool: pg.Pool): Promise<void> {
  try {
    await pool.query(
      `create unlogged table if not exists ${TABLE} (key varchar(255) primary key, points integer not null default 0, expire bigint)`,
    );
  } catch (error) {
    // Replicas creating it at the same moment: one wins, the others see its type name taken
    // (a unique violation in pg_type, or "type already exists", depending on where they collide).
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42710') throw error;
  }
}

export function openLimitStore(config: LimitConfig, database: Database, log: Logger): Promise<LimitStore> {
  const kind = kindOf(config, database);
  if (kind === 'memory') {
    return Promise.resolve({
      kind,
      counters: (_name, windowSeconds) => Promise.resolve(localCounters(windowSeconds)),
      close: () => Promise.resolve(),
    });
  }
  const health = new StoreHealth(kind, log);
  const redis = kind === 'redis' ? connectRedis(config.redisUrl!, log) : undefined;
  const prefix = config.redisKeyPrefix ?? DEFAULT_KEY_PREFIX;

  async function limiter(name: string, windowSeconds: number): Promise<RateLimiterAbstract> {
    // Points only matter to consume(), which is not used: counts are read and compared by the callers.
    const common = { points: 1, duration: windowSeconds };
    if (redis) return new RateLimiterRedis({ ...common, storeClient: redis, keyPrefix: `${prefix}${name}`, rejectIfRedisNotReady: true });
    await createCounterTable(database.pool!);
    // Rows expired an hour ago are deleted every 5 minutes.
    return new RateLimiterPostgres({
      ...common,
      storeClient: database.pool,
      storeType: 'pool',
      tableName: TABLE,
      keyPrefix: name,
      tableCreated: true,
    });
  }

  return Promise.resolve({
    kind,
    counters: async (name, windowSeconds) => sharedCounters(await limiter(name, windowSeconds), localCounters(windowSeconds), health),
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  });
}
