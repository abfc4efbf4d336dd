/**
 * The dashboard's session endpoints over real HTTP, on both stores: what a browser is told when it
 * signs in (the cookie and its attributes), what the cookie may and may not do on the public API
 * (CSRF header, read-only tokens, account binding), and what ends a session on the server: sign-out,
 * a revoked token, expiry. Bearer tokens keep working as before next to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenStore } from '../../src/auth/token-store.js';
import { openDatabase } from '../../src/db/database.js';
import { createToken, databaseUrlOf, expectForbidden, type CreatedToken } from '../auth/support.js';
import { request, settingsPath, type HttpResponse } from '../helpers/http.js';
import { ACCOUNT, OTHER_ACCOUNT, startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';

const DASHBOARD = { 'x-mailwarden-dashboard': '1' };

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case → their value ('' for flags). */
  attributes: Map<string, string>;
}

function parseSetCookie(line: string): SetCookie {
  const [pair, ...rest] = line.split(';').map((part) => part.trim());
  const equals = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attribute of rest) {
    const at = attribute.indexOf('=');
    if (at === -1) attributes.set(attribute.toLowerCase(), '');
    else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1));
  }
  return { name: pair.slice(0, equals), value: pair.slice(equals + 1), attributes };
}

/** The `mailwarden_session` cookies an answer sets (none, or one). */
function sessionCookies(response: HttpResponse): SetCookie[] {
  return response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .filter((cookie) => cookie.name === 'mailwarden_session');
}

function signIn(origin: string, token: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return request(origin, 'POST', '/dashboard/session', { body: { token }, anonymous: true, headers });
}

/** Signs in and returns the `Cookie` header value a browser would send back. */
async function sessionOf(origin: string, token: string): Promise<string> {
  const response = await signIn(origin, token);
  expect(response.status, response.text).toBe(200);
  const [cookie] = sessionCookies(response);
  return `mailwarden_session=${cookie.value}`;
}

