/**
 * Text no store can keep (NUL, unpaired surrogates, bytes that are not UTF-8) is a 400 naming the field,
 * the same on SQLite and PostgreSQL, and nothing is stored. The evaluate endpoint stores nothing and
 * evaluates such text like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../contract/fixtures.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

function expectFieldError(response: { status: number; body: any; text: string }, pointer: string, pattern: RegExp): void {
  expect(response.status, response.text).toBe(400);
  expect(response.body).toMatchObject({ success: false, result: null, messages: [] });
  expect(response.body.errors).toEqual([{ code: 1001, message: expect.stringMatching(pattern), source: { pointer } }]);
}

const NUL = /must not contain the NUL character/;
const SURROGATE = /unpaired surrogate/;

/** The first string field of a fixture's create body. */
function textField(body: Record<string, unknown>): string {
  return Object.keys(body).find((key) => typeof body[key] === 'string')!;
}

describe('text that cannot be stored', () => {
  for (const fixture of FIXTURES) {
    describe(fixture.name, () => {
      it('a NUL in ?search is a 400 naming search', async () => {
        const path = settingsPath(fixture.name, newAccount());
        expectFieldError(await request(server.origin, 'GET', `${path}?search=%00`), '/search', NUL);
        expectFieldError(await request(server.origin, 'GET', `${path}?search=a%00b&page=1`), '/search', NUL);
      });

      it('a NUL, a lone surrogate or invalid UTF-8 in a body field is a 400 naming it, and nothing is stored', async () => {
        const account = newAccount();
        const path = settingsPath(fixture.name, account);
        const body = fixture.creates[0];
        const field = textField(body);
        const withNul = JSON.stringify({ ...body, [field]: `${String(body[field])}\u0000` });
        expectFieldError(await request(server.origin, 'POST', path, { rawBody: withNul }), `/${field}`, NUL);
        const withSurrogate = JSON.stringify(body).replace(`"${field}":"`, `"${field}":"\\ud800`);
        expectFieldError(await request(server.origin, 'POST', path, { rawBody: withSurrogate }), `/${field}`, SURROGATE);
        const invalidUtf8 = Buffer.concat([Buffer.from(withNul.slice(0, 20)), Buffer.from([0xff, 0xfe]), Buffer.from(withNul.slice(20))]);
        const response = await fetch(server.origin + path, {
          method: 'POST',
          headers: { authorization: 'Bearer mailwarden-test-admin-token', 'content-type': 'application/json' },
          body: invalidUtf8,
        });
        expect(response.status).toBe(400);
        expect(((await response.json()) as any).errors[0].message).toBe('Request body is not valid UTF-8');

        const created = await request(server.origin, 'POST', path, { body });
        expect(created.status, created.text).toBe(201);
        const item = `${path}/${created.body.result.id}`;
        expectFieldError(await request(server.origin, 'PATCH', item, { body: { [field]: 'x\u0000' } }), `/${field}`, NUL);
        // The record is as it was created.
        expect((await request(server.origin, 'GET', item)).body.result).toEqual(created.body.result);
        expect((await request(server.origin, 'GET', path)).body.result_info.total_count).toBe(1);
      });
    });
  }

  it('names a field nested in a bulk body, and an object key', async () => {
    const path = settingsPath('block_senders', newAccount());
    const ok = { is_regex: false, pattern: 'ok.example', pattern_type: 'DOMAIN' };
    const batch = { posts: [ok, { ...ok, comments: 'bad\u0000' }] };
    expectFieldError(await request(server.origin, 'POST', `${path}/batch`, { body: batch }), '/posts/1/comments', NUL);
    expectFieldError(await request(server.origin, 'POST', path, { body: { ...ok, 'a\u0000': 1 } }), '/a\u0000', NUL);
    expect((await request(server.origin, 'GET', path)).body.result).toEqual([]);
  });

  it('audit log filters with a NUL are a 400 naming the parameter', async () => {
    const path = `/client/v4/accounts/${newAccount()}/audit_logs`;
    expectFieldError(await request(server.origin, 'GET', `${path}?id=%00`), '/id', NUL);
    expectFieldError(await request(server.origin, 'GET', `${path}?actor.email=a%00`), '/actor.email', NUL);
  });

  it('the evaluate endpoint stores nothing: a NUL in a message is evaluated', async () => {
    const account = newAccount();
    const blocked = await request(server.origin, 'POST', settingsPath('block_senders', account), {
      body: { is_regex: false, pattern: 'evil.example', pattern_type: 'DOMAIN' },
    });
    expect(blocked.status).toBe(201);
    const response = await request(server.origin, 'POST', `/client/v4/accounts/${account}/email-security/evaluate`, {
      body: { messages: [{ id: 'm\u0000', from: 'boss@evil.example', from_name: 'E\u0000ve\ud800', recipients: ['ceo@corp.example'] }] },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body.result[0]).toMatchObject({ id: 'm\u0000', disposition: 'MALICIOUS' });
  });
});
