/**
 * Both rate limits across replicas (issue 18 item 8): two `dist/server.js` processes over one
 * PostgreSQL database together allow each limit once, whether the counters are shared through
 * PostgreSQL (the default without Redis) or through Redis (`MAILWARDEN_REDIS_URL`). When Redis goes
 * away or stops answering, every request is still answered at once (counted in each process), and the
 * counters are shared again when it returns.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../auth/support.js';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { spawnServer, type ChildServer } from '../helpers/server.js';
import { databaseQuery, expectUnavailable, freshAccount, sleep, spawnOnPort, TcpProxy, throughPort } from './support.js';

const REDIS_URL = process.env.MAILWARDEN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATELIMIT = /^"default";r=(\d+);t=(\d+)$/;
const WRONG = 'Z'.repeat(40);

async function redisReachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
const redisUp = await redisReachable();
if (!redisUp && process.env.CI) throw new Error(`Redis is not reachable at ${REDIS_URL}; CI must run the shared rate-limit tests.`);

/** A key prefix no other test run uses; its keys are deleted afterwards. */
const prefixes: string[] = [];
function uniquePrefix(): string {
  const prefix = `mailwarden-test:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

let database: TestDatabase;
const running: ChildServer[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  while (running.length) await running.pop()!.stop('SIGKILL');
});
afterAll(async () => {
  await database?.drop();
  if (redisUp && prefixes.length > 0) {
    const client = new Redis(REDIS_URL);
    for (const prefix of prefixes) {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
    }
    client.disconnect();
  }
});

/** Two replicas over the shared database with `env`, a request limit of 6 and a failure limit of 4 per 60 s. */
async function replicas(env: Record<string, string>): Promise<[ChildServer, ChildServer]> {
  const base = {
    DATABASE_URL: database.url,
    MAILWARDEN_RATE_LIMIT: '6',
    MAILWARDEN_RATE_LIMIT_WINDOW: '60',
    MAILWARDEN_AUTH_FAILURE_LIMIT: '4',
  };
  const started = await Promise.all([spawnServer({ ...base, ...env }), spawnServer({ ...base, ...env })]);
  running.push(...started);
  return started;
}

function remainingOf(response: HttpResponse): number {
  const match = RATELIMIT.exec(response.headers.get('ratelimit') ?? '');
  expect(match, `ratelimit header of a ${response.status}: ${response.headers.get('ratelimit')}`).not.toBeNull();
  return Number(match![1]);
}

function expectRefused(response: HttpResponse, message: RegExp): void {
  expect(response.status, response.text).toBe(429);
  expect(response.body).toMatchObject({ success: false, result: null, errors: [{ code: 971, message: expect.stringMatching(message) }] });
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

/** Requests alternating between the replicas: 6 served in all, with one falling `ratelimit`, then 429 on both. */
async function expectOneRequestBudget(pair: ChildServer[], credential: Record<string, string>): Promise<void> {
  const path = settingsPath('allow_policies', freshAccount());
  const remaining: number[] = [];
  for (let i = 0; i < 6; i++) {
    const response = await request(pair[i % 2].origin, 'GET', path, { headers: credential });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('ratelimit-policy')).toBe('"default";q=6;w=60');
    remaining.push(remainingOf(response));
  }
  expect(remaining).toEqual([5, 4, 3, 2, 1, 0]);
  for (const server of pair) expectRefused(await request(server.origin, 'GET', path, { headers: credential }), /throttling/);
}

/** Wrong secrets alternating between the replicas: 4 answered 403 in all, then 429 on both, a right secret included. */
async function expectOneFailureBudget(pair: ChildServer[]): Promise<void> {
  const { secret } = await createToken(database.url, { name: `right ${randomBytes(3).toString('hex')}` });
  const path = settingsPath('block_senders', freshAccount());
  const wrong = { authorization: `Bearer ${WRONG}` };
  for (let i = 0; i < 4; i++) {
    const response = await request(pair[i % 2].origin, 'GET', path, { headers: wrong });
    expect(response.status, `wrong secret #${i + 1}: ${response.text}`).toBe(403);
  }
  for (const server of pair) {
    expectRefused(await request(server.origin, 'GET', path, { headers: wrong }), /failed authentication/);
    expectRefused(await request(server.origin, 'GET', path, { headers: { authorization: `Bearer ${secret}` } }), /failed authentication/);
  }
}