/** A request as the dashboard makes it: the cookie and, unless told otherwise, the dashboard header. */
function withCookie(
  origin: string,
  method: string,
  path: string,
  cookie: string,
  options: { body?: unknown; dashboardHeader?: boolean; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  const headers = { cookie, ...(options.dashboardHeader === false ? {} : DASHBOARD), ...options.headers };
  return request(origin, method, path, { body: options.body, anonymous: true, headers });
}

function expectError(response: HttpResponse, status: number, code: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toMatchObject({ success: false, result: null, messages: [] });
  expect(response.body.errors.map((error: { code: number }) => error.code)).toEqual([code]);
}

async function blockedSenders(origin: string, account = ACCOUNT): Promise<string[]> {
  const response = await request(origin, 'GET', settingsPath('block_senders', account) + '?per_page=1000');
  expect(response.status, response.text).toBe(200);
  return response.body.result.map((record: { pattern: string }) => record.pattern);
}

function newSender(pattern: string) {
  return { pattern, pattern_type: 'EMAIL', is_regex: false };
}

async function revoke(server: TestServer, id: string): Promise<void> {
  const database = await openDatabase(databaseUrlOf(server));
  try {
    expect(await createTokenStore(database.db).revoke(id)).toBe(true);
  } finally {
    await database.close();
  }
}

describe('dashboard sessions', () => {
  let server: TestServer;
  let writer: CreatedToken;
  let reader: CreatedToken;

  beforeAll(async () => {
    server = await startServer();
    writer = await createToken(server, { name: 'dashboard writer', accounts: [ACCOUNT] });
    reader = await createToken(server, { name: 'dashboard reader', accounts: [ACCOUNT], readOnly: true });
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('signing in', () => {
    it('answers who the session acts as and a session cookie the page cannot read or send cross-site', async () => {
      const before = Date.now();
      const response = await signIn(server.origin, writer.secret);
      expect(response.status, response.text).toBe(200);
      expect(response.body.success).toBe(true);
      expect(response.body.result).toMatchObject({
        token_id: writer.token.id,
        name: 'dashboard writer',
        permission: 'write',
        accounts: [ACCOUNT],
        api_ids: 'integer',
      });

      const cookies = sessionCookies(response);
      expect(cookies).toHaveLength(1);
      const [cookie] = cookies;
      // 256 random bits, not the token's secret.
      expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(cookie.value).not.toContain(writer.secret);
      expect(response.text).not.toContain(cookie.value);
      expect(response.text).not.toContain(writer.secret);
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('strict');
      expect(cookie.attributes.get('path')).toBe('/');
      // Plain HTTP with no trusted proxy: a Secure cookie would never come back.
      expect(cookie.attributes.has('secure')).toBe(false);
      // Eight hours (MAILWARDEN_DASHBOARD_SESSION_SECONDS' default), and the body says when that is.
      expect(cookie.attributes.get('max-age')).toBe(String(8 * 60 * 60));
      const expiresAt = Date.parse(response.body.result.expires_at);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 8 * 3600_000 - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 8 * 3600_000 + 1000);
      if (cookie.attributes.has('expires')) {
        expect(Math.abs(Date.parse(cookie.attributes.get('expires')!) - expiresAt)).toBeLessThan(2000);
      }
    });

    it('opens a session for the bootstrap token too, with all accounts', async () => {
      const response = await signIn(server.origin, TEST_TOKEN);
      expect(response.status, response.text).toBe(200);
      expect(response.body.result).toMatchObject({ permission: 'write', accounts: null });
      expect(sessionCookies(response)).toHaveLength(1);
    });

    it('refuses a wrong token with 403 / 10000 and sets no cookie', async () => {
      const response = await signIn(server.origin, 'not-a-token-this-server-issued');
      expectError(response, 403, 10000);
      expect(sessionCookies(response)).toEqual([]);
    });

    it('refuses a revoked token with 403 / 10000 and sets no cookie', async () => {
      const gone = await createToken(server, { name: 'revoked before sign-in', accounts: [ACCOUNT] });
      await revoke(server, gone.token.id);
      const response = await signIn(server.origin, gone.secret);
      expectError(response, 403, 10000);
      expect(sessionCookies(response)).toEqual([]);
    });

    it('refuses a malformed body with 400 naming the field, and sets no cookie', async () => {
      for (const body of [{}, { token: '' }, { token: 'has a space' }, { token: TEST_TOKEN, extra: 1 }]) {
        const response = await request(server.origin, 'POST', '/dashboard/session', { body, anonymous: true });
        expect(response.status, `${JSON.stringify(body)}: ${response.text}`).toBe(400);
        expect(response.body.success).toBe(false);
        expect(response.body.errors.length).toBeGreaterThan(0);
        expect(sessionCookies(response)).toEqual([]);
      }
    });

    it('describes the session to GET /dashboard/session with the cookie', async () => {
      const cookie = await sessionOf(server.origin, reader.secret);
      const response = await withCookie(server.origin, 'GET', '/dashboard/session', cookie);
      expect(response.status, response.text).toBe(200);
      expect(response.body.result).toMatchObject({ token_id: reader.token.id, permission: 'read', accounts: [ACCOUNT] });
    });

    it('answers 401 / 10001 to GET /dashboard/session with no cookie or an unknown one', async () => {
      expectError(await request(server.origin, 'GET', '/dashboard/session', { anonymous: true }), 401, 10001);
      const unknown = await withCookie(server.origin, 'GET', '/dashboard/session', 'mailwarden_session=' + 'A'.repeat(43));
      expectError(unknown, 401, 10001);
    });
  });

  describe('the cookie on the API', () => {
    it('reads with the cookie and the dashboard header', async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      const response = await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie);
      expect(response.status, response.text).toBe(200);
      expect(response.body.success).toBe(true);
      const accounts = await withCookie(server.origin, 'GET', '/dashboard/accounts', cookie);
      expect(accounts.status, accounts.text).toBe(200);
      expect(accounts.body.result).toEqual([ACCOUNT]);
    });

    it('writes with the cookie and the dashboard header, and the audit log names the token', async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      const created = await withCookie(server.origin, 'POST', settingsPath('block_senders'), cookie, {
        body: newSender('cookie-write@example.net'),
      });
      expect(created.status, created.text).toBe(201);
      expect(await blockedSenders(server.origin)).toContain('cookie-write@example.net');
      const audit = await request(server.origin, 'GET', `/client/v4/accounts/${ACCOUNT}/audit_logs?per_page=1000`);
      const entry = audit.body.result.find((item: { metadata: { token_id: string } }) => item.metadata.token_id === writer.token.id);
      expect(entry?.metadata.token_name).toBe('dashboard writer');
    });

    it('ignores the cookie without the dashboard header: a cross-site write is refused and stores nothing', async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      const before = await blockedSenders(server.origin);
      const forged = await withCookie(server.origin, 'POST', settingsPath('block_senders'), cookie, {
        body: newSender('csrf@evil.example'),
        dashboardHeader: false,
        headers: { origin: 'https://evil.example' },
      });
      // Answered as a request with no credential at all.
      expectError(forged, 400, 9106);
      const batch = await withCookie(server.origin, 'POST', settingsPath('block_senders') + '/batch', cookie, {
        body: { deletes: [], patches: [], puts: [], posts: [newSender('csrf-batch@evil.example')] },
        dashboardHeader: false,
      });
      expectError(batch, 400, 9106);
      // A header with another value is not the dashboard's either.
      const wrongValue = await withCookie(server.origin, 'POST', settingsPath('block_senders'), cookie, {
        body: newSender('csrf-value@evil.example'),
        dashboardHeader: false,
        headers: { 'x-mailwarden-dashboard': 'true' },
      });
      expectError(wrongValue, 400, 9106);
      expect(await blockedSenders(server.origin)).toEqual(before);
    });

    it('grants no cross-origin page the right to send the dashboard header', async () => {
      const preflight = await request(server.origin, 'OPTIONS', settingsPath('block_senders'), {
        anonymous: true,
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-mailwarden-dashboard',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers') ?? '').not.toMatch(/x-mailwarden-dashboard/i);
    });

    it("gives a read-only token's cookie a read-only session: reads work, writes are 403 and store nothing", async () => {
      const cookie = await sessionOf(server.origin, reader.secret);
      const read = await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie);
      expect(read.status, read.text).toBe(200);
      const before = await blockedSenders(server.origin);
      const write = await withCookie(server.origin, 'POST', settingsPath('block_senders'), cookie, {
        body: newSender('reader-write@example.net'),
      });
      expectForbidden(write, 'Cloud Email Security: Write', 'POST with a read-only cookie');
      const remove = await withCookie(server.origin, 'POST', settingsPath('block_senders') + '/batch', cookie, {
        body: { deletes: [], patches: [], puts: [], posts: [newSender('reader-batch@example.net')] },
      });
      expectForbidden(remove, 'Cloud Email Security: Write', 'batch with a read-only cookie');
      expect(await blockedSenders(server.origin)).toEqual(before);
    });

    it("keeps the cookie to its token's accounts", async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      const other = await withCookie(server.origin, 'GET', settingsPath('block_senders', OTHER_ACCOUNT), cookie);
      expect(other.status, other.text).toBe(403);
      expect(other.body.success).toBe(false);
      const write = await withCookie(server.origin, 'POST', settingsPath('block_senders', OTHER_ACCOUNT), cookie, {
        body: newSender('elsewhere@example.net'),
      });
      expect(write.status, write.text).toBe(403);
      expect(await blockedSenders(server.origin, OTHER_ACCOUNT)).toEqual([]);
    });

    it('answers 401 / 10001 to the dashboard header with an unknown cookie', async () => {
      const response = await withCookie(server.origin, 'GET', settingsPath('block_senders'), 'mailwarden_session=' + 'B'.repeat(43));
      expectError(response, 401, 10001);
    });
  });

  describe('Bearer tokens beside the cookie', () => {
    it('work as before, with no cookie involved', async () => {
      const read = await request(server.origin, 'GET', settingsPath('block_senders'), {
        headers: { authorization: `Bearer ${writer.secret}` },
      });
      expect(read.status, read.text).toBe(200);
      expect(sessionCookies(read)).toEqual([]);
      const write = await request(server.origin, 'POST', settingsPath('block_senders'), {
        body: newSender('bearer@example.net'),
        headers: { authorization: `Bearer ${writer.secret}` },
      });
      expect(write.status, write.text).toBe(201);
      const readOnly = await request(server.origin, 'POST', settingsPath('block_senders'), {
        body: newSender('bearer-reader@example.net'),
        headers: { authorization: `Bearer ${reader.secret}` },
      });
      expectForbidden(readOnly, 'Cloud Email Security: Write', 'POST with a read-only bearer token');
    });

    it('take precedence over the cookie when both are sent', async () => {
      const readerCookie = await sessionOf(server.origin, reader.secret);
      const write = await withCookie(server.origin, 'POST', settingsPath('block_senders'), readerCookie, {
        body: newSender('bearer-wins@example.net'),
        headers: { authorization: `Bearer ${writer.secret}` },
      });
      expect(write.status, write.text).toBe(201);
      const writerCookie = await sessionOf(server.origin, writer.secret);
      const wrong = await withCookie(server.origin, 'GET', settingsPath('block_senders'), writerCookie, {
        headers: { authorization: 'Bearer not-a-token-this-server-issued' },
      });
      expectError(wrong, 403, 10000);
    });
  });

  describe('ending a session', () => {
    it('signs out on the server: the same cookie is refused afterwards, and the browser is told to drop it', async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      const out = await withCookie(server.origin, 'DELETE', '/dashboard/session', cookie);
      expect(out.status, out.text).toBe(200);
      expect(out.body).toMatchObject({ success: true, result: null });
      const [cleared] = sessionCookies(out);
      expect(cleared.value).toBe('');
      const maxAge = cleared.attributes.get('max-age');
      const expires = cleared.attributes.get('expires');
      expect(maxAge === '0' || (expires !== undefined && Date.parse(expires) <= Date.now())).toBe(true);
      expect(cleared.attributes.get('path')).toBe('/');

      // A browser that kept the cookie (or a copy of it) gets nowhere.
      expectError(await withCookie(server.origin, 'GET', '/dashboard/session', cookie), 401, 10001);
      expectError(await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie), 401, 10001);
      const write = await withCookie(server.origin, 'POST', settingsPath('block_senders'), cookie, {
        body: newSender('after-sign-out@example.net'),
      });
      expectError(write, 401, 10001);
      expect(await blockedSenders(server.origin)).not.toContain('after-sign-out@example.net');
    });

    it('ends only the session signed out of', async () => {
      const first = await sessionOf(server.origin, writer.secret);
      const second = await sessionOf(server.origin, writer.secret);
      expect(first).not.toBe(second);
      expect((await withCookie(server.origin, 'DELETE', '/dashboard/session', first)).status).toBe(200);
      expect((await withCookie(server.origin, 'GET', settingsPath('block_senders'), second)).status).toBe(200);
    });

    it('refuses a sign-out without the dashboard header (403 / 9109), and the session lives on', async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      const forged = await withCookie(server.origin, 'DELETE', '/dashboard/session', cookie, { dashboardHeader: false });
      expectError(forged, 403, 9109);
      expect(sessionCookies(forged)).toEqual([]);
      expect((await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie)).status).toBe(200);
    });

    it('ends every session of a token when the token is revoked', async () => {
      const doomed = await createToken(server, { name: 'soon revoked', accounts: [ACCOUNT] });
      const cookie = await sessionOf(server.origin, doomed.secret);
      expect((await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie)).status).toBe(200);
      await revoke(server, doomed.token.id);
      expectError(await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie), 401, 10001);
      const write = await withCookie(server.origin, 'POST', settingsPath('block_senders'), cookie, {
        body: newSender('after-revoke@example.net'),
      });
      expectError(write, 401, 10001);
      const described = await withCookie(server.origin, 'GET', '/dashboard/session', cookie);
      expectError(described, 401, 10001);
      // The browser is told to drop the dead cookie.
      expect(sessionCookies(described).map((cleared) => cleared.value)).toEqual(['']);
      expect(await blockedSenders(server.origin)).not.toContain('after-revoke@example.net');
    });

    it('refuses a session past its expiry even though the browser still sends the cookie', async () => {
      const cookie = await sessionOf(server.origin, writer.secret);
      // The server's record of the session says it ended a minute ago.
      const database = await openDatabase(databaseUrlOf(server));
      try {
        const past = new Date(Date.now() - 60_000).toISOString();
        await database.db.updateTable('dashboard_sessions').set({ expires_at: past }).where('token_id', '=', writer.token.id).execute();
      } finally {
        await database.close();
      }
      expectError(await withCookie(server.origin, 'GET', settingsPath('block_senders'), cookie), 401, 10001);
      expectError(await withCookie(server.origin, 'GET', '/dashboard/session', cookie), 401, 10001);
    });
  });
});

