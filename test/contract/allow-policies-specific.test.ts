/** Allow policies: the deprecated aliases (is_sender, is_recipient, is_spoof) in bodies, responses, batch and list filters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { client, expectError, expectSuccess, ids, omit, seed, withoutMeta, type Values } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const api = () => client(server.origin, 'allow_policies');

const base: Values = {
  is_regex: false,
  pattern: 'sender@example.com',
  pattern_type: 'EMAIL',
  verify_sender: true,
};
const flags = (trusted: boolean, exempt: boolean, acceptable: boolean): Values => ({
  is_trusted_sender: trusted,
  is_exempt_recipient: exempt,
  is_acceptable_sender: acceptable,
});
const aliases = (sender: boolean, recipient: boolean, spoof: boolean): Values => ({
  is_sender: sender,
  is_recipient: recipient,
  is_spoof: spoof,
});
/** The six flag fields a record must show: new and deprecated names mirrored. */
const shown = (trusted: boolean, exempt: boolean, acceptable: boolean) => ({
  ...flags(trusted, exempt, acceptable),
  ...aliases(trusted, exempt, acceptable),
});

describe('allow policies: deprecated aliases in create', () => {
  it('accepts the deprecated names alone, stores them as the new fields and emits both', async () => {
    const c = api();
    const response = await c.create({ ...base, ...aliases(true, false, true) });
    expectSuccess(response, 201);
    expect(response.body.result).toMatchObject(shown(true, false, true));
    expect((await c.get(response.body.result.id)).body.result).toMatchObject(shown(true, false, true));
  });

  it('mirrors the new fields into the deprecated names when only the new names are sent', async () => {
    const response = await api().create({ ...base, ...flags(false, true, false) });
    expectSuccess(response, 201);
    expect(response.body.result).toMatchObject(shown(false, true, false));
  });

  it.each([
    ['is_trusted_sender', 'is_sender'],
    ['is_exempt_recipient', 'is_recipient'],
    ['is_acceptable_sender', 'is_spoof'],
  ])('lets the new name %s win over a contradicting %s', async (current, alias) => {
    const response = await api().create({ ...base, ...flags(false, false, false), [current]: true, [alias]: false });
    expectSuccess(response, 201);
    expect(response.body.result[current]).toBe(true);
    expect(response.body.result[alias]).toBe(true);
    const reversed = await api().create({ ...base, ...flags(true, true, true), [current]: false, [alias]: true });
    expect(reversed.body.result[current]).toBe(false);
    expect(reversed.body.result[alias]).toBe(false);
  });

  it('mixes new and deprecated names across the three pairs', async () => {
    const response = await api().create({ ...base, is_sender: true, is_exempt_recipient: true, is_spoof: false });
    expectSuccess(response, 201);
    expect(response.body.result).toMatchObject(shown(true, true, false));
  });

  it('reports a pair missing under both names on the new name', async () => {
    const c = api();
    const response = await c.create({ ...base, is_sender: true, is_recipient: false });
    expectError(response, 400, 1001, ['/is_acceptable_sender']);
    expect(await c.total()).toBe(0);
  });

  it('rejects a string for a deprecated name', async () => {
    const c = api();
    expectError(await c.create({ ...base, ...flags(true, false, false), is_spoof: 'true' }), 400, 1001, ['/is_spoof']);
    expect(await c.total()).toBe(0);
  });
});

describe('allow policies: deprecated aliases in PATCH', () => {
  async function created() {
    const c = api();
    const [record] = await seed(c, [{ ...base, ...flags(true, false, false), comments: 'c' }]);
    return { c, record };
  }

  it('applies a deprecated name when the new one is absent', async () => {
    const { c, record } = await created();
    const response = await c.patch(record.id, { is_sender: false, is_spoof: true });
    expectSuccess(response, 200);
    expect(response.body.result).toMatchObject(shown(false, false, true));
    expect((await c.get(record.id)).body.result).toMatchObject(shown(false, false, true));
  });

  it('lets the new name win when both are given', async () => {
    const { c, record } = await created();
    const response = await c.patch(record.id, {
      is_trusted_sender: true,
      is_sender: false,
      is_exempt_recipient: false,
      is_recipient: true,
    });
    expectSuccess(response, 200);
    expect(response.body.result).toMatchObject(shown(true, false, false));
  });

  it('uses the deprecated name when the new one is null', async () => {
    const { c, record } = await created();
    const response = await c.patch(record.id, { is_trusted_sender: null, is_sender: false });
    expectSuccess(response, 200);
    expect(response.body.result).toMatchObject(shown(false, false, false));
  });

  it('leaves the flag unchanged when the deprecated name is null', async () => {
    const { c, record } = await created();
    const response = await c.patch(record.id, { is_sender: null, is_recipient: null, is_spoof: null });
    expectSuccess(response, 200);
    expect(withoutMeta(response.body.result)).toEqual(withoutMeta(record));
  });

  it('keeps emitting both names after a PATCH of an unrelated field', async () => {
    const { c, record } = await created();
    const response = await c.patch(record.id, { comments: 'x' });
    expect(response.body.result).toMatchObject(shown(true, false, false));
  });
});

