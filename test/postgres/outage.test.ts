/**
 * PostgreSQL becomes unreachable mid-run: the server sits behind a TCP proxy that the test
 * cuts and restores. During the outage clients get the 503 envelope (code 1007, Retry-After), never a
 * 500 or a hang; /healthz stays up, /readyz fails; afterwards the server recovers by itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';
import { createTestDatabase } from '../helpers/postgres.js';
import type { ChildServer } from '../helpers/server.js';
import { auditEntries, expectUnavailable, freshAccount, listAll, sleep, spawnOnPort, TcpProxy, throughPort } from './support.js';

const ACCOUNT = freshAccount();
const collection = settingsPath('allow_policies', ACCOUNT);
/** The pool's connect timeout is 5 s; an answer must come well within this. */
const ANSWER_WITHIN_MS = 8000;

const policy = (pattern: string, extra: Record<string, unknown> = {}) => ({
  is_acceptable_sender: false,
  is_exempt_recipient: false,
  is_regex: false,
  is_trusted_sender: true,
  pattern,
  pattern_type: 'EMAIL',
  verify_sender: true,
  ...extra,
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

/** A fresh database, a proxy in front of it, and a server (LOG_LEVEL=warn) reaching it through the proxy. */
async function setup(): Promise<{ proxy: TcpProxy; server: ChildServer }> {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  const proxy = TcpProxy.forPostgres();
  await proxy.start();
  cleanups.push(() => proxy.close());
  const server = await spawnOnPort({
    DATABASE_URL: throughPort(database.url, proxy.port),
    LOG_LEVEL: 'warn',
    MAILWARDEN_RATE_LIMIT: '0',
  });
  cleanups.push(() => server.stop('SIGKILL'));
  return { proxy, server };
}

/** The request's answer, or 'no answer' after `ms` (a hang is a failure, not a wait). */
async function within(ms: number, pending: Promise<HttpResponse>): Promise<{ response?: HttpResponse; elapsed: number; error?: unknown }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), ms)));
  try {
    const outcome = await Promise.race([pending, timeout]);
    return outcome === 'timeout' ? { elapsed: Date.now() - started } : { response: outcome, elapsed: Date.now() - started };
  } catch (error) {
    return { error, elapsed: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Every kind of database-backed request, each expected to answer 503 (1007) while the database is away. */
function outageRequests(origin: string, existingId: number, tag: string) {
  return {
    list: request(origin, 'GET', collection),
    search: request(origin, 'GET', `${collection}?search=kept`),
    get: request(origin, 'GET', settingsPath(`allow_policies/${existingId}`, ACCOUNT)),
    create: request(origin, 'POST', collection, { body: policy(`outage-${tag}@example.com`) }),
    patch: request(origin, 'PATCH', settingsPath(`allow_policies/${existingId}`, ACCOUNT), { body: { comments: `changed during ${tag}` } }),
    delete: request(origin, 'DELETE', settingsPath(`allow_policies/${existingId}`, ACCOUNT)),
    batch: request(origin, 'POST', `${collection}/batch`, {
      body: { deletes: [], patches: [], puts: [], posts: [policy(`outage-batch-${tag}@example.com`)] },
    }),
    audit: request(origin, 'GET', `/client/v4/accounts/${ACCOUNT}/audit_logs`),
  };
}

async function expectAllUnavailable(origin: string, existingId: number, tag: string) {
  const pending = outageRequests(origin, existingId, tag);
  const outcomes = await Promise.all(Object.entries(pending).map(async ([name, p]) => [name, await within(ANSWER_WITHIN_MS, p)] as const));
  for (const [name, outcome] of outcomes) {
    expect(outcome.error, `${tag} ${name}: the server answered`).toBeUndefined();
    expect(outcome.response, `${tag} ${name}: an answer within ${ANSWER_WITHIN_MS} ms`).toBeDefined();
    expectUnavailable(outcome.response!, `${tag} ${name}`);
  }
}

/** Polls a list until it answers 200 again (bounded); every answer on the way must be 200 or 503. */
async function waitForRecovery(origin: string, limitMs: number): Promise<number> {
  const started = Date.now();
  const seen: number[] = [];
  while (Date.now() - started < limitMs) {
    const outcome = await within(limitMs, request(origin, 'GET', collection));
    if (outcome.response) {
      seen.push(outcome.response.status);
      expect([200, 503], `while recovering: ${outcome.response.text}`).toContain(outcome.response.status);
      if (outcome.response.status === 200) return Date.now() - started;
    }
    await sleep(250);
  }
  throw new Error(`no recovery within ${limitMs} ms; answers seen: ${seen.join(', ')}`);
}

/** After recovery: ready again, the record made before the outage intact, nothing written during it. */
async function expectRecoveredWithOnly(origin: string, kept: Record<string, unknown>) {
  const ready = await request(origin, 'GET', '/readyz');
  expect(ready.status, ready.text).toBe(200);

  const all = await listAll(origin, collection);
  expect(all.total).toBe(1);
  expect(all.records).toEqual([kept]);
  const again = await request(origin, 'GET', settingsPath(`allow_policies/${String(kept.id)}`, ACCOUNT));
  expect(again.status).toBe(200);
  expect(again.body.result, 'the PATCH and DELETE made during the outage did not happen').toEqual(kept);
  const outageWrites = await listAll(origin, collection, 'search=outage');
  expect(outageWrites.total, 'creates made during the outage did not happen').toBe(0);
  const audit = await auditEntries(origin, ACCOUNT);
  expect(audit.map((e) => e.action.type)).toEqual(['create']);

  // And it writes again.
  const created = await request(origin, 'POST', collection, { body: policy('after@example.com') });
  expect(created.status, created.text).toBe(201);
}

/**
 * With the proxy cut: readiness fails, liveness holds, every database-backed request answers 503 (never
 * 500, never a hang), the process survives; after `restore()` the server recovers without a restart,
 * with the data as it was before the outage.
 */
async function outageAndRecovery(proxy: TcpProxy, server: ChildServer, kept: Record<string, any>) {
  const ready = await within(ANSWER_WITHIN_MS, request(server.origin, 'GET', '/readyz'));
  expect(ready.error, 'readyz: the server answered').toBeUndefined();
  expect(ready.response?.status, 'readyz while the database is away').toBe(503);
  expect(ready.response!.body).toMatchObject({ success: false, result: null, errors: [expect.objectContaining({ code: 1007 })] });
  const live = await request(server.origin, 'GET', '/healthz');
  expect(live.status, 'healthz is liveness only').toBe(200);

  await expectAllUnavailable(server.origin, kept.id, 'first');
  // Still answering the same way a moment later, once every pooled connection is gone.
  await sleep(500);
  await expectAllUnavailable(server.origin, kept.id, 'second');
  expect(server.process.exitCode, 'the process survived the outage').toBeNull();
  expect((await request(server.origin, 'GET', '/healthz')).status).toBe(200);

  await proxy.restore();
  await waitForRecovery(server.origin, 15_000);
  await expectRecoveredWithOnly(server.origin, kept);

  expect(server.process.exitCode, 'no restart was needed').toBeNull();
  const output = server.output();
  expect(output, 'the outage is logged as such').toContain('database unavailable');
  expect(output, 'no request failed with a 500').not.toContain('request failed');
}

async function createKept(server: ChildServer) {
  const created = await request(server.origin, 'POST', collection, { body: policy('kept@example.com', { comments: 'before' }) });
  expect(created.status, created.text).toBe(201);
  // Several pooled connections.
  const warm = await Promise.all(Array.from({ length: 6 }, () => request(server.origin, 'GET', collection)));
  expect(warm.map((r) => r.status)).toEqual(warm.map(() => 200));
  expect((await request(server.origin, 'GET', '/readyz')).status).toBe(200);
  return created.body.result;
}

describe('PostgreSQL outage and recovery', () => {
  it('connections cut while idle: 503 with code 1007 and Retry-After, readiness down, then recovers by itself', async () => {
    const { proxy, server } = await setup();
    const kept = await createKept(server);
    expect(proxy.connections).toBeGreaterThan(0);

    await proxy.cut();
    await outageAndRecovery(proxy, server, kept);
  });

  it('connections cut with requests in flight: those requests get 503 too, the process survives and recovers', async () => {
    const { proxy, server } = await setup();
    const kept = await createKept(server);
    const other = freshAccount();

    // Hold the traffic so the burst is mid-query when the connections die.
    proxy.freeze();
    const burst = [
      ...Array.from({ length: 8 }, () => request(server.origin, 'GET', collection)),
      ...Array.from({ length: 8 }, (_, i) =>
        request(server.origin, 'POST', settingsPath('allow_policies', other), { body: policy(`inflight${i}@example.com`) }),
      ),
    ].map((pending) => within(ANSWER_WITHIN_MS + 1000, pending));
    await sleep(300);
    await proxy.cut();

    const outcomes = await Promise.all(burst);
    outcomes.forEach((outcome, i) => {
      expect(outcome.error, `in-flight request ${i}: the server answered`).toBeUndefined();
      expect(outcome.response, `in-flight request ${i}: an answer`).toBeDefined();
      expectUnavailable(outcome.response!, `in-flight request ${i}`);
    });
    expect(server.process.exitCode, 'the process survived connections dying under it').toBeNull();

    await outageAndRecovery(proxy, server, kept);
    const inflight = await listAll(server.origin, settingsPath('allow_policies', other));
    expect(inflight.total, 'the creates cut in flight did not happen').toBe(0);
  });

  it('a silent partition (connections stay open, nothing gets through): 503 instead of hanging, then recovers', async () => {
    const { proxy, server } = await setup();
    const kept = await createKept(server);

    proxy.freeze();
    try {
      const ready = await within(ANSWER_WITHIN_MS, request(server.origin, 'GET', '/readyz'));
      expect(ready.response?.status, 'readyz during a partition').toBe(503);
      expect((await request(server.origin, 'GET', '/healthz')).status).toBe(200);

      const [list, create] = await Promise.all([
        within(ANSWER_WITHIN_MS + 2000, request(server.origin, 'GET', collection)),
        within(ANSWER_WITHIN_MS + 2000, request(server.origin, 'POST', collection, { body: policy('outage-partition@example.com') })),
      ]);
      expect(list.response, `list answered within ${ANSWER_WITHIN_MS + 2000} ms during a partition (not a hang)`).toBeDefined();
      expectUnavailable(list.response!, 'list during a partition');
      expect(create.response, `create answered within ${ANSWER_WITHIN_MS + 2000} ms during a partition (not a hang)`).toBeDefined();
      expectUnavailable(create.response!, 'create during a partition');
      expect(server.process.exitCode).toBeNull();
    } finally {
      proxy.thaw();
    }
    await waitForRecovery(server.origin, 15_000);
    await expectRecoveredWithOnly(server.origin, kept);
  });
});
