/**
 * The current `cloudflare` SDK (the `cloudflare-current` alias, pinned) against a server in uuid mode:
 * every email-security settings resource and operation that SDK has, each answer checked field by field
 * against the types the SDK declares in its `.d.ts` files (declared-types.ts), not only that calls succeed.
 * What mailwarden does not serve of that SDK (content policies; domains' update and batch) is asserted as
 * such, so it shows here until it is served.
 */
import Cloudflare from 'cloudflare-current';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';
import { freshAccount } from '../sdk/sdk-helpers.js';
import { declaredFields, declaredMethods, declaredTypeProblems, SDK_VERSION } from './declared-types.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MISSING_UUID = '00000000-0000-4000-8000-000000000000';

let server: TestServer;
let client: Cloudflare;
beforeAll(async () => {
  server = await startServer({ apiIds: 'uuid' });
  client = new Cloudflare({ apiToken: TEST_TOKEN, baseURL: `${server.origin}/client/v4`, maxRetries: 0 });
});
afterAll(() => server.close());

/** `value` is exactly what the SDK declares as `name` in `file`. */
function expectDeclared(file: string, name: string, value: unknown): void {
  expect(declaredTypeProblems(file, name, value), `${name}: ${JSON.stringify(value)}`).toEqual([]);
}

async function thrown(action: () => Promise<unknown>): Promise<any> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the SDK call to throw');
}

