/**
 * `MAILWARDEN_API_IDS=uuid`: allow policies, blocked senders, trusted domains, impersonation entries and
 * sending domain restrictions are named by uuid (domains keep int32 ids), records carry `modified_at`,
 * and one store serves the same records in either mode, with ids that never change.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import type { Executor } from '../../src/db/executor.js';
import { request } from '../helpers/http.js';
import { createTestDatabase, TEST_DIALECT } from '../helpers/postgres.js';
import { startServer, temporaryDirectory, type TestServer } from '../helpers/server.js';
import {
  allowPolicies,
  blockSenders,
  domains,
  FIXTURES,
  impersonationRegistry,
  sendingDomainRestrictions,
  trustedDomains,
} from './fixtures.js';
import type { ResourceFixture } from './fixtures.js';
import { client, expectError, expectSuccess, expectTimestamp, newAccount, seed, withoutMeta, type Values } from './support.js';

/** A version 4 uuid in lower case, as mailwarden hands them out. */
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_COLLECTIONS = [allowPolicies, blockSenders, trustedDomains, impersonationRegistry, sendingDomainRestrictions];

/** URL ignore patterns, a collection of today's API only: what the uuid-mode tests below need of a fixture. */
const urlIgnorePatterns: Pick<
  ResourceFixture,
  'name' | 'keys' | 'creates' | 'patch' | 'search' | 'filters' | 'sort' | 'batch' | 'batchFull' | 'bulkCreate'
> = {
  name: 'url_ignore_patterns',
  keys: ['comments', 'created_at', 'id', 'last_modified', 'modified_at', 'pattern'],
  creates: [
    { pattern: '^https://zeta\\.example\\.com/', comments: 'Intranet' },
    { pattern: '^https://alpha\\.example\\.org/.*', comments: null },
    { pattern: 'tracking\\.example\\.net', comments: 'Partner tracking links' },
    { pattern: '^https://alpha\\.example\\.org/.*', comments: 'duplicate pattern, other note' },
    { pattern: '[?&]utm_source=', comments: 'partner newsletters' },
  ],
  patch: { comments: 'patched comment', pattern: '^https://patched\\.example\\.com/' },
  search: [
    { name: 'pattern substring', query: { search: 'ALPHA\\.example' }, expected: [1, 3] },
    { name: 'comments substring', query: { search: 'partner' }, expected: [2, 4] },
  ],
  filters: [],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  batch: 'none',
  bulkCreate: false,
};

const MISSING_UUID = '00000000-0000-4000-8000-000000000000';
const MALFORMED_UUIDS = [
  '1',
  '2147483647',
  'abc',
  '00000000-0000-4000-8000-00000000000',
  '00000000-0000-4000-8000-0000000000000',
  '000000000000400080000000000000000',
  '{00000000-0000-4000-8000-000000000000}',
  'g0000000-0000-4000-8000-000000000000',
];

function expectUuidRecord(record: Values, keys: string[]): void {
  expect(Object.keys(record).sort()).toEqual([...new Set([...keys, 'modified_at'])].sort());
  expect(record.id).toMatch(UUID_V4);
  expectTimestamp(record.created_at);
  expect(record.modified_at).toBe(record.last_modified);
}

describe('MAILWARDEN_API_IDS', () => {
  it('is integer by default and takes uuid', () => {
    expect(loadConfig({}).apiIds).toBe('integer');
    expect(loadConfig({ MAILWARDEN_API_IDS: 'integer' }).apiIds).toBe('integer');
    expect(loadConfig({ MAILWARDEN_API_IDS: 'uuid' }).apiIds).toBe('uuid');
  });

  for (const value of ['UUID', 'int', 'string', 'uuid4']) {
    it(`refuses ${JSON.stringify(value)} with a message naming the variable and its values`, () => {
      expect(() => loadConfig({ MAILWARDEN_API_IDS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ MAILWARDEN_API_IDS: value })).toThrow(/MAILWARDEN_API_IDS must be integer or uuid/);
    });
  }
});

