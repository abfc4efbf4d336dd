/**
 * Two server processes over one PostgreSQL database, writing at the same time: ids stay
 * unique int32, no PATCH is lost, batches are atomic, unique names hold, every change is audited once,
 * and nothing answers 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { spawnServer, type ChildServer } from '../helpers/server.js';
import { auditEntries, byRequest, databaseQuery, freshAccount, listAll, requestIdOf } from './support.js';

const MAX_INT32 = 2147483647;

let database: TestDatabase;
let replicas: ChildServer[] = [];

/** The replica that serves request `i`: alternately one and the other. */
const replica = (i: number) => replicas[i % 2].origin;

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

/** Fields an allow policy stores (the deprecated aliases are derived from these). */
const STORED = [
  'id',
  'created_at',
  'comments',
  'is_acceptable_sender',
  'is_exempt_recipient',
  'is_regex',
  'is_trusted_sender',
  'pattern',
  'pattern_type',
  'verify_sender',
] as const;

const stored = (record: Record<string, unknown>) => Object.fromEntries(STORED.map((key) => [key, record[key]]));

function expectNo500(responses: HttpResponse[], what: string) {
  const failures = responses.filter((response) => response.status >= 500);
  expect(
    failures.map((response) => `${response.status} ${response.text}`),
    `${what}: no 5xx`,
  ).toEqual([]);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

beforeAll(async () => {
  database = await createTestDatabase();
  // Both replicas start together on the empty database: the migrations must not trip over each other.
  // Every client here is 127.0.0.1, opening up to 200 connections at once: lift the per-address cap.
  const env = {
    DATABASE_URL: database.url,
    MAILWARDEN_RATE_LIMIT: '0',
    MAILWARDEN_DB_POOL_SIZE: '8',
    MAILWARDEN_MAX_CONNECTIONS_PER_IP: '0',
  };
  const started = await Promise.allSettled([spawnServer(env), spawnServer(env)]);
  replicas = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
});

afterAll(async () => {
  for (const server of replicas) await server.stop('SIGKILL');
  await database?.drop();
});

describe('two replicas over one PostgreSQL database', () => {
  it('two replicas starting together on an empty database both serve the same data', async () => {
    expect(replicas).toHaveLength(2);
    const account = freshAccount();
    const created = await request(replica(0), 'POST', settingsPath('allow_policies', account), { body: policy('start@example.com') });
    expect(created.status, created.text).toBe(201);
    const seen = await request(replica(1), 'GET', settingsPath(`allow_policies/${created.body.result.id}`, account));
    expect(seen.status, seen.text).toBe(200);
    expect(seen.body.result).toEqual(created.body.result);
  });

  it('parallel creates spread over both replicas: all 201, distinct int32 ids, total_count adds up', async () => {
    const account = freshAccount();
    const path = settingsPath('allow_policies', account);
    const count = 200;
    const responses = await Promise.all(
      range(count).map((i) => request(replica(i), 'POST', path, { body: policy(`create${i}@example.com`) })),
    );
    expectNo500(responses, 'creates');
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    const ids = responses.map((r) => r.body.result.id as number);
    for (const id of ids) {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThan(0);
      expect(id).toBeLessThanOrEqual(MAX_INT32);
    }
    expect(new Set(ids).size, 'every create got its own id').toBe(count);
    responses.forEach((r, i) => expect(r.body.result.pattern).toBe(`create${i}@example.com`));

    for (const origin of [replica(0), replica(1)]) {
      const all = await listAll(origin, path);
      expect(all.total, 'unfiltered total_count').toBe(count);
      expect(all.records.map((r) => r.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      const filtered = await listAll(origin, path, 'pattern_type=EMAIL');
      expect(filtered.total, 'filtered total_count').toBe(count);
    }

    // Ids stay int32: the column is `integer`, and its sequence cannot go past int32.
    const [column] = await databaseQuery(
      database.url,
      `select data_type from information_schema.columns where table_name = 'allow_policies' and column_name = 'id'`,
    );
    expect(column?.data_type).toBe('integer');
  });

  it('every settings table keeps an int32 id column and sequence', async () => {
    const tables = [
      'allow_policies',
      'block_senders',
      'trusted_domains',
      'impersonation_registry',
      'domains',
      'sending_domain_restrictions',
    ];
    const columns = await databaseQuery<{ table_name: string; data_type: string }>(
      database.url,
      `select table_name, data_type from information_schema.columns where column_name = 'id' and table_name = any($1)`,
      [tables],
    );
    expect(Object.fromEntries(columns.map((c) => [c.table_name, c.data_type]))).toEqual(
      Object.fromEntries(tables.map((table) => [table, 'integer'])),
    );
    const sequences = await databaseQuery<{ data_type: string; max_value: string }>(
      database.url,
      `select data_type, max_value::text from pg_sequences where sequencename = 'allow_policies_id_seq'`,
    );
    expect(sequences).toEqual([{ data_type: 'integer', max_value: String(MAX_INT32) }]);
  });

  it('concurrent PATCHes of one record from both replicas: all 200, serial versions, none lost', async () => {
    const account = freshAccount();
    const created = await request(replica(0), 'POST', settingsPath('allow_policies', account), {
      body: policy('race@example.com', { comments: 'start' }),
    });
    expect(created.status, created.text).toBe(201);
    const record = created.body.result;
    const path = settingsPath(`allow_policies/${record.id}`, account);

    const count = 40;
    const bodies = range(count).map((i) => {
      const body: Record<string, unknown> = { comments: `c${i}` };
      if (i % 3 === 0) body.verify_sender = i % 2 === 0;
      if (i % 5 === 0) body.is_acceptable_sender = i % 2 === 1;
      return body;
    });
    const responses = await Promise.all(bodies.map((body, i) => request(replica(i), 'PATCH', path, { body })));
    expectNo500(responses, 'patches');
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));

    const stamps = responses.map((r) => Date.parse(r.body.result.last_modified));
    expect(new Set(stamps).size, 'every PATCH made its own version (distinct last_modified)').toBe(count);

    // In last_modified order, every PATCH must have started from the state the previous one left.
    const order = range(count).sort((a, b) => stamps[a] - stamps[b]);
    let previous = record;
    for (const i of order) {
      const result = responses[i].body.result;
      expect(Date.parse(result.last_modified)).toBeGreaterThan(Date.parse(previous.last_modified));
      expect(stored(result), `PATCH ${JSON.stringify(bodies[i])} applied on top of the previous version`).toEqual(
        stored({ ...previous, ...bodies[i] }),
      );
      previous = result;
    }

    const last = responses[order[order.length - 1]].body.result;
    for (const origin of [replica(0), replica(1)]) {
      const final = await request(origin, 'GET', path);
      expect(final.status).toBe(200);
      expect(final.body.result, 'final record = the answer of the PATCH with the greatest last_modified').toEqual(last);
    }

    // The audit trail tells the same story: one update per PATCH, each starting where the last one ended.
    const entries = (await auditEntries(replica(1), account)).filter((e) => e.action.type === 'update');
    expect(entries).toHaveLength(count);
    const perRequest = byRequest(entries);
    responses.forEach((response) => {
      const mine = perRequest.get(requestIdOf(response)) ?? [];
      expect(mine).toHaveLength(1);
      expect(mine[0].newValueJson).toEqual(response.body.result);
    });
    const chain = [...entries].sort((a, b) => Date.parse(a.newValueJson.last_modified) - Date.parse(b.newValueJson.last_modified));
    chain.forEach((entry, k) => {
      expect(entry.oldValueJson).toEqual(k === 0 ? record : chain[k - 1].newValueJson);
    });
  });

  it('concurrent PATCHes of disjoint fields from both replicas: every change is applied', async () => {
    const account = freshAccount();
    const collection = settingsPath('allow_policies', account);
    const records = 12;
    const created = await Promise.all(
      range(records).map((r) => request(replica(r), 'POST', collection, { body: policy(`disjoint${r}@example.com`, { comments: null }) })),
    );
    expect(created.map((c) => c.status)).toEqual(created.map(() => 201));

    const patches = created.flatMap((c, r) => {
      const path = settingsPath(`allow_policies/${c.body.result.id}`, account);
      return [
        { path, body: { comments: `note ${r}` } },
        { path, body: { verify_sender: false } },
        { path, body: { pattern: `moved${r}@example.com` } },
        { path, body: { is_exempt_recipient: true } },
      ];
    });
    const responses = await Promise.all(patches.map(({ path, body }, i) => request(replica(i + (i >> 2)), 'PATCH', path, { body })));
    expectNo500(responses, 'disjoint patches');
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));

    for (const [r, c] of created.entries()) {
      const final = await request(replica(r + 1), 'GET', settingsPath(`allow_policies/${c.body.result.id}`, account));
      expect(final.status).toBe(200);
      expect(final.body.result, `record ${r} has all four changes`).toMatchObject({
        comments: `note ${r}`,
        verify_sender: false,
        pattern: `moved${r}@example.com`,
        is_exempt_recipient: true,
        is_recipient: true,
        is_trusted_sender: true,
        pattern_type: 'EMAIL',
      });
    }
    const updates = (await auditEntries(replica(0), account)).filter((e) => e.action.type === 'update');
    expect(updates).toHaveLength(patches.length);
  });

  it('concurrent batches from both replicas succeed or fail whole; counts add up', async () => {
    const account = freshAccount();
    const collection = settingsPath('allow_policies', account);
    const seed = await request(replica(0), 'POST', `${collection}/batch`, {
      body: { deletes: [], patches: [], puts: [], posts: range(60).map((i) => policy(`seed${i}@example.com`)) },
    });
    expect(seed.status, seed.text).toBe(200);
    const seedIds: number[] = seed.body.result.posts.map((r: { id: number }) => r.id);
    expect(seedIds).toHaveLength(60);

    // Batches 0-5 delete disjoint seeds (odd ones in reverse order); 6 and 7 delete the same two seeds
    // in opposite orders, so exactly one of them can succeed.
    const shared = [seedIds[50], seedIds[51]];
    const batches = range(8).map((k) => {
      let deletes = k < 6 ? seedIds.slice(k * 5, k * 5 + 5) : k === 6 ? shared : [...shared].reverse();
      if (k % 2 === 1 && k < 6) deletes = [...deletes].reverse();
      return {
        deletes: deletes.map((id) => ({ id })),
        patches: [],
        puts: [],
        posts: range(50).map((j) => policy(`b${k}-${j}@example.com`)),
      };
    });
    const responses = await Promise.all(batches.map((body, k) => request(replica(k), 'POST', `${collection}/batch`, { body })));
    expectNo500(responses, 'batches');
    for (const k of range(6)) expect(responses[k].status, `batch ${k}: ${responses[k].text}`).toBe(200);
    const sharedStatuses = [responses[6].status, responses[7].status].sort();
    expect(sharedStatuses, 'of two batches deleting the same records, exactly one succeeds').toEqual([200, 404]);
    const loser = responses[6].status === 404 ? responses[6] : responses[7];
    expect(loser.body).toMatchObject({ success: false, result: null });
    expect(loser.body.errors[0].code).toBe(1002);

    const succeeded = range(8).filter((k) => responses[k].status === 200);
    const postedIds = succeeded.flatMap((k) => responses[k].body.result.posts.map((r: { id: number }) => r.id));
    for (const k of succeeded) {
      expect(responses[k].body.result.posts).toHaveLength(50);
      expect(responses[k].body.result.deletes).toEqual(batches[k].deletes);
    }
    expect(new Set(postedIds).size).toBe(postedIds.length);
    const deleted = new Set(succeeded.flatMap((k) => batches[k].deletes.map((d) => d.id)));
    const expectedIds = [...seedIds.filter((id) => !deleted.has(id)), ...postedIds].sort((a, b) => a - b);

    for (const origin of [replica(0), replica(1)]) {
      const all = await listAll(origin, collection);
      expect(all.total, 'total_count = seeds + posts of successful batches - their deletes').toBe(
        60 + 50 * succeeded.length - deleted.size,
      );
      expect(all.records.map((r) => r.id).sort((a, b) => a - b)).toEqual(expectedIds);
      expect((await listAll(origin, collection, 'verify_sender=true')).total).toBe(expectedIds.length);
    }
    // The losing batch left nothing behind.
    const loserIndex = responses[6].status === 404 ? 6 : 7;
    const leftovers = await listAll(replica(0), collection, `search=b${loserIndex}-`);
    expect(leftovers.total).toBe(0);

    // Audit: a successful batch is one entry per change it made; a failed one left none.
    const perRequest = byRequest(await auditEntries(replica(1), account));
    for (const [k, response] of responses.entries()) {
      const mine = perRequest.get(requestIdOf(response)) ?? [];
      if (response.status === 200) {
        expect(mine.filter((e) => e.action.type === 'create')).toHaveLength(50);
        expect(
          mine
            .filter((e) => e.action.type === 'delete')
            .map((e) => Number(e.resource.id))
            .sort(),
        ).toEqual(batches[k].deletes.map((d) => d.id).sort());
        expect(mine).toHaveLength(50 + batches[k].deletes.length);
      } else {
        expect(mine, `failed batch ${k} is not in the audit log`).toEqual([]);
      }
    }
  });

  it('eight batches deleting the same records in different orders: exactly one succeeds, the rest 404, never 500', async () => {
    const account = freshAccount();
    const collection = settingsPath('allow_policies', account);
    const seed = await request(replica(0), 'POST', `${collection}/batch`, {
      body: { deletes: [], patches: [], puts: [], posts: range(3).map((i) => policy(`shared${i}@example.com`)) },
    });
    expect(seed.status, seed.text).toBe(200);
    const ids: number[] = seed.body.result.posts.map((r: { id: number }) => r.id);
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [0, 2, 1],
      [2, 0, 1],
      [1, 0, 2],
      [2, 1, 0],
      [0, 1, 2],
    ];
    const batches = orders.map((order, k) => ({
      deletes: order.map((j) => ({ id: ids[j] })),
      patches: [],
      puts: [],
      posts: range(50).map((j) => policy(`contended${k}-${j}@example.com`)),
    }));
    const responses = await Promise.all(batches.map((body, k) => request(replica(k), 'POST', `${collection}/batch`, { body })));
    expectNo500(responses, 'contended batches');
    expect(responses.map((r) => r.status).sort(), 'one batch deletes the records, the others find them gone').toEqual([
      200, 404, 404, 404, 404, 404, 404, 404,
    ]);
    for (const response of responses.filter((r) => r.status === 404)) {
      expect(response.body.errors[0].code).toBe(1002);
    }

    const winner = responses.findIndex((r) => r.status === 200);
    const all = await listAll(replica(1), collection);
    expect(all.total, 'only the winning batch left records').toBe(50);
    expect(all.records.every((r) => r.pattern.startsWith(`contended${winner}-`))).toBe(true);

    const perRequest = byRequest(await auditEntries(replica(0), account));
    responses.forEach((response) => {
      expect(perRequest.get(requestIdOf(response)) ?? []).toHaveLength(response.status === 200 ? 53 : 0);
    });
  });

  it('a domain created concurrently on both replicas: exactly one 201, the rest 409 (1003)', async () => {
    const account = freshAccount();
    const collection = settingsPath('domains', account);
    const names = range(5).map((n) => `race${n}.example.com`);
    const attempts = names.flatMap((name, n) => range(10).map((i) => ({ name, n, domain: i % 3 === 0 ? name.toUpperCase() : name })));
    const responses = await Promise.all(attempts.map(({ domain }, i) => request(replica(i), 'POST', collection, { body: { domain } })));
    expectNo500(responses, 'domain creates');
    const createdIds: number[] = [];
    for (const [n, name] of names.entries()) {
      const mine = responses.filter((_, i) => attempts[i].n === n);
      expect(
        mine.filter((r) => r.status === 201),
        `${name}: exactly one 201`,
      ).toHaveLength(1);
      const conflicts = mine.filter((r) => r.status !== 201);
      expect(
        conflicts.map((r) => r.status),
        `${name}: the others are 409`,
      ).toEqual(conflicts.map(() => 409));
      for (const conflict of conflicts) {
        expect(conflict.body).toMatchObject({ success: false, result: null });
        expect(conflict.body.errors.map((e: { code: number }) => e.code)).toEqual([1003]);
      }
      createdIds.push(mine.find((r) => r.status === 201)!.body.result.id);
    }
    const all = await listAll(replica(1), collection);
    expect(all.total).toBe(names.length);
    expect(all.records.map((r) => r.id).sort((a, b) => a - b)).toEqual([...createdIds].sort((a, b) => a - b));

    const perRequest = byRequest(await auditEntries(replica(0), account));
    for (const response of responses) {
      expect(perRequest.get(requestIdOf(response)) ?? []).toHaveLength(response.status === 201 ? 1 : 0);
    }
  });

  it('the audit log has exactly one entry per successful change of a mixed concurrent workload', async () => {
    const account = freshAccount();
    const collection = settingsPath('allow_policies', account);
    const seeds = await Promise.all(
      range(10).map((i) => request(replica(i), 'POST', collection, { body: policy(`mixed${i}@example.com`) })),
    );
    expect(seeds.map((s) => s.status)).toEqual(seeds.map(() => 201));
    const ids: number[] = seeds.map((s) => s.body.result.id);
    const item = (id: number) => settingsPath(`allow_policies/${id}`, account);

    const work: { method: string; path: string; body?: unknown }[] = [
      // Records 0-1: deleted by four requests each (exactly one can succeed).
      ...range(8).map((i) => ({ method: 'DELETE', path: item(ids[i % 2]) })),
      // Records 2-5: patched several times.
      ...range(16).map((i) => ({ method: 'PATCH', path: item(ids[2 + (i % 4)]), body: { comments: `m${i}` } })),
      // Record 6: patched while being deleted.
      { method: 'PATCH', path: item(ids[6]), body: { comments: 'late' } },
      { method: 'DELETE', path: item(ids[6]) },
      // New records, and a PATCH that fails validation (no change, no entry).
      ...range(10).map((i) => ({ method: 'POST', path: collection, body: policy(`fresh${i}@example.com`) })),
      { method: 'PATCH', path: item(ids[7]), body: { pattern_type: 'IP' } },
    ];
    const responses = await Promise.all(work.map((w, i) => request(replica(i), w.method, w.path, { body: w.body })));
    expectNo500(responses, 'mixed workload');
    for (const [i, response] of responses.entries()) {
      expect([200, 201, 400, 404], `${work[i].method} ${work[i].path}: ${response.text}`).toContain(response.status);
    }
    for (const target of [0, 1]) {
      const deletes = responses.filter((_, i) => work[i].method === 'DELETE' && work[i].path === item(ids[target]));
      expect(deletes.map((r) => r.status).sort(), `record ${target} deleted exactly once`).toEqual([200, 404, 404, 404]);
    }

    const entries = await auditEntries(replica(1), account);
    const perRequest = byRequest(entries);
    const changed = responses.filter((r) => r.status === 200 || r.status === 201);
    for (const [i, response] of responses.entries()) {
      const mine = perRequest.get(requestIdOf(response)) ?? [];
      const success = response.status === 200 || response.status === 201;
      expect(mine, `${work[i].method} ${work[i].path} → ${response.status}`).toHaveLength(success ? 1 : 0);
      if (success) {
        const expected = { DELETE: 'delete', PATCH: 'update', POST: 'create' }[work[i].method];
        expect(mine[0].action.type).toBe(expected);
      }
    }
    // 10 seed creates + one per successful change, nothing else.
    expect(entries).toHaveLength(10 + changed.length);
  });
});
