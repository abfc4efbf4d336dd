/**
 * The four SDK resources that the SDK can create, driven end to end through the official SDK:
 * create → get → edit → get → delete → get (404), auto-pagination, and the SDK's error mapping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  Cloudflare,
  FIELDS,
  collect,
  expectExactKeys,
  expectRecordMeta,
  expectSdkError,
  freshAccount,
  sdkClient,
  thrown,
} from './sdk-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Case {
  name: string;
  resource(client: Cloudflare): any;
  fields: readonly string[];
  /** A valid create body (without account_id); `i` makes it unique. */
  create(i: number): Record<string, unknown>;
  /** An edit body and the fields it must change to. */
  edit: Record<string, unknown>;
  /** A create body the spec rejects with 400/1001, and the pointer of the offending field. */
  invalid: { body: Record<string, unknown>; pointer: string };
  /** Resource-specific rules every returned record must satisfy (after create and after edit). */
  invariants?(record: any): void;
}

const cases: Case[] = [
  {
    name: 'allowPolicies',
    resource: (client) => client.emailSecurity.settings.allowPolicies,
    fields: FIELDS.allowPolicy,
    create: (i) => ({
      is_acceptable_sender: false,
      is_exempt_recipient: i % 2 === 1,
      is_regex: false,
      is_trusted_sender: true,
      pattern: `sender${i}@example.com`,
      pattern_type: 'EMAIL',
      verify_sender: true,
      comments: `policy ${i}`,
    }),
    edit: { is_acceptable_sender: true, is_trusted_sender: false, comments: 'edited', pattern: 'other@example.org' },
    invalid: {
      body: {
        is_acceptable_sender: false,
        is_exempt_recipient: false,
        is_regex: false,
        is_trusted_sender: true,
        pattern: 'not an email address',
        pattern_type: 'EMAIL',
        verify_sender: true,
      },
      pointer: '/pattern',
    },
    invariants(record) {
      // Deprecated aliases are emitted, mirroring the current fields.
      expect(record.is_sender).toBe(record.is_trusted_sender);
      expect(record.is_recipient).toBe(record.is_exempt_recipient);
      expect(record.is_spoof).toBe(record.is_acceptable_sender);
    },
  },
  {
    name: 'blockSenders',
    resource: (client) => client.emailSecurity.settings.blockSenders,
    fields: FIELDS.blockedSender,
    create: (i) => ({ is_regex: false, pattern: `spam${i}.example.com`, pattern_type: 'DOMAIN', comments: `blocked ${i}` }),
    edit: { pattern: '203.0.113.7', pattern_type: 'IP', comments: 'now an IP' },
    // A private address is not a valid IP pattern.
    invalid: { body: { is_regex: false, pattern: '10.1.2.3', pattern_type: 'IP' }, pointer: '/pattern' },
  },
  {
    name: 'trustedDomains',
    resource: (client) => client.emailSecurity.settings.trustedDomains,
    fields: FIELDS.trustedDomain,
    create: (i) => ({ is_recent: true, is_regex: false, is_similarity: false, pattern: `partner${i}.example.com` }),
    edit: { is_similarity: true, comments: 'look-alike of ours', pattern: 'partner-renamed.example.net' },
    invalid: {
      body: { is_recent: true, is_regex: false, is_similarity: false, pattern: 'not a domain' },
      pointer: '/pattern',
    },
  },
  {
    name: 'impersonationRegistry',
    resource: (client) => client.emailSecurity.settings.impersonationRegistry,
    fields: FIELDS.displayName,
    create: (i) => ({ name: `Executive ${i}`, email: `exec${i}@example.com`, is_email_regex: false }),
    edit: { name: 'Chief Financial Officer', email: 'cfo@example.com' },
    invalid: { body: { name: 'Nobody', email: 'not-an-address', is_email_regex: false }, pointer: '/email' },
    invariants(record) {
      // API-created entries are manual entries with empty directory fields.
      expect(record.provenance).toBe('A1S_INTERNAL');
      expect(record.directory_id).toBeNull();
      expect(record.directory_node_id).toBeNull();
      expect(record.external_directory_node_id).toBeNull();
      expect(record.comments).toBeNull();
    },
  },
];

