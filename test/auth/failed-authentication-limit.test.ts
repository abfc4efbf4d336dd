/**
 * Guessing secrets is slowed per client IP: past MAILWARDEN_AUTH_FAILURE_LIMIT wrong credentials in a
 * window, every credentialed request from that IP is refused with 429 / 971 and Retry-After, even one
 * with a right secret, and nothing is written. Malformed or missing credentials do not count.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFailureLimiter } from '../../src/auth/failure-limiter.js';
import { localCounters } from '../../src/limits/window-counters.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { bearer, createToken } from './support.js';

const POLICY = {
  is_acceptable_sender: false,
  is_exempt_recipient: false,
  is_regex: false,
  is_trusted_sender: true,
  pattern: 'guess@example.com',
  pattern_type: 'EMAIL',
  verify_sender: false,
};
const WRONG = 'Y'.repeat(40);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('with MAILWARDEN_AUTH_FAILURE_LIMIT=3', () => {
  it('answers 403 to the first 3 wrong secrets, then 429 to everything from that address, a right secret included', async () => {
    server = await startServer({ authFailureLimit: 3, rateLimitWindowSeconds: 60 });
    const { secret } = await createToken(server, { name: 'owner' });
    const path = settingsPath('allow_policies', newAccount());
    for (let i = 0; i < 3; i++) {
      const response = await request(server.origin, 'GET', path, { headers: bearer(WRONG) });
      expect(response.status, response.text).toBe(403);
    }
    for (const headers of [bearer(WRONG), bearer(secret)]) {
      const refused = await request(server.origin, 'POST', path, { headers, body: POLICY });
      expect(refused.status, refused.text).toBe(429);
      expect(refused.body).toMatchObject({ success: false, result: null, errors: [{ code: 971 }] });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
    // Public routes stay open.
    expect((await request(server.origin, 'GET', '/healthz', { anonymous: true })).status).toBe(200);
  });

  it('does not count malformed or missing credentials, and a right secret still works', async () => {
    server = await startServer({ authFailureLimit: 3, rateLimitWindowSeconds: 60 });
    const { secret } = await createToken(server, { name: 'owner' });
    const path = settingsPath('allow_policies', newAccount());
    for (let i = 0; i < 5; i++) {
      expect((await request(server.origin, 'GET', path, { headers: { authorization: 'Basic abc' } })).status).toBe(400);
      expect((await request(server.origin, 'GET', path, { anonymous: true })).status).toBe(400);
    }
    const created = await request(server.origin, 'POST', path, { headers: bearer(secret), body: POLICY });
    expect(created.status, created.text).toBe(201);
  });
});

describe('the failure window', () => {
  it('blocks from the limit on, for what is left of the window, then forgets', async () => {
    let time = 1_000_000;
    const limiter = createFailureLimiter(
      2,
      localCounters(60, () => time),
    );
    await limiter.failed('192.0.2.1');
    expect(await limiter.blockedFor('192.0.2.1')).toBe(0);
    await limiter.failed('192.0.2.1');
    expect(await limiter.blockedFor('192.0.2.1')).toBe(60);
    expect(await limiter.blockedFor('192.0.2.2')).toBe(0);
    time += 45_500;
    expect(await limiter.blockedFor('192.0.2.1')).toBe(15);
    time += 14_500;
    expect(await limiter.blockedFor('192.0.2.1')).toBe(0);
    await limiter.failed('192.0.2.1');
    expect(await limiter.blockedFor('192.0.2.1')).toBe(0);
  });

  it('is off at 0', async () => {
    const limiter = createFailureLimiter(0, localCounters(60));
    for (let i = 0; i < 10; i++) await limiter.failed('192.0.2.1');
    expect(await limiter.blockedFor('192.0.2.1')).toBe(0);
  });
});