describe('uuid mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ apiIds: 'uuid' });
  });
  afterAll(() => server.close());

  describe.each([...UUID_COLLECTIONS, urlIgnorePatterns].map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fx) => {
    const api = (account?: string) => client(server.origin, fx.name, account);

    it('creates with a uuid id and modified_at; gets, lists, patches and deletes by that uuid', async () => {
      const c = api();
      const created = await c.create(fx.creates[0]);
      expectSuccess(created, 201);
      const record = created.body.result;
      expectUuidRecord(record, fx.keys);

      const got = await c.get(record.id);
      expectSuccess(got, 200);
      expect(got.body.result).toEqual(record);
      // Upper case names the same record.
      expect((await c.get(record.id.toUpperCase())).body.result).toEqual(record);

      const listed = await c.list();
      expectSuccess(listed, 200, { list: true });
      expect(listed.body.result).toEqual([record]);

      const patched = await c.patch(record.id, fx.patch);
      expectSuccess(patched, 200);
      expect(patched.body.result.id).toBe(record.id);
      expect(patched.body.result).toMatchObject(fx.patch);
      expect(patched.body.result.modified_at).toBe(patched.body.result.last_modified);
      expect(Date.parse(patched.body.result.modified_at)).toBeGreaterThan(Date.parse(record.modified_at));

      const removed = await c.remove(record.id);
      expectSuccess(removed, 200);
      expect(removed.body.result).toEqual({ id: record.id });
      expectError(await c.get(record.id), 404, 1002);
      expect(await c.total()).toBe(0);
    });

    it('hands every record a different uuid', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      expect(new Set(records.map((record) => record.id)).size).toBe(fx.creates.length);
      for (const record of records) expectUuidRecord(record, fx.keys);
      // The list order is unchanged: ties (and the default order) follow creation.
      expect((await c.all()).map((record) => record.id)).toEqual(records.map((record) => record.id));
    });

    for (const id of MALFORMED_UUIDS) {
      it(`answers GET, PATCH and DELETE on id ${JSON.stringify(id)} with 400 and codes [7003, 7000]`, async () => {
        const c = api();
        await seed(c, [fx.creates[0]]);
        for (const [method, body] of [
          ['GET', undefined],
          ['PATCH', fx.patch],
          ['DELETE', undefined],
        ] as const) {
          const response = await request(c.origin, method, c.path(id), body === undefined ? {} : { body });
          expect(response.status, `${method} ${id}`).toBe(400);
          expect(response.body.success).toBe(false);
          expect(response.body.result).toBeNull();
          expect(response.body.errors.map((e: any) => e.code)).toEqual([7003, 7000]);
        }
        expect(await c.total()).toBe(1);
      });
    }

    it('answers a well-formed uuid of no record, or of another account, with 404/1002', async () => {
      const owner = api();
      const stranger = api();
      const [record] = await seed(owner, [fx.creates[0]]);
      for (const id of [MISSING_UUID, record.id]) {
        expectError(await stranger.get(id), 404, 1002);
        expectError(await stranger.patch(id, fx.patch), 404, 1002);
        expectError(await stranger.remove(id), 404, 1002);
      }
      expect((await owner.get(record.id)).body.result).toEqual(record);
    });

    if (fx.batch === 'deletes' || fx.batch === 'full') {
      const empty = fx.batch === 'full' ? { patches: [], puts: [], posts: [] } : {};

      it('batch-deletes by uuid and answers the uuids', async () => {
        const c = api();
        const records = await seed(c, fx.creates.slice(0, 3));
        const response = await c.batch({ deletes: [{ id: records[0].id }, { id: records[2].id.toUpperCase() }], ...empty });
        expectSuccess(response, 200);
        expect(response.body.result.deletes).toEqual([{ id: records[0].id }, { id: records[2].id }]);
        expect((await c.all()).map((record) => record.id)).toEqual([records[1].id]);
      });

      it('refuses an integer, or a malformed uuid, in deletes[].id with 400/1001 and applies nothing', async () => {
        const c = api();
        const [record] = await seed(c, [fx.creates[0]]);
        for (const id of [1, '1', 'abc', `${record.id}0`]) {
          const response = await c.batch({ deletes: [{ id: record.id }, { id }], ...empty });
          expectError(response, 400, 1001, ['/deletes/1/id']);
        }
        expect(await c.total()).toBe(1);
      });

      it('answers an unknown uuid in deletes with 404/1002 at its pointer and applies nothing', async () => {
        const c = api();
        const [record] = await seed(c, [fx.creates[0]]);
        const response = await c.batch({ deletes: [{ id: record.id }, { id: MISSING_UUID }], ...empty });
        expectError(response, 404, 1002, ['/deletes/1/id']);
        expect((await c.get(record.id)).body.result).toEqual(record);
      });
    }

    if (fx.batch === 'full') {
      it('patches, puts and posts in one batch with uuids; posts answer new uuids', async () => {
        const c = api();
        const records = await seed(c, fx.creates.slice(0, 3));
        const response = await c.batch({
          deletes: [{ id: records[2].id }],
          patches: [{ id: records[0].id, ...fx.patch }],
          puts: [{ id: records[1].id, ...fx.batchFull!.put }],
          posts: [fx.creates[3]],
        });
        expectSuccess(response, 200);
        const { deletes, patches, puts, posts } = response.body.result;
        expect(deletes).toEqual([{ id: records[2].id }]);
        expect(patches[0].id).toBe(records[0].id);
        expect(patches[0]).toMatchObject(fx.patch);
        expect(puts[0].id).toBe(records[1].id);
        expect(withoutMeta(puts[0])).toMatchObject(fx.batchFull!.put);
        for (const record of [...patches, ...puts, ...posts]) expectUuidRecord(record, fx.keys);
        expect(posts[0].id).not.toBe(records[2].id);
        expect((await c.all()).map((record) => record.id)).toEqual([records[0].id, records[1].id, posts[0].id]);
      });

      it('refuses an integer id in patches and puts with 400/1001', async () => {
        const c = api();
        const [record] = await seed(c, [fx.creates[0]]);
        const patched = await c.batch({ deletes: [], patches: [{ ...fx.patch, id: 1 }], puts: [], posts: [] });
        expectError(patched, 400, 1001, ['/patches/0/id']);
        const put = await c.batch({ deletes: [], patches: [], puts: [{ ...fx.batchFull!.put, id: 1 }], posts: [] });
        expectError(put, 400, 1001, ['/puts/0/id']);
        expect((await c.get(record.id)).body.result).toEqual(record);
      });

      it('answers an unknown uuid in patches or puts with 404/1002 and applies nothing', async () => {
        const c = api();
        const [record] = await seed(c, [fx.creates[0]]);
        const patched = await c.batch({
          deletes: [{ id: record.id }],
          patches: [{ id: MISSING_UUID, ...fx.patch }],
          puts: [],
          posts: [],
        });
        expectError(patched, 404, 1002, ['/patches/0/id']);
        const put = await c.batch({
          deletes: [{ id: record.id }],
          patches: [],
          puts: [{ id: MISSING_UUID, ...fx.batchFull!.put }],
          posts: [],
        });
        expectError(put, 404, 1002, ['/puts/0/id']);
        expect((await c.get(record.id)).body.result).toEqual(record);
      });
    }

    if (fx.bulkCreate) {
      it('bulk-creates records with uuid ids', async () => {
        const c = api();
        const response = await c.create(fx.creates.slice(0, 2));
        expectSuccess(response, 201);
        for (const record of response.body.result) expectUuidRecord(record, fx.keys);
        expect((await c.all()).map((record) => record.id)).toEqual(response.body.result.map((record: Values) => record.id));
      });
    }

    it('keeps search, sort, filters and pagination as in integer mode', async () => {
      const c = api();
      const records = await seed(c, fx.creates);
      const byIndex = (indices: number[]) => indices.map((index) => records[index].id);
      for (const { query, expected } of [...fx.search, ...fx.filters]) {
        const response = await c.list({ ...query, per_page: 1000 });
        expectSuccess(response, 200, { list: true });
        expect(
          response.body.result.map((record: Values) => record.id),
          JSON.stringify(query),
        ).toEqual(byIndex(expected));
      }
      const [order, field] = Object.entries(fx.sort)[0];
      const sorted = await c.list({ order, direction: 'desc', per_page: 1000 });
      const expected = records
        .map((record, index) => ({ value: record[field] as string, index }))
        .sort((a, b) => (a.value === b.value ? a.index - b.index : a.value < b.value ? 1 : -1))
        .map(({ index }) => records[index].id);
      expect(sorted.body.result.map((record: Values) => record.id)).toEqual(expected);
      const page = await c.list({ page: 2, per_page: 2 });
      expect(page.body.result.map((record: Values) => record.id)).toEqual(records.slice(2, 4).map((record) => record.id));
      expect(page.body.result_info).toEqual({ page: 2, per_page: 2, count: 2, total_count: records.length });
    });
  });

  it('describes string ids in its OpenAPI document', async () => {
    const response = await request(server.origin, 'GET', '/openapi.json', { anonymous: true });
    expect(response.status).toBe(200);
    const document = response.body;
    const recordOf = (path: string) =>
      document.paths[`/client/v4/accounts/{account_id}/email-security/settings/${path}`].get.responses['200'].content['application/json']
        .schema.properties.result;
    expect(recordOf('allow_policies/{policy_id}').properties.id.type).toBe('string');
    expect(recordOf('allow_policies/{policy_id}').properties.modified_at.type).toBe('string');
    expect(recordOf('url_ignore_patterns/{pattern_id}').properties.id.type).toBe('string');
    expect(recordOf('domains/{domain_id}').properties.id.type).toBe('integer');
  });

  describe('url_ignore_patterns', () => {
    const api = () => client(server.origin, 'url_ignore_patterns');

    it('takes a pattern and optional comments, and defaults comments to null', async () => {
      const c = api();
      const created = await c.create({ pattern: '^https://intranet\\.example\\.com/' });
      expectSuccess(created, 201);
      expect(withoutMeta(created.body.result)).toEqual({ pattern: '^https://intranet\\.example\\.com/', comments: null });
      const cleared = await c.patch(created.body.result.id, { comments: 'set' });
      expect(cleared.body.result.comments).toBe('set');
      expect((await c.patch(created.body.result.id, { comments: null })).body.result.comments).toBeNull();
    });

    for (const [name, body, pointer] of [
      ['a missing pattern', { comments: 'no pattern' }, '/pattern'],
      ['an empty pattern', { pattern: '' }, '/pattern'],
      ['a pattern over 1024 characters', { pattern: 'a'.repeat(1025) }, '/pattern'],
      ['a pattern that is no regular expression', { pattern: '(unclosed' }, '/pattern'],
      ['a pattern RE2 cannot run (lookahead)', { pattern: '^(?=https)' }, '/pattern'],
      ['comments over 1024 characters', { pattern: 'x', comments: 'c'.repeat(1025) }, '/comments'],
      ['a number for pattern', { pattern: 42 }, '/pattern'],
    ] as const) {
      it(`refuses ${name} with 400/1001 at ${pointer}`, async () => {
        const c = api();
        expectError(await c.create(body), 400, 1001, [pointer]);
        expect(await c.total()).toBe(0);
      });
    }

    it('refuses an invalid pattern in a PATCH and keeps the record', async () => {
      const c = api();
      const [record] = await seed(c, [{ pattern: 'ok' }]);
      expectError(await c.patch(record.id, { pattern: '(?<=x)y' }), 400, 1001, ['/pattern']);
      expect((await c.get(record.id)).body.result).toEqual(record);
    });

    it('has no batch route', async () => {
      const response = await api().batch({ deletes: [] });
      expect(response.status).toBe(405);
    });
  });

  describe('domains', () => {
    it('keep int32 ids, and carry modified_at like every record in uuid mode', async () => {
      const c = client(server.origin, 'domains');
      const created = await c.create(domains.creates[0]);
      expectSuccess(created, 201);
      const record = created.body.result;
      expect(Object.keys(record).sort()).toEqual([...domains.keys, 'modified_at'].sort());
      expect(Number.isInteger(record.id)).toBe(true);
      expect(record.modified_at).toBe(record.last_modified);
      expect((await c.get(record.id)).body.result).toEqual(record);
      const byUuid = await c.get(MISSING_UUID);
      expect(byUuid.status).toBe(400);
      expect(byUuid.body.errors.map((e: any) => e.code)).toEqual([7003, 7000]);
      const edited = await c.patch(record.id, { lookback_hops: 4 });
      expect(edited.body.result.modified_at).toBe(edited.body.result.last_modified);
      expect(edited.body.result.modified_at).not.toBe(record.modified_at);
    });
  });
});