describe.each(cases)('SDK $name', (c) => {
  it('creates, gets, edits, deletes a record with every spec field present', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const resource = c.resource(client);
    const body = c.create(1);

    const created = await resource.create({ account_id, ...body });
    expectExactKeys(created, c.fields);
    expectRecordMeta(created);
    expect(created).toMatchObject(body);
    expect(created.last_modified).toBe(created.created_at);
    c.invariants?.(created);
    // Unset optional fields are emitted as null, not left out.
    if (!('comments' in body)) expect(created.comments).toBeNull();

    const fetched = await resource.get(created.id, { account_id });
    expect(fetched).toEqual(created);

    const edited = await resource.edit(created.id, { account_id, ...c.edit });
    expectExactKeys(edited, c.fields);
    expect(edited).toMatchObject(c.edit);
    expect(edited.id).toBe(created.id);
    expect(edited.created_at).toBe(created.created_at);
    // last_modified is bumped on every successful change.
    expect(Date.parse(edited.last_modified)).toBeGreaterThan(Date.parse(created.last_modified));
    // Fields the edit did not name are unchanged.
    for (const key of Object.keys(body)) {
      if (!(key in c.edit) && !['is_sender', 'is_recipient', 'is_spoof'].includes(key)) {
        expect(edited[key], key).toEqual(created[key]);
      }
    }
    c.invariants?.(edited);

    expect(await resource.get(created.id, { account_id })).toEqual(edited);

    const deleted = await resource.delete(created.id, { account_id });
    expect(deleted).toEqual({ id: created.id });

    const afterDelete = await thrown(() => resource.get(created.id, { account_id }));
    expectSdkError(afterDelete, 404, Cloudflare.NotFoundError, 1002);
    const deleteAgain = await thrown(() => resource.delete(created.id, { account_id }));
    expectSdkError(deleteAgain, 404, Cloudflare.NotFoundError, 1002);
  });

  it('auto-paginates with per_page=2: every record exactly once, in creation order, stopping at the empty page', async () => {
    const { client, requests } = sdkClient(server.origin);
    const account_id = freshAccount();
    const resource = c.resource(client);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await resource.create({ account_id, ...c.create(i) })).id);

    requests.length = 0;
    const seen: any[] = [];
    for await (const item of resource.list({ account_id, per_page: 2 })) {
      seen.push(item);
      if (seen.length > 20) throw new Error('pagination does not terminate');
    }
    expect(seen.map((item) => item.id)).toEqual(ids);
    for (const item of seen) expectExactKeys(item, c.fields);

    // Pages 1-3 hold 2+2+1 records; page 4 is the empty page that ends the iteration.
    const listCalls = requests.filter((r) => r.method === 'GET');
    expect(listCalls.map((r) => [r.url.searchParams.get('page'), r.url.searchParams.get('per_page')])).toEqual([
      [null, '2'],
      ['2', '2'],
      ['3', '2'],
      ['4', '2'],
    ]);
  });

  it('returns result_info on a list page (page, per_page, count, total_count; no total_pages)', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const resource = c.resource(client);
    for (let i = 0; i < 3; i++) await resource.create({ account_id, ...c.create(i) });
    const page: any = await resource.list({ account_id, per_page: 2, page: 2 });
    expect(page.result.length).toBe(1);
    expect(page.result_info).toEqual({ page: 2, per_page: 2, count: 1, total_count: 3 });
    const beyond: any = await resource.list({ account_id, per_page: 2, page: 9 });
    expect(beyond.result).toEqual([]);
    expect(beyond.result_info).toEqual({ page: 9, per_page: 2, count: 0, total_count: 3 });
    expect(beyond.hasNextPage()).toBe(false);
  });

  it('keeps accounts apart: a record of one account is a 404 in another and absent from its list', async () => {
    const { client } = sdkClient(server.origin);
    const owner = freshAccount();
    const other = freshAccount();
    const resource = c.resource(client);
    const created = await resource.create({ account_id: owner, ...c.create(7) });
    expectSdkError(await thrown(() => resource.get(created.id, { account_id: other })), 404, Cloudflare.NotFoundError, 1002);
    expect(await collect(resource.list({ account_id: other }))).toEqual([]);
    expectSdkError(await thrown(() => resource.edit(created.id, { account_id: other, ...c.edit })), 404, Cloudflare.NotFoundError, 1002);
    expectSdkError(await thrown(() => resource.delete(created.id, { account_id: other })), 404, Cloudflare.NotFoundError, 1002);
    expect(await resource.get(created.id, { account_id: owner })).toEqual(created);
  });

  it('maps a missing id to NotFoundError carrying code 1002', async () => {
    const { client } = sdkClient(server.origin);
    const error = await thrown(() => c.resource(client).get(2147483647, { account_id: freshAccount() }));
    expectSdkError(error, 404, Cloudflare.NotFoundError, 1002);
    expect(error.message).toContain('404');
  });

  it('maps a malformed record id or account id to BadRequestError with codes 7003 + 7000', async () => {
    const { client } = sdkClient(server.origin);
    const resource = c.resource(client);
    for (const id of [0, -1, 2147483648, 1.5]) {
      const error = await thrown(() => resource.get(id, { account_id: freshAccount() }));
      expectSdkError(error, 400, Cloudflare.BadRequestError, 7003);
      expect(error.errors.map((e: any) => e.code)).toEqual([7003, 7000]);
    }
    const badAccount = await thrown(() => resource.get(1, { account_id: 'acc1' }));
    expectSdkError(badAccount, 400, Cloudflare.BadRequestError, 7003);
    expect(badAccount.errors.map((e: any) => e.code)).toEqual([7003, 7000]);
  });

  it('maps an invalid create body to BadRequestError with code 1001 and the offending field pointer', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const resource = c.resource(client);
    const error = await thrown(() => resource.create({ account_id, ...c.invalid.body }));
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(error.errors[0].source).toEqual({ pointer: c.invalid.pointer });
    // Nothing was stored.
    expect(await collect(resource.list({ account_id }))).toEqual([]);
  });

  it('maps a create body with a missing required field to BadRequestError 1001', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const { pattern: _p, email: _e, ...withoutKey } = c.create(1) as any;
    const error = await thrown(() => c.resource(client).create({ account_id, ...withoutKey }));
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(error.errors.map((e: any) => e.source?.pointer)).toContain('pattern' in c.create(1) ? '/pattern' : '/email');
  });
});
