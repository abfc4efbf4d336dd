/** The MailFilter over real stores and real settings made through the HTTP API, with a local DNS server. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createAccountRouting } from '../../src/mail/account-routing.js';
import { createAuthenticator } from '../../src/mail/authentication.js';
import { createMailFilter } from '../../src/mail/mail-filter-service.js';
import type { MailFilter, MailMessage } from '../../src/mail/mail-filter.js';
import { request, settingsPath } from '../helpers/http.js';
import { ACCOUNT, OTHER_ACCOUNT, startServer, type TestServer } from '../helpers/server.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';

const quiet = { info: () => undefined, warn: () => undefined };

function message(from: string, recipients: string[], extra: Array<[string, string]> = []): MailMessage {
  return {
    clientAddress: '192.0.2.10',
    helo: 'mx.sender.example',
    mailFrom: from,
    recipients,
    headers: [['From', `Sender <${from}>`], ['To', recipients.join(', ')], ['Subject', 'hello'], ...extra],
    body: Buffer.from('hello\r\n'),
  };
}

describe('mail filter', () => {
  let server: TestServer;
  let database: Database;
  let dns: DnsServer;
  let filter: MailFilter;

  beforeAll(async () => {
    server = await startServer();
    database = await openDatabase(server.databaseUrl);
    dns = await startDnsServer();
    const protect = async (account: string, domain: string) =>
      expect(
        (await request(server.origin, 'POST', settingsPath('domains', account), { body: { domain, drop_dispositions: ['MALICIOUS'] } }))
          .status,
      ).toBe(201);
    await protect(ACCOUNT, 'example.com');
    await protect(OTHER_ACCOUNT, 'sales.example.com');
    const block = await request(server.origin, 'POST', settingsPath('block_senders', OTHER_ACCOUNT), {
      body: { is_regex: false, pattern: 'spam@bad.example', pattern_type: 'EMAIL' },
    });
    expect(block.status).toBe(201);
    const cache = server.app.compiledSettings;
    filter = createMailFilter({
      routing: createAccountRouting(database, cache),
      cache,
      authenticator: createAuthenticator({ dnsServer: dns.address, authservId: 'mw.test' }),
      dropAction: 'reject',
      onError: 'tempfail',
      authservId: 'mw.test',
      log: quiet,
    });
  });
  afterAll(async () => {
    await dns?.close();
    await database?.close();
    await server?.close();
  });

  test('the most specific protected domain decides: a blocked sender is rejected for that account only', async () => {
    const rejected = await filter.filterMessage(message('spam@bad.example', ['boss@sales.example.com']));
    expect(rejected.outcome).toBe('reject');
    expect(rejected.reply).toEqual({ code: '550', enhanced: '5.7.1', text: 'Message rejected by mailwarden: MALICIOUS' });

    const mixed = await filter.filterMessage(
      message('spam@bad.example', ['boss@sales.example.com', 'ann@example.com', 'x@elsewhere.example']),
    );
    expect(mixed.outcome).toBe('deliver');
    expect(mixed.removeRecipients).toEqual(['boss@sales.example.com']);
    expect(mixed.addHeaders[0]).toEqual(['X-Mailwarden-Disposition', 'MALICIOUS']);
    expect(mixed.addHeaders[1]?.[0]).toBe('Authentication-Results');
    expect(mixed.addHeaders[1]?.[1]).toMatch(/^mw\.test;/);
  });

  test('a forged X-Mailwarden-Disposition is removed', async () => {
    const decision = await filter.filterMessage(message('a@friend.example', ['ann@example.com'], [['X-Mailwarden-Disposition', 'NONE']]));
    expect(decision.removeHeaders).toEqual(['X-Mailwarden-Disposition']);
    expect(decision.addHeaders[0]).toEqual(['X-Mailwarden-Disposition', 'NONE']);
  });

  test('the message disposition is the most severe over every account, whichever recipient comes first', async () => {
    // example.com (first recipient) finds MALICIOUS-BEC; watch.example.org, of the other account, finds
    // MALICIOUS; neither account drops what it found.
    const created = [
      await request(server.origin, 'POST', settingsPath('impersonation_registry', ACCOUNT), {
        body: { name: 'Rita Boss', email: 'rita@example.com', is_email_regex: false },
      }),
      await request(server.origin, 'POST', settingsPath('domains', OTHER_ACCOUNT), {
        body: { domain: 'watch.example.org', drop_dispositions: [] },
      }),
      await request(server.origin, 'POST', settingsPath('block_senders', OTHER_ACCOUNT), {
        body: { is_regex: false, pattern: 'rita.boss@freemail.example', pattern_type: 'EMAIL' },
      }),
    ];
    for (const answer of created) expect(answer.status, answer.text).toBe(201);
    const decision = await filter.filterMessage({
      ...message('rita.boss@freemail.example', ['ann@example.com', 'desk@watch.example.org']),
      headers: [
        ['From', 'Rita Boss <rita.boss@freemail.example>'],
        ['Subject', 'urgent'],
      ],
    });
    expect(decision.outcome).toBe('deliver');
    expect(decision.removeRecipients).toEqual([]);
    expect(decision.addHeaders[0]).toEqual(['X-Mailwarden-Disposition', 'MALICIOUS']);
  });

  test('checkRecipient rejects a blocked envelope sender and lets others through', async () => {
    const envelope = { mailFrom: 'spam@bad.example', recipients: [], clientAddress: '192.0.2.10' };
    expect(await filter.checkRecipient(envelope, 'boss@sales.example.com')).toMatchObject({ action: 'reject', reply: { code: '550' } });
    expect(await filter.checkRecipient(envelope, 'ann@example.com')).toEqual({ action: 'dunno' });
  });
});
