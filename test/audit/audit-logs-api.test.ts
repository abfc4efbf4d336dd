/**
 * `GET /client/v4/accounts/{account_id}/audit_logs`: Cloudflare's account audit log shape, newest
 * first, paginated with result_info, filtered by time range, action, resource and actor IP, readable with
 * read access to the account only, and append-only through the API. Also driven with the official SDK 5.2.0.
 */
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../contract/fixtures.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';
import { bearer, createToken, expectForbidden, READ_PERMISSION, type CreatedToken } from '../auth/support.js';
import { auditEntries, auditPath } from './audit-support.js';

let server: TestServer;
const ACCOUNT = newAccount();
/** The account's entries, oldest first, and what each recorded. */
let all: any[];
const changes: { action: string; type: string; id: number }[] = [];
let reader: CreatedToken;
let outsider: CreatedToken;

const fixture = (name: string) => FIXTURES.find((f) => f.name === name)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function change(method: string, resource: string, suffix: string, body: unknown, action: string): Promise<any> {
  const response = await request(server.origin, method, settingsPath(suffix ? `${resource}/${suffix}` : resource, ACCOUNT), { body });
  expect(response.status, response.text).toBeLessThan(300);
  const id = method === 'POST' ? response.body.result.id : Number(suffix);
  changes.push({ action, type: resource, id });
  // Distinct timestamps, so time filters have exact boundaries.
  await sleep(15);
  return response.body.result;
}

beforeAll(async () => {
  server = await startServer();
  reader = await createToken(server, { name: 'auditor', accounts: [ACCOUNT], readOnly: true });
  outsider = await createToken(server, { name: 'outsider', accounts: [newAccount()] });
  const allow = await change('POST', 'allow_policies', '', fixture('allow_policies').creates[0], 'create');
  const block = await change('POST', 'block_senders', '', fixture('block_senders').creates[0], 'create');
  await change('PATCH', 'allow_policies', String(allow.id), fixture('allow_policies').patch, 'update');
  await change('POST', 'domains', '', fixture('domains').creates[0], 'create');
  await change('DELETE', 'block_senders', String(block.id), undefined, 'delete');
  await change('PATCH', 'allow_policies', String(allow.id), { comments: 'second patch' }, 'update');
  await change('DELETE', 'allow_policies', String(allow.id), undefined, 'delete');
  // Another account's change never shows up here.
  expect(
    (await request(server.origin, 'POST', settingsPath('block_senders', newAccount()), { body: fixture('block_senders').creates[1] }))
      .status,
  ).toBe(201);
  all = await auditEntries(server.origin, ACCOUNT);
});
afterAll(() => server?.close());

async function list(query: Record<string, string | number> = {}, headers?: Record<string, string>) {
  const response = await request(server.origin, 'GET', auditPath(ACCOUNT, query), { headers });
  expect(response.status, response.text).toBe(200);
  return response;
}

const idsOf = (entries: any[]) => entries.map((e) => e.id);

describe('the list', () => {
  it('holds exactly the changes made in the account, in order, in the audit log shape', () => {
    expect(all.map((e) => [e.action.type, e.resource.type, e.resource.id])).toEqual(changes.map((c) => [c.action, c.type, String(c.id)]));
    for (const entry of all) {
      expect(Object.keys(entry)).toEqual(
        expect.arrayContaining(['id', 'action', 'actor', 'interface', 'metadata', 'newValue', 'oldValue', 'owner', 'resource', 'when']),
      );
      expect(entry.owner.id).toBe(ACCOUNT);
    }
    expect(new Set(idsOf(all)).size).toBe(all.length);
  });

  it('is newest first by default, with result_info', async () => {
    const response = await list();
    expect(response.body.success).toBe(true);
    expect(idsOf(response.body.result)).toEqual(idsOf(all).reverse());
    const whens = response.body.result.map((e: any) => Date.parse(e.when));
    expect([...whens].sort((a, b) => b - a)).toEqual(whens);
    expect(response.body.result_info).toMatchObject({ page: 1, count: all.length, total_count: all.length });
  });

  it('is oldest first with direction=asc', async () => {
    expect(idsOf((await list({ direction: 'asc' })).body.result)).toEqual(idsOf(all));
  });

  it('pages with page and per_page; the pages put together are the whole list', async () => {
    const pages: any[] = [];
    for (let page = 1; page <= 4; page++) {
      const response = await list({ page, per_page: 3 });
      const expectedCount = Math.max(0, Math.min(3, all.length - (page - 1) * 3));
      expect(response.body.result_info).toEqual({ page, per_page: 3, count: expectedCount, total_count: all.length });
      expect(response.body.result).toHaveLength(expectedCount);
      pages.push(...response.body.result);
    }
    expect(idsOf(pages)).toEqual(idsOf(all).reverse());
  });

  it('rejects per_page over 1000, page 0 and an unknown direction with 400', async () => {
    const queries: Record<string, string | number>[] = [{ per_page: 1001 }, { page: 0 }, { direction: 'sideways' }];
    for (const query of queries) {
      const response = await request(server.origin, 'GET', auditPath(ACCOUNT, query));
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.body.success).toBe(false);
    }
  });
});

