/**
 * `mailwarden evaluate` on an `.eml` believes Authentication-Results only from the authserv-ids the
 * operator names (`--trusted-authserv-id`, repeatable, or MAILWARDEN_TRUSTED_AUTHSERV_ID), and the
 * explanation names the ones it ignored. Run as the built `dist/cli.js` on the test server's store.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlOf } from '../auth/support.js';
import { newAccount } from '../contract/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { startServer, temporaryDirectory, type TestServer } from '../helpers/server.js';
import { runCli } from './run-cli.js';

// The only Authentication-Results header comes from the sender's own server: anyone can write one.
const FORGED = [
  'Authentication-Results: mx.vendor.example; spf=pass smtp.mailfrom=vendor.example; dkim=pass header.d=vendor.example; dmarc=pass header.from=vendor.example',
  'Received: from mx.vendor.example (mx.vendor.example [198.51.100.7]) by mx.example.com with ESMTPS; Mon, 07 Dec 2026 02:00:00 +0000',
  'From: Vendor Billing <billing@vendor.example>',
  'To: ap@example.com',
  'Subject: New bank details',
  '',
  'Please pay to the new account.',
  '',
].join('\r\n');

const IGNORED = 'Authentication-Results from mx.vendor.example ignored: not a trusted authserv-id.';

let server: TestServer;
let url: string;
let file: string;
const directory = temporaryDirectory();
const account = newAccount();

beforeAll(async () => {
  server = await startServer();
  url = databaseUrlOf(server);
  file = join(directory.path, 'forged.eml');
  writeFileSync(file, FORGED);
  const policy = {
    is_regex: false,
    pattern: 'vendor.example',
    pattern_type: 'DOMAIN',
    is_trusted_sender: true,
    is_acceptable_sender: false,
    is_exempt_recipient: false,
    verify_sender: true,
  };
  const created = await request(server.origin, 'POST', settingsPath('allow_policies', account), { body: policy });
  expect(created.status, created.text).toBe(201);
});
afterAll(async () => {
  await server?.close();
  directory.remove();
});

async function verdict(args: string[], env: Record<string, string> = {}) {
  const result = await runCli(['evaluate', '--account', account, '--json', ...args, file], url, env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { disposition: string; matches: { effect: string }[]; explanation: string[] };
}

// Each case runs the CLI as its own Node process, which takes seconds on a busy machine.
describe('mailwarden evaluate FILE.eml', { timeout: 60_000 }, () => {
  it('does not honour a verify_sender trusted sender on Authentication-Results from an authserv-id nobody named, and says so', async () => {
    const { matches, explanation } = await verdict([]);
    expect(matches.map((m) => m.effect)).toEqual(['trusted_sender_not_honoured']);
    expect(explanation[0]).toBe('NONE: no detection or setting applies.');
    expect(explanation).toContain(IGNORED);
    expect(explanation.some((line) => line.startsWith('Not honoured: allow policy'))).toBe(true);
  });

  it('honours it with --trusted-authserv-id naming that server, and ignores nothing', async () => {
    const { disposition, matches, explanation } = await verdict([
      '--trusted-authserv-id',
      'mx.example.com',
      '--trusted-authserv-id',
      'mx.vendor.example',
    ]);
    expect(disposition).toBe('NONE');
    expect(matches.map((m) => m.effect)).toEqual(['trusted_sender']);
    expect(explanation[0]).toMatch(/^NONE: trusted sender, allow policy \d+ \('vendor\.example'\) matched from\.$/);
    expect(explanation).not.toContain(IGNORED);
  });

  it('takes the trusted authserv-ids from MAILWARDEN_TRUSTED_AUTHSERV_ID when no option names any', async () => {
    const honoured = await verdict([], { MAILWARDEN_TRUSTED_AUTHSERV_ID: 'mx.example.com, mx.vendor.example' });
    expect(honoured.matches.map((m) => m.effect)).toEqual(['trusted_sender']);
  });

  it('lets --trusted-authserv-id win over MAILWARDEN_TRUSTED_AUTHSERV_ID', async () => {
    const named = await verdict(['--trusted-authserv-id', 'mx.example.com'], { MAILWARDEN_TRUSTED_AUTHSERV_ID: 'mx.vendor.example' });
    expect(named.matches.map((m) => m.effect)).toEqual(['trusted_sender_not_honoured']);
    expect(named.explanation).toContain(IGNORED);
  });
});