describe('allow policies: deprecated aliases in batch', () => {
  it('maps aliases in posts, patches and puts; a put without aliases recomputes them from the new fields', async () => {
    const c = api();
    const [p, q] = await seed(c, [
      { ...base, ...flags(true, true, true), comments: 'p' },
      { ...base, ...flags(false, false, false), comments: 'q' },
    ]);
    const response = await c.batch({
      deletes: [],
      patches: [{ id: p.id, is_sender: false, is_recipient: false }],
      puts: [{ id: q.id, ...base, ...aliases(true, false, true) }],
      posts: [
        { ...base, ...aliases(false, true, false) },
        { ...base, ...flags(true, false, false), is_sender: false },
      ],
    });
    expectSuccess(response, 200);
    const { patches, puts, posts } = response.body.result;
    expect(patches[0]).toMatchObject(shown(false, false, true));
    expect(puts[0]).toMatchObject(shown(true, false, true));
    expect(puts[0].comments).toBeNull();
    expect(posts[0]).toMatchObject(shown(false, true, false));
    expect(posts[1]).toMatchObject(shown(true, false, false));
    const listed = await c.all();
    expect(listed.find((r: any) => r.id === q.id)).toMatchObject(shown(true, false, true));
  });

  it('rejects a put with neither name of a pair (400 at /puts/0/is_trusted_sender) and applies nothing', async () => {
    const c = api();
    const [p] = await seed(c, [{ ...base, ...flags(true, false, false) }]);
    const response = await c.batch({
      deletes: [],
      patches: [],
      puts: [{ id: p.id, ...base, is_exempt_recipient: false, is_acceptable_sender: false }],
      posts: [{ ...base, ...flags(false, false, false) }],
    });
    expectError(response, 400, 1001, ['/puts/0/is_trusted_sender']);
    expect(await c.all()).toEqual([p]);
  });

  it('rejects pattern_type null in a batch patch (400 at /patches/0/pattern_type)', async () => {
    const c = api();
    const [p] = await seed(c, [{ ...base, ...flags(true, false, false) }]);
    const response = await c.batch({ deletes: [], patches: [{ id: p.id, pattern_type: null }], puts: [], posts: [] });
    expectError(response, 400, 1001, ['/patches/0/pattern_type']);
    expect(await c.all()).toEqual([p]);
  });

  it('treats null as unchanged for non-nullable fields and clears comments in a batch patch', async () => {
    const c = api();
    const [p] = await seed(c, [{ ...base, ...flags(true, false, false), comments: 'keep?' }]);
    const response = await c.batch({
      deletes: [],
      patches: [{ id: p.id, comments: null, pattern: null, is_trusted_sender: null, verify_sender: null }],
      puts: [],
      posts: [],
    });
    expectSuccess(response, 200);
    expect(withoutMeta(response.body.result.patches[0])).toEqual({ ...withoutMeta(p), comments: null });
  });
});

describe('allow policies: deprecated list filters', () => {
  // 0: trusted; 1: exempt; 2: acceptable; 3: trusted + acceptable; 4: nothing
  const bodies = [
    { ...base, pattern: 'a@example.com', ...flags(true, false, false) },
    { ...base, pattern: 'b@example.com', ...flags(false, true, false) },
    { ...base, pattern: 'c@example.com', ...flags(false, false, true) },
    { ...base, pattern: 'd@example.com', ...flags(true, false, true) },
    { ...base, pattern: 'e@example.com', ...flags(false, false, false) },
  ];

  it.each([
    ['is_sender=true', { is_sender: 'true' }, [0, 3]],
    ['is_sender=false', { is_sender: 'false' }, [1, 2, 4]],
    ['is_recipient=true', { is_recipient: 'true' }, [1]],
    ['is_spoof=true', { is_spoof: 'true' }, [2, 3]],
    ['is_spoof=false', { is_spoof: 'false' }, [0, 1, 4]],
    ['is_sender=true & is_trusted_sender=true (agreeing)', { is_sender: 'true', is_trusted_sender: 'true' }, [0, 3]],
    ['is_sender=true & is_trusted_sender=false (contradiction → empty)', { is_sender: 'true', is_trusted_sender: 'false' }, []],
    ['is_recipient=false & is_exempt_recipient=true (contradiction → empty)', { is_recipient: 'false', is_exempt_recipient: 'true' }, []],
    ['is_spoof=true & is_acceptable_sender=false (contradiction → empty)', { is_spoof: 'true', is_acceptable_sender: 'false' }, []],
    ['is_sender=true & is_spoof=true', { is_sender: 'true', is_spoof: 'true' }, [3]],
    ['is_spoof=true & search', { is_spoof: 'true', search: 'D@EXAMPLE' }, [3]],
  ] as const)('%s', async (_name, query, expected) => {
    const c = api();
    const records = await seed(c, bodies);
    const response = await c.list(query);
    expectSuccess(response, 200, { list: true });
    const wanted = expected.map((i) => records[i].id);
    expect(ids(response.body.result)).toEqual(wanted);
    expect(response.body.result_info.total_count).toBe(wanted.length);
  });

  it('filters on the same stored field under either name after a PATCH through the alias', async () => {
    const c = api();
    const [record] = await seed(c, [bodies[4]]);
    await c.patch(record.id, { is_spoof: true });
    expect(ids((await c.list({ is_acceptable_sender: 'true' })).body.result)).toEqual([record.id]);
    expect(ids((await c.list({ is_spoof: 'true' })).body.result)).toEqual([record.id]);
  });

  it('emits both names on every listed record', async () => {
    const c = api();
    await seed(c, bodies);
    for (const record of await c.all()) {
      expect(record.is_sender).toBe(record.is_trusted_sender);
      expect(record.is_recipient).toBe(record.is_exempt_recipient);
      expect(record.is_spoof).toBe(record.is_acceptable_sender);
    }
  });

  it('still requires verify_sender and is_regex (no aliases for those)', async () => {
    const c = api();
    expectError(await c.create({ ...omit(base, 'verify_sender'), ...aliases(true, false, false) }), 400, 1001, ['/verify_sender']);
  });
});
