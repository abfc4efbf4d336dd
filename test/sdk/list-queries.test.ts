/**
 * List query parameters as the official SDK encodes them (booleans as true/false, enums, search, order,
 * direction), for allow policies, blocked senders, trusted domains and the impersonation registry.
 * Domains have their own file.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { Cloudflare, collect, expectSdkError, freshAccount, sdkClient, thrown, type SdkClient } from './sdk-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/** Creates the records in order, a few milliseconds apart so created_at strictly increases. */
async function seed(create: (body: any) => Promise<any>, bodies: Record<string, any>): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for (const [name, body] of Object.entries(bodies)) {
    const record = await create(body);
    names.set(record.id, name);
    await sleep(3);
  }
  return names;
}

describe('SDK allowPolicies.list query parameters', () => {
  let sdk: SdkClient;
  let account_id: string;
  let names: Map<number, string>;
  const list = async (params: Record<string, unknown>) =>
    (await collect(sdk.client.emailSecurity.settings.allowPolicies.list({ account_id, ...params } as any))).map((item: any) =>
      names.get(item.id),
    );

  const flags = (trusted: boolean, exempt: boolean, acceptable: boolean, verify: boolean) => ({
    is_trusted_sender: trusted,
    is_exempt_recipient: exempt,
    is_acceptable_sender: acceptable,
    verify_sender: verify,
  });

  beforeAll(async () => {
    sdk = sdkClient(server.origin);
    account_id = freshAccount();
    const api = sdk.client.emailSecurity.settings.allowPolicies;
    names = await seed((body) => api.create({ account_id, ...body }), {
      A: {
        ...flags(true, false, false, true),
        is_regex: false,
        pattern: 'alice@Example.com',
        pattern_type: 'EMAIL',
        comments: 'Phish sim vendor',
      },
      B: { ...flags(false, true, false, false), is_regex: false, pattern: 'example.org', pattern_type: 'DOMAIN' },
      C: {
        ...flags(false, false, true, true),
        is_regex: false,
        pattern: 'marketing.example.net',
        pattern_type: 'DOMAIN',
        comments: 'Newsletters',
      },
      D: {
        ...flags(true, false, true, false),
        is_regex: true,
        pattern: '.*@internal\\.example\\.com',
        pattern_type: 'EMAIL',
        comments: 'internal tools',
      },
      E: { ...flags(false, false, true, true), is_regex: false, pattern: '198.51.100.0/24', pattern_type: 'IP' },
    });
  });

  it('lists in id order by default', async () => {
    expect(await list({})).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('search is a case-insensitive substring match over pattern and comments', async () => {
    expect(await list({ search: 'EXAMPLE.ORG' })).toEqual(['B']);
    expect(await list({ search: 'sim VENDOR' })).toEqual(['A']);
    expect(await list({ search: 'example' })).toEqual(['A', 'B', 'C', 'D']);
    expect(await list({ search: 'nothing-matches-this' })).toEqual([]);
    // An empty search is no filter.
    expect(await list({ search: '' })).toEqual(['A', 'B', 'C', 'D', 'E']);
    // LIKE wildcards in a search are plain characters.
    expect(await list({ search: '%' })).toEqual([]);
    expect(await list({ search: '_' })).toEqual([]);
  });

  it('order and direction sort the list (pattern, created_at; asc and desc)', async () => {
    expect(await list({ order: 'pattern' })).toEqual(['D', 'E', 'A', 'B', 'C']);
    expect(await list({ order: 'pattern', direction: 'asc' })).toEqual(['D', 'E', 'A', 'B', 'C']);
    expect(await list({ order: 'pattern', direction: 'desc' })).toEqual(['C', 'B', 'A', 'E', 'D']);
    expect(await list({ order: 'created_at', direction: 'desc' })).toEqual(['E', 'D', 'C', 'B', 'A']);
    expect(await list({ order: 'created_at', direction: 'desc', per_page: 2 })).toEqual(['E', 'D', 'C', 'B', 'A']);
  });

  it('boolean filters are sent as true/false and combine with AND', async () => {
    sdk.requests.length = 0;
    expect(await list({ is_trusted_sender: true })).toEqual(['A', 'D']);
    expect(sdk.requests[0].url.searchParams.get('is_trusted_sender')).toBe('true');
    expect(await list({ is_trusted_sender: false })).toEqual(['B', 'C', 'E']);
    expect(await list({ is_exempt_recipient: true })).toEqual(['B']);
    expect(await list({ is_acceptable_sender: true, verify_sender: true })).toEqual(['C', 'E']);
    expect(await list({ verify_sender: false })).toEqual(['B', 'D']);
  });

  it('deprecated boolean filters filter on the current fields', async () => {
    expect(await list({ is_sender: true })).toEqual(['A', 'D']);
    expect(await list({ is_recipient: true })).toEqual(['B']);
    expect(await list({ is_spoof: false })).toEqual(['A', 'B']);
    // Contradicting old and new filters → empty.
    expect(await list({ is_sender: true, is_trusted_sender: false })).toEqual([]);
  });

  it('pattern_type and exact pattern filters combine with search', async () => {
    expect(await list({ pattern_type: 'DOMAIN' })).toEqual(['B', 'C']);
    expect(await list({ pattern_type: 'IP', is_acceptable_sender: true })).toEqual(['E']);
    expect(await list({ search: 'example', verify_sender: false })).toEqual(['B', 'D']);
    expect(await list({ pattern: 'example.org' })).toEqual(['B']);
    expect(await list({ pattern: 'example' })).toEqual([]);
  });

  it('total_count counts the records matching the filters', async () => {
    const page: any = await sdk.client.emailSecurity.settings.allowPolicies.list({
      account_id,
      pattern_type: 'DOMAIN',
      per_page: 1,
    });
    expect(page.result_info).toEqual({ page: 1, per_page: 1, count: 1, total_count: 2 });
  });

  it('invalid query values are BadRequestError 1001', async () => {
    const api = sdk.client.emailSecurity.settings.allowPolicies;
    expectSdkError(await thrown(() => api.list({ account_id, order: 'bogus' as any })), 400, Cloudflare.BadRequestError, 1001);
    expectSdkError(await thrown(() => api.list({ account_id, direction: 'up' as any })), 400, Cloudflare.BadRequestError, 1001);
    expectSdkError(await thrown(() => api.list({ account_id, pattern_type: 'EMAILS' as any })), 400, Cloudflare.BadRequestError, 1001);
    expectSdkError(await thrown(() => api.list({ account_id, per_page: 1001 })), 400, Cloudflare.BadRequestError, 1001);
    expectSdkError(await thrown(() => api.list({ account_id, per_page: 0 })), 400, Cloudflare.BadRequestError, 1001);
    // The largest allowed page size works.
    expect((await api.list({ account_id, per_page: 1000 })).result.length).toBe(5);
  });
});

describe('SDK blockSenders.list query parameters', () => {
  let sdk: SdkClient;
  let account_id: string;
  let names: Map<number, string>;
  const list = async (params: Record<string, unknown>) =>
    (await collect(sdk.client.emailSecurity.settings.blockSenders.list({ account_id, ...params } as any))).map((item: any) =>
      names.get(item.id),
    );

  beforeAll(async () => {
    sdk = sdkClient(server.origin);
    account_id = freshAccount();
    const api = sdk.client.emailSecurity.settings.blockSenders;
    names = await seed((body) => api.create({ account_id, ...body }), {
      A: { is_regex: false, pattern: 'spammer@bad.example', pattern_type: 'EMAIL', comments: 'Reported by finance' },
      B: { is_regex: false, pattern: 'bad.example', pattern_type: 'DOMAIN' },
      C: { is_regex: false, pattern: '203.0.113.9', pattern_type: 'IP', comments: 'botnet' },
      D: { is_regex: true, pattern: '^phish.*', pattern_type: 'DOMAIN' },
    });
  });

  it('search, order/direction, pattern_type and pattern', async () => {
    expect(await list({ search: 'BAD.EXAMPLE' })).toEqual(['A', 'B']);
    expect(await list({ search: 'finance' })).toEqual(['A']);
    expect(await list({ order: 'pattern', direction: 'asc' })).toEqual(['C', 'D', 'B', 'A']);
    expect(await list({ order: 'pattern', direction: 'desc' })).toEqual(['A', 'B', 'D', 'C']);
    expect(await list({ order: 'created_at', direction: 'desc' })).toEqual(['D', 'C', 'B', 'A']);
    expect(await list({ pattern_type: 'DOMAIN' })).toEqual(['B', 'D']);
    expect(await list({ pattern_type: 'DOMAIN', search: 'phish' })).toEqual(['D']);
    expect(await list({ pattern: '203.0.113.9' })).toEqual(['C']);
    expect(await list({ pattern_type: 'UNKNOWN' })).toEqual([]);
  });

  it('ties in the sort key are broken by id ascending, so pages are stable', async () => {
    const api = sdk.client.emailSecurity.settings.blockSenders;
    const dupAccount = freshAccount();
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await api.create({ account_id: dupAccount, is_regex: false, pattern: 'same.example', pattern_type: 'DOMAIN' })).id);
    }
    const asc = await collect(api.list({ account_id: dupAccount, order: 'pattern', per_page: 1 }));
    expect(asc.map((r) => r.id)).toEqual(ids);
    const desc = await collect(api.list({ account_id: dupAccount, order: 'pattern', direction: 'desc', per_page: 3 }));
    expect(desc.map((r) => r.id)).toEqual(ids);
  });
});

