/**
 * Audit records for every kind of change: exactly one entry per create, patch and delete on each
 * resource, per item of every batch (deletes, patches, puts, posts) and bulk operation, attributed to the
 * token (id and name, never its secret) and client IP, with the record before and after exactly as the API
 * showed it, and none at all for a request that failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, type ResourceFixture } from '../contract/fixtures.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { bearer, createToken, MISSING_ID, type CreatedToken } from '../auth/support.js';
import { auditEntries, expectEntry } from './audit-support.js';

let server: TestServer;
let writer: CreatedToken;
let reader: CreatedToken;
const TOKEN_NAME = 'audit writer';

beforeAll(async () => {
  server = await startServer();
  writer = await createToken(server, { name: TOKEN_NAME });
  reader = await createToken(server, { name: 'audit reader', readOnly: true });
});
afterAll(() => server?.close());

const token = () => ({ id: writer.token.id, name: TOKEN_NAME });
const as = () => bearer(writer.secret);
const fixture = (name: string) => FIXTURES.find((f) => f.name === name)!;
const path = (fx: ResourceFixture, account: string, suffix = '') => settingsPath(suffix ? `${fx.name}/${suffix}` : fx.name, account);

/** Creates `bodies` as the bootstrap admin and returns the records as the API returned them. */
async function seed(fx: ResourceFixture, account: string, bodies: Record<string, unknown>[]): Promise<any[]> {
  const records = [];
  for (const body of bodies) {
    const response = await request(server.origin, 'POST', path(fx, account), { body });
    expect(response.status, response.text).toBe(201);
    records.push(response.body.result);
  }
  return records;
}

/** The entries written after the first `count` ones. */
async function newEntries(account: string, count: number): Promise<any[]> {
  return (await auditEntries(server.origin, account)).slice(count);
}

function find(entries: any[], action: string, id: number): any {
  const matching = entries.filter((e) => e.action?.type === action && e.resource?.id === String(id));
  expect(matching, `${action} of ${id}`).toHaveLength(1);
  return matching[0];
}

describe.each(FIXTURES.map((fx) => [fx.name, fx] as const))('%s', (_name, fx) => {
  it('create, patch and delete each write exactly one entry, with the record before and after as the API returned it', async () => {
    const account = newAccount();
    const created = await request(server.origin, 'POST', path(fx, account), { body: fx.creates[0], headers: as() });
    expect(created.status, created.text).toBe(201);
    let entries = await auditEntries(server.origin, account);
    expect(entries).toHaveLength(1);
    expectEntry(entries[0], {
      account,
      action: 'create',
      resourceType: fx.name,
      resourceId: created.body.result.id,
      before: null,
      after: created.body.result,
      token: token(),
    });

    const id = created.body.result.id;
    const patched = await request(server.origin, 'PATCH', path(fx, account, String(id)), { body: fx.patch, headers: as() });
    expect(patched.status, patched.text).toBe(200);
    entries = await auditEntries(server.origin, account);
    expect(entries).toHaveLength(2);
    expectEntry(entries[1], {
      account,
      action: 'update',
      resourceType: fx.name,
      resourceId: id,
      before: created.body.result,
      after: patched.body.result,
      token: token(),
    });

    // Reads write nothing.
    expect((await request(server.origin, 'GET', path(fx, account, String(id)), { headers: as() })).status).toBe(200);
    expect((await request(server.origin, 'GET', path(fx, account), { headers: as() })).status).toBe(200);

    const deleted = await request(server.origin, 'DELETE', path(fx, account, String(id)), { headers: as() });
    expect(deleted.status, deleted.text).toBe(200);
    entries = await auditEntries(server.origin, account);
    expect(entries).toHaveLength(3);
    expectEntry(entries[2], {
      account,
      action: 'delete',
      resourceType: fx.name,
      resourceId: id,
      before: patched.body.result,
      after: null,
      token: token(),
    });

    expect(JSON.stringify(entries)).not.toContain(writer.secret);
  });

  it('a failed request writes nothing: 400 on create and patch, 404 on patch and delete, 403 read-only and other account', async () => {
    const account = newAccount();
    const [record] = await seed(fx, account, [fx.creates[0]]);
    const count = (await auditEntries(server.origin, account)).length;
    expect(count).toBe(1);
    const attempts = [
      { what: 'invalid create', status: 400, method: 'POST', url: path(fx, account), body: fx.invalidCreates[0].body, headers: as() },
      {
        what: 'invalid patch',
        status: 400,
        method: 'PATCH',
        url: path(fx, account, String(record.id)),
        body: fx.invalidPatches[0].body,
        headers: as(),
      },
      {
        what: 'patch of a missing id',
        status: 404,
        method: 'PATCH',
        url: path(fx, account, String(MISSING_ID)),
        body: fx.patch,
        headers: as(),
      },
      { what: 'delete of a missing id', status: 404, method: 'DELETE', url: path(fx, account, String(MISSING_ID)), headers: as() },
      {
        what: 'read-only create',
        status: 403,
        method: 'POST',
        url: path(fx, account),
        body: fx.creates[1],
        headers: bearer(reader.secret),
      },
      {
        what: 'read-only delete',
        status: 403,
        method: 'DELETE',
        url: path(fx, account, String(record.id)),
        headers: bearer(reader.secret),
      },
    ];
    const elsewhere = await createToken(server, { name: 'elsewhere', accounts: [newAccount()] });
    attempts.push(
      {
        what: 'other account patch',
        status: 403,
        method: 'PATCH',
        url: path(fx, account, String(record.id)),
        body: fx.patch,
        headers: bearer(elsewhere.secret),
      },
      {
        what: 'bad credential create',
        status: 403,
        method: 'POST',
        url: path(fx, account),
        body: fx.creates[1],
        headers: bearer('not-a-token'),
      },
    );
    for (const attempt of attempts) {
      const response = await request(server.origin, attempt.method, attempt.url, { body: attempt.body, headers: attempt.headers });
      expect(response.status, `${attempt.what}: ${response.text}`).toBe(attempt.status);
      expect(await newEntries(account, count), attempt.what).toEqual([]);
    }
  });
});

