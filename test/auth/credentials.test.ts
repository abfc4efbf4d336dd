/**
 * Each credential error of the front door, legacy global keys, and the opt-in open mode
 * (MAILWARDEN_AUTH=open), through real HTTP. Revocation through the CLI: test/cli/tokens-cli.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { bearer, createToken, globalKey } from './support.js';

const blockBody = { is_regex: false, pattern: 'creds.example', pattern_type: 'DOMAIN' };

function expectErrorEnvelope(response: HttpResponse, status: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type') ?? '').toContain('application/json');
  expect(response.body.success).toBe(false);
  expect(response.body.result).toBeNull();
  expect(response.body.messages).toEqual([]);
}

const MISSING_CREDENTIALS = {
  success: false,
  errors: [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }],
  messages: [],
  result: null,
};

/** 400 / 6003 "Invalid request headers" whose error_chain has exactly these codes. */
function expectInvalidHeaders(response: HttpResponse, chain: number[]): void {
  expectErrorEnvelope(response, 400);
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors[0].code).toBe(6003);
  expect(response.body.errors[0].message).toBe('Invalid request headers');
  const codes = (response.body.errors[0].error_chain ?? []).map((e: any) => e.code).sort();
  expect(codes).toEqual([...chain].sort());
  for (const link of response.body.errors[0].error_chain) expect(link.message).toMatch(/^Invalid format for .* header$/);
}

