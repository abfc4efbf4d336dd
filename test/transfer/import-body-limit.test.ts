/**
 * The import route has its own body limit (MAILWARDEN_IMPORT_BODY_LIMIT), larger than the one every
 * other route keeps (MAILWARDEN_BODY_LIMIT): a file between the two imports, a body over the import
 * limit is a 413 in the error envelope that a streaming client reads, and nothing is stored.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server.js';

const GENERAL_LIMIT = 64 * 1024;
const IMPORT_LIMIT = 512 * 1024;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ bodyLimit: GENERAL_LIMIT, importBodyLimit: IMPORT_LIMIT });
});
afterAll(async () => server?.close());

const importPath = (account: string, query = '') => `/client/v4/accounts/${account}/email-security/import${query}`;

function policies(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    pattern: `sender${i}@limit.example`,
    pattern_type: 'EMAIL',
    is_regex: false,
    verify_sender: false,
    is_trusted_sender: false,
    is_exempt_recipient: true,
    is_acceptable_sender: false,
    comments: `row ${i} ${'x'.repeat(40)}`,
  }));
}

/** Sends `text` as a stream (chunked, no content-length), as an uploading client would. */
async function streamed(path: string, text: string, contentType: string) {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let start = 0; start < bytes.length; start += 16 * 1024) controller.enqueue(bytes.subarray(start, start + 16 * 1024));
      controller.close();
    },
  });
  const response = await fetch(server.origin + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': contentType },
    body,
    duplex: 'half',
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function allowPolicyCount(account: string): Promise<number> {
  const response = await request(server.origin, 'GET', settingsPath('allow_policies', account));
  return response.body.result_info.total_count;
}

describe('import body limit', () => {
  it('imports a file larger than the general limit and below the import limit', async () => {
    const account = newAccount();
    const document = JSON.stringify({ allow_policies: policies(2000) });
    expect(document.length).toBeGreaterThan(GENERAL_LIMIT);
    expect(document.length).toBeLessThan(IMPORT_LIMIT);
    const response = await request(server.origin, 'POST', importPath(account), { rawBody: document });
    expect(response.status, response.text).toBe(200);
    expect(response.body.result.counts.create).toBe(2000);
    expect(await allowPolicyCount(account)).toBe(2000);
  });

  it('keeps the general limit on every other route', async () => {
    const account = newAccount();
    const response = await request(server.origin, 'POST', `${settingsPath('allow_policies', account)}/batch`, {
      body: { posts: policies(900) },
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ success: false, errors: [{ code: 1004 }] });
    expect(response.body.errors[0].message).toContain(String(GENERAL_LIMIT));
    expect(await allowPolicyCount(account)).toBe(0);
  });

  it('discards at most four times the route’s own limit: a larger body on another route is cut off, not read', async () => {
    // Declared 5 times the general limit, below 4 times the import limit: only the import route would read it.
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const outgoing = httpRequest(
        `${server.origin}${settingsPath('allow_policies', newAccount())}/batch`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', 'content-length': 5 * GENERAL_LIMIT },
        },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, connection: response.headers.connection });
        },
      );
      outgoing.on('error', reject);
      outgoing.write('{"posts": [');
    });
    expect(answer).toEqual({ status: 413, connection: 'close' });
  });

  it('refuses a JSON body over the import limit with a 413 envelope, and stores nothing', async () => {
    const account = newAccount();
    const document = JSON.stringify({ allow_policies: policies(6000) });
    expect(document.length).toBeGreaterThan(IMPORT_LIMIT);
    const declared = await request(server.origin, 'POST', importPath(account), { rawBody: document });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ success: false, errors: [{ code: 1004 }] });
    expect(declared.body.errors[0].message).toBe(`Request body is larger than the limit of ${IMPORT_LIMIT} bytes`);

    const chunked = await streamed(importPath(account), document, 'application/json');
    expect(chunked.status).toBe(413);
    expect(chunked.body).toMatchObject({ success: false, errors: [{ code: 1004 }] });
    expect(await allowPolicyCount(account)).toBe(0);
  });

  it('refuses a streamed CSV file over the import limit with a 413 envelope', async () => {
    const account = newAccount();
    const lines = ['Pattern,Pattern Type,Verify Email,Trusted Sender,Exempt Recipient,Acceptable Sender,Notes'];
    for (let i = 0, length = lines[0].length; length <= IMPORT_LIMIT; i++) {
      lines.push(`csv${i}@limit.example,EMAIL,false,false,true,false,"a, note"`);
      length += lines[i + 1].length + 2;
    }
    const response = await streamed(importPath(account, '?resource=allow_policies'), `${lines.join('\r\n')}\r\n`, 'text/csv');
    expect(response.status).toBe(413);
    expect(response.body.errors[0]).toMatchObject({
      code: 1004,
      message: `Request body is larger than the limit of ${IMPORT_LIMIT} bytes`,
    });
    expect(await allowPolicyCount(account)).toBe(0);
  });
});
