/**
 * First start with no tokens and no MAILWARDEN_BOOTSTRAP_TOKEN: the built server mints one
 * all-accounts token, writes it to `<database folder>/initial-admin-token` readable by the owner only, says
 * where on the console (never the secret itself), and does not mint another on later starts.
 * Process-level and SQLite-file based: runs once, on the SQLite half of the suite.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { spawnServer, temporaryDirectory, TEST_TOKEN, type ChildServer } from '../helpers/server.js';
import { bearer, listTokens, ON_POSTGRES } from './support.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(env: Record<string, string>, cwd?: string): Promise<ChildServer> {
  const child = await spawnServer({ LOG_LEVEL: 'info', ...env }, { cwd });
  cleanups.push(() => child.stop('SIGKILL'));
  return child;
}

function folder(): string {
  const directory = temporaryDirectory();
  cleanups.push(() => directory.remove());
  return directory.path;
}

describe.skipIf(ON_POSTGRES)('first start', () => {
  it('with no tokens and no bootstrap value writes an owner-only initial-admin-token next to the database and says where', async () => {
    const dataDir = join(folder(), 'data');
    const databaseUrl = `sqlite:${join(dataDir, 'mw.db')}`;
    const child = await start({ DATABASE_URL: databaseUrl, MAILWARDEN_BOOTSTRAP_TOKEN: '' });
    const file = join(dataDir, 'initial-admin-token');

    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(child.output()).toContain(file);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(secret).not.toMatch(/\s/);
    expect(child.output().includes(secret), 'the secret is on the console').toBe(false);

    // It is an all-accounts read-write token.
    for (const account of [newAccount(), newAccount()]) {
      const path = settingsPath('block_senders', account);
      const created = await request(child.origin, 'POST', path, {
        headers: bearer(secret),
        body: { is_regex: false, pattern: 'first-start.example', pattern_type: 'DOMAIN' },
      });
      expect(created.status, created.text).toBe(201);
      expect((await request(child.origin, 'GET', path, { headers: bearer(secret) })).body.result).toHaveLength(1);
    }
    // No bootstrap token is in force.
    expect((await request(child.origin, 'GET', settingsPath('domains', newAccount()), { headers: bearer(TEST_TOKEN) })).status).toBe(403);

    const tokens = await listTokens(databaseUrl);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ accounts: null, read_only: false, revoked_at: null });
    expect(JSON.stringify(tokens).includes(secret)).toBe(false);

    // A second start finds the token and creates no other; the file and its secret stay as they were.
    expect(await child.stop('SIGTERM')).toBe(0);
    const again = await start({ DATABASE_URL: databaseUrl, MAILWARDEN_BOOTSTRAP_TOKEN: '' });
    expect(await listTokens(databaseUrl)).toEqual(tokens);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await request(again.origin, 'GET', settingsPath('domains', newAccount()), { headers: bearer(secret) })).status).toBe(200);
    expect(again.output().includes(secret)).toBe(false);
  });

  it('with MAILWARDEN_BOOTSTRAP_TOKEN set mints nothing and writes no file', async () => {
    const dataDir = folder();
    const databaseUrl = `sqlite:${join(dataDir, 'mw.db')}`;
    const child = await start({ DATABASE_URL: databaseUrl });
    expect((await request(child.origin, 'GET', settingsPath('domains', newAccount()))).status).toBe(200);
    expect(existsSync(join(dataDir, 'initial-admin-token'))).toBe(false);
    expect(await listTokens(databaseUrl)).toEqual([]);
  });

  it('never overwrites an existing initial-admin-token: a second store in the same folder, or an in-memory one, writes elsewhere', async () => {
    const cwd = folder();
    const file = join(cwd, 'data', 'initial-admin-token');
    const first = await start({ DATABASE_URL: 'sqlite:./data/mailwarden.db', MAILWARDEN_BOOTSTRAP_TOKEN: '' }, cwd);
    const secret = readFileSync(file, 'utf8').trim();
    const path = settingsPath('domains', newAccount());

    // An in-memory store started in the same checkout, while the first server runs.
    const memory = await start({ DATABASE_URL: 'sqlite::memory:', MAILWARDEN_BOOTSTRAP_TOKEN: '' }, cwd);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(readdirSync(join(cwd, 'data')).filter((name) => name.startsWith('initial-admin-token'))).toEqual(['initial-admin-token']);
    const memoryFile = /its secret is in (\S+) \(/.exec(memory.output())?.[1];
    expect(memoryFile, memory.output()).toBeDefined();
    expect(memoryFile!.startsWith(join(cwd, 'data'))).toBe(false);
    expect(statSync(memoryFile!).mode & 0o777).toBe(0o600);
    const memorySecret = readFileSync(memoryFile!, 'utf8').trim();
    cleanups.push(() => rmSync(dirname(memoryFile!), { recursive: true, force: true }));
    expect(memory.output()).toContain('in memory');
    expect((await request(memory.origin, 'GET', path, { headers: bearer(memorySecret) })).status).toBe(200);

    // A second database file in the same folder.
    const other = await start({ DATABASE_URL: 'sqlite:./data/other.db', MAILWARDEN_BOOTSTRAP_TOKEN: '' }, cwd);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    const otherFile = /its secret is in (\S+) \(/.exec(other.output())?.[1];
    expect(otherFile).toMatch(/data\/initial-admin-token-[0-9a-f]{32}$/);
    const otherSecret = readFileSync(otherFile!, 'utf8').trim();
    expect((await request(other.origin, 'GET', path, { headers: bearer(otherSecret) })).status).toBe(200);

    // The first server's secret still works, and is still the one in its file.
    expect((await request(first.origin, 'GET', path, { headers: bearer(secret) })).status).toBe(200);
    expect(new Set([secret, memorySecret, otherSecret]).size).toBe(3);
  });
});