describe('SDK trustedDomains.list query parameters', () => {
  let sdk: SdkClient;
  let account_id: string;
  let names: Map<number, string>;
  const list = async (params: Record<string, unknown>) =>
    (await collect(sdk.client.emailSecurity.settings.trustedDomains.list({ account_id, ...params } as any))).map((item: any) =>
      names.get(item.id),
    );

  beforeAll(async () => {
    sdk = sdkClient(server.origin);
    account_id = freshAccount();
    const api = sdk.client.emailSecurity.settings.trustedDomains;
    names = await seed((body) => api.create({ account_id, ...body }), {
      A: { is_recent: true, is_regex: false, is_similarity: false, pattern: 'partner.example.com', comments: 'Supplier' },
      B: { is_recent: false, is_regex: false, is_similarity: true, pattern: 'examp1e.com' },
      C: { is_recent: true, is_regex: false, is_similarity: true, pattern: 'acme.example.org' },
    });
  });

  it('search, order/direction and the is_recent / is_similarity / pattern filters', async () => {
    sdk.requests.length = 0;
    expect(await list({ is_recent: true })).toEqual(['A', 'C']);
    expect(sdk.requests[0].url.searchParams.get('is_recent')).toBe('true');
    expect(await list({ is_recent: false })).toEqual(['B']);
    expect(await list({ is_similarity: true })).toEqual(['B', 'C']);
    expect(await list({ is_recent: true, is_similarity: true })).toEqual(['C']);
    expect(await list({ search: 'SUPPLIER' })).toEqual(['A']);
    expect(await list({ search: 'example.' })).toEqual(['A', 'C']);
    expect(await list({ order: 'pattern' })).toEqual(['C', 'B', 'A']);
    expect(await list({ order: 'pattern', direction: 'desc' })).toEqual(['A', 'B', 'C']);
    expect(await list({ order: 'created_at', direction: 'desc' })).toEqual(['C', 'B', 'A']);
    expect(await list({ pattern: 'examp1e.com' })).toEqual(['B']);
  });
});

