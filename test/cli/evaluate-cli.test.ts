/**
 * The `mailwarden` command's parsing (commander) and `evaluate`: every command and subcommand answers
 * --help with its options; evaluate takes an .eml, one JSON message, or the endpoint's
 * `{"messages": [...]}` body; an .eml without From says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, temporaryDirectory, type TestServer } from '../helpers/server.js';
import { runCli } from './run-cli.js';

const ON_POSTGRES = process.env.MAILWARDEN_TEST_DIALECT === 'postgres';
let server: TestServer;
const files = temporaryDirectory();
const account = newAccount();

beforeAll(async () => {
  server = await startServer();
  const blocked = await request(server.origin, 'POST', settingsPath('block_senders', account), {
    body: { is_regex: false, pattern: 'phisher.example', pattern_type: 'DOMAIN' },
  });
  expect(blocked.status).toBe(201);
});
afterAll(async () => {
  await server?.close();
  files.remove();
});

function file(name: string, content: string): string {
  const path = join(files.path, name);
  writeFileSync(path, content);
  return path;
}

describe.skipIf(ON_POSTGRES)('--help', () => {
  it.each([
    [[], ['tokens', 'evaluate', 'export', 'import', 'pull', 'push']],
    [['tokens'], ['create', 'list', 'revoke']],
    [
      ['tokens', 'create'],
      ['--name', '--account', '--read-only', '--email'],
    ],
    [['tokens', 'list'], ['--json']],
    [['tokens', 'revoke'], ['<id>']],
    [['evaluate'], ['--account', '--json', '--trusted-authserv-id', '<file>']],
    [['export'], ['--account', '--format', '--resource', '--output']],
    [['import'], ['--account', '--resource', '--replace', '--dry-run', '--json', '<file>']],
    [['pull'], ['--from', '--account', '--token', '--email', '--key', '--dry-run', '--replace']],
    [['push'], ['--to', '--account', '--token', '--email', '--key', '--dry-run', '--replace']],
  ])('mailwarden %j --help lists %j', async (command, expected) => {
    const result = await runCli([...command, '--help'], server.databaseUrl);
    expect(result.code, result.stderr).toBe(0);
    for (const word of expected) expect(result.stdout).toContain(word);
  });
});

describe('evaluate', () => {
  const message = (from: string, id: string) => ({ id, from, recipients: ['alice@example.com'] });

  it('takes the endpoint body {"messages": [...]} and answers one verdict per message', async () => {
    const path = file(
      'batch.json',
      JSON.stringify({ messages: [message('x@phisher.example', 'm1'), message('ok@partner.example', 'm2')] }),
    );
    const result = await runCli(['evaluate', '--account', account, '--json', path], server.databaseUrl);
    expect(result.code, result.stderr).toBe(0);
    const verdicts = JSON.parse(result.stdout);
    expect(verdicts.map((v: { id: string; disposition: string }) => [v.id, v.disposition])).toEqual([
      ['m1', 'MALICIOUS'],
      ['m2', 'NONE'],
    ]);
    const human = await runCli(['evaluate', '--account', account, path], server.databaseUrl);
    expect(human.stdout).toContain('Message m1');
    expect(human.stdout).toContain('Message m2');
  });

  it('still takes a single JSON message', async () => {
    const path = file('one.json', JSON.stringify(message('x@phisher.example', 'single')));
    const result = await runCli(['evaluate', '--account', account, '--json', path], server.databaseUrl);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: 'single', disposition: 'MALICIOUS' });
  });

  it.skipIf(ON_POSTGRES)('names the message of a bad batch entry', async () => {
    const path = file('bad-batch.json', JSON.stringify({ messages: [message('ok@partner.example', 'a'), { from: 'nobody' }] }));
    const result = await runCli(['evaluate', '--account', account, path], server.databaseUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/messages/1');
  });

  it.skipIf(ON_POSTGRES)('says the From header is missing when an .eml has none', async () => {
    const path = file('no-from.eml', 'To: alice@example.com\r\nSubject: hi\r\n\r\nbody\r\n');
    const result = await runCli(['evaluate', '--account', account, path], server.databaseUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the From header is missing');
    expect(result.stderr).not.toContain('/from');
  });

  it.skipIf(ON_POSTGRES)('refuses a missing --account with a usage error', async () => {
    const path = file('m.json', JSON.stringify(message('ok@partner.example', 'x')));
    const result = await runCli(['evaluate', path], server.databaseUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--account');
  });
});
