/**
 * Protected domains through the official SDK. SDK 5.2.0 cannot create domains, so they are onboarded
 * with a raw `POST /domains` and then read, edited, listed and deleted with the SDK.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';
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

async function onboard(account: string, body: Record<string, unknown>): Promise<any> {
  const response = await request(server.origin, 'POST', settingsPath('domains', account), { body });
  expect(response.status, response.text).toBe(201);
  return response.body.result;
}

describe('SDK domains', () => {
  it('reads an onboarded domain with every spec field, defaults applied and read-only fields null', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const created = await onboard(account_id, { domain: 'example.com' });

    const domain = await client.emailSecurity.settings.domains.get(created.id, { account_id });
    expectExactKeys(domain, FIELDS.domain);
    expectRecordMeta(domain);
    expect(domain).toEqual(created);
    expect(domain).toMatchObject({
      domain: 'example.com',
      allowed_delivery_modes: ['API'],
      drop_dispositions: [],
      ip_restrictions: [],
      lookback_hops: 1,
      regions: ['GLOBAL'],
      transport: '',
      folder: null,
      integration_id: null,
      require_tls_inbound: null,
      require_tls_outbound: null,
      authorization: null,
      dmarc_status: null,
      spf_status: null,
      emails_processed: null,
      inbox_provider: null,
      o365_tenant_id: null,
    });
  });

  it('edits a domain (PATCH) and the change is visible to get and list', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const created = await onboard(account_id, { domain: 'edit-me.example' });
    const api = client.emailSecurity.settings.domains;

    const edits = {
      ip_restrictions: ['192.0.2.0/24', '2001:db8::/32'],
      allowed_delivery_modes: ['DIRECT', 'BCC'] as ('DIRECT' | 'BCC')[],
      drop_dispositions: ['SPAM', 'BULK'] as ('SPAM' | 'BULK')[],
      lookback_hops: 5,
      regions: ['US', 'DE'] as ('US' | 'DE')[],
      transport: 'mx.edit-me.example',
      folder: 'Inbox' as const,
      require_tls_inbound: true,
      require_tls_outbound: false,
      integration_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    };
    const edited = await api.edit(created.id, { account_id, ...edits });
    expectExactKeys(edited, FIELDS.domain);
    expect(edited).toMatchObject({ ...edits, id: created.id, domain: 'edit-me.example', created_at: created.created_at });
    expect(Date.parse(edited.last_modified)).toBeGreaterThan(Date.parse(created.last_modified));

    expect(await api.get(created.id, { account_id })).toEqual(edited);
    expect(await collect(api.list({ account_id }))).toEqual([edited]);

    // Renaming through PATCH (writable in the seed era).
    const renamed = await api.edit(created.id, { account_id, ip_restrictions: [], domain: 'renamed.example' });
    expect(renamed.domain).toBe('renamed.example');
    expect(renamed.ip_restrictions).toEqual([]);
    expect(renamed.lookback_hops).toBe(5);
  });

  it('rejects an invalid edit with BadRequestError 1001 and leaves the domain unchanged', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const created = await onboard(account_id, { domain: 'strict.example' });
    const api = client.emailSecurity.settings.domains;

    const tooMany = await thrown(() => api.edit(created.id, { account_id, ip_restrictions: [], lookback_hops: 21 }));
    expectSdkError(tooMany, 400, Cloudflare.BadRequestError, 1001);
    expect(tooMany.errors[0].source).toEqual({ pointer: '/lookback_hops' });
    const badMode = await thrown(() =>
      api.edit(created.id, { account_id, ip_restrictions: [], allowed_delivery_modes: ['SMOKE_SIGNAL' as any] }),
    );
    expectSdkError(badMode, 400, Cloudflare.BadRequestError, 1001);
    expect(await api.get(created.id, { account_id })).toEqual(created);
  });

  it('edit without ip_restrictions is accepted and leaves them unchanged', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const created = await onboard(account_id, { domain: 'partial.example', ip_restrictions: ['198.51.100.0/24'] });
    const edited = await client.emailSecurity.settings.domains.edit(created.id, { account_id, lookback_hops: 4 } as any);
    expect(edited).toMatchObject({ lookback_hops: 4, ip_restrictions: ['198.51.100.0/24'] });
  });

  it.each(['folder', 'transport', 'lookback_hops', 'regions', 'require_tls_inbound', 'domain'])(
    'edit with %s: null (not nullable on domain PATCH) is BadRequestError 1001',
    async (field) => {
      const { client } = sdkClient(server.origin);
      const account_id = freshAccount();
      const created = await onboard(account_id, { domain: `null-${field.replace(/_/g, '-')}.example` });
      const error = await thrown(() =>
        client.emailSecurity.settings.domains.edit(created.id, { account_id, ip_restrictions: [], [field]: null }),
      );
      expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
      expect(await client.emailSecurity.settings.domains.get(created.id, { account_id })).toEqual(created);
    },
  );

  it('onboarding a domain twice in one account is a 409 / 1003, whatever its case; other accounts are separate', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    await onboard(account_id, { domain: 'twice.example' });
    const again = await request(server.origin, 'POST', settingsPath('domains', account_id), { body: { domain: 'TWICE.example' } });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe(1003);
    expect(await collect(client.emailSecurity.settings.domains.list({ account_id }))).toHaveLength(1);
    await onboard(freshAccount(), { domain: 'twice.example' });
  });

  it('renaming a domain onto another protected domain of the account is a ConflictError 1003', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    await onboard(account_id, { domain: 'taken.example' });
    const second = await onboard(account_id, { domain: 'free.example' });
    const error = await thrown(() =>
      client.emailSecurity.settings.domains.edit(second.id, { account_id, ip_restrictions: [], domain: 'taken.example' }),
    );
    expectSdkError(error, 409, Cloudflare.ConflictError, 1003);
    expect((await client.emailSecurity.settings.domains.get(second.id, { account_id })).domain).toBe('free.example');
  });

  it('a conflict is not retried by the SDK: x-should-retry: false, one request with the default maxRetries', async () => {
    let sent = 0;
    const countingFetch = (input: any, init?: any) => {
      sent++;
      return fetch(input, init);
    };
    const client = new Cloudflare({ apiToken: TEST_TOKEN, baseURL: `${server.origin}/client/v4`, fetch: countingFetch as any });
    const account_id = freshAccount();
    await onboard(account_id, { domain: 'held.example' });
    const second = await onboard(account_id, { domain: 'other.example' });
    const error = await thrown(() =>
      client.emailSecurity.settings.domains.edit(second.id, { account_id, ip_restrictions: [], domain: 'held.example' }),
    );
    expectSdkError(error, 409, Cloudflare.ConflictError, 1003);
    expect(error.headers['x-should-retry']).toBe('false');
    expect(sent).toBe(1);
  });

  it('deletes one domain; get and delete afterwards are NotFoundError 1002', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const created = await onboard(account_id, { domain: 'gone.example' });
    const keep = await onboard(account_id, { domain: 'kept.example' });
    const api = client.emailSecurity.settings.domains;

    expect(await api.delete(created.id, { account_id })).toEqual({ id: created.id });
    expectSdkError(await thrown(() => api.get(created.id, { account_id })), 404, Cloudflare.NotFoundError, 1002);
    expectSdkError(await thrown(() => api.delete(created.id, { account_id })), 404, Cloudflare.NotFoundError, 1002);
    expect((await collect(api.list({ account_id }))).map((d) => d.id)).toEqual([keep.id]);
  });

  it('auto-paginates with per_page=2 over every domain exactly once, in order', async () => {
    const { client, requests } = sdkClient(server.origin);
    const account_id = freshAccount();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await onboard(account_id, { domain: `d${i}.example.com` })).id);
    const seen: number[] = [];
    for await (const domain of client.emailSecurity.settings.domains.list({ account_id, per_page: 2 })) {
      seen.push(domain.id);
      if (seen.length > 20) throw new Error('pagination does not terminate');
    }
    expect(seen).toEqual(ids);
    expect(requests.map((r) => r.url.searchParams.get('page'))).toEqual([null, '2', '3', '4']);
  });

  describe('list query parameters', () => {
    let account_id: string;
    const names = new Map<number, string>();
    const sdk = () => sdkClient(server.origin);

    beforeAll(async () => {
      account_id = freshAccount();
      const bodies: Record<string, Record<string, unknown>> = {
        A: { domain: 'a.com', allowed_delivery_modes: ['DIRECT'] },
        B: { domain: 'b.com', allowed_delivery_modes: ['BCC', 'JOURNAL'] },
        C: { domain: 'c.org', allowed_delivery_modes: ['API', 'BCC'] },
        D: { domain: 'mail.a.com' },
      };
      for (const [name, body] of Object.entries(bodies)) {
        names.set((await onboard(account_id, body)).id, name);
        await sleep(3);
      }
    });

    async function list(params: Record<string, unknown>, client = sdk()) {
      const items = await collect(client.client.emailSecurity.settings.domains.list({ account_id, ...params } as any));
      return items.map((d: any) => names.get(d.id));
    }

    it('domain as an array is sent as repeated keys and matches any of the names exactly', async () => {
      const client = sdk();
      expect(await list({ domain: ['a.com', 'b.com'] }, client)).toEqual(['A', 'B']);
      expect(client.requests[0].url.searchParams.getAll('domain')).toEqual(['a.com', 'b.com']);
      expect(client.requests[0].url.search).toContain('domain=a.com&domain=b.com');
      expect(await list({ domain: ['c.org'] })).toEqual(['C']);
      expect(await list({ domain: ['nowhere.example'] })).toEqual([]);
    });

    it('allowed_delivery_mode keeps domains whose allowed modes contain it', async () => {
      expect(await list({ allowed_delivery_mode: 'BCC' })).toEqual(['B', 'C']);
      expect(await list({ allowed_delivery_mode: 'API' })).toEqual(['C', 'D']);
      expect(await list({ allowed_delivery_mode: 'RETRO_SCAN' })).toEqual([]);
      expect(await list({ allowed_delivery_mode: 'BCC', domain: ['b.com', 'a.com'] })).toEqual(['B']);
    });

    it('active_delivery_mode filters on the first allowed mode of a new domain', async () => {
      expect(await list({ active_delivery_mode: 'BCC' })).toEqual(['B']);
      expect(await list({ active_delivery_mode: 'API' })).toEqual(['C', 'D']);
      expect(await list({ active_delivery_mode: 'JOURNAL' })).toEqual([]);
    });

    it('search, order and direction', async () => {
      expect(await list({ search: 'A.COM' })).toEqual(['A', 'D']);
      expect(await list({ order: 'domain' })).toEqual(['A', 'B', 'C', 'D']);
      expect(await list({ order: 'domain', direction: 'desc' })).toEqual(['D', 'C', 'B', 'A']);
      expect(await list({ order: 'created_at', direction: 'desc', per_page: 3 })).toEqual(['D', 'C', 'B', 'A']);
    });

    it('an unknown delivery mode in the filter is BadRequestError 1001', async () => {
      const error = await thrown(() => list({ allowed_delivery_mode: 'PIGEON' }));
      expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    });
  });

  it('bulkDelete from the SDK (which sends no body) is a BadRequestError 400 and deletes nothing', async () => {
    const { client, requests } = sdkClient(server.origin);
    const account_id = freshAccount();
    const first = await onboard(account_id, { domain: 'one.example' });
    const second = await onboard(account_id, { domain: 'two.example' });

    requests.length = 0;
    const error = await thrown(() => client.emailSecurity.settings.domains.bulkDelete({ account_id }));
    expect(requests).toHaveLength(1);
    expect(requests[0].method).toBe('DELETE');
    expect(requests[0].body).toBeUndefined();
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ success: false, result: null });
    expect(error.errors[0].code).toBe(1001);

    const remaining = await collect(client.emailSecurity.settings.domains.list({ account_id }));
    expect(remaining.map((d) => d.id)).toEqual([first.id, second.id]);
  });

  it('the same collection DELETE with a body of ids deletes exactly those (raw HTTP), seen by the SDK', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const first = await onboard(account_id, { domain: 'one.example' });
    const second = await onboard(account_id, { domain: 'two.example' });
    const third = await onboard(account_id, { domain: 'three.example' });
    const empty = await request(server.origin, 'DELETE', settingsPath('domains', account_id), { body: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].code).toBe(1001);
    const response = await request(server.origin, 'DELETE', settingsPath('domains', account_id), {
      body: [{ id: third.id }, { id: first.id }],
    });
    expect(response.status).toBe(200);
    expect(response.body.result).toEqual([{ id: third.id }, { id: first.id }]);
    expect(response.body.result_info).toBeUndefined();
    const remaining = await collect(client.emailSecurity.settings.domains.list({ account_id }));
    expect(remaining.map((d) => d.id)).toEqual([second.id]);
  });
});