describe('dashboard session lifetime and TLS', () => {
  const servers: TestServer[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  async function serverWith(overrides: Parameters<typeof startServer>[0]): Promise<TestServer> {
    const server = await startServer(overrides);
    servers.push(server);
    return server;
  }

  it('sets the cookie to last MAILWARDEN_DASHBOARD_SESSION_SECONDS', async () => {
    const server = await serverWith({ dashboardSessionSeconds: 900 });
    const response = await signIn(server.origin, TEST_TOKEN);
    expect(response.status, response.text).toBe(200);
    expect(sessionCookies(response)[0].attributes.get('max-age')).toBe('900');
    const expiresIn = Date.parse(response.body.result.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(895_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);
  });

  it('marks the cookie Secure when a trusted proxy says the request came over TLS', async () => {
    const server = await serverWith({ trustProxy: true });
    const overTls = await signIn(server.origin, TEST_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(overTls.status, overTls.text).toBe(200);
    const [cookie] = sessionCookies(overTls);
    expect(cookie.attributes.has('secure')).toBe(true);
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('strict');
    // Signing out over TLS clears it with the same attributes, so the browser matches and drops it.
    const out = await withCookie(server.origin, 'DELETE', '/dashboard/session', `mailwarden_session=${cookie.value}`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(out.status, out.text).toBe(200);
    expect(sessionCookies(out)[0].attributes.has('secure')).toBe(true);

    const plain = await signIn(server.origin, TEST_TOKEN, { 'x-forwarded-proto': 'http' });
    expect(sessionCookies(plain)[0].attributes.has('secure')).toBe(false);
    const noHeader = await signIn(server.origin, TEST_TOKEN);
    expect(sessionCookies(noHeader)[0].attributes.has('secure')).toBe(false);
  });

  it('does not take X-Forwarded-Proto from a client when no proxy is trusted', async () => {
    const server = await serverWith({ trustProxy: false });
    const response = await signIn(server.origin, TEST_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(response.status, response.text).toBe(200);
    expect(sessionCookies(response)[0].attributes.has('secure')).toBe(false);
  });

  it('grants even an allowed CORS origin neither the dashboard header nor the cookie', async () => {
    const server = await serverWith({ corsOrigins: ['https://partner.example'] });
    const preflight = await request(server.origin, 'OPTIONS', settingsPath('block_senders'), {
      anonymous: true,
      headers: {
        origin: 'https://partner.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-mailwarden-dashboard',
      },
    });
    // CORS works for that origin (it may send Bearer tokens), but not with the dashboard's header or credentials.
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://partner.example');
    expect(preflight.headers.get('access-control-allow-headers') ?? '').not.toMatch(/x-mailwarden-dashboard/i);
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('opens no session in open mode for a secret that is not a token', async () => {
    const server = await serverWith({ authMode: 'open', bootstrapToken: undefined });
    const response = await signIn(server.origin, 'anything-goes-on-the-api-in-open-mode');
    expectError(response, 403, 10000);
    expect(sessionCookies(response)).toEqual([]);
  });
});