describe('two replicas, counters shared through PostgreSQL (no Redis configured)', () => {
  it('allow one request budget per credential between them, with the usual headers', async () => {
    const pair = await replicas({});
    await expectOneRequestBudget(pair, {});
    // The failure limit counts the same shared way (a fresh token keeps its own request budget).
    await expectOneFailureBudget(pair);
    // Counters are kept out of the WAL: counting a request waits for no commit flush.
    const [table] = await databaseQuery(database.url, `select relpersistence from pg_class where relname = 'mailwarden_rate_limits'`);
    expect(table?.relpersistence).toBe('u');
  });

  it('answer 503 (code 1007), not 500 and not a hang, while the database and so the counters are unreachable', async () => {
    const proxy = TcpProxy.forPostgres();
    await proxy.start();
    try {
      const server = await spawnOnPort({
        DATABASE_URL: throughPort(database.url, proxy.port),
        LOG_LEVEL: 'warn',
        MAILWARDEN_RATE_LIMIT: '1000',
      });
      running.push(server);
      const path = settingsPath('allow_policies', freshAccount());
      // Counting goes through PostgreSQL before the cut (earlier tests in this file used the same credential).
      const before = remainingOf(await request(server.origin, 'GET', path));
      expect(remainingOf(await request(server.origin, 'GET', path))).toBe(before - 1);
      await proxy.cut();
      const during = await Promise.all(
        [
          request(server.origin, 'GET', path),
          request(server.origin, 'POST', path, {
            body: {
              is_acceptable_sender: false,
              is_exempt_recipient: false,
              is_regex: false,
              is_trusted_sender: true,
              pattern: 'x@outage.example',
              pattern_type: 'EMAIL',
              verify_sender: true,
            },
          }),
        ].map((pending) => Promise.race([pending, sleep(8000).then(() => undefined)])),
      );
      for (const response of during) {
        expect(response, 'an answer within 8 s').toBeDefined();
        expectUnavailable(response!, 'during the outage');
      }
      await proxy.restore();
      const deadline = Date.now() + 20_000;
      let back: HttpResponse | undefined;
      while (Date.now() < deadline && back?.status !== 200) {
        back = await request(server.origin, 'GET', path);
        expect([200, 503], back.text).toContain(back.status);
        if (back.status !== 200) await sleep(250);
      }
      expect(back?.status).toBe(200);
      expect(server.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      await proxy.close();
    }
  });

  it('MAILWARDEN_RATE_LIMIT_STORE=memory keeps each replica to its own counters', async () => {
    const pair = await replicas({ MAILWARDEN_RATE_LIMIT_STORE: 'memory' });
    const path = settingsPath('allow_policies', freshAccount());
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await request(pair[i % 2].origin, 'GET', path)).status);
    expect(statuses).toEqual(Array(12).fill(200));
  });
});

describe.skipIf(!redisUp)('two replicas, counters shared through Redis (MAILWARDEN_REDIS_URL)', () => {
  it('allow one request budget and one failure budget between them', async () => {
    const pair = await replicas({ MAILWARDEN_REDIS_URL: REDIS_URL, MAILWARDEN_REDIS_KEY_PREFIX: uniquePrefix() });
    await expectOneRequestBudget(pair, {});
    await expectOneFailureBudget(pair);
  });

  it('keeps answering, counting in each process, while Redis is gone or silent, and shares again once it is back', async () => {
    const url = new URL(REDIS_URL);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 6379));
    await proxy.start();
    try {
      const prefix = uniquePrefix();
      const env = {
        MAILWARDEN_REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        MAILWARDEN_REDIS_KEY_PREFIX: prefix,
        MAILWARDEN_RATE_LIMIT: '1000',
      };
      const pair = await replicas(env);
      const path = settingsPath('allow_policies', freshAccount());
      const get = (i: number) => request(pair[i % 2].origin, 'GET', path, { headers: {} });
      const redis = new Redis(REDIS_URL);
      const sharedCount = async () => Number(await redis.get(`${prefix}requests:token:bootstrap`));
      try {
        // Shared: one count across both.
        expect([remainingOf(await get(0)), remainingOf(await get(1))]).toEqual([999, 998]);
        expect(await sharedCount()).toBe(2);

        await proxy.cut();
        // Gone: every request answered (no 5xx, no hang), with the headers of a count of its own process.
        for (let i = 0; i < 6; i++) {
          const response = await get(i);
          expect(response.status, response.text).toBe(200);
          expect(remainingOf(response)).toBe(999 - Math.floor(i / 2));
        }
        expect(await sharedCount()).toBe(2);

        await proxy.restore();
        // Back: within seconds each replica counts on the shared counter again; wait for one request on
        // each in a row to add to it and to answer with what it says.
        const deadline = Date.now() + 15_000;
        let inARow = 0;
        for (let i = 0; inARow < 2 && Date.now() < deadline; i++) {
          const before = await sharedCount();
          const remaining = remainingOf(await get(i));
          inARow = (await sharedCount()) === before + 1 && remaining === 1000 - before - 1 ? inARow + 1 : 0;
          if (inARow === 0) await sleep(200);
        }
        expect(inARow, 'both replicas share the counter again after Redis returned').toBe(2);
        expect(await redis.keys(`${prefix}requests:*`)).toHaveLength(1);
      } finally {
        redis.disconnect();
      }

      proxy.freeze();
      // Silent: the first request on each replica waits for the store's timeout (2 s), the ones after it do not wait.
      for (const silent of await Promise.all([get(0), get(1)])) expect(silent.status, silent.text).toBe(200);
      const started = Date.now();
      for (let i = 0; i < 4; i++) expect((await get(i)).status).toBe(200);
      expect(Date.now() - started, 'no request waits on a store known to be silent').toBeLessThan(1500);
      proxy.thaw();
    } finally {
      await proxy.close();
    }
  });
});
