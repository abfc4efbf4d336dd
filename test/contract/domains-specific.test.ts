/** Domains: POST defaults and uniqueness, bulk DELETE, delivery-mode filters. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { client, expectError, expectSuccess, ids, seed, withoutMeta, type Client } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const api = () => client(server.origin, 'domains');
const bulkDelete = (c: Client, options: { body?: unknown; rawBody?: string; headers?: Record<string, string> }) =>
  request(c.origin, 'DELETE', c.path(), options);

describe('domains: POST /domains', () => {
  it('applies the documented defaults and leaves read-only fields null', async () => {
    const c = api();
    const response = await c.create({ domain: 'onboard.example.com' });
    expectSuccess(response, 201);
    expect(withoutMeta(response.body.result)).toEqual({
      allowed_delivery_modes: ['API'],
      authorization: null,
      dmarc_status: null,
      domain: 'onboard.example.com',
      drop_dispositions: [],
      emails_processed: null,
      folder: null,
      inbox_provider: null,
      integration_id: null,
      ip_restrictions: [],
      lookback_hops: 1,
      o365_tenant_id: null,
      regions: ['GLOBAL'],
      require_tls_inbound: null,
      require_tls_outbound: null,
      spf_status: null,
      transport: '',
    });
  });

  it('ignores read-only fields sent in the body', async () => {
    const c = api();
    const response = await c.create({
      domain: 'ro.example.com',
      authorization: { authorized: true, timestamp: '2024-01-01T00:00:00Z' },
      dmarc_status: 'good',
      spf_status: 'good',
      emails_processed: { timestamp: '2024-01-01T00:00:00Z', total_emails_processed: 5, total_emails_processed_previous: 1 },
      inbox_provider: 'Google',
      o365_tenant_id: 'tenant',
    });
    expectSuccess(response, 201);
    const record = response.body.result;
    for (const field of ['authorization', 'dmarc_status', 'spf_status', 'emails_processed', 'inbox_provider', 'o365_tenant_id']) {
      expect(record[field], field).toBeNull();
    }
  });

  it('rejects a second domain with the same name, case-insensitively (409/1003), storing nothing', async () => {
    const c = api();
    const [first] = await seed(c, [{ domain: 'dup.example.com' }]);
    const response = await c.create({ domain: 'DUP.Example.COM' });
    expectError(response, 409, 1003);
    expect(ids(await c.all())).toEqual([first.id]);
    expectError(await c.create({ domain: 'dup.example.com', lookback_hops: 4 }), 409, 1003);
    expect(await c.total()).toBe(1);
  });

  it('allows the same domain in two different accounts', async () => {
    await seed(api(), [{ domain: 'shared.example.com' }]);
    const response = await api().create({ domain: 'shared.example.com' });
    expectSuccess(response, 201);
  });

  it('frees the name when the domain is deleted', async () => {
    const c = api();
    const [first] = await seed(c, [{ domain: 'reuse.example.com' }]);
    await c.remove(first.id);
    expectSuccess(await c.create({ domain: 'reuse.example.com' }), 201);
  });
});

describe('domains: PATCH', () => {
  it('rejects renaming onto another domain of the account, case-insensitively (409/1003), record unchanged', async () => {
    const c = api();
    const [a, b] = await seed(c, [{ domain: 'one.example.com' }, { domain: 'two.example.com' }]);
    expectError(await c.patch(b.id, { domain: 'ONE.example.com' }), 409, 1003);
    expectError(await c.patch(b.id, { domain: 'one.example.com', lookback_hops: 7 }), 409, 1003);
    expect(await c.all()).toEqual([a, b]);
  });

  it('allows renaming a domain to a new name and to a different case of its own name', async () => {
    const c = api();
    const [a] = await seed(c, [{ domain: 'own.example.com' }]);
    const renamed = await c.patch(a.id, { domain: 'renamed.example.com' });
    expectSuccess(renamed, 200);
    expect(renamed.body.result.domain).toBe('renamed.example.com');
    const recased = await c.patch(a.id, { domain: 'Renamed.Example.com' });
    expectSuccess(recased, 200);
    expect(recased.body.result.domain).toBe('Renamed.Example.com');
  });

  it('does not require ip_restrictions and keeps them when absent', async () => {
    const c = api();
    const [a] = await seed(c, [{ domain: 'ip.example.com', ip_restrictions: ['192.0.2.0/24'] }]);
    const response = await c.patch(a.id, { lookback_hops: 2 });
    expectSuccess(response, 200);
    expect(response.body.result.ip_restrictions).toEqual(['192.0.2.0/24']);
    expect(response.body.result.lookback_hops).toBe(2);
  });

  it('replaces arrays as a whole', async () => {
    const c = api();
    const [a] = await seed(c, [{ domain: 'arr.example.com', regions: ['US', 'DE'], ip_restrictions: ['192.0.2.1'] }]);
    const response = await c.patch(a.id, { regions: ['AU'], ip_restrictions: [] });
    expectSuccess(response, 200);
    expect(response.body.result.regions).toEqual(['AU']);
    expect(response.body.result.ip_restrictions).toEqual([]);
  });
});

describe('domains: delivery-mode filters', () => {
  it('active_delivery_mode follows a PATCH that removes the active mode from the allowed modes', async () => {
    const c = api();
    const [a] = await seed(c, [{ domain: 'mode.example.com', allowed_delivery_modes: ['BCC', 'API'] }]);
    expect(ids((await c.list({ active_delivery_mode: 'BCC' })).body.result)).toEqual([a.id]);
    await c.patch(a.id, { allowed_delivery_modes: ['JOURNAL'] });
    expect(ids((await c.list({ active_delivery_mode: 'BCC' })).body.result)).toEqual([]);
    expect(ids((await c.list({ active_delivery_mode: 'JOURNAL' })).body.result)).toEqual([a.id]);
    expect(ids((await c.list({ allowed_delivery_mode: 'BCC' })).body.result)).toEqual([]);
    expect(ids((await c.list({ allowed_delivery_mode: 'JOURNAL' })).body.result)).toEqual([a.id]);
  });

  it('never emits the active delivery mode', async () => {
    const c = api();
    const [a] = await seed(c, [{ domain: 'hidden.example.com', allowed_delivery_modes: ['BCC'] }]);
    expect(a).not.toHaveProperty('active_delivery_mode');
    expect((await c.get(a.id)).body.result).not.toHaveProperty('active_delivery_mode');
  });

  it('repeated domain= with three values, combined with a delivery-mode filter and search', async () => {
    const c = api();
    const records = await seed(c, [
      { domain: 'a.example.com', allowed_delivery_modes: ['API'] },
      { domain: 'b.example.com', allowed_delivery_modes: ['BCC'] },
      { domain: 'c.example.org', allowed_delivery_modes: ['API'] },
      { domain: 'd.example.com', allowed_delivery_modes: ['API'] },
    ]);
    const all3 = await c.list({ domain: ['a.example.com', 'b.example.com', 'c.example.org'] });
    expect(ids(all3.body.result)).toEqual(ids(records.slice(0, 3)));
    expect(all3.body.result_info.total_count).toBe(3);
    const api3 = await c.list({ domain: ['a.example.com', 'b.example.com', 'c.example.org'], allowed_delivery_mode: 'API' });
    expect(ids(api3.body.result)).toEqual([records[0].id, records[2].id]);
    const searched = await c.list({
      domain: ['a.example.com', 'b.example.com', 'c.example.org'],
      allowed_delivery_mode: 'API',
      search: '.org',
    });
    expect(ids(searched.body.result)).toEqual([records[2].id]);
  });
});

describe('domains: DELETE /domains bulk', () => {
  it('deletes the listed domains: 200, [{id}] in request order, no result_info', async () => {
    const c = api();
    const [a, b, keep] = await seed(c, [{ domain: 'a.example.com' }, { domain: 'b.example.com' }, { domain: 'c.example.com' }]);
    const response = await bulkDelete(c, { body: [{ id: b.id }, { id: a.id }] });
    expectSuccess(response, 200);
    expect(response.body.result).toEqual([{ id: b.id }, { id: a.id }]);
    expect(response.body).not.toHaveProperty('result_info');
    expect(ids(await c.all())).toEqual([keep.id]);
    expectError(await c.get(a.id), 404, 1002);
  });

  it('rejects a DELETE without a body with 400 and deletes nothing', async () => {
    const c = api();
    const records = await seed(c, [{ domain: 'a.example.com' }, { domain: 'b.example.com' }]);
    expectError(await bulkDelete(c, {}), 400, 1001);
    expect(await c.all()).toEqual(records);
  });

  it('rejects a DELETE with a JSON content type but no body with 400 and deletes nothing', async () => {
    const c = api();
    const records = await seed(c, [{ domain: 'a.example.com' }]);
    const response = await bulkDelete(c, { headers: { 'content-type': 'application/json' } });
    expectError(response, 400, 1001);
    expect(await c.all()).toEqual(records);
  });

  it('rejects [] with 400 (never "delete all") and deletes nothing', async () => {
    const c = api();
    const records = await seed(c, [{ domain: 'a.example.com' }, { domain: 'b.example.com' }]);
    expectError(await bulkDelete(c, { body: [] }), 400, 1001);
    expect(await c.all()).toEqual(records);
  });

  it('rejects an object body and items without an integer id with 400', async () => {
    const c = api();
    const records = await seed(c, [{ domain: 'a.example.com' }]);
    expectError(await bulkDelete(c, { body: { id: records[0].id } }), 400, 1001);
    expectError(await bulkDelete(c, { body: [{ id: String(records[0].id) }] }), 400, 1001, ['/0/id']);
    expectError(await bulkDelete(c, { body: [{}] }), 400, 1001, ['/0/id']);
    expect(await c.all()).toEqual(records);
  });

  it('is atomic: an unknown id is 404 with pointer /1/id and nothing is deleted', async () => {
    const c = api();
    const records = await seed(c, [{ domain: 'a.example.com' }, { domain: 'b.example.com' }]);
    const response = await bulkDelete(c, { body: [{ id: records[0].id }, { id: 2147483647 }] });
    expectError(response, 404, 1002, ['/1/id']);
    expect(await c.all()).toEqual(records);
  });

  it('treats an id of another account as unknown (404) and deletes nothing in either account', async () => {
    const owner = api();
    const stranger = api();
    const [theirs] = await seed(owner, [{ domain: 'theirs.example.com' }]);
    const [mine] = await seed(stranger, [{ domain: 'mine.example.com' }]);
    const response = await bulkDelete(stranger, { body: [{ id: mine.id }, { id: theirs.id }] });
    expectError(response, 404, 1002, ['/1/id']);
    expect(await owner.all()).toEqual([theirs]);
    expect(await stranger.all()).toEqual([mine]);
  });

  it('treats a repeated id as not found the second time (404), deleting nothing', async () => {
    const c = api();
    const records = await seed(c, [{ domain: 'a.example.com' }]);
    const response = await bulkDelete(c, { body: [{ id: records[0].id }, { id: records[0].id }] });
    expectError(response, 404, 1002, ['/1/id']);
    expect(await c.all()).toEqual(records);
  });
});