/** A store of the test's dialect that outlives the servers started over it, one after another. */
async function sharedStore(): Promise<{ url: string; remove(): Promise<void> }> {
  if (TEST_DIALECT === 'postgres') {
    const database = await createTestDatabase();
    return { url: database.url, remove: () => database.drop() };
  }
  const directory = temporaryDirectory();
  return { url: `sqlite:${join(directory.path, 'mailwarden.db')}`, remove: () => Promise.resolve(directory.remove()) };
}

/** Every record of one account in each collection, in list order. */
async function everything(origin: string, account: string): Promise<Record<string, Values[]>> {
  const out: Record<string, Values[]> = {};
  for (const fx of FIXTURES) out[fx.name] = await client(origin, fx.name, account).all();
  return out;
}

describe('one store served in integer mode, then uuid mode, then integer mode again', () => {
  it('serves the same records, whose ids never change', async () => {
    const store = await sharedStore();
    const account = newAccount();
    try {
      const integer = await startServer({ databaseUrl: store.url, apiIds: 'integer' });
      for (const fx of FIXTURES) await seed(client(integer.origin, fx.name, account), fx.creates.slice(0, 2));
      const before = await everything(integer.origin, account);
      await integer.close();

      const uuid = await startServer({ databaseUrl: store.url, apiIds: 'uuid' });
      const asUuid = await everything(uuid.origin, account);
      for (const fx of FIXTURES) {
        const uuidIds = UUID_COLLECTIONS.includes(fx);
        expect(asUuid[fx.name]).toHaveLength(before[fx.name].length);
        asUuid[fx.name].forEach((record, index) => {
          const original = before[fx.name][index];
          if (uuidIds) {
            expect(record.id).toMatch(UUID_V4);
            expect(record.modified_at).toBe(original.last_modified);
            // The same fields and timestamps; only `id` (and `modified_at` where integer mode had none) differ.
            expect({ ...record, id: original.id, modified_at: original.modified_at }).toEqual({
              ...original,
              modified_at: original.modified_at,
            });
          } else {
            expect(record).toEqual({ ...original, modified_at: original.last_modified });
          }
        });
      }
      // A record created and one changed in uuid mode.
      const policies = client(uuid.origin, allowPolicies.name, account);
      const [added] = await seed(policies, [allowPolicies.creates[2]]);
      expectSuccess(await policies.patch(asUuid.allow_policies[0].id as string, { comments: 'changed in uuid mode' }), 200);
      const afterUuid = await everything(uuid.origin, account);
      await uuid.close();

      const integerAgain = await startServer({ databaseUrl: store.url, apiIds: 'integer' });
      const again = await everything(integerAgain.origin, account);
      for (const fx of FIXTURES) {
        expect(again[fx.name].slice(0, 2).map((record) => record.id)).toEqual(before[fx.name].map((record) => record.id));
      }
      expect(again.allow_policies).toHaveLength(3);
      expect(again.allow_policies[0].comments).toBe('changed in uuid mode');
      expect(again.allow_policies[2].pattern).toBe(added.pattern);
      expect(again.allow_policies[2].id).toBeGreaterThan(before.allow_policies[1].id as number);
      await integerAgain.close();

      const uuidAgain = await startServer({ databaseUrl: store.url, apiIds: 'uuid' });
      expect(await everything(uuidAgain.origin, account)).toEqual(afterUuid);
      const addedAgain = await client(uuidAgain.origin, allowPolicies.name, account).get(added.id);
      expect(addedAgain.body.result).toEqual(afterUuid.allow_policies[2]);
      await uuidAgain.close();
    } finally {
      await store.remove();
    }
  });
});