describe('enforced mode (the default)', () => {
  let server: TestServer;
  const account = newAccount();
  const path = () => settingsPath('block_senders', account);

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  it('answers a request without credentials with 400 / 9106 and the exact message, on reads and writes', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const response = await request(server.origin, method, path(), { anonymous: true, body: method === 'POST' ? blockBody : undefined });
      expectErrorEnvelope(response, 400);
      expect(response.body).toEqual(MISSING_CREDENTIALS);
    }
    const audit = await request(server.origin, 'GET', `/client/v4/accounts/${account}/audit_logs`, { anonymous: true });
    expect(audit.body).toEqual(MISSING_CREDENTIALS);
    expect((await request(server.origin, 'GET', path())).body.result).toEqual([]);
  });

  it.each(['Basic x', 'Bearer', 'Bearer ', 'Bearer a b', 'bearer-less', 'Bearer\ttoken'])(
    'answers Authorization %j with 400 / 6003 and error_chain [6111]',
    async (authorization) => {
      const response = await request(server.origin, 'GET', path(), { headers: { authorization } });
      expectInvalidHeaders(response, [6111]);
      expect(response.body.errors[0].error_chain[0].message).toBe('Invalid format for Authorization header');
    },
  );

  it('answers X-Auth-Key without X-Auth-Email with 400 / 6003 and error_chain [6102]', async () => {
    const response = await request(server.origin, 'GET', path(), { headers: { 'x-auth-key': '144c9defac04969c7bfad8efaa8ea194' } });
    expectInvalidHeaders(response, [6102]);
    expect(response.body.errors[0].error_chain[0].message).toBe('Invalid format for X-Auth-Email header');
  });

  it('answers a malformed X-Auth-Email with 400 / 6003 and error_chain [6102]', async () => {
    for (const email of ['not-an-email', 'two@@example.com', 'spaces in@example.com']) {
      const response = await request(server.origin, 'GET', path(), {
        headers: { 'x-auth-email': email, 'x-auth-key': '144c9defac04969c7bfad8efaa8ea194' },
      });
      expectInvalidHeaders(response, [6102]);
    }
  });

  it('answers X-Auth-Email without X-Auth-Key with 400 / 6003 and error_chain [6103]', async () => {
    const response = await request(server.origin, 'GET', path(), { headers: { 'x-auth-email': 'user@example.com' } });
    expectInvalidHeaders(response, [6103]);
  });

  it('answers an unknown key/email pair with 403 / 9103, and writes nothing', async () => {
    const response = await request(server.origin, 'POST', path(), {
      body: blockBody,
      headers: globalKey('user@example.com', '144c9defac04969c7bfad8efaa8ea194'),
    });
    expectErrorEnvelope(response, 403);
    expect(response.body.errors).toEqual([{ code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' }]);
    expect((await request(server.origin, 'GET', path())).body.result).toEqual([]);
  });

  it('answers an unknown bearer token with 403 / 10000, and writes nothing', async () => {
    const response = await request(server.origin, 'POST', path(), {
      body: blockBody,
      headers: bearer('Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY'),
    });
    expectErrorEnvelope(response, 403);
    expect(response.body.errors).toEqual([{ code: 10000, message: 'Authentication error' }]);
    expect((await request(server.origin, 'GET', path())).body.result).toEqual([]);
  });

  it('accepts a token created with an email as a legacy global key (X-Auth-Email + X-Auth-Key = secret), not with another email', async () => {
    const { secret } = await createToken(server, { name: 'legacy', email: 'admin@example.com' });
    const ok = await request(server.origin, 'POST', path(), { body: blockBody, headers: globalKey('admin@example.com', secret) });
    expect(ok.status, ok.text).toBe(201);
    const read = await request(server.origin, 'GET', path(), { headers: globalKey('admin@example.com', secret) });
    expect(read.status).toBe(200);
    expect(read.body.result.map((r: any) => r.id)).toEqual([ok.body.result.id]);
    // The same secret still works as a bearer token.
    expect((await request(server.origin, 'GET', path(), { headers: bearer(secret) })).status).toBe(200);

    const otherEmail = await request(server.origin, 'GET', path(), { headers: globalKey('someone-else@example.com', secret) });
    expectErrorEnvelope(otherEmail, 403);
    expect(otherEmail.body.errors).toEqual([{ code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' }]);
    const wrongKey = await request(server.origin, 'GET', path(), { headers: globalKey('admin@example.com', `${secret}x`) });
    expect(wrongKey.body.errors).toEqual([{ code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' }]);
  });

  it('does not accept a token created without an email as a global key', async () => {
    const { secret } = await createToken(server, { name: 'bearer only' });
    expect((await request(server.origin, 'GET', path(), { headers: bearer(secret) })).status).toBe(200);
    const response = await request(server.origin, 'GET', path(), { headers: globalKey('user@example.com', secret) });
    expectErrorEnvelope(response, 403);
    expect(response.body.errors[0].code).toBe(9103);
  });

  it('keeps accepting the bootstrap token (MAILWARDEN_BOOTSTRAP_TOKEN) for any account, read and write', async () => {
    const other = newAccount();
    const created = await request(server.origin, 'POST', settingsPath('block_senders', other), { body: blockBody });
    expect(created.status).toBe(201);
    expect((await request(server.origin, 'GET', settingsPath(`block_senders/${created.body.result.id}`, other))).status).toBe(200);
  });
});

describe('open mode (MAILWARDEN_AUTH=open)', () => {
  let server: TestServer;
  const account = newAccount();
  const path = () => settingsPath('trusted_domains', account);
  const trusted = { is_recent: true, is_regex: false, is_similarity: false, pattern: 'open-mode.example.com' };

  beforeAll(async () => {
    server = await startServer({ authMode: 'open' });
  });
  afterAll(() => server?.close());

  it('accepts any well-formed bearer token for reads and writes, on any account', async () => {
    const headers = bearer('Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY');
    const created = await request(server.origin, 'POST', path(), { body: trusted, headers });
    expect(created.status, created.text).toBe(201);
    const listed = await request(server.origin, 'GET', path(), { headers });
    expect(listed.status).toBe(200);
    expect(listed.body.result.map((r: any) => r.id)).toEqual([created.body.result.id]);
    const elsewhere = await request(server.origin, 'GET', settingsPath('domains', newAccount()), { headers });
    expect(elsewhere.status).toBe(200);
  });

  it('accepts any well-formed X-Auth-Email + X-Auth-Key pair', async () => {
    const headers = globalKey('user@example.com', '144c9defac04969c7bfad8efaa8ea194');
    const created = await request(server.origin, 'POST', path(), { body: { ...trusted, pattern: 'open-key.example.com' }, headers });
    expect(created.status, created.text).toBe(201);
    const fetched = await request(server.origin, 'GET', `${path()}/${created.body.result.id}`, { headers });
    expect(fetched.status).toBe(200);
    expect(fetched.body.result).toEqual(created.body.result);
  });

  it('still answers missing credentials with 400 / 9106', async () => {
    const response = await request(server.origin, 'GET', path(), { anonymous: true });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(MISSING_CREDENTIALS);
  });

  it('still answers malformed credentials with 400 / 6003 (Authorization, X-Auth-Email)', async () => {
    for (const authorization of ['Basic x', 'Bearer', 'Bearer a b']) {
      expectInvalidHeaders(await request(server.origin, 'GET', path(), { headers: { authorization } }), [6111]);
    }
    expectInvalidHeaders(
      await request(server.origin, 'GET', path(), { headers: { 'x-auth-key': '144c9defac04969c7bfad8efaa8ea194' } }),
      [6102],
    );
    expectInvalidHeaders(
      await request(server.origin, 'GET', path(), { headers: globalKey('not-an-email', '144c9defac04969c7bfad8efaa8ea194') }),
      [6102],
    );
  });
});
