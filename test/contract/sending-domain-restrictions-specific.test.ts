/** Sending domain restrictions: modified_at (§7.2, §12.20) and the deletes-only batch (§7.1, Decision 13). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('does not run a posts array, even a malformed one (never a 500, Decision 3)', async () => {
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
