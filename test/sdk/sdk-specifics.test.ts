/**
 * SDK-specific request shapes: the trusted-domain bulk create (`{"body": [...]}`), deprecated allow-policy
 * aliases and PATCH nulls as the SDK types allow them, and the `/accounts/...` alias base path.
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

const trusted = (pattern: string, extra: Record<string, unknown> = {}) => ({
  is_recent: true,
  is_regex: false,
  is_similarity: false,
  pattern,
  ...extra,
});

describe('SDK trustedDomains.create bulk form', () => {
  it('sends {"body": [...]} and gets back an array of the same length and order', async () => {
    const { client, requests } = sdkClient(server.origin);
    const account_id = freshAccount();
    const items = [
      trusted('first.example.com'),
      trusted('second.example.com', { comments: 'partner', is_similarity: true }),
      trusted('^third\\..*$', { is_regex: true, is_recent: false }),
    ];
    const result: any = await client.emailSecurity.settings.trustedDomains.create({ account_id, body: items });

    const sent = requests.find((r) => r.method === 'POST')!;
    expect(JSON.parse(sent.body!)).toEqual({ body: items });

    expect(Array.isArray(result)).toBe(true);
    expect(result).toHaveLength(3);
    result.forEach((record: any, index: number) => {
      expectExactKeys(record, FIELDS.trustedDomain);
      expectRecordMeta(record);
      expect(record).toMatchObject(items[index]);
    });
    expect(result[0].comments).toBeNull();
    const ids = result.map((r: any) => r.id);
    expect([...ids].sort((a: number, b: number) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);

    const listed = await collect(client.emailSecurity.settings.trustedDomains.list({ account_id }));
    expect(listed).toEqual(result);
  });

  it('a single create still returns one object', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const result: any = await client.emailSecurity.settings.trustedDomains.create({ account_id, ...trusted('one.example') });
    expect(Array.isArray(result)).toBe(false);
    expectExactKeys(result, FIELDS.trustedDomain);
  });

  it('is atomic: one invalid element is a BadRequestError 1001 pointing into /body, and nothing is created', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const error = await thrown(() =>
      client.emailSecurity.settings.trustedDomains.create({
        account_id,
        body: [trusted('fine.example.com'), trusted('not a domain'), trusted('also-fine.example.com')],
      }),
    );
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(error.errors.map((e: any) => e.source?.pointer)).toEqual(['/body/1/pattern']);
    expect(await collect(client.emailSecurity.settings.trustedDomains.list({ account_id }))).toEqual([]);
  });

  it('an empty bulk create answers an empty array', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const result = await client.emailSecurity.settings.trustedDomains.create({ account_id, body: [] });
    expect(result).toEqual([]);
  });
});

describe('SDK allowPolicies deprecated aliases and PATCH nulls', () => {
  const base = {
    is_acceptable_sender: false,
    is_exempt_recipient: false,
    is_regex: false,
    is_trusted_sender: true,
    pattern: 'alias@example.com',
    pattern_type: 'EMAIL' as const,
    verify_sender: true,
  };

  it('the current field wins over a contradicting deprecated alias on create, and both are emitted mirrored', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const policy = await client.emailSecurity.settings.allowPolicies.create({
      account_id,
      ...base,
      is_sender: false,
      is_recipient: true,
      is_spoof: true,
    });
    expect(policy).toMatchObject({
      is_trusted_sender: true,
      is_sender: true,
      is_exempt_recipient: false,
      is_recipient: false,
      is_acceptable_sender: false,
      is_spoof: false,
    });
  });

  it('a deprecated alias alone supplies the current field', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const { is_trusted_sender: _t, is_exempt_recipient: _e, ...rest } = base;
    const policy = await client.emailSecurity.settings.allowPolicies.create({
      account_id,
      ...rest,
      is_sender: false,
      is_recipient: true,
    } as any);
    expect(policy).toMatchObject({ is_trusted_sender: false, is_sender: false, is_exempt_recipient: true, is_recipient: true });
    const fetched = await client.emailSecurity.settings.allowPolicies.get(policy.id, { account_id });
    expect(fetched).toEqual(policy);
  });

  it('a flag missing under both names is BadRequestError 1001 naming the current field', async () => {
    const { client } = sdkClient(server.origin);
    const { is_exempt_recipient: _e, ...rest } = base;
    const error = await thrown(() => client.emailSecurity.settings.allowPolicies.create({ account_id: freshAccount(), ...rest } as any));
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(error.errors.map((e: any) => e.source?.pointer)).toEqual(['/is_exempt_recipient']);
  });

  it('edit: a deprecated alias alone changes the current field; with both given the current one wins', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.allowPolicies;
    const policy = await api.create({ account_id, ...base });
    const viaAlias = await api.edit(policy.id, { account_id, is_sender: false, is_spoof: true } as any);
    expect(viaAlias).toMatchObject({ is_trusted_sender: false, is_sender: false, is_acceptable_sender: true, is_spoof: true });
    const both = await api.edit(policy.id, { account_id, is_trusted_sender: true, is_sender: false } as any);
    expect(both).toMatchObject({ is_trusted_sender: true, is_sender: true });
    const nullNew = await api.edit(policy.id, { account_id, is_exempt_recipient: null, is_recipient: true } as any);
    expect(nullNew).toMatchObject({ is_exempt_recipient: true, is_recipient: true });
  });

  it('edit: null leaves booleans and pattern unchanged, null clears comments, aliases follow the new values', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.allowPolicies;
    const policy = await api.create({ account_id, ...base, comments: 'to be cleared' });
    const edited = await api.edit(policy.id, {
      account_id,
      comments: null,
      is_regex: null,
      pattern: null,
      verify_sender: null,
      is_acceptable_sender: true,
    });
    expect(edited).toMatchObject({
      comments: null,
      is_regex: false,
      pattern: 'alias@example.com',
      verify_sender: true,
      is_acceptable_sender: true,
      is_spoof: true,
      is_trusted_sender: true,
      is_sender: true,
    });
  });

  it('edit: pattern_type null (the SDK type allows it; the API does not) is BadRequestError 1001', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.allowPolicies;
    const policy = await api.create({ account_id, ...base });
    const error = await thrown(() => api.edit(policy.id, { account_id, pattern_type: null }));
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(await api.get(policy.id, { account_id })).toEqual(policy);
  });

  it('edit: a pattern that no longer fits the (merged) pattern_type is rejected', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.allowPolicies;
    const policy = await api.create({ account_id, ...base });
    const error = await thrown(() => api.edit(policy.id, { account_id, pattern_type: 'IP' }));
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(await api.get(policy.id, { account_id })).toEqual(policy);
  });
});

describe('SDK edits of other resources with nulls', () => {
  it('blockSenders.edit: comments null clears, is_regex null is unchanged', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.blockSenders;
    const sender = await api.create({ account_id, is_regex: false, pattern: 'x@bad.example', pattern_type: 'EMAIL', comments: 'c' });
    const edited = await api.edit(sender.id, { account_id, comments: null, is_regex: null });
    expect(edited).toMatchObject({ comments: null, is_regex: false, pattern: 'x@bad.example', pattern_type: 'EMAIL' });
  });

  it('impersonationRegistry.edit: null name is unchanged, is_email_regex switches email to a regex', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.impersonationRegistry;
    const entry = await api.create({ account_id, name: 'Dana Director', email: 'dana@example.com', is_email_regex: false });
    const edited = await api.edit(entry.id, { account_id, name: null, email: '^dana(\\.d)?@example\\.com$', is_email_regex: true });
    expect(edited).toMatchObject({ name: 'Dana Director', email: '^dana(\\.d)?@example\\.com$', is_email_regex: true });
    expect(edited.provenance).toBe('A1S_INTERNAL');
  });

  it('trustedDomains.edit with an empty body returns the record unchanged', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.trustedDomains;
    const created: any = await api.create({ account_id, ...trusted('steady.example') });
    const edited = await api.edit(created.id, { account_id });
    const { last_modified: _a, ...before } = created;
    const { last_modified: _b, ...after } = edited as any;
    expect(after).toEqual(before);
  });
});

describe('SDK against the /accounts alias base path', () => {
  it('baseURL without /client/v4 works for create, get, edit, list and delete', async () => {
    const { client, requests } = sdkClient(server.origin, '');
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.blockSenders;
    const created = await api.create({ account_id, is_regex: false, pattern: 'alias.example.com', pattern_type: 'DOMAIN' });
    expectExactKeys(created, FIELDS.blockedSender);
    expect(await api.get(created.id, { account_id })).toEqual(created);
    const edited = await api.edit(created.id, { account_id, comments: 'via alias' });
    expect(edited.comments).toBe('via alias');
    expect(await collect(api.list({ account_id }))).toEqual([edited]);
    expect(await api.delete(created.id, { account_id })).toEqual({ id: created.id });
    expect(requests.every((r) => r.url.pathname.startsWith(`/accounts/${account_id}/email-security/settings/`))).toBe(true);

    // The alias and the real root are the same data.
    const other = sdkClient(server.origin).client.emailSecurity.settings.blockSenders;
    const viaRoot = await other.create({ account_id, is_regex: false, pattern: 'root.example.com', pattern_type: 'DOMAIN' });
    expect(await api.get(viaRoot.id, { account_id })).toEqual(viaRoot);
  });

  it('error mapping is the same under the alias', async () => {
    const { client } = sdkClient(server.origin, '');
    const error = await thrown(() => client.emailSecurity.settings.allowPolicies.get(123456, { account_id: freshAccount() }));
    expectSdkError(error, 404, Cloudflare.NotFoundError, 1002);
  });
});

describe('pattern validation seen through the SDK', () => {
  const blocked = (pattern: string, pattern_type: 'IP' | 'EMAIL' | 'DOMAIN' | 'UNKNOWN' = 'IP', is_regex = false) => ({
    is_regex,
    pattern,
    pattern_type,
  });

  it.each([
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.0/24',
    '127.0.0.1',
    '169.254.10.10',
    '0.0.0.0',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    '::ffff:192.168.0.1',
    '::ffff:127.0.0.1',
    '300.1.1.1',
    '8.8.8.8/33',
  ])('rejects the IP pattern %s with BadRequestError 1001 on /pattern', async (pattern) => {
    const { client } = sdkClient(server.origin);
    const error = await thrown(() =>
      client.emailSecurity.settings.blockSenders.create({ account_id: freshAccount(), ...blocked(pattern) }),
    );
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect(error.errors[0].source).toEqual({ pointer: '/pattern' });
  });

  it.each(['8.8.8.8', '203.0.113.0/24', '2001:4860:4860::8888', '2606:4700::/32'])('accepts the global IP pattern %s', async (pattern) => {
    const { client } = sdkClient(server.origin);
    const created = await client.emailSecurity.settings.blockSenders.create({ account_id: freshAccount(), ...blocked(pattern) });
    expect(created.pattern).toBe(pattern);
  });

  it('accepts UNKNOWN as a stored legacy type without a format check', async () => {
    const { client } = sdkClient(server.origin);
    const created = await client.emailSecurity.settings.blockSenders.create({
      account_id: freshAccount(),
      ...blocked('anything goes here', 'UNKNOWN'),
    });
    expect(created.pattern_type).toBe('UNKNOWN');
  });

  it('a regex RE2 cannot run (backreference, lookahead) is a 400 that says why', async () => {
    const { client } = sdkClient(server.origin);
    for (const pattern of ['(a)\\1@example\\.com', '^(?=admin).*@example\\.com$']) {
      const error = await thrown(() =>
        client.emailSecurity.settings.blockSenders.create({ account_id: freshAccount(), ...blocked(pattern, 'EMAIL', true) }),
      );
      expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
      expect(error.errors[0].message).toMatch(/RE2|backreference|lookaround|regular expression/i);
    }
    const entry = await thrown(() =>
      client.emailSecurity.settings.impersonationRegistry.create({
        account_id: freshAccount(),
        name: 'Regex Person',
        email: '(x)\\1',
        is_email_regex: true,
      }),
    );
    expectSdkError(entry, 400, Cloudflare.BadRequestError, 1001);
    expect(entry.errors[0].source).toEqual({ pointer: '/email' });
  });

  it('trustedDomains.edit with comments null (not nullable in the seed era) is BadRequestError 1001', async () => {
    const { client } = sdkClient(server.origin);
    const account_id = freshAccount();
    const api = client.emailSecurity.settings.trustedDomains;
    const created: any = await api.create({ account_id, ...trusted('keep.example', { comments: 'keep me' }) });
    const error = await thrown(() => api.edit(created.id, { account_id, comments: null as any }));
    expectSdkError(error, 400, Cloudflare.BadRequestError, 1001);
    expect((await api.get(created.id, { account_id })).comments).toBe('keep me');
    // An empty string is how the seed era clears it.
    expect((await api.edit(created.id, { account_id, comments: '' })).comments).toBe('');
  });
});