/**
 * The store at `url` as it was before migration 0008: no uuid column, neither 0008 nor 0009 applied;
 * then `more` writes to it as a store of that time (opening it again would migrate it).
 */
async function backBeforeUuids(url: string, more?: (db: Executor) => Promise<void>): Promise<void> {
  const database = await openDatabase(url);
  await sql`drop table url_ignore_patterns`.execute(database.db);
  await sql`drop table if exists url_ignore_patterns_search`.execute(database.db);
  await sql`delete from kysely_migration where name = '0009-url-ignore-patterns'`.execute(database.db);
  for (const fx of UUID_COLLECTIONS) {
    await sql`drop index ${sql.ref(`${fx.name}_uuid_idx`)}`.execute(database.db);
    await sql`alter table ${sql.table(fx.name)} drop column uuid`.execute(database.db);
  }
  await sql`delete from kysely_migration where name = '0008-record-uuids'`.execute(database.db);
  await more?.(database.db);
  await database.close();
}

describe('migration 0008 on a store whose records predate uuids', () => {
  it('gives every existing record a distinct version 4 uuid, served in uuid mode', async () => {
    const store = await sharedStore();
    const account = newAccount();
    try {
      const integer = await startServer({ databaseUrl: store.url });
      for (const fx of UUID_COLLECTIONS) await seed(client(integer.origin, fx.name, account), fx.creates.slice(0, 3));
      const before = await everything(integer.origin, account);
      await integer.close();
      await backBeforeUuids(store.url);

      const uuid = await startServer({ databaseUrl: store.url, apiIds: 'uuid' });
      const after = await everything(uuid.origin, account);
      const seen = new Set<unknown>();
      for (const fx of UUID_COLLECTIONS) {
        expect(after[fx.name]).toHaveLength(3);
        after[fx.name].forEach((record, index) => {
          expect(record.id).toMatch(UUID_V4);
          seen.add(record.id);
          expect(withoutMeta(record)).toEqual(withoutMeta(before[fx.name][index]));
          expect(record.last_modified).toBe(before[fx.name][index].last_modified);
        });
        const c = client(uuid.origin, fx.name, account);
        expect((await c.get(after[fx.name][1].id as string)).body.result).toEqual(after[fx.name][1]);
      }
      expect(seen.size).toBe(UUID_COLLECTIONS.length * 3);
      await uuid.close();
    } finally {
      await store.remove();
    }
  });

  it('completes on a large table even when it takes longer than the query timeout of requests', async () => {
    const store = await sharedStore();
    const rows = 40_000;
    try {
      const integer = await startServer({ databaseUrl: store.url });
      await integer.close();
      const account = newAccount();
      const now = new Date().toISOString();
      const all = Array.from({ length: rows }, (_, i) => ({
        account_id: account,
        created_at: now,
        last_modified: now,
        comments: `note ${i}`,
        is_regex: 0,
        pattern: `sender${i}@example.com`,
        pattern_type: 'EMAIL',
      }));
      await backBeforeUuids(store.url, async (db) => {
        for (let start = 0; start < rows; start += 1000) {
          await db
            .insertInto('block_senders')
            .values(all.slice(start, start + 1000))
            .execute();
        }
        await sql`insert into resource_counts (account_id, resource, count) values (${account}, 'block_senders', ${rows})`.execute(db);
      });

      // 100 ms is the shortest MAILWARDEN_DB_QUERY_TIMEOUT_MS; filling 40,000 rows takes longer than that.
      const uuid = await startServer({ databaseUrl: store.url, apiIds: 'uuid', dbQueryTimeoutMs: 100 });
      const page = await client(uuid.origin, 'block_senders', account).list({ per_page: 1000, page: 40 });
      expect(page.body.result_info.total_count).toBe(rows);
      for (const record of page.body.result) expect(record.id).toMatch(UUID_V4);
      await uuid.close();
      const check = await openDatabase(store.url);
      const counted = await sql<{ total: number; distinct_uuids: number }>`
        select count(*) as total, count(distinct uuid) as distinct_uuids from block_senders`.execute(check.db);
      await check.close();
      expect(Number(counted.rows[0].total)).toBe(rows);
      expect(Number(counted.rows[0].distinct_uuids)).toBe(rows);
    } finally {
      await store.remove();
    }
  });
});

