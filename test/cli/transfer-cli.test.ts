/**
 * `mailwarden export` and `mailwarden import` on the DATABASE_URL store: a file exported from one
 * account imports into another (a table of the diff, or JSON), --dry-run changes nothing, a bad CSV row
 * is reported with its line and column and nothing is stored.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, temporaryDirectory, type TestServer } from '../helpers/server.js';
import { runCli } from './run-cli.js';

let server: TestServer;
const files = temporaryDirectory();
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
  files.remove();
});

const patterns = async (account: string) =>
  (await request(server.origin, 'GET', settingsPath('block_senders', account))).body.result.map((r: { pattern: string }) => r.pattern);

describe('export and import', () => {
  it('exports to a file and imports it elsewhere, dry run first', async () => {
    const [from, to] = [newAccount(), newAccount()];
    for (const pattern of ['a.example', 'b.example']) {
      await request(server.origin, 'POST', settingsPath('block_senders', from), {
        body: { is_regex: false, pattern, pattern_type: 'DOMAIN' },
      });
    }
    const file = join(files.path, 'export.json');
    const exported = await runCli(['export', '--account', from, '--output', file], server.databaseUrl);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).block_senders).toHaveLength(2);

    const dry = await runCli(['import', '--account', to, file, '--dry-run'], server.databaseUrl);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/block_senders\s+2\s+0\s+0\s+0/);
    expect(dry.stdout).toContain('+ block_senders: a.example');
    expect(dry.stdout).toContain('Dry run, nothing changed');
    expect(await patterns(to)).toEqual([]);

    const real = await runCli(['import', '--account', to, file, '--json'], server.databaseUrl);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).counts).toEqual({ create: 2, update: 0, delete: 0, unchanged: 0 });
    expect(await patterns(to)).toEqual(['a.example', 'b.example']);
  });

  it('writes and reads dashboard CSV; a bad row names its line and column and stores nothing', async () => {
    const account = newAccount();
    const csv = join(files.path, 'block.csv');
    writeFileSync(csv, '\uFEFFPattern,Pattern Type,Notes\r\nok.example,DOMAIN,"fine, really"\r\nbad.example,NOPE,\r\n');
    const refused = await runCli(['import', '--account', account, csv, '--resource', 'block_senders'], server.databaseUrl);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('/lines/3/Pattern Type');
    expect(await patterns(account)).toEqual([]);

    writeFileSync(csv, '\uFEFFPattern,Pattern Type,Notes\r\nok.example,DOMAIN,"fine, really"\r\n');
    const imported = await runCli(['import', '--account', account, csv, '--resource', 'block_senders'], server.databaseUrl);
    expect(imported.code, imported.stderr).toBe(0);
    const exported = await runCli(['export', '--account', account, '--format', 'csv', '--resource', 'block_senders'], server.databaseUrl);
    expect(exported.stdout).toBe('Pattern,Pattern Type,Notes,Regex\r\nok.example,DOMAIN,"fine, really",false\r\n');
  });

  it('refuses --format csv without --resource', async () => {
    const result = await runCli(['export', '--account', newAccount(), '--format', 'csv'], server.databaseUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--resource');
  });
});
