/**
 * Hostile input on the routes `/openapi.json` does not list (so generated-input.test.ts does not reach
 * them): the dashboard's sign-in, the `/_mailwarden/` reset and snapshot routes, and the evaluate
 * endpoint's `message/rfc822` bodies (the description lists only its JSON body). Every answer is
 * below 500; every 4xx is the error envelope, sets no session cookie, and leaves the stored settings as
 * they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../contract/fixtures.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';
import { KILLER_VALUES } from './generated-input-arbitraries.js';

let server: TestServer;
const account = newAccount();

beforeAll(async () => {
  server = await startServer({ adminApi: true });
  for (const fixture of FIXTURES) {
    const created = await request(server.origin, 'POST', settingsPath(fixture.name, account), { body: fixture.creates[0] });
    expect(created.status, created.text).toBe(201);
  }
});
afterAll(() => server?.close());

async function stored(): Promise<string> {
  const lists = await Promise.all(
    FIXTURES.map((fixture) => request(server.origin, 'GET', `${settingsPath(fixture.name, account)}?per_page=100`)),
  );
  return JSON.stringify(lists.map((list) => list.body.result));
}

const RAW_BODIES = ['{', '[', 'nul', '{"a":}', '\ufeff{}', '"\\u12"', '{"__proto__":{"x":1}}', '1'.repeat(400)];

/** Sends one request and checks what every hostile request must satisfy; returns the status. */
async function hostile(method: string, path: string, body: string | undefined, options: { anonymous?: boolean } = {}): Promise<number> {
  const before = await stored();
  const answer = await request(server.origin, method, path, {
    rawBody: body,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' } }),
    anonymous: options.anonymous,
  });
  const what = `${method} ${path} ${body?.slice(0, 80)} -> ${answer.status} ${answer.text.slice(0, 200)}`;
  expect(answer.status, what).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(answer.body, what).toMatchObject({ success: false, result: null });
    expect(answer.body.errors.length, what).toBeGreaterThan(0);
    expect(answer.headers.get('set-cookie'), what).toBeNull();
    expect(await stored(), what).toBe(before);
  }
  return answer.status;
}

describe('hostile input on the routes the API description does not list', () => {
  it('dashboard sign-in: every hostile token or body is a 4xx in the envelope, with no cookie', async () => {
    for (const value of KILLER_VALUES) {
      const status = await hostile('POST', '/dashboard/session', JSON.stringify({ token: value }), { anonymous: true });
      expect(status, JSON.stringify(value)).toBeGreaterThanOrEqual(400);
    }
    for (const body of RAW_BODIES)
      expect(await hostile('POST', '/dashboard/session', body, { anonymous: true })).toBeGreaterThanOrEqual(400);
  });

  it('reset: a hostile accounts list is refused and deletes nothing; an empty list deletes nothing', async () => {
    for (const value of KILLER_VALUES) {
      await hostile('POST', '/_mailwarden/reset', JSON.stringify({ accounts: value }));
      await hostile('POST', '/_mailwarden/reset', JSON.stringify({ accounts: [value] }));
    }
    for (const body of RAW_BODIES) await hostile('POST', '/_mailwarden/reset', body);
    const before = await stored();
    const empty = await request(server.origin, 'POST', '/_mailwarden/reset', { body: { accounts: [] } });
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body.result).toMatchObject({ accounts: 0, records: 0 });
    expect(await stored()).toBe(before);
  });

  it('snapshots: hostile names are refused on save and restore, and restore changes nothing then', async () => {
    for (const value of KILLER_VALUES) await hostile('POST', '/_mailwarden/snapshots', JSON.stringify({ name: value }));
    for (const body of RAW_BODIES) await hostile('POST', '/_mailwarden/snapshots', body);
    for (const name of ['%00', '%ED%A0%80', 'x'.repeat(1025), '..%2F..%2Fetc', '%F0%9F%98%80'.repeat(100), 'missing']) {
      expect(await hostile('POST', `/_mailwarden/snapshots/${name}/restore`, undefined)).toBeGreaterThanOrEqual(400);
    }
  });

  it('evaluate: hostile message/rfc822 bodies are answered below 500, in the envelope when refused', async () => {
    const bodies: Array<string | Buffer> = [
      '',
      '\u0000',
      'From: \u0000@x\r\n\r\n',
      Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x80]),
      'From: <' + 'a'.repeat(100_000) + '@example.com>\r\nTo: b@example.com\r\n\r\nx',
      'From: a@example.com\r\nTo: ' + 'b@example.com, '.repeat(5000) + '\r\n\r\n',
      'Subject: no from\r\n\r\nbody',
      'From: =?utf-8?B?' +
        '\u00ff'.repeat(50) +
        '?= <a@example.com>\r\nTo: b@example.com\r\nAuthentication-Results: \u0000; spf=pass\r\n\r\n',
      'From a@example.com Mon Jan  1 00:00:00 2026\r\n' + 'X: y\r\n'.repeat(20_000),
    ];
    for (const body of bodies) {
      const before = await stored();
      const response = await fetch(`${server.origin}/client/v4/accounts/${account}/email-security/evaluate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'message/rfc822' },
        body,
      });
      const text = await response.text();
      const what = `${String(body).slice(0, 60)} -> ${response.status} ${text.slice(0, 200)}`;
      expect(response.status, what).toBeLessThan(500);
      if (response.status >= 400) expect(JSON.parse(text), what).toMatchObject({ success: false, result: null });
      expect(await stored(), what).toBe(before);
    }
  });
});