describe('url_ignore_patterns in integer mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('is not served: 404 [7000], as before uuids existed', async () => {
    const c = client(server.origin, 'url_ignore_patterns');
    for (const response of [await c.list(), await c.create({ pattern: 'x' }), await c.get(MISSING_UUID)]) {
      expect(response.status).toBe(404);
      expect(response.body.errors.map((e: any) => e.code)).toEqual([7000]);
    }
  });
});

describe('admin snapshots in uuid mode', () => {
  it('restore records with their uuids, and give new ones to rows of a snapshot taken before uuids', async () => {
    const store = await sharedStore();
    const account = newAccount();
    try {
      const server = await startServer({ databaseUrl: store.url, apiIds: 'uuid', adminApi: true });
      const policies = client(server.origin, allowPolicies.name, account);
      const patterns = client(server.origin, 'url_ignore_patterns', account);
      const records = await seed(policies, allowPolicies.creates.slice(0, 2));
      const [pattern] = await seed(patterns, [{ pattern: '^https://keep\\.example\\.com/' }]);
      expect((await request(server.origin, 'POST', '/_mailwarden/snapshots', { body: { name: 'with-uuids' } })).status).toBe(201);
      await policies.remove(records[0].id);
      await patterns.remove(pattern.id);
      expectSuccess(await request(server.origin, 'POST', '/_mailwarden/snapshots/with-uuids/restore'), 200);
      expect(await policies.all()).toEqual(records);
      expect(await patterns.all()).toEqual([pattern]);

      // The same snapshot as one saved before migration 0008 would hold it: rows without a uuid.
      const database = await openDatabase(store.url);
      const saved = await sql<{ payload: string }>`select payload from snapshots where name = 'with-uuids'`.execute(database.db);
      const payload = JSON.parse(saved.rows[0].payload);
      for (const rows of Object.values<Values[]>(payload.tables)) for (const row of rows) delete row.uuid;
      delete payload.tables.url_ignore_patterns;
      await sql`update snapshots set payload = ${JSON.stringify(payload)} where name = 'with-uuids'`.execute(database.db);
      await database.close();
      expectSuccess(await request(server.origin, 'POST', '/_mailwarden/snapshots/with-uuids/restore'), 200);
      const restored = await policies.all();
      expect(restored.map(withoutMeta)).toEqual(records.map(withoutMeta));
      for (const record of restored) expect(record.id).toMatch(UUID_V4);
      expect(new Set(restored.map((record) => record.id)).size).toBe(2);
      expect((await policies.get(restored[1].id as string)).body.result).toEqual(restored[1]);
      expect(await patterns.all()).toEqual([]);
      await server.close();
    } finally {
      await store.remove();
    }
  });
});
