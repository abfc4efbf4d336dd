/**
 * Per-credential rate limits: `Ratelimit` / `Ratelimit-Policy` headers in Cloudflare's style,
 * 429 with code 971 and `Retry-After` past the limit, a separate budget per token, and no headers when off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { bearer, createToken, globalKey } from './support.js';

const RATELIMIT = /^"default";r=(\d+);t=(\d+)$/;

describe('with MAILWARDEN_RATE_LIMIT=3 per 60 s', () => {
  let server: TestServer;
  const account = newAccount();
  const path = settingsPath('allow_policies', account);
  let first: string;
  let second: string;
  let keyed: { secret: string };

  beforeAll(async () => {
    server = await startServer({ rateLimit: 3, rateLimitWindowSeconds: 60 });
    first = (await createToken(server, { name: 'first' })).secret;
    second = (await createToken(server, { name: 'second' })).secret;
    keyed = await createToken(server, { name: 'keyed', email: 'keyed@example.com' });
  });
  afterAll(() => server?.close());

  it('serves 3 requests with falling `ratelimit` and a constant `ratelimit-policy`, then 429 / 971 with Retry-After', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await request(server.origin, 'GET', path, { headers: bearer(first) });
      expect(response.status, response.text).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
      const match = RATELIMIT.exec(response.headers.get('ratelimit') ?? '');
      expect(match, response.headers.get('ratelimit') ?? 'no ratelimit header').not.toBeNull();
      remaining.push(Number(match![1]));
      expect(Number(match![2])).toBeGreaterThan(0);
      expect(Number(match![2])).toBeLessThanOrEqual(60);
      if (i === 0) expect(response.headers.get('ratelimit')).toBe('"default";r=2;t=60');
    }
    expect(remaining).toEqual([2, 1, 0]);

    const limited = await request(server.origin, 'GET', path, { headers: bearer(first) });
    expect(limited.status).toBe(429);
    expect(limited.body.success).toBe(false);
    expect(limited.body.result).toBeNull();
    expect(limited.body.errors[0].code).toBe(971);
    expect(typeof limited.body.errors[0].message).toBe('string');
    const retryAfter = limited.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });

  it('refuses a write past the limit without applying it', async () => {
    const response = await request(server.origin, 'POST', path, {
      headers: bearer(first),
      body: {
        is_acceptable_sender: false,
        is_exempt_recipient: false,
        is_regex: false,
        is_trusted_sender: true,
        pattern: 'late@example.com',
        pattern_type: 'EMAIL',
        verify_sender: true,
      },
    });
    expect(response.status).toBe(429);
    expect(response.body.errors[0].code).toBe(971);
    const listed = await request(server.origin, 'GET', path); // bootstrap token: its own budget
    expect(listed.status).toBe(200);
    expect(listed.body.result).toEqual([]);
    const audit = await request(server.origin, 'GET', `/client/v4/accounts/${account}/audit_logs`);
    expect(audit.status).toBe(200);
    expect(audit.body.result).toEqual([]);
  });

  it('gives another token its own full budget', async () => {
    const response = await request(server.origin, 'GET', path, { headers: bearer(second) });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('ratelimit')).toMatch(/^"default";r=2;t=\d+$/);
  });

  it('counts a token the same whether it is sent as bearer or as global key (per credential, not per header)', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await request(server.origin, 'GET', path, { headers: bearer(keyed.secret) })).status).toBe(200);
    }
    const third = await request(server.origin, 'GET', path, { headers: globalKey('keyed@example.com', keyed.secret) });
    expect(third.status).toBe(200);
    expect(third.headers.get('ratelimit')).toMatch(/^"default";r=0;t=\d+$/);
    const fourth = await request(server.origin, 'GET', path, { headers: globalKey('keyed@example.com', keyed.secret) });
    expect(fourth.status).toBe(429);
    expect(fourth.body.errors[0].code).toBe(971);
  });
});

describe('with rate limiting off (MAILWARDEN_RATE_LIMIT=0)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ rateLimit: 0 });
  });
  afterAll(() => server?.close());

  it('never limits and sends no ratelimit headers', async () => {
    const path = settingsPath('block_senders', newAccount());
    for (let i = 0; i < 12; i++) {
      const response = await request(server.origin, 'GET', path);
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit')).toBeNull();
      expect(response.headers.get('ratelimit-policy')).toBeNull();
      expect(response.headers.get('retry-after')).toBeNull();
    }
  });
});