describe('filters', () => {
  it('action.type', async () => {
    for (const action of ['create', 'update', 'delete']) {
      const response = await list({ 'action.type': action, direction: 'asc' });
      const expected = all.filter((e) => e.action.type === action);
      expect(expected.length).toBeGreaterThan(0);
      expect(idsOf(response.body.result)).toEqual(idsOf(expected));
      expect(response.body.result_info.total_count).toBe(expected.length);
    }
  });

  it('resource.type (the collection name) and resource.id', async () => {
    const allow = all.filter((e) => e.resource.type === 'allow_policies');
    expect(allow).toHaveLength(4);
    expect(idsOf((await list({ 'resource.type': 'allow_policies', direction: 'asc' })).body.result)).toEqual(idsOf(allow));
    const domain = all.find((e) => e.resource.type === 'domains');
    const byId = await list({ 'resource.type': 'domains', 'resource.id': domain.resource.id });
    expect(idsOf(byId.body.result)).toEqual([domain.id]);
    expect((await list({ 'resource.type': 'trusted_domains' })).body.result).toEqual([]);
  });

  it('actor.ip', async () => {
    expect((await list({ 'actor.ip': '127.0.0.1' })).body.result).toHaveLength(all.length);
    expect((await list({ 'actor.ip': '192.0.2.1' })).body.result).toEqual([]);
  });

  it('since (at or after) and before (strictly before), alone and together', async () => {
    const third = all[2];
    const sixth = all[5];
    expect(idsOf((await list({ since: third.when, direction: 'asc' })).body.result)).toEqual(idsOf(all.slice(2)));
    expect(idsOf((await list({ before: third.when, direction: 'asc' })).body.result)).toEqual(idsOf(all.slice(0, 2)));
    expect(idsOf((await list({ since: third.when, before: sixth.when, direction: 'asc' })).body.result)).toEqual(idsOf(all.slice(2, 5)));
    expect((await list({ since: '2000-01-01' })).body.result).toHaveLength(all.length);
    expect((await list({ before: '2000-01-01' })).body.result).toEqual([]);
    expect((await list({ since: new Date(Date.now() + 3_600_000).toISOString() })).body.result).toEqual([]);
  });

  it('id (one entry by its id)', async () => {
    expect(idsOf((await list({ id: all[2].id })).body.result)).toEqual([all[2].id]);
  });

  it('combine (AND)', async () => {
    const expected = all.filter((e) => e.resource.type === 'allow_policies' && e.action.type === 'update');
    expect(expected).toHaveLength(2);
    expect(idsOf((await list({ 'resource.type': 'allow_policies', 'action.type': 'update', direction: 'asc' })).body.result)).toEqual(
      idsOf(expected),
    );
  });

  it('reject a malformed time with 400', async () => {
    const response = await request(server.origin, 'GET', auditPath(ACCOUNT, { since: 'yesterday' }));
    expect(response.status).toBe(400);
    expect(response.body.success).toBe(false);
  });
});