describe.each(['allow_policies', 'block_senders', 'trusted_domains'].map((name) => [name, fixture(name)] as const))(
  '%s batch',
  (_name, fx) => {
    it('writes one entry per item: each delete, patch, put and post', async () => {
      const account = newAccount();
      const records = await seed(fx, account, fx.creates.slice(0, 4));
      const count = (await auditEntries(server.origin, account)).length;
      const body = {
        deletes: [{ id: records[1].id }, { id: records[2].id }],
        patches: [{ id: records[3].id, ...fx.patch }],
        puts: [{ id: records[0].id, ...fx.batchFull!.put }],
        posts: [fx.creates[4], fx.generate(1)],
      };
      const response = await request(server.origin, 'POST', path(fx, account, 'batch'), { body, headers: as() });
      expect(response.status, response.text).toBe(200);
      const { result } = response.body;
      const entries = await newEntries(account, count);
      expect(entries).toHaveLength(6);
      const base = { account, resourceType: fx.name, token: token() };
      for (const deleted of [records[1], records[2]]) {
        expectEntry(find(entries, 'delete', deleted.id), {
          ...base,
          action: 'delete',
          resourceId: deleted.id,
          before: deleted,
          after: null,
        });
      }
      expectEntry(find(entries, 'update', records[3].id), {
        ...base,
        action: 'update',
        resourceId: records[3].id,
        before: records[3],
        after: result.patches[0],
      });
      expectEntry(find(entries, 'update', records[0].id), {
        ...base,
        action: 'update',
        resourceId: records[0].id,
        before: records[0],
        after: result.puts[0],
      });
      for (const posted of result.posts) {
        expectEntry(find(entries, 'create', posted.id), { ...base, action: 'create', resourceId: posted.id, before: null, after: posted });
      }
    });

    it('writes nothing when the batch fails halfway (a patch of a missing id after a valid delete), and undoes the delete', async () => {
      const account = newAccount();
      const records = await seed(fx, account, fx.creates.slice(0, 2));
      const count = (await auditEntries(server.origin, account)).length;
      const response = await request(server.origin, 'POST', path(fx, account, 'batch'), {
        body: {
          deletes: [{ id: records[0].id }],
          patches: [
            { id: records[1].id, ...fx.patch },
            { id: MISSING_ID, ...fx.patch },
          ],
          puts: [],
          posts: [fx.creates[2]],
        },
        headers: as(),
      });
      expect(response.status, response.text).toBe(404);
      expect(await newEntries(account, count)).toEqual([]);
      expect((await request(server.origin, 'GET', path(fx, account, String(records[0].id)))).body.result).toEqual(records[0]);
      expect((await request(server.origin, 'GET', path(fx, account, String(records[1].id)))).body.result).toEqual(records[1]);
    });

    it('writes nothing for a batch with an invalid post (400)', async () => {
      const account = newAccount();
      const records = await seed(fx, account, [fx.creates[0]]);
      const count = (await auditEntries(server.origin, account)).length;
      const response = await request(server.origin, 'POST', path(fx, account, 'batch'), {
        body: { deletes: [{ id: records[0].id }], patches: [], puts: [], posts: [fx.batchFull!.invalidPost] },
        headers: as(),
      });
      expect(response.status, response.text).toBe(400);
      expect(await newEntries(account, count)).toEqual([]);
    });
  },
);

