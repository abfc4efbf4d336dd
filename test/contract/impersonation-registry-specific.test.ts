/** Impersonation registry: provenance and read-only fields. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { client, expectError, expectSuccess, ids, seed, withoutMeta } from './support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const api = () => client(server.origin, 'impersonation_registry');
const entry = { name: 'Chief Executive', email: 'ceo@corp.example', is_email_regex: false };
const readOnly = {
  comments: 'sneaky comment',
  directory_id: 42,
  directory_node_id: 43,
  external_directory_node_id: 'ext-1',
  provenance: 'SNOOPY-OFFICE_365',
};

describe('impersonation registry: provenance and read-only fields', () => {
  it('gives API-created entries provenance A1S_INTERNAL and null directory fields', async () => {
    const response = await api().create(entry);
    expectSuccess(response, 201);
    expect(response.body.result).toMatchObject({
      provenance: 'A1S_INTERNAL',
      comments: null,
      directory_id: null,
      directory_node_id: null,
      external_directory_node_id: null,
    });
  });

  it('ignores read-only fields in a create body', async () => {
    const c = api();
    const response = await c.create({ ...entry, ...readOnly });
    expectSuccess(response, 201);
    expect(withoutMeta(response.body.result)).toEqual({
      ...entry,
      provenance: 'A1S_INTERNAL',
      comments: null,
      directory_id: null,
      directory_node_id: null,
      external_directory_node_id: null,
    });
    expect(ids((await c.list({ provenance: 'SNOOPY-OFFICE_365' })).body.result)).toEqual([]);
  });

  it('ignores read-only fields in a PATCH body', async () => {
    const c = api();
    const [record] = await seed(c, [entry]);
    const response = await c.patch(record.id, readOnly);
    expectSuccess(response, 200);
    expect(withoutMeta(response.body.result)).toEqual(withoutMeta(record));
    expect(withoutMeta((await c.get(record.id)).body.result)).toEqual(withoutMeta(record));
  });

  it('keeps provenance through a PATCH of the writable fields', async () => {
    const c = api();
    const [record] = await seed(c, [entry]);
    const response = await c.patch(record.id, {
      name: 'CEO',
      email: '^ceo@corp\\.example$',
      is_email_regex: true,
      provenance: 'SNOOPY-GOOGLE_DIRECTORY',
    });
    expectSuccess(response, 200);
    expect(response.body.result).toMatchObject({
      name: 'CEO',
      email: '^ceo@corp\\.example$',
      is_email_regex: true,
      provenance: 'A1S_INTERNAL',
    });
  });

  it('lists API-created entries under provenance=A1S_INTERNAL only', async () => {
    const c = api();
    const records = await seed(c, [entry, { ...entry, name: 'CFO', email: 'cfo@corp.example' }]);
    expect(ids((await c.list({ provenance: 'A1S_INTERNAL' })).body.result)).toEqual(ids(records));
    for (const other of ['SNOOPY-CASB_OFFICE_365', 'SNOOPY-OFFICE_365', 'SNOOPY-GOOGLE_DIRECTORY']) {
      const response = await c.list({ provenance: other });
      expect(response.status).toBe(200);
      expect(response.body.result).toEqual([]);
      expect(response.body.result_info.total_count).toBe(0);
    }
    expectError(await c.list({ provenance: 'a1s_internal' }), 400, 1001);
  });

  it('switching to a regex email keeps the email if it compiles under RE2', async () => {
    const c = api();
    const [record] = await seed(c, [entry]);
    const response = await c.patch(record.id, { is_email_regex: true });
    expectSuccess(response, 200);
    expect(response.body.result.is_email_regex).toBe(true);
    expect(response.body.result.email).toBe(entry.email);
  });
});