describe('access', () => {
  it('is open to a read-only token of the account, under both base paths', async () => {
    for (const prefix of ['/client/v4', '']) {
      const response = await request(server.origin, 'GET', auditPath(ACCOUNT, { direction: 'asc' }, prefix), {
        headers: bearer(reader.secret),
      });
      expect(response.status, response.text).toBe(200);
      expect(idsOf(response.body.result)).toEqual(idsOf(all));
    }
  });

  it('is 403 / 9109 naming the Read permission for a token of another account, under both base paths', async () => {
    for (const prefix of ['/client/v4', '']) {
      const response = await request(server.origin, 'GET', auditPath(ACCOUNT, {}, prefix), { headers: bearer(outsider.secret) });
      expectForbidden(response, READ_PERMISSION);
      expect(response.text).not.toContain(all[0].id);
    }
  });

  it('is 400 / 9106 without credentials', async () => {
    const response = await request(server.origin, 'GET', auditPath(ACCOUNT), { anonymous: true });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].code).toBe(9106);
  });
});

describe('records cannot be changed or deleted through the API', () => {
  const attempts: [string, string][] = [];
  for (const prefix of ['/client/v4', '']) {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      attempts.push([method, `${prefix}/accounts/{account}/audit_logs`]);
      attempts.push([method, `${prefix}/accounts/{account}/audit_logs/{entry}`]);
    }
  }

  it.each(attempts)('%s %s is 404 or 405, never a success', async (method, template) => {
    const url = template.replace('{account}', ACCOUNT).replace('{entry}', all[0].id);
    const body = method === 'DELETE' ? [{ id: all[0].id }] : { id: all[0].id, action: { type: 'create' }, newValue: '{}' };
    const response = await request(server.origin, method, url, { body });
    expect([404, 405], response.text).toContain(response.status);
    expect(response.body.success).toBe(false);
  });

  it('leaves every entry exactly as it was', async () => {
    expect(await auditEntries(server.origin, ACCOUNT)).toEqual(all);
  });
});

describe('official SDK 5.2.0: client.auditLogs.list', () => {
  const sdk = (token = TEST_TOKEN) => new Cloudflare({ apiToken: token, baseURL: `${server.origin}/client/v4`, maxRetries: 0 });

  it('returns the entries newest first with the fields the SDK models', async () => {
    const page = await sdk().auditLogs.list({ account_id: ACCOUNT });
    expect(page.result.map((e) => e.id)).toEqual(idsOf(all).reverse());
    const newest = page.result[0];
    expect(newest.action?.type).toBe('delete');
    expect(newest.action?.result).toBe(true);
    expect(newest.actor?.ip).toBe('127.0.0.1');
    expect(newest.owner?.id).toBe(ACCOUNT);
    expect(newest.resource).toEqual({ id: String(changes[changes.length - 1].id), type: 'allow_policies' });
    expect(typeof newest.when).toBe('string');
    expect(typeof newest.oldValue).toBe('string');
    expect((page.result_info as { total_count?: number }).total_count).toBe(all.length);
  });

  it('auto-paginates through every page', async () => {
    const seen: string[] = [];
    for await (const entry of sdk().auditLogs.list({ account_id: ACCOUNT, per_page: 2 })) seen.push(entry.id!);
    expect(seen).toEqual(idsOf(all).reverse());
  });

  it('sends its filters (action, actor, direction, since/before) in a form the server understands', async () => {
    const deletes = await sdk().auditLogs.list({ account_id: ACCOUNT, action: { type: 'delete' }, direction: 'asc' });
    expect(deletes.result.map((e) => e.id)).toEqual(idsOf(all.filter((e) => e.action.type === 'delete')));
    const fromIp = await sdk().auditLogs.list({ account_id: ACCOUNT, actor: { ip: '192.0.2.1' } });
    expect(fromIp.result).toEqual([]);
    const window = await sdk().auditLogs.list({ account_id: ACCOUNT, since: all[1].when, before: all[3].when, direction: 'asc' });
    expect(window.result.map((e) => e.id)).toEqual(idsOf(all.slice(1, 3)));
  });

  it('works with a read-only token of the account, and raises PermissionDeniedError for another account', async () => {
    const page = await sdk(reader.secret).auditLogs.list({ account_id: ACCOUNT });
    expect(page.result).toHaveLength(all.length);
    const error: any = await sdk(outsider.secret)
      .auditLogs.list({ account_id: ACCOUNT })
      .then(
        () => undefined,
        (e) => e,
      );
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.errors[0].code).toBe(9109);
  });
});