describe('sending_domain_restrictions batch (deletes only)', () => {
  const fx = fixture('sending_domain_restrictions');

  it('writes one delete entry per deleted item', async () => {
    const account = newAccount();
    const records = await seed(fx, account, fx.creates.slice(0, 3));
    const count = (await auditEntries(server.origin, account)).length;
    const response = await request(server.origin, 'POST', path(fx, account, 'batch'), {
      body: { deletes: [{ id: records[0].id }, { id: records[2].id }] },
      headers: as(),
    });
    expect(response.status, response.text).toBe(200);
    const entries = await newEntries(account, count);
    expect(entries).toHaveLength(2);
    for (const deleted of [records[0], records[2]]) {
      expectEntry(find(entries, 'delete', deleted.id), {
        account,
        action: 'delete',
        resourceType: fx.name,
        resourceId: deleted.id,
        before: deleted,
        after: null,
        token: token(),
      });
    }
  });

  it('writes nothing when a later delete is of a missing id', async () => {
    const account = newAccount();
    const records = await seed(fx, account, fx.creates.slice(0, 1));
    const count = (await auditEntries(server.origin, account)).length;
    const response = await request(server.origin, 'POST', path(fx, account, 'batch'), {
      body: { deletes: [{ id: records[0].id }, { id: MISSING_ID }] },
      headers: as(),
    });
    expect(response.status, response.text).toBe(404);
    expect(await newEntries(account, count)).toEqual([]);
    expect((await request(server.origin, 'GET', path(fx, account, String(records[0].id)))).status).toBe(200);
  });
});

describe('trusted_domains bulk create', () => {
  const fx = fixture('trusted_domains');

  it.each([
    ['a bare array', (items: unknown[]) => items],
    ['the SDK wrapper {"body": [...]}', (items: unknown[]) => ({ body: items })],
  ])('writes one create entry per item (%s)', async (_shape, wrap) => {
    const account = newAccount();
    const response = await request(server.origin, 'POST', path(fx, account), { body: wrap(fx.creates.slice(0, 3)), headers: as() });
    expect(response.status, response.text).toBe(201);
    const records = response.body.result;
    expect(records).toHaveLength(3);
    const entries = await auditEntries(server.origin, account);
    expect(entries).toHaveLength(3);
    for (const record of records) {
      expectEntry(find(entries, 'create', record.id), {
        account,
        action: 'create',
        resourceType: fx.name,
        resourceId: record.id,
        before: null,
        after: record,
        token: token(),
      });
    }
  });

  it('writes nothing when one item is invalid', async () => {
    const account = newAccount();
    const response = await request(server.origin, 'POST', path(fx, account), {
      body: [fx.creates[0], fx.batchFull!.invalidPost],
      headers: as(),
    });
    expect(response.status, response.text).toBe(400);
    expect(await auditEntries(server.origin, account)).toEqual([]);
  });
});

describe('domains bulk delete', () => {
  const fx = fixture('domains');

  it('writes one delete entry per deleted domain', async () => {
    const account = newAccount();
    const records = await seed(fx, account, fx.creates.slice(0, 3));
    const count = (await auditEntries(server.origin, account)).length;
    const response = await request(server.origin, 'DELETE', path(fx, account), {
      body: [{ id: records[0].id }, { id: records[1].id }],
      headers: as(),
    });
    expect(response.status, response.text).toBe(200);
    const entries = await newEntries(account, count);
    expect(entries).toHaveLength(2);
    for (const deleted of records.slice(0, 2)) {
      expectEntry(find(entries, 'delete', deleted.id), {
        account,
        action: 'delete',
        resourceType: 'domains',
        resourceId: deleted.id,
        before: deleted,
        after: null,
        token: token(),
      });
    }
  });

  it('writes nothing when one id is missing, and deletes nothing', async () => {
    const account = newAccount();
    const records = await seed(fx, account, fx.creates.slice(0, 1));
    const count = (await auditEntries(server.origin, account)).length;
    const response = await request(server.origin, 'DELETE', path(fx, account), {
      body: [{ id: records[0].id }, { id: MISSING_ID }],
      headers: as(),
    });
    expect(response.status, response.text).toBe(404);
    expect(await newEntries(account, count)).toEqual([]);
    expect((await request(server.origin, 'GET', path(fx, account, String(records[0].id)))).status).toBe(200);
  });

  it('writes nothing for a conflicting create (409: the domain is already protected)', async () => {
    const account = newAccount();
    await seed(fx, account, [fx.creates[0]]);
    const count = (await auditEntries(server.origin, account)).length;
    const response = await request(server.origin, 'POST', path(fx, account), { body: fx.creates[0], headers: as() });
    expect(response.status, response.text).toBe(409);
    expect(await newEntries(account, count)).toEqual([]);
  });
});

