/** Sending domain restrictions: modified_at and the deletes-only batch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { client, expectError, expectSuccess, expectTimestamp, ids, seed } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const api = () => client(server.origin, 'sending_domain_restrictions');
const sdr = { domain: 'secure.example.com', exclude: ['legacy.secure.example.com'], comments: 'TLS please' };

describe('sending domain restrictions: modified_at', () => {
  it('emits modified_at equal to last_modified and created_at on create, get and list', async () => {
    const c = api();
    const response = await c.create(sdr);
    expectSuccess(response, 201);
    const record = response.body.result;
    expectTimestamp(record.modified_at);
    expect(record.modified_at).toBe(record.last_modified);
    expect(record.modified_at).toBe(record.created_at);
    expect((await c.get(record.id)).body.result.modified_at).toBe(record.modified_at);
    expect((await c.all())[0].modified_at).toBe(record.modified_at);
  });

  it('moves modified_at together with last_modified on PATCH', async () => {
    const c = api();
    const [record] = await seed(c, [sdr]);
    const response = await c.patch(record.id, { exclude: [] });
    expectSuccess(response, 200);
    const after = response.body.result;
    expect(after.exclude).toEqual([]);
    expect(after.modified_at).toBe(after.last_modified);
    expect(Date.parse(after.modified_at)).toBeGreaterThan(Date.parse(record.modified_at));
    expect(after.created_at).toBe(record.created_at);
  });

  it('ignores a client-supplied modified_at', async () => {
    const c = api();
    const [record] = await seed(c, [sdr]);
    const response = await c.patch(record.id, { modified_at: '2000-01-01T00:00:00Z' });
    expectSuccess(response, 200);
    expect(response.body.result.modified_at.startsWith('2000-')).toBe(false);
  });
});

describe('sending domain restrictions: deletes-only batch', () => {
  it('ignores other arrays: only deletes run, the result has only deletes', async () => {
    const c = api();
    const [a, b] = await seed(c, [sdr, { ...sdr, domain: 'other.example.com', exclude: [] }]);
    const response = await c.batch({ deletes: [{ id: a.id }], patches: [{ id: b.id, comments: 'x' }], puts: [], posts: [sdr] });
    expectSuccess(response, 200);
    expect(response.body.result).toEqual({ deletes: [{ id: a.id }] });
    expect(await c.all()).toEqual([b]);
  });

  it('does not run a puts array (not part of this batch): the record is unchanged', async () => {
    const c = api();
    const [a] = await seed(c, [sdr]);
    const response = await c.batch({ deletes: [], puts: [{ id: a.id, domain: 'replaced.example.com', exclude: [] }] });
    expectSuccess(response, 200);
    expect(response.body.result).toEqual({ deletes: [] });
    expect(await c.all()).toEqual([a]);
  });

  it('does not run a posts array, even a malformed one (never a 500)', async () => {
    const c = api();
    const response = await c.batch({ deletes: [], posts: [{ domain: 'b.example.com', exclude: 5 }] });
    expectSuccess(response, 200);
    expect(response.body.result).toEqual({ deletes: [] });
    expect(await c.total()).toBe(0);
  });

  it('deletes across a mix of ids in one request and the ids are gone afterwards', async () => {
    const c = api();
    const records = await seed(c, [sdr, sdr, sdr, sdr]);
    const response = await c.batch({ deletes: [{ id: records[3].id }, { id: records[1].id }] });
    expectSuccess(response, 200);
    expect(response.body.result.deletes).toEqual([{ id: records[3].id }, { id: records[1].id }]);
    expect(ids(await c.all())).toEqual([records[0].id, records[2].id]);
    expectError(await c.get(records[1].id), 404, 1002);
  });

  it('rejects deletes that is not an array', async () => {
    const c = api();
    const records = await seed(c, [sdr]);
    expectError(await c.batch({ deletes: { id: records[0].id } }), 400, 1001, ['/deletes']);
    expect(await c.all()).toEqual(records);
  });
});

describe('sending domain restrictions: exclude entries', () => {
  const evaluate = (account: string, from: string) =>
    request(server.origin, 'POST', `/client/v4/accounts/${account}/email-security/evaluate`, {
      body: { messages: [{ from, recipients: ['ap@corp.example'], tls: false }] },
    });

  it('accepts subdomains in full or relative to the domain (legacy = legacy.bank.example), stores them as written, and applies both', async () => {
    const c = api();
    const exclude = ['legacy', 'eu.mail', 'Full.Bank.Example', 'bank.example.bank.example'];
    const created = await c.create({ domain: 'bank.example', exclude });
    expectSuccess(created, 201);
    expect(created.body.result.exclude).toEqual(exclude);
    const dropped = async (from: string) => (await evaluate(c.account, from)).body.result[0].action === 'drop';
    expect(await dropped('a@legacy.bank.example')).toBe(false);
    expect(await dropped('a@x.legacy.bank.example')).toBe(false);
    expect(await dropped('a@eu.mail.bank.example')).toBe(false);
    expect(await dropped('a@full.bank.example')).toBe(false);
    expect(await dropped('a@bank.example')).toBe(true);
    expect(await dropped('a@other.bank.example')).toBe(true);
    expect(await dropped('a@mail.bank.example')).toBe(true);
  });

  it('refuses entries that name no valid subdomain, naming the entry', async () => {
    const c = api();
    for (const entry of ['', '.legacy', 'legacy.', 'bad label', '-x', 'a'.repeat(64), `${'a'.repeat(60)}.`.repeat(4) + 'x']) {
      const response = await c.create({ domain: 'bank.example', exclude: ['ok', entry] });
      expectError(response, 400, 1001, ['/exclude/1']);
    }
    expect(await c.all()).toEqual([]);
  });
});