function expectSdkError(error: any, status: number, ErrorClass: any, codes: number[]): void {
  expect(error).toBeInstanceOf(ErrorClass);
  expect(error.status).toBe(status);
  expect(error.errors.map((e: any) => e.code)).toEqual(codes);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

it(`drives cloudflare ${SDK_VERSION}, the version package.json pins`, () => {
  expect(SDK_VERSION).toMatch(/^7\.\d+\.\d+$/);
});

it('covers every settings resource of the SDK', () => {
  const resources = Object.keys(client.emailSecurity.settings).filter((key) => !key.startsWith('_'));
  expect(resources.sort()).toEqual(
    [
      'allowPolicies',
      'blockSenders',
      'contentPolicies',
      'domains',
      'impersonationRegistry',
      'sendingDomainRestrictions',
      'trustedDomains',
      'urlIgnorePatterns',
    ].sort(),
  );
});

interface Case {
  /** The SDK's file under resources/email-security/settings/ and its type-name prefix. */
  file: string;
  prefix: string;
  resource(): any;
  methods: string[];
  create(i: number): Record<string, unknown>;
  edit: Record<string, unknown>;
  /** A list query the SDK declares, and which of the created records (by `create` index) it finds. */
  listQuery: { query: Record<string, unknown>; expected: number[] };
  /** `batch`: a body item for `puts` (full record) when the SDK has batch. */
  put?: Record<string, unknown>;
}

const sender = (i: number) => `sender${i}@example.com`;

const CASES: Case[] = [
  {
    file: 'allow-policies',
    prefix: 'AllowPolicy',
    resource: () => client.emailSecurity.settings.allowPolicies,
    methods: ['create', 'list', 'delete', 'batch', 'edit', 'get'],
    create: (i) => ({
      is_acceptable_sender: false,
      is_exempt_recipient: i % 2 === 1,
      is_regex: false,
      is_trusted_sender: true,
      pattern: sender(i),
      pattern_type: 'EMAIL',
      verify_sender: i % 2 === 0,
      comments: `policy ${i}`,
    }),
    edit: { is_acceptable_sender: true, is_trusted_sender: false, comments: 'edited', pattern: 'other@example.org' },
    listQuery: { query: { verify_sender: true, search: 'policy' }, expected: [0, 2, 4] },
    put: {
      is_acceptable_sender: true,
      is_exempt_recipient: false,
      is_regex: false,
      is_trusted_sender: false,
      pattern: 'put.example.net',
      pattern_type: 'DOMAIN',
      verify_sender: false,
    },
  },
  {
    file: 'block-senders',
    prefix: 'BlockSender',
    resource: () => client.emailSecurity.settings.blockSenders,
    methods: ['create', 'list', 'delete', 'batch', 'edit', 'get'],
    create: (i) => ({ is_regex: false, pattern: sender(i), pattern_type: 'EMAIL', comments: i % 2 ? null : `blocked ${i}` }),
    edit: { comments: 'edited', pattern: 'blocked.example.org', pattern_type: 'DOMAIN' },
    listQuery: { query: { search: 'blocked' }, expected: [0, 2, 4] },
    put: { is_regex: true, pattern: '.*@put\\.example\\.net', pattern_type: 'EMAIL' },
  },
  {
    file: 'trusted-domains',
    prefix: 'TrustedDomain',
    resource: () => client.emailSecurity.settings.trustedDomains,
    methods: ['create', 'list', 'delete', 'batch', 'edit', 'get'],
    create: (i) => ({ is_recent: i % 2 === 0, is_regex: false, is_similarity: false, pattern: `trusted${i}.example.com` }),
    edit: { is_similarity: true, comments: 'edited' },
    listQuery: { query: { is_recent: true }, expected: [0, 2, 4] },
    put: { is_recent: false, is_regex: false, is_similarity: true, pattern: 'put.example.net', comments: 'put' },
  },
  {
    file: 'impersonation-registry',
    prefix: 'ImpersonationRegistry',
    resource: () => client.emailSecurity.settings.impersonationRegistry,
    methods: ['create', 'list', 'delete', 'edit', 'get'],
    create: (i) => ({ email: `ceo${i}@example.com`, is_email_regex: false, name: `Executive ${i}` }),
    edit: { name: 'Edited Name', email: 'edited@example.com' },
    listQuery: { query: { search: 'executive 3' }, expected: [3] },
  },
  {
    file: 'sending-domain-restrictions',
    prefix: 'SendingDomainRestriction',
    resource: () => client.emailSecurity.settings.sendingDomainRestrictions,
    methods: ['create', 'list', 'delete', 'edit', 'get'],
    create: (i) => ({ domain: `restricted${i}.example.com`, exclude: [`mail.restricted${i}.example.com`], comments: `restriction ${i}` }),
    edit: { comments: 'edited', exclude: [] },
    listQuery: { query: { search: 'restricted1.' }, expected: [1] },
  },
  {
    file: 'url-ignore-patterns',
    prefix: 'URLIgnorePattern',
    resource: () => client.emailSecurity.settings.urlIgnorePatterns,
    methods: ['create', 'list', 'delete', 'edit', 'get'],
    create: (i) => ({ pattern: `^https://link${i}\\.example\\.com/`, comments: i === 1 ? 'newsletter links' : null }),
    edit: { pattern: '^https://edited\\.example\\.com/', comments: 'edited' },
    listQuery: { query: { search: 'newsletter' }, expected: [1] },
  },
];

describe.each(CASES.map((c) => [c.file, c] as const))('%s', (_file, c) => {
  const type = (operation: string) => `${c.prefix}${operation}Response`;
  const account = () => ({ account_id: freshAccount() });

  it('has exactly the operations driven here', () => {
    expect(declaredMethods(c.file).sort()).toEqual([...c.methods].sort());
  });

  it('create → get → edit → get → delete → get, every answer of the declared type', async () => {
    const params = account();
    const created = await c.resource().create({ ...params, ...c.create(0) });
    expectDeclared(c.file, type('Create'), created);
    expect(created.id).toMatch(UUID_V4);
    expect(created.modified_at).toBe(created.last_modified);
    // Every field the SDK declares for the record comes back (optional or not).
    expect(Object.keys(created).sort()).toEqual(declaredFields(c.file, type('Get')).sort());

    const got = await c.resource().get(created.id, params);
    expectDeclared(c.file, type('Get'), got);
    expect(got).toEqual(created);

    const edited = await c.resource().edit(created.id, { ...params, ...c.edit });
    expectDeclared(c.file, type('Edit'), edited);
    expect(edited).toMatchObject({ ...c.edit, id: created.id });
    expect(edited.modified_at).toBe(edited.last_modified);
    expect(await c.resource().get(created.id, params)).toEqual(edited);

    const deleted = await c.resource().delete(created.id, params);
    expectDeclared(c.file, type('Delete'), deleted);
    expect(deleted).toEqual({ id: created.id });
    expectSdkError(await thrown(() => c.resource().get(created.id, params)), 404, Cloudflare.NotFoundError, [1002]);
  });

  it('lists across pages with the SDK iterator and its declared filters', async () => {
    const params = account();
    const created: any[] = [];
    for (let i = 0; i < 5; i++) created.push(await c.resource().create({ ...params, ...c.create(i) }));
    const listed = await collect(c.resource().list({ ...params, per_page: 2 }));
    for (const record of listed) expectDeclared(c.file, type('List'), record);
    expect(listed.map((record: any) => record.id)).toEqual(created.map((record) => record.id));
    const page = await c.resource().list({ ...params, per_page: 2, page: 3 });
    expect(page.result.map((record: any) => record.id)).toEqual([created[4].id]);
    const filtered = await collect(c.resource().list({ ...params, ...c.listQuery.query }));
    expect(filtered.map((record: any) => record.id)).toEqual(c.listQuery.expected.map((index) => created[index].id));
    const reversed = await collect(c.resource().list({ ...params, order: 'created_at', direction: 'desc' }));
    expect(reversed.map((record: any) => record.id)).toEqual(created.map((record) => record.id).reverse());
  });

  it('refuses an integer or malformed id as a BadRequestError 400 [7003, 7000], an unknown uuid as a NotFoundError', async () => {
    const params = account();
    const created = await c.resource().create({ ...params, ...c.create(0) });
    for (const id of ['1', 'not-a-uuid', `${created.id}0`]) {
      expectSdkError(await thrown(() => c.resource().get(id, params)), 400, Cloudflare.BadRequestError, [7003, 7000]);
      expectSdkError(await thrown(() => c.resource().edit(id, { ...params, ...c.edit })), 400, Cloudflare.BadRequestError, [7003, 7000]);
      expectSdkError(await thrown(() => c.resource().delete(id, params)), 400, Cloudflare.BadRequestError, [7003, 7000]);
    }
    expectSdkError(await thrown(() => c.resource().get(MISSING_UUID, params)), 404, Cloudflare.NotFoundError, [1002]);
    expect(await c.resource().get(created.id, params)).toEqual(created);
  });

  if (c.methods.includes('batch')) {
    it('batch: deletes, patches, puts and posts by uuid, the answer of the declared type', async () => {
      const params = account();
      const records: any[] = [];
      for (let i = 0; i < 3; i++) records.push(await c.resource().create({ ...params, ...c.create(i) }));
      // The SDK's declared batch items carry no `id` for patches and puts; the API needs it, so it is added.
      const result = await c.resource().batch({
        ...params,
        deletes: [{ id: records[2].id }],
        patches: [{ id: records[0].id, ...c.edit }],
        puts: [{ id: records[1].id, ...c.put }],
        posts: [c.create(3)],
      });
      expectDeclared(c.file, type('Batch'), result);
      expect(result.deletes).toEqual([{ id: records[2].id }]);
      expect(result.patches[0]).toMatchObject({ ...c.edit, id: records[0].id });
      expect(result.puts[0]).toMatchObject({ ...c.put, id: records[1].id });
      expect(result.posts[0].id).toMatch(UUID_V4);
      const listed = await collect(c.resource().list(params));
      expect(listed.map((record: any) => record.id)).toEqual([records[0].id, records[1].id, result.posts[0].id]);
    });

    it('batch: an integer id is a BadRequestError 400 and applies nothing', async () => {
      const params = account();
      const created = await c.resource().create({ ...params, ...c.create(0) });
      const error = await thrown(() =>
        c.resource().batch({ ...params, deletes: [{ id: created.id }, { id: 1 as unknown as string }], patches: [], puts: [], posts: [] }),
      );
      expectSdkError(error, 400, Cloudflare.BadRequestError, [1001]);
      expect(error.errors[0].source).toEqual({ pointer: '/deletes/1/id' });
      expect(await c.resource().get(created.id, params)).toEqual(created);
    });
  }
});

describe('domains (int32 ids here; the SDK declares string ids)', () => {
  const file = 'domains';
  const domains = () => client.emailSecurity.settings.domains;
  const body = (name: string) => ({
    domain: name,
    allowed_delivery_modes: ['DIRECT' as const],
    drop_dispositions: ['MALICIOUS' as const, 'SPOOF' as const],
    ip_restrictions: ['8.8.8.0/24'],
    regions: ['GLOBAL' as const],
    folder: 'Inbox' as const,
    lookback_hops: 2,
  });
  /** Every field but `id` is of the declared type, and `id` is a positive int32 number. */
  function expectDomain(name: string, record: any): void {
    const { id, ...rest } = record;
    expectDeclared(file, name, rest);
    expect(Number.isInteger(id) && id > 0 && id <= 2147483647, `id ${JSON.stringify(id)}`).toBe(true);
  }

  it('the SDK has create, update, list, delete, batch, bulkDelete, edit and get', () => {
    expect(declaredMethods(file).sort()).toEqual(['batch', 'bulkDelete', 'create', 'delete', 'edit', 'get', 'list', 'update'].sort());
  });

  it('create → get → edit → list → delete, every field but id of the declared type', async () => {
    const params = { account_id: freshAccount() };
    const created = await domains().create({ ...params, ...body('example.com') });
    expectDomain('DomainCreateResponse', created);
    expect(created.modified_at).toBe(created.last_modified);
    const id = String(created.id);
    const got = await domains().get(id, params);
    expectDomain('DomainGetResponse', got);
    expect(got).toEqual(created);
    const edited = await domains().edit(id, { ...params, lookback_hops: 3, regions: ['US', 'DE'] });
    expectDomain('DomainEditResponse', edited);
    expect(edited).toMatchObject({ lookback_hops: 3, regions: ['US', 'DE'] });
    const listed = await collect(domains().list({ ...params, per_page: 1 }));
    for (const record of listed) expectDomain('DomainListResponse', record);
    expect(listed).toEqual([edited]);
    const deleted = await domains().delete(id, params);
    expect(deleted).toEqual({ id: created.id });
    expectSdkError(await thrown(() => domains().get(id, params)), 404, Cloudflare.NotFoundError, [1002]);
  });

  it('a uuid as a domain id is a BadRequestError 400 [7003, 7000]', async () => {
    const params = { account_id: freshAccount() };
    expectSdkError(await thrown(() => domains().get(MISSING_UUID, params)), 400, Cloudflare.BadRequestError, [7003, 7000]);
  });

  it('not served: update (PUT) is a 405 and batch a 405 (the domain id route takes no POST)', async () => {
    const params = { account_id: freshAccount() };
    const created = await domains().create({ ...params, ...body('example.org') });
    const update = await thrown(() => domains().update(String(created.id), { ...params, ...body('example.org') }));
    expect(update).toBeInstanceOf(Cloudflare.APIError);
    expect(update.status).toBe(405);
    const batch = await thrown(() => domains().batch({ ...params, deletes: [], patches: [], puts: [], posts: [] }));
    expect(batch).toBeInstanceOf(Cloudflare.APIError);
    expect(batch.status).toBe(405);
  });

  it('bulkDelete, which the SDK sends without a body, is a BadRequestError 400 and deletes nothing', async () => {
    const params = { account_id: freshAccount() };
    const created = await domains().create({ ...params, ...body('example.net') });
    const error = await thrown(() => collect(domains().bulkDelete(params)));
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(await domains().get(String(created.id), params)).toEqual(created);
  });
});

describe('not served', () => {
  it('content policies answer 404 [7000]', async () => {
    const error = await thrown(() => client.emailSecurity.settings.contentPolicies.list({ account_id: freshAccount() }));
    expectSdkError(error, 404, Cloudflare.NotFoundError, [7000]);
  });
});
