/**
 * Import and export over HTTP, on both stores: a round trip (export → reset → import) gives the same
 * API answers ids and timestamps aside; merge and replace diffs are exact; a dry run changes nothing,
 * audit log included; a dashboard-style CSV (BOM, CRLF, quoted commas) imports; bad rows are refused
 * with their line and column and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { bearer, createToken } from '../auth/support.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ adminApi: true });
});
afterAll(async () => server?.close());

const transferPath = (account: string, what: 'export' | 'import', query = '') =>
  `/client/v4/accounts/${account}/email-security/${what}${query}`;

async function create(account: string, resource: string, body: object) {
  const response = await request(server.origin, 'POST', settingsPath(resource, account), { body });
  expect(response.status, response.text).toBe(201);
  return response.body.result;
}

async function list(account: string, resource: string) {
  const response = await request(server.origin, 'GET', `${settingsPath(resource, account)}?per_page=1000`);
  expect(response.status).toBe(200);
  return response.body.result as Record<string, unknown>[];
}

const withoutIdentity = (records: Record<string, unknown>[]) =>
  records.map(({ id: _id, created_at: _c, last_modified: _l, modified_at: _m, ...rest }) => rest);

async function everything(account: string) {
  const all: Record<string, unknown> = {};
  for (const resource of [
    'allow_policies',
    'block_senders',
    'domains',
    'impersonation_registry',
    'sending_domain_restrictions',
    'trusted_domains',
  ]) {
    all[resource] = withoutIdentity(await list(account, resource));
  }
  return all;
}

async function auditCount(account: string): Promise<number> {
  const response = await request(server.origin, 'GET', `/client/v4/accounts/${account}/audit_logs?per_page=1`);
  return response.body.result_info.total_count;
}

async function importBody(account: string, query: string, body: unknown, contentType = 'application/json') {
  return request(server.origin, 'POST', transferPath(account, 'import', query), {
    rawBody: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': contentType },
  });
}

async function seed(account: string) {
  await create(account, 'allow_policies', {
    is_acceptable_sender: false,
    is_exempt_recipient: false,
    is_regex: false,
    is_trusted_sender: true,
    pattern: 'partner.example',
    pattern_type: 'DOMAIN',
    verify_sender: true,
    comments: 'a, b "c"',
  });
  await create(account, 'block_senders', { is_regex: true, pattern: '.*@evil\\.example', pattern_type: 'EMAIL' });
  await create(account, 'domains', { domain: 'example.com', drop_dispositions: ['MALICIOUS', 'SPAM'], ip_restrictions: ['192.0.2.0/24'] });
  await create(account, 'impersonation_registry', { name: 'Jane Doe', email: 'jane@example.com', is_email_regex: false });
  await create(account, 'sending_domain_restrictions', { domain: 'bank.example', exclude: ['legacy.bank.example'], comments: null });
  await create(account, 'trusted_domains', { is_recent: true, is_similarity: false, is_regex: false, pattern: 'partner.example' });
}

describe('export → reset → import', () => {
  it('gives identical API answers, ids and timestamps aside', async () => {
    const account = newAccount();
    await seed(account);
    const before = await everything(account);
    const exported = await request(server.origin, 'GET', transferPath(account, 'export'));
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/json');
    expect(exported.body.account_id).toBe(account);
    expect(exported.body.allow_policies[0]).toMatchObject({ pattern: 'partner.example', is_sender: true, id: expect.any(Number) });

    const reset = await request(server.origin, 'POST', '/_mailwarden/reset', { body: { accounts: [account] } });
    expect(reset.status, reset.text).toBe(200);
    expect(Object.values(await everything(account)).flat()).toEqual([]);

    const imported = await importBody(account, '', exported.body);
    expect(imported.status, imported.text).toBe(200);
    expect(imported.body.result.counts).toEqual({ create: 6, update: 0, delete: 0, unchanged: 0 });
    expect(await everything(account)).toEqual(before);

    // The same file again: nothing to do.
    const again = await importBody(account, '', exported.body);
    expect(again.body.result.counts).toEqual({ create: 0, update: 0, delete: 0, unchanged: 6 });
  });
});

describe('merge and replace', () => {
  const policy = (pattern: string, comments: string | null = null) => ({
    pattern,
    pattern_type: 'EMAIL',
    is_regex: false,
    verify_sender: false,
    is_trusted_sender: false,
    is_exempt_recipient: true,
    is_acceptable_sender: false,
    comments,
  });

  it('merge creates what is missing and updates what matches by natural key; replace also deletes; dry run changes nothing', async () => {
    const account = newAccount();
    const kept = await create(account, 'allow_policies', policy('kept@example.com'));
    const changed = await create(account, 'allow_policies', policy('Changed@Example.com', 'old'));
    const extra = await create(account, 'allow_policies', policy('extra@example.com'));
    const file = { allow_policies: [policy('kept@example.com'), policy('changed@example.com', 'new'), policy('new@example.com')] };

    const audits = await auditCount(account);
    const dry = await importBody(account, '?dry_run=true', file);
    expect(dry.status, dry.text).toBe(200);
    const diff = dry.body.result.collections.allow_policies;
    expect(dry.body.result).toMatchObject({ mode: 'merge', dry_run: true, counts: { create: 1, update: 1, delete: 0, unchanged: 1 } });
    expect(diff.create).toEqual([expect.objectContaining({ pattern: 'new@example.com' })]);
    expect(diff.update).toEqual([
      { id: changed.id, before: expect.objectContaining({ comments: 'old' }), after: expect.objectContaining({ comments: 'new' }) },
    ]);
    expect(await auditCount(account)).toBe(audits);
    expect((await list(account, 'allow_policies')).map((p) => p.id)).toEqual([kept.id, changed.id, extra.id]);

    const dryReplace = await importBody(account, '?mode=replace&dry_run=true', file);
    expect(dryReplace.body.result.counts).toEqual({ create: 1, update: 1, delete: 1, unchanged: 1 });
    expect(dryReplace.body.result.collections.allow_policies.delete).toEqual([
      expect.objectContaining({ id: extra.id, pattern: 'extra@example.com' }),
    ]);

    const real = await importBody(account, '?mode=replace', file);
    expect(real.status, real.text).toBe(200);
    expect({ ...real.body.result, dry_run: true }).toEqual(dryReplace.body.result);
    const after = await list(account, 'allow_policies');
    expect(after.map((p) => [p.pattern, p.comments])).toEqual([
      ['kept@example.com', null],
      ['changed@example.com', 'new'],
      ['new@example.com', null],
    ]);
    expect(after[1].id).toBe(changed.id);
    // One audit entry per record changed: an update, a delete, a create.
    expect(await auditCount(account)).toBe(audits + 3);
  });

  it('leaves collections the file does not name alone, even with replace', async () => {
    const account = newAccount();
    await create(account, 'trusted_domains', { is_recent: true, is_similarity: false, is_regex: false, pattern: 'stay.example' });
    const result = await importBody(account, '?mode=replace', { block_senders: [] });
    expect(result.status).toBe(200);
    expect((await list(account, 'trusted_domains')).length).toBe(1);
  });
});

describe('CSV', () => {
  it('imports a dashboard-style file: BOM, CRLF, quoted cells with commas, quotes and line breaks, other column order', async () => {
    const account = newAccount();
    const csv =
      '\uFEFFPattern,Pattern Type,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender,Notes\r\n' +
      'ceo@partner.example,EMAIL,true,true,false,false,"Signed, sealed ""delivered"""\r\n' +
      'partner.example,domain,FALSE,no,yes,0,"two\r\nlines"\r\n' +
      '203.0.113.0/24,IP,false,false,false,true,\r\n';
    const response = await importBody(account, '?resource=allow_policies', csv, 'text/csv');
    expect(response.status, response.text).toBe(200);
    expect(response.body.result.counts.create).toBe(3);
    const stored = await list(account, 'allow_policies');
    expect(
      stored.map((p) => [
        p.pattern,
        p.pattern_type,
        p.verify_sender,
        p.is_trusted_sender,
        p.is_exempt_recipient,
        p.is_acceptable_sender,
        p.comments,
      ]),
    ).toEqual([
      ['ceo@partner.example', 'EMAIL', true, true, false, false, 'Signed, sealed "delivered"'],
      ['partner.example', 'DOMAIN', false, false, true, false, 'two\nlines'],
      ['203.0.113.0/24', 'IP', false, false, false, true, null],
    ]);

    const exported = await request(server.origin, 'GET', transferPath(account, 'export', '?format=csv&resource=allow_policies'));
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    expect(exported.text.split('\r\n')[0]).toBe(
      'Pattern,Pattern Type,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender,Notes,Regex',
    );
    expect(exported.text).toContain('"Signed, sealed ""delivered"""');
    // The exported CSV imports back as no change at all.
    const back = await importBody(account, '?resource=allow_policies&mode=replace', exported.text, 'text/csv');
    expect(back.status, back.text).toBe(200);
    expect(back.body.result.counts).toEqual({ create: 0, update: 0, delete: 0, unchanged: 3 });
  });

  it('refuses bad rows naming line and column, and stores nothing', async () => {
    const account = newAccount();
    const audits = await auditCount(account);
    const csv =
      'Pattern,Pattern Type,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender,Notes\r\n' +
      'good@example.com,EMAIL,false,true,false,false,\r\n' +
      'bad@example.com,PHONE,false,true,false,false,\r\n' +
      '"multi\r\nline",EMAIL,maybe,true,false,false,\r\n' +
      'not an address,EMAIL,false,true,false,false,\r\n';
    const response = await importBody(account, '?resource=allow_policies', csv, 'text/csv');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ success: false, result: null, messages: [] });
    const pointers = response.body.errors.map((e: { source: { pointer: string } }) => e.source.pointer);
    expect(pointers).toContain('/lines/3/Pattern Type');
    expect(pointers).toContain('/lines/4/Verify Email');
    expect(pointers).toContain('/lines/6/Pattern');
    expect(await list(account, 'allow_policies')).toEqual([]);
    expect(await auditCount(account)).toBe(audits);
  });

  it('needs resource for CSV and names a missing column', async () => {
    const account = newAccount();
    const noResource = await importBody(account, '', 'Pattern\r\nx.example\r\n', 'text/csv');
    expect(noResource.status).toBe(400);
    expect(noResource.body.errors[0].source.pointer).toBe('/resource');
    const noColumn = await importBody(account, '?resource=block_senders', 'Pattern\r\nx.example\r\n', 'text/csv');
    expect(noColumn.status).toBe(400);
    expect(noColumn.body.errors[0].source.pointer).toBe('/lines/1/Pattern Type');
  });

  it('imports files far over the dashboard 150 KB cap', async () => {
    const account = newAccount();
    const lines = ['Pattern,Pattern Type,Notes'];
    for (let i = 0; i < 5000; i++) lines.push(`sender${i}@bulk.example,EMAIL,"note ${i}, padded to make the file large"`);
    const csv = lines.join('\r\n');
    expect(csv.length).toBeGreaterThan(150 * 1024);
    const response = await importBody(account, '?resource=block_senders', csv, 'text/csv');
    expect(response.status, response.text.slice(0, 300)).toBe(200);
    expect(response.body.result.counts.create).toBe(5000);
  });
});

describe('JSON errors and permissions', () => {
  it('points into the document at the bad setting', async () => {
    const account = newAccount();
    const response = await importBody(account, '', {
      trusted_domains: [
        { pattern: 'ok.example', is_recent: false, is_similarity: false, is_regex: false },
        { pattern: 'not a domain', is_recent: false, is_similarity: false, is_regex: false },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].source.pointer).toBe('/trusted_domains/1/pattern');
    expect(await list(account, 'trusted_domains')).toEqual([]);
  });

  it('refuses a duplicate domain in one file (400, not a 409 or 500)', async () => {
    const account = newAccount();
    const response = await importBody(account, '', { domains: [{ domain: 'a.example' }, { domain: 'A.example' }] });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].source.pointer).toBe('/domains/1/domain');
  });

  it('export needs read, import needs write; admin routes need an administrator token', async () => {
    const account = newAccount();
    const readOnly = await createToken(server, { name: 'reader', readOnly: true });
    const scoped = await createToken(server, { name: 'one account', accounts: [account] });
    expect((await request(server.origin, 'GET', transferPath(account, 'export'), { anonymous: true })).status).toBe(400);
    expect((await request(server.origin, 'GET', transferPath(account, 'export'), { headers: bearer(readOnly.secret) })).status).toBe(200);
    const refused = await request(server.origin, 'POST', transferPath(account, 'import'), {
      headers: bearer(readOnly.secret),
      body: { block_senders: [] },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].code).toBe(9109);
    const other = await request(server.origin, 'GET', transferPath(newAccount(), 'export'), { headers: bearer(scoped.secret) });
    expect(other.status).toBe(403);
    for (const secret of [readOnly.secret, scoped.secret]) {
      const admin = await request(server.origin, 'POST', '/_mailwarden/reset', { headers: bearer(secret) });
      expect(admin.status).toBe(403);
    }
  });
});