describe('attribution', () => {
  it('names the global-key token and its email when the change came through X-Auth-Email + X-Auth-Key', async () => {
    const legacy = await createToken(server, { name: 'legacy writer', email: 'auditor@example.com' });
    const account = newAccount();
    const fx = fixture('block_senders');
    const created = await request(server.origin, 'POST', path(fx, account), {
      body: fx.creates[0],
      headers: { 'x-auth-email': 'auditor@example.com', 'x-auth-key': legacy.secret },
    });
    expect(created.status).toBe(201);
    const [entry] = await auditEntries(server.origin, account);
    expectEntry(entry, {
      account,
      action: 'create',
      resourceType: fx.name,
      resourceId: created.body.result.id,
      before: null,
      after: created.body.result,
      token: { id: legacy.token.id, name: 'legacy writer' },
    });
    expect(entry.actor.email).toBe('auditor@example.com');
    expect(JSON.stringify(entry)).not.toContain(legacy.secret);
    // README: filterable by actor.email.
    const byEmail = await request(server.origin, 'GET', `/client/v4/accounts/${account}/audit_logs?actor.email=auditor@example.com`);
    expect(byEmail.body.result.map((e: any) => e.id)).toEqual([entry.id]);
    const otherEmail = await request(server.origin, 'GET', `/client/v4/accounts/${account}/audit_logs?actor.email=someone@example.com`);
    expect(otherEmail.body.result).toEqual([]);
  });

  it('audits changes made through the /accounts alias exactly like those under /client/v4', async () => {
    const fx = fixture('allow_policies');
    const account = newAccount();
    const created = await request(server.origin, 'POST', settingsPath(fx.name, account, ''), { body: fx.creates[0], headers: as() });
    expect(created.status).toBe(201);
    const entries = await auditEntries(server.origin, account);
    expect(entries).toHaveLength(1);
    expectEntry(entries[0], {
      account,
      action: 'create',
      resourceType: fx.name,
      resourceId: created.body.result.id,
      before: null,
      after: created.body.result,
      token: token(),
    });
  });

  it('records the connecting IP, not a client-supplied X-Forwarded-For (no trusted proxy by default)', async () => {
    const fx = fixture('block_senders');
    const account = newAccount();
    const created = await request(server.origin, 'POST', path(fx, account), {
      body: fx.creates[0],
      headers: { ...as(), 'x-forwarded-for': '203.0.113.9' },
    });
    expect(created.status).toBe(201);
    const [entry] = await auditEntries(server.origin, account);
    expect(entry.actor.ip).toBe('127.0.0.1');
  });

  it('records each change under the account it happened in only', async () => {
    const fx = fixture('impersonation_registry');
    const [a, b] = [newAccount(), newAccount()];
    await seed(fx, a, [fx.creates[0]]);
    expect(await auditEntries(server.origin, b)).toEqual([]);
    expect((await auditEntries(server.origin, a)).map((e) => e.owner.id)).toEqual([a]);
  });
});

describe('behind a trusted proxy', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startServer({ trustProxy: true });
  });
  afterAll(() => proxied?.close());

  it('records the X-Forwarded-For address when it is one, and the peer address when the header holds anything else', async () => {
    const fx = fixture('block_senders');
    const cases = [
      ['203.0.113.9', '203.0.113.9'],
      ['2001:db8::7', '2001:db8::7'],
      ['a'.repeat(100), '127.0.0.1'],
      ['not an address', '127.0.0.1'],
      [`2001:db8::1%${'e'.repeat(80)}`, '127.0.0.1'],
    ];
    for (const [forwarded, recorded] of cases) {
      const account = newAccount();
      const created = await request(proxied.origin, 'POST', settingsPath(fx.name, account), {
        body: fx.creates[0],
        headers: { 'x-forwarded-for': forwarded },
      });
      expect(created.status, created.text).toBe(201);
      const [entry] = await auditEntries(proxied.origin, account);
      expect(entry.actor.ip, forwarded).toBe(recorded);
    }
  });
});
