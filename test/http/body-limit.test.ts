/**
 * An over-limit body is answered 413 in the error envelope, and every client can read that answer:
 * Node's fetch (undici), the official SDK (which must not retry it) and curl. The body is read and
 * discarded up to four times the limit; the connection stays usable. Runs the built server (dist/).
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { settingsPath } from '../helpers/http.js';
import { ON_POSTGRES } from '../auth/support.js';
import { spawnServer, temporaryDirectory, TEST_TOKEN, type ChildServer } from '../helpers/server.js';
import { Cloudflare } from '../sdk/sdk-helpers.js';

const LIMIT = 2 * 1024 * 1024;
// A server process of its own: in the test's own process the server could not read while the client writes.
const directory = temporaryDirectory();
let server: ChildServer;
beforeAll(async () => {
  if (ON_POSTGRES) return;
  server = await spawnServer({ DATABASE_URL: `sqlite:${directory.path}/mw.db`, MAILWARDEN_BODY_LIMIT: String(LIMIT) });
});
afterAll(async () => {
  await server?.stop();
  directory.remove();
});

/** A trusted-domain bulk create whose JSON is about `bytes` long. */
function bigBody(bytes: number): string {
  return JSON.stringify([{ is_recent: false, is_regex: false, is_similarity: false, pattern: 'big.example', comments: 'x'.repeat(bytes) }]);
}

function expectTooLarge(status: number, body: any): void {
  expect(status).toBe(413);
  expect(body).toEqual({
    success: false,
    errors: [{ code: 1004, message: `Request body is larger than the limit of ${LIMIT} bytes` }],
    messages: [],
    result: null,
  });
}

// Store-independent: runs on the SQLite half of the suite.
describe.skipIf(ON_POSTGRES)('a body over MAILWARDEN_BODY_LIMIT', () => {
  it('Node fetch reads the 413, with a declared length and streamed, again and again on kept-alive connections', async () => {
    const path = settingsPath('trusted_domains', newAccount());
    const headers = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
    const body = bigBody(3.5 * LIMIT);
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await fetch(server.origin + path, { method: 'POST', headers, body });
      expectTooLarge(response.status, await response.json());
    }
    for (let attempt = 0; attempt < 4; attempt++) {
      const stream = new Blob([body]).stream();
      const response = await fetch(server.origin + path, { method: 'POST', headers, body: stream, duplex: 'half' });
      expectTooLarge(response.status, await response.json());
    }
    // The store is untouched and the server answers as ever.
    const list = await fetch(server.origin + path, { headers });
    expect(((await list.json()) as any).result).toEqual([]);
  });

  it('the SDK gets an APIError 413 (not a connection error) and sends the request once', async () => {
    let requestsSent = 0;
    const countingFetch = (input: any, init?: any) => {
      requestsSent++;
      return fetch(input, init);
    };
    const client = new Cloudflare({
      apiToken: TEST_TOKEN,
      baseURL: `${server.origin}/client/v4`,
      maxRetries: 2,
      fetch: countingFetch as any,
    });
    const account_id = newAccount();
    const items = [{ is_recent: false, is_regex: false, is_similarity: false, pattern: 'big.example', comments: 'x'.repeat(3.5 * LIMIT) }];
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = requestsSent;
      const error: any = await client.emailSecurity.settings.trustedDomains.create({ account_id, body: items }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Cloudflare.APIError);
      expect(error.status).toBe(413);
      expect(error.errors).toEqual([{ code: 1004, message: `Request body is larger than the limit of ${LIMIT} bytes` }]);
      expect(requestsSent - before).toBe(1);
    }
  });

  it('curl reads the 413', async () => {
    const path = settingsPath('trusted_domains', newAccount());
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile('curl', [
        '-sS',
        '-w',
        '\n%{http_code}',
        '-H',
        `authorization: Bearer ${TEST_TOKEN}`,
        '-H',
        'content-type: application/json',
        '--data-binary',
        '@-',
        server.origin + path,
      ]);
      let out = '';
      child.stdout!.on('data', (chunk) => (out += chunk));
      child.on('exit', (code) => resolve({ code, out }));
      child.stdin!.on('error', () => {});
      child.stdin!.end(bigBody(3.5 * LIMIT));
    });
    expect(result.code).toBe(0);
    const [body, status] = result.out.split('\n');
    expectTooLarge(Number(status), JSON.parse(body));
  });
});
