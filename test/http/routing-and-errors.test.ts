import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { ACCOUNT, startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ bodyLimit: 64 * 1024 });
});
afterAll(() => server.close());

const validPolicy = {
  is_acceptable_sender: false,
  is_exempt_recipient: false,
  is_regex: false,
  is_trusted_sender: true,
  pattern: 'sender@example.com',
  pattern_type: 'EMAIL',
  verify_sender: true,
};

describe('routing', () => {
  it('serves every route under /client/v4 and under the /accounts alias', async () => {
    const created = await request(server.origin, 'POST', settingsPath('allow_policies'), { body: validPolicy });
    expect(created.status).toBe(201);
    const viaAlias = await request(server.origin, 'GET', settingsPath(`allow_policies/${created.body.result.id}`, ACCOUNT, ''));
    expect(viaAlias.status).toBe(200);
    expect(viaAlias.body.result).toEqual(created.body.result);
  });

  it('answers an unknown route with 404/7000 in the envelope', async () => {
    const response = await request(server.origin, 'GET', '/client/v4/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      success: false,
      errors: [{ code: 7000, message: 'No route for that URI' }],
      messages: [],
      result: null,
    });
  });

  it('answers a known path with an unsupported method with 405/1005 and an Allow header', async () => {
    const response = await request(server.origin, 'PUT', settingsPath('allow_policies/1'), { body: validPolicy });
    expect(response.status).toBe(405);
    expect(response.body.errors).toEqual([{ code: 1005, message: 'Method not allowed' }]);
    expect(response.headers.get('allow')).toBe('GET, PATCH, DELETE');
  });

  it.each(['abc', '0', '-1', '1.5', '2147483648', '99999999999999999999', '01'])(
    'rejects the malformed record id %s with 400 and codes 7003 + 7000',
    async (id) => {
      const response = await request(server.origin, 'GET', settingsPath(`allow_policies/${id}`));
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { code: number }) => e.code)).toEqual([7003, 7000]);
      expect(response.body.errors[0].message).toContain('perhaps your object identifier is invalid');
    },
  );

  it.each(['acc1', '023e105f4ecef8ad9ca31a8372d0c35', '023e105f4ecef8ad9ca31a8372d0c353a', 'z23e105f4ecef8ad9ca31a8372d0c353'])(
    'rejects the malformed account id %s with 400 and codes 7003 + 7000, before reading the body',
    async (account) => {
      const response = await request(server.origin, 'POST', settingsPath('allow_policies', account), { rawBody: '{' });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { code: number }) => e.code)).toEqual([7003, 7000]);
    },
  );

  it('answers the health check', async () => {
    const response = await request(server.origin, 'GET', '/healthz');
    expect(response.status).toBe(200);
  });

  it('publishes an OpenAPI 3.1 document listing the /client/v4 routes only', async () => {
    const response = await request(server.origin, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const paths = Object.keys(response.body.paths);
    expect(paths).toContain('/client/v4/accounts/{account_id}/email-security/settings/allow_policies/{policy_id}');
    expect(paths).toContain('/client/v4/accounts/{account_id}/email-security/settings/sending_domain_restrictions/batch');
    expect(paths.every((path) => path.startsWith('/client/v4/'))).toBe(true);
  });
});

describe('request bodies', () => {
  it('rejects malformed JSON with 400/1001 and stores nothing', async () => {
    const before = await request(server.origin, 'GET', settingsPath('block_senders'));
    const response = await request(server.origin, 'POST', settingsPath('block_senders'), { rawBody: '{"is_regex": tru' });
    expect(response.status).toBe(400);
    expect(response.body.success).toBe(false);
    expect(response.body.errors[0].code).toBe(1001);
    expect(response.body.errors[0].message).toMatch(/not valid JSON/);
    const after = await request(server.origin, 'GET', settingsPath('block_senders'));
    expect(after.body.result_info.total_count).toBe(before.body.result_info.total_count);
  });

  it('rejects prototype-poisoning keys as a client error, not a 500', async () => {
    const response = await request(server.origin, 'POST', settingsPath('block_senders'), {
      rawBody: '{"__proto__": {"x": 1}, "is_regex": false, "pattern": "a.com", "pattern_type": "DOMAIN"}',
    });
    expect(response.status).toBe(400);
  });

  it('rejects a body of the wrong JSON kind', async () => {
    const response = await request(server.origin, 'POST', settingsPath('block_senders'), { body: [1, 2] });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toMatchObject({ code: 1001, source: { pointer: '' } });
  });

  it('rejects a body over the configured limit with 413/1004', async () => {
    const response = await request(server.origin, 'POST', settingsPath('block_senders'), {
      body: { ...validPolicy, comments: 'x'.repeat(70 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.body.errors[0].code).toBe(1004);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const response = await request(server.origin, 'POST', settingsPath('block_senders'), {
      rawBody: 'pattern=a.com',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect(response.body.success).toBe(false);
  });

  it('accepts the SDK style bodiless DELETE that still declares a JSON content type', async () => {
    const created = await request(server.origin, 'POST', settingsPath('allow_policies'), { body: validPolicy });
    const response = await request(server.origin, 'DELETE', settingsPath(`allow_policies/${created.body.result.id}`), {
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.body.result).toEqual({ id: created.body.result.id });
  });
});
