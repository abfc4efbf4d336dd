/**
 * The `mailwarden tokens` command, run as the built `dist/cli.js` in a child process on a
 * DATABASE_URL: create prints the secret alone on the last line of stdout, list never shows secrets,
 * revoke takes effect at once on a running server, bad usage exits 2 with a message.
 *
 * Every CLI run is a Node process (about a second), so the output-format and usage cases run once, on
 * the SQLite half of the suite; the create → use → revoke flow runs on every store.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, temporaryDirectory, type TestServer } from '../helpers/server.js';
import {
  bearer,
  createToken,
  databaseUrlOf,
  expectForbidden,
  listTokens,
  ON_POSTGRES,
  READ_PERMISSION,
  WRITE_PERMISSION,
} from '../auth/support.js';
import { createTokenStore } from '../../src/auth/token-store.js';
import { openDatabase } from '../../src/db/database.js';
import { cliCreateToken, cliListTokens, runCli } from './run-cli.js';

async function revokeInStore(databaseUrl: string, id: string): Promise<void> {
  const database = await openDatabase(databaseUrl);
  try {
    expect(await createTokenStore(database.db).revoke(id)).toBe(true);
  } finally {
    await database.close();
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const blockBody = { is_regex: false, pattern: 'cli.example', pattern_type: 'DOMAIN' };

let server: TestServer;
let url: string;
const A = newAccount();
const B = newAccount();

beforeAll(async () => {
  server = await startServer();
  url = databaseUrlOf(server);
});
afterAll(() => server?.close());

describe('on the server’s own DATABASE_URL', () => {
  it('create prints the secret alone on the last line of stdout, and it works at once on the running server', async () => {
    const result = await runCli(['tokens', 'create', '--name', 'ci deploy'], url);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    const secret = lines[lines.length - 1];
    expect(secret).toMatch(/^[\x21-\x7e]{32,}$/); // one printable word: nothing else on the line
    expect(result.stdout.endsWith(`${secret}\n`)).toBe(true);
    expect(result.stderr.includes(secret)).toBe(false);

    for (const account of [A, B]) {
      const path = settingsPath('block_senders', account);
      expect((await request(server.origin, 'POST', path, { body: blockBody, headers: bearer(secret) })).status).toBe(201);
      expect((await request(server.origin, 'GET', path, { headers: bearer(secret) })).status).toBe(200);
    }
  });

  it('revoke takes effect at once: the running server refuses the token on the next request (bearer 10000, global key 9103), and list shows revoked_at', async () => {
    const { secret } = await createToken(server, { name: 'to revoke', email: 'revoked@example.com' });
    const id = (await listTokens(url)).find((t) => t.name === 'to revoke')!.id;
    const path = settingsPath('block_senders', A);
    const asKey = { 'x-auth-email': 'revoked@example.com', 'x-auth-key': secret };
    expect((await request(server.origin, 'GET', path, { headers: bearer(secret) })).status).toBe(200);
    expect((await request(server.origin, 'GET', path, { headers: asKey })).status).toBe(200);

    const result = await runCli(['tokens', 'revoke', id], url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(id);

    // The very next requests: no restart, no wait.
    const refused = await request(server.origin, 'POST', path, {
      body: { ...blockBody, pattern: 'after-revoke.example' },
      headers: bearer(secret),
    });
    expect(refused.status).toBe(403);
    expect(refused.body.errors).toEqual([{ code: 10000, message: 'Authentication error' }]);
    const refusedKey = await request(server.origin, 'GET', path, { headers: asKey });
    expect(refusedKey.status).toBe(403);
    expect(refusedKey.body.errors).toEqual([{ code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' }]);
    expect((await request(server.origin, 'GET', path)).body.result.map((r: any) => r.pattern)).not.toContain('after-revoke.example');

    const listed = (await cliListTokens(url)).find((t) => t.id === id);
    expect(listed.revoked_at).toMatch(ISO);
  });
});

describe.skipIf(ON_POSTGRES)('tokens create options', () => {
  it('--account (repeatable) binds the token to those accounts only; --read-only forbids writes', async () => {
    const C = newAccount();
    const { secret } = await cliCreateToken(url, ['--name', 'scoped reader', '--account', A, '--account', C, '--read-only']);
    for (const account of [A, C]) {
      expect((await request(server.origin, 'GET', settingsPath('domains', account), { headers: bearer(secret) })).status).toBe(200);
      expectForbidden(
        await request(server.origin, 'POST', settingsPath('block_senders', account), { body: blockBody, headers: bearer(secret) }),
        WRITE_PERMISSION,
      );
    }
    expectForbidden(await request(server.origin, 'GET', settingsPath('domains', B), { headers: bearer(secret) }), READ_PERMISSION);
  });

  it('--email makes the secret usable as a legacy global key for that email', async () => {
    const { secret } = await cliCreateToken(url, ['--name', 'legacy', '--email', 'ops@example.com', '--account', A]);
    const headers = { 'x-auth-email': 'ops@example.com', 'x-auth-key': secret };
    expect((await request(server.origin, 'POST', settingsPath('block_senders', A), { body: blockBody, headers })).status).toBe(201);
    expectForbidden(await request(server.origin, 'GET', settingsPath('domains', B), { headers }), READ_PERMISSION);
  });
});

describe.skipIf(ON_POSTGRES)('tokens list', () => {
  it('--json prints an array with id, name, accounts, read_only, email, created_at, revoked_at, and never a secret', async () => {
    const viaCli = await cliCreateToken(url, [
      '--name',
      'listed',
      '--account',
      A,
      '--account',
      B,
      '--read-only',
      '--email',
      'listed@example.com',
    ]);
    const viaStore = await createToken(server, { name: 'listed everywhere' });
    const result = await runCli(['tokens', 'list', '--json'], url);
    expect(result.code, result.stderr).toBe(0);
    const tokens = JSON.parse(result.stdout);
    expect(Array.isArray(tokens)).toBe(true);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    for (const token of tokens) {
      for (const key of ['id', 'name', 'accounts', 'read_only', 'email', 'created_at', 'revoked_at'])
        expect(token, key).toHaveProperty(key);
    }
    const listed = tokens.find((t: any) => t.name === 'listed');
    expect(listed).toMatchObject({ accounts: [A, B], read_only: true, email: 'listed@example.com', revoked_at: null });
    expect(typeof listed.id).toBe('string');
    expect(listed.created_at).toMatch(ISO);
    expect(Math.abs(Date.parse(listed.created_at) - Date.now())).toBeLessThan(60_000);
    // Tokens made outside the CLI on the same store are listed too.
    expect(tokens.find((t: any) => t.name === 'listed everywhere')).toMatchObject({
      id: viaStore.token.id,
      accounts: null,
      read_only: false,
      email: null,
      revoked_at: null,
    });
    expect(viaCli.secret).not.toBe(viaStore.secret);
    for (const secret of [viaCli.secret, viaStore.secret]) {
      expect(result.stdout.includes(secret)).toBe(false);
      expect(result.stderr.includes(secret)).toBe(false);
    }
  });

  it('without --json shows each token (id and name) and no secret', async () => {
    const made = await createToken(server, { name: 'plain listed' });
    const result = await runCli(['tokens', 'list'], url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(made.token.id);
    expect(result.stdout).toContain('plain listed');
    expect(result.stdout.includes(made.secret)).toBe(false);
  });
});

describe.skipIf(ON_POSTGRES)('tokens revoke errors', () => {
  it('fails with a message for an unknown id and for an already revoked one, revoking nothing else', async () => {
    const bystander = await createToken(server, { name: 'bystander' });
    const revoked = await createToken(server, { name: 'revoked already' });
    await revokeInStore(url, revoked.token.id);
    const before = await listTokens(url);

    const unknown = await runCli(['tokens', 'revoke', 'no-such-token'], url);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no-such-token');
    const again = await runCli(['tokens', 'revoke', revoked.token.id], url);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().length).toBeGreaterThan(0);

    expect(await listTokens(url)).toEqual(before);
    expect((await request(server.origin, 'GET', settingsPath('domains', A), { headers: bearer(bystander.secret) })).status).toBe(200);
  });
});

describe.skipIf(ON_POSTGRES)('bad usage', () => {
  it.each([
    ['tokens create without --name', ['tokens', 'create']],
    ['tokens create with a malformed --account', ['tokens', 'create', '--name', 'x', '--account', 'not-an-account']],
    ['tokens create with a malformed --email', ['tokens', 'create', '--name', 'x', '--email', 'not-an-email']],
    ['tokens create with an unknown option', ['tokens', 'create', '--name', 'x', '--admin']],
    ['tokens revoke without an id', ['tokens', 'revoke']],
    ['an unknown command', ['frobnicate']],
  ])('%s exits 2 with a message on stderr and changes nothing', async (_case, args) => {
    const before = await listTokens(url);
    const result = await runCli(args, url);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr.trim().length).toBeGreaterThan(0);
    expect(result.stdout).toBe('');
    expect(await listTokens(url)).toEqual(before);
  });
});

describe.skipIf(ON_POSTGRES)('DATABASE_URL', () => {
  it('selects the store: a token made in another SQLite file is listed there only, and the server refuses it', async () => {
    const directory = temporaryDirectory();
    try {
      const otherUrl = `sqlite:${join(directory.path, 'nested', 'other.db')}`;
      const { secret } = await cliCreateToken(otherUrl, ['--name', 'elsewhere']);
      expect((await cliListTokens(otherUrl)).map((t) => t.name)).toEqual(['elsewhere']);
      expect((await listTokens(url)).map((t) => t.name)).not.toContain('elsewhere');
      const refused = await request(server.origin, 'GET', settingsPath('domains', A), { headers: bearer(secret) });
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0].code).toBe(10000);
    } finally {
      directory.remove();
    }
  });
});
