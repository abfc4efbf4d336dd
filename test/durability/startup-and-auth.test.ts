/**
 * Process-level configuration of the built server: database folders created on demand, the bootstrap
 * token, and configuration errors that must stop the process with a clear message.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Cloudflare from 'cloudflare';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import { ACCOUNT, spawnServer, temporaryDirectory, type ChildServer } from '../helpers/server.js';
import { runToExit } from './child-process.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const blockBody = { is_regex: false, pattern: 'folder.example', pattern_type: 'DOMAIN' };

describe('database location', () => {
  it('creates missing folders of DATABASE_URL and keeps the data there across a restart', async () => {
    const directory = temporaryDirectory();
    cleanups.push(() => directory.remove());
    const file = join(directory.path, 'nested', 'deeper', 'mw.db');
    expect(existsSync(join(directory.path, 'nested'))).toBe(false);

    const server = await spawnServer({ DATABASE_URL: `sqlite:${file}` });
    cleanups.push(async () => void (await server.stop('SIGKILL')));
    expect(existsSync(file)).toBe(true);
    const created = await request(server.origin, 'POST', settingsPath('block_senders'), { body: blockBody });
    expect(created.status).toBe(201);
    expect(await server.stop('SIGTERM')).toBe(0);

    const again = await spawnServer({ DATABASE_URL: `sqlite:${file}` });
    cleanups.push(async () => void (await again.stop('SIGKILL')));
    const fetched = await request(again.origin, 'GET', settingsPath(`block_senders/${created.body.result.id}`));
    expect(fetched.status).toBe(200);
    expect(fetched.body.result).toEqual(created.body.result);
  });

  it('without DATABASE_URL uses ./data/mailwarden.db under the working directory, creating ./data', async () => {
    const directory = temporaryDirectory();
    cleanups.push(() => directory.remove());
    expect(existsSync(join(directory.path, 'data'))).toBe(false);
    const server = await spawnServer({}, { cwd: directory.path });
    cleanups.push(async () => void (await server.stop('SIGKILL')));
    expect(existsSync(join(directory.path, 'data', 'mailwarden.db'))).toBe(true);
    const created = await request(server.origin, 'POST', settingsPath('block_senders'), { body: blockBody });
    expect(created.status).toBe(201);
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});

describe('MAILWARDEN_BOOTSTRAP_TOKEN', () => {
  const TOKEN = 'bootstrap-secret-0123456789';
  let server: ChildServer;
  let remove: () => void;

  beforeAll(async () => {
    const directory = temporaryDirectory();
    remove = () => directory.remove();
    server = await spawnServer({ DATABASE_URL: `sqlite:${join(directory.path, 'mw.db')}`, MAILWARDEN_BOOTSTRAP_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await server?.stop('SIGTERM');
    remove?.();
  });

  const path = () => settingsPath('block_senders');

  it('accepts Authorization: Bearer <token> for reads and writes, on both base paths', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const created = await request(server.origin, 'POST', path(), { body: blockBody, headers });
    expect(created.status).toBe(201);
    const listed = await request(server.origin, 'GET', path(), { headers });
    expect(listed.status).toBe(200);
    expect(listed.body.result.map((r: any) => r.id)).toContain(created.body.result.id);
    const viaAlias = await request(server.origin, 'GET', settingsPath(`block_senders/${created.body.result.id}`, ACCOUNT, ''), {
      headers,
    });
    expect(viaAlias.status).toBe(200);
  });

  it('works for the official SDK configured with that token', async () => {
    const client = new Cloudflare({ apiToken: TOKEN, baseURL: `${server.origin}/client/v4`, maxRetries: 0 });
    const created = await client.emailSecurity.settings.trustedDomains.create({
      account_id: ACCOUNT,
      is_recent: true,
      is_regex: false,
      is_similarity: false,
      pattern: 'sdk-auth.example',
    });
    const fetched = await client.emailSecurity.settings.trustedDomains.get((created as any).id, { account_id: ACCOUNT });
    expect(fetched).toEqual(created);
  });

  it('answers a request without credentials with 400 / 9106, and does not write', async () => {
    const response = await request(server.origin, 'POST', path(), {
      body: { ...blockBody, pattern: 'anonymous.example' },
      anonymous: true,
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      success: false,
      errors: [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }],
      messages: [],
      result: null,
    });
    const listed = await request(server.origin, 'GET', path(), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(listed.body.result.map((r: any) => r.pattern)).not.toContain('anonymous.example');
  });

  it('answers a wrong bearer token with 403 / 10000 (also under the /accounts alias)', async () => {
    for (const prefix of ['/client/v4', '']) {
      const response = await request(server.origin, 'GET', settingsPath('block_senders', ACCOUNT, prefix), {
        headers: { authorization: `Bearer ${TOKEN}x` },
      });
      expect(response.status).toBe(403);
      expect(response.body.success).toBe(false);
      expect(response.body.result).toBeNull();
      expect(response.body.errors).toEqual([{ code: 10000, message: 'Authentication error' }]);
    }
  });

  it('maps a wrong token to the SDK PermissionDeniedError', async () => {
    const client = new Cloudflare({ apiToken: 'not-the-token', baseURL: `${server.origin}/client/v4`, maxRetries: 0 });
    const error: any = await client.emailSecurity.settings.blockSenders.list({ account_id: ACCOUNT }).then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.errors[0].code).toBe(10000);
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Token ${TOKEN}`, `Bearer ${TOKEN} extra`])(
    'answers the malformed Authorization header %j with 400 / 6003 and an error_chain of 6111',
    async (authorization) => {
      const response = await request(server.origin, 'GET', path(), { headers: { authorization } });
      expect(response.status).toBe(400);
      expect(response.body.success).toBe(false);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors[0]).toMatchObject({ code: 6003, message: 'Invalid request headers' });
      expect(response.body.errors[0].error_chain).toHaveLength(1);
      expect(response.body.errors[0].error_chain[0].code).toBe(6111);
      expect(typeof response.body.errors[0].error_chain[0].message).toBe('string');
    },
  );
});

describe('configuration errors stop the process with a clear message', () => {
  it('an unsupported DATABASE_URL (mysql://x) exits non-zero naming the problem', async () => {
    const result = await runToExit({ DATABASE_URL: 'mysql://x' });
    expect(result.timedOut).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.output).toMatch(/DATABASE_URL/);
    expect(result.output).toMatch(/mysql:\/\/x/);
    expect(result.output).not.toMatch(/Server listening/);
  });

  it('does not print the password of a rejected DATABASE_URL', async () => {
    const result = await runToExit({ DATABASE_URL: 'mysql://admin:hunter2secret@db.internal/mail' });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/DATABASE_URL/);
    expect(result.output).not.toContain('hunter2secret');
  });

  it.each([['abc'], ['70000'], ['-1']])('PORT=%s exits non-zero naming PORT', async (port) => {
    const result = await runToExit({ PORT: port, DATABASE_URL: 'sqlite::memory:' });
    expect(result.timedOut).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.output).toMatch(/PORT/);
    expect(result.output).not.toMatch(/Server listening/);
  });

  it.each([
    [{ MAILWARDEN_RATE_LIMIT_STORE: 'redis' }, /MAILWARDEN_RATE_LIMIT_STORE=redis needs MAILWARDEN_REDIS_URL/],
    [{ MAILWARDEN_RATE_LIMIT_STORE: 'postgres' }, /MAILWARDEN_RATE_LIMIT_STORE=postgres needs a PostgreSQL DATABASE_URL/],
    [{ MAILWARDEN_RATE_LIMIT_STORE: 'disk' }, /MAILWARDEN_RATE_LIMIT_STORE/],
    [{ MAILWARDEN_REDIS_URL: 'http://user:s3cretpw@cache.internal:6379' }, /MAILWARDEN_REDIS_URL/],
  ])('a rate-limit store that cannot be (%o) exits non-zero naming it', async (env, message) => {
    const result = await runToExit({ DATABASE_URL: 'sqlite::memory:', ...env });
    expect(result.timedOut).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(message);
    expect(result.output).not.toContain('s3cretpw');
    expect(result.output).not.toMatch(/Server listening/);
  });

  it('spawnServer rejects when the process exits before listening', async () => {
    await expect(spawnServer({ DATABASE_URL: 'mysql://x' })).rejects.toThrow(/exited with [1-9]\d* before listening/);
  });
});
