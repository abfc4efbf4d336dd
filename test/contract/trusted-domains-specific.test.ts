/** Trusted domains: bulk create as an array or as the SDK's {"body": [...]}, atomic. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { client, expectError, expectSuccess, expectTimestamp, ids, seed, type Values } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const api = () => client(server.origin, 'trusted_domains');

const KEYS = ['comments', 'created_at', 'id', 'is_recent', 'is_regex', 'is_similarity', 'last_modified', 'pattern'];
const one = (pattern: string, extra: Values = {}): Values => ({
  is_recent: true,
  is_regex: false,
  is_similarity: false,
  pattern,
  ...extra,
});
const three = [
  one('a.example.com', { comments: 'first' }),
  one('b.example.com'),
  one('.*\\.c\\.example\\.com', { is_regex: true, is_similarity: true }),
];

function expectCreatedInOrder(result: any[], bodies: Values[]) {
  expect(Array.isArray(result)).toBe(true);
  expect(result).toHaveLength(bodies.length);
  result.forEach((record, index) => {
    expect(Object.keys(record).sort()).toEqual(KEYS);
    expectTimestamp(record.created_at);
    expect(record.last_modified).toBe(record.created_at);
    expect(record.comments).toBe(bodies[index].comments ?? null);
    for (const [key, value] of Object.entries(bodies[index])) expect(record[key], key).toEqual(value);
    if (index > 0) expect(record.id).toBeGreaterThan(result[index - 1].id);
  });
}

describe('trusted domains: create shapes', () => {
  it('answers a single object with a single object', async () => {
    const response = await api().create(three[0]);
    expectSuccess(response, 201);
    expect(Array.isArray(response.body.result)).toBe(false);
    expect(response.body.result.pattern).toBe('a.example.com');
  });

  it('creates a JSON array in bulk: 201, an array of records in request order', async () => {
    const c = api();
    const response = await c.create(three);
    expectSuccess(response, 201);
    expectCreatedInOrder(response.body.result, three);
    expect(await c.all()).toEqual(response.body.result);
  });

  it('creates the SDK form {"body": [...]} in bulk: 201, an array', async () => {
    const c = api();
    const response = await c.create({ body: three });
    expectSuccess(response, 201);
    expectCreatedInOrder(response.body.result, three);
    expect(ids(await c.all())).toEqual(ids(response.body.result));
  });

  it('answers [] with 201 and []', async () => {
    const c = api();
    const response = await c.create([]);
    expectSuccess(response, 201);
    expect(response.body.result).toEqual([]);
    expect(await c.total()).toBe(0);
  });

  it('answers {"body": []} with 201 and []', async () => {
    const c = api();
    const response = await c.create({ body: [] });
    expectSuccess(response, 201);
    expect(response.body.result).toEqual([]);
    expect(await c.total()).toBe(0);
  });

  it('ignores client ids and unknown properties in bulk items', async () => {
    const c = api();
    const response = await c.create([{ ...three[0], id: 777777, extra: true }, three[1]]);
    expectSuccess(response, 201);
    expect(response.body.result[0].id).not.toBe(777777);
    expect(Object.keys(response.body.result[0]).sort()).toEqual(KEYS);
  });
});

describe('trusted domains: bulk create is atomic', () => {
  it('rejects an array with an invalid second item at /1/pattern and creates nothing', async () => {
    const c = api();
    const response = await c.create([three[0], one('not a domain'), three[2]]);
    expectError(response, 400, 1001, ['/1/pattern']);
    expect(await c.total()).toBe(0);
  });

  it('rejects the SDK form with an invalid second item at /body/1/pattern and creates nothing', async () => {
    const c = api();
    const response = await c.create({ body: [three[0], one('not a domain')] });
    expectError(response, 400, 1001, ['/body/1/pattern']);
    expect(await c.total()).toBe(0);
  });

  it('names a missing field of an array item (/2/is_recent)', async () => {
    const c = api();
    const { is_recent: _omitted, ...missing } = three[2];
    const response = await c.create([three[0], three[1], missing]);
    expectError(response, 400, 1001, ['/2/is_recent']);
    expect(await c.total()).toBe(0);
  });

  it('names a wrongly typed field of an SDK-form item (/body/0/is_similarity)', async () => {
    const c = api();
    const response = await c.create({ body: [{ ...three[0], is_similarity: 'false' }, three[1]] });
    expectError(response, 400, 1001, ['/body/0/is_similarity']);
    expect(await c.total()).toBe(0);
  });

  it('rejects an RE2-incompatible regex in a bulk item with a message mentioning RE2', async () => {
    const c = api();
    const response = await c.create([three[0], one('(?=x)', { is_regex: true })]);
    expectError(response, 400, 1001, ['/1/pattern']);
    expect(response.body.errors[0].message).toMatch(/RE2/);
    expect(await c.total()).toBe(0);
  });

  it('rejects an array item that is not an object', async () => {
    const c = api();
    const response = await c.create([three[0], 'b.example.com']);
    expectError(response, 400, 1001);
    expect(await c.total()).toBe(0);
  });

  it('does not treat {"body": [...], other} as the bulk form (only key must be "body")', async () => {
    const c = api();
    const response = await c.create({ body: three, note: 'x' });
    expect(response.status).toBe(400);
    expect(await c.total()).toBe(0);
  });
});

describe('trusted domains: PATCH specifics', () => {
  it('stores an empty string for comments sent as ""', async () => {
    const c = api();
    const [record] = await seed(c, [three[0]]);
    const response = await c.patch(record.id, { comments: '' });
    expectSuccess(response, 200);
    expect(response.body.result.comments).toBe('');
    expect((await c.get(record.id)).body.result.comments).toBe('');
  });

  it('rejects comments null with 400 at /comments and keeps the comment', async () => {
    const c = api();
    const [record] = await seed(c, [three[0]]);
    expectError(await c.patch(record.id, { comments: null }), 400, 1001, ['/comments']);
    expect((await c.get(record.id)).body.result.comments).toBe('first');
  });

  it('rejects null in a batch patch too (400 at /patches/0/is_recent), applying nothing', async () => {
    const c = api();
    const [record, other] = await seed(c, [three[0], three[1]]);
    const response = await c.batch({ deletes: [{ id: other.id }], patches: [{ id: record.id, is_recent: null }], puts: [], posts: [] });
    expectError(response, 400, 1001, ['/patches/0/is_recent']);
    expect(await c.all()).toEqual([record, other]);
  });
});