describe('SDK impersonationRegistry.list query parameters', () => {
  let sdk: SdkClient;
  let account_id: string;
  let names: Map<number, string>;
  const list = async (params: Record<string, unknown>) =>
    (await collect(sdk.client.emailSecurity.settings.impersonationRegistry.list({ account_id, ...params } as any))).map((item: any) =>
      names.get(item.id),
    );

  beforeAll(async () => {
    sdk = sdkClient(server.origin);
    account_id = freshAccount();
    const api = sdk.client.emailSecurity.settings.impersonationRegistry;
    names = await seed((body) => api.create({ account_id, ...body }), {
      A: { name: 'Carol Chief', email: 'ceo@example.com', is_email_regex: false },
      B: { name: 'Alice Accounts', email: 'zz-finance@example.com', is_email_regex: false },
      C: { name: 'Bob Builder', email: 'bob@contractor.example', is_email_regex: false },
    });
  });

  it('search over name and email, order by name / email / created_at, provenance filter', async () => {
    expect(await list({ search: 'alice' })).toEqual(['B']);
    expect(await list({ search: 'EXAMPLE.COM' })).toEqual(['A', 'B']);
    expect(await list({ order: 'name' })).toEqual(['B', 'C', 'A']);
    expect(await list({ order: 'name', direction: 'desc' })).toEqual(['A', 'C', 'B']);
    expect(await list({ order: 'email' })).toEqual(['C', 'A', 'B']);
    expect(await list({ order: 'created_at', direction: 'desc' })).toEqual(['C', 'B', 'A']);
    expect(await list({ provenance: 'A1S_INTERNAL' })).toEqual(['A', 'B', 'C']);
    expect(await list({ provenance: 'SNOOPY-OFFICE_365' })).toEqual([]);
    expect(await list({ provenance: 'A1S_INTERNAL', search: 'bob', per_page: 1 })).toEqual(['C']);
  });
});
