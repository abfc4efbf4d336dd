/**
 * Mail through a real Postfix: `dist/server.js` runs with its milter and policy service listening
 * (MAILWARDEN_MILTER_LISTEN, MAILWARDEN_POLICY_LISTEN) over this run's store, Postfix is configured with
 * the README's `main.cf` lines, swaks sends real messages over SMTP, and an SMTP sink receives what
 * Postfix delivers. Authentication is computed against a local DNS server (MAILWARDEN_DNS_SERVER) that
 * publishes the test's SPF, DKIM and DMARC records. Runs on SQLite and on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, settingsPath } from '../helpers/http.js';
import pg from 'pg';
import { createTestDatabase, POSTGRES_ADMIN_URL, TEST_DIALECT, type TestDatabase } from '../helpers/postgres.js';
import { ACCOUNT, spawnServer, temporaryDirectory, type ChildServer } from '../helpers/server.js';
import { makeDkimKey, signMessage } from './support/dkim.js';
import { startDnsServer, type DnsServer } from './support/dns-server.js';
import { startPostfix, type PostfixInstance } from './support/postfix.js';
import { headerValues, startSink, submit, type SmtpSink, type SubmissionResult } from './support/smtp.js';

interface MailService {
  server: ChildServer;
  milter: string;
  policy: string;
  database?: TestDatabase;
  stop(): Promise<void>;
}

/** Waits for the child server to log where its mail interface listens. */
async function listening(server: ChildServer, what: 'milter' | 'policy service'): Promise<string> {
  const pattern = new RegExp(`"address":"([^"]+)","msg":"${what} listening"`);
  for (let waited = 0; waited < 20_000; waited += 50) {
    const match = pattern.exec(server.output());
    if (match) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start:\n${server.output()}`);
}

async function startMailService(directory: string, dnsServer: string, env: Record<string, string> = {}): Promise<MailService> {
  const database = TEST_DIALECT === 'postgres' ? await createTestDatabase() : undefined;
  const server = await spawnServer({
    DATABASE_URL: database?.url ?? `sqlite:${directory}/mailwarden-${randomUUID()}.db`,
    MAILWARDEN_MILTER_LISTEN: '127.0.0.1:0',
    MAILWARDEN_POLICY_LISTEN: '127.0.0.1:0',
    MAILWARDEN_DNS_SERVER: dnsServer,
    ...env,
  });
  const [milter, policy] = await Promise.all([listening(server, 'milter'), listening(server, 'policy service')]);
  return {
    server,
    milter,
    policy,
    database,
    async stop() {
      await server.stop();
      await database?.drop();
    },
  };
}

async function create(origin: string, resource: string, body: object): Promise<number> {
  const answer = await request(origin, 'POST', settingsPath(resource, ACCOUNT), { body });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.result.id as number;
}

/** A message with a marker in its subject, so the test finds it among the sink's. */
function message(from: string, to: string, extraHeaders: string[] = []): { marker: string; data: string } {
  const marker = `mw-${randomUUID()}`;
  const lines = [`From: ${from}`, `To: ${to}`, `Subject: ${marker}`, `Message-ID: <${marker}@test>`, ...extraHeaders, '', 'Hello.', ''];
  return { marker, data: lines.join('\r\n') };
}

function refusedWith(result: SubmissionResult, code: RegExp): void {
  expect(result.accepted, result.transcript).toBe(false);
  expect(
    result.refusals.some((refusal) => code.test(refusal)),
    result.transcript,
  ).toBe(true);
}

describe('a real Postfix with the milter and the policy service', { timeout: 60_000 }, () => {
  const directory = temporaryDirectory();
  let dns: DnsServer;
  let sink: SmtpSink;
  let service: MailService;
  let postfix: PostfixInstance;
  const vendorKey = makeDkimKey('vendor.example');

  const send = (mailFrom: string, recipients: string[], data: string | Buffer, clientAddress?: string) =>
    submit({ port: postfix.port, mailFrom, recipients, data, clientAddress, directory: directory.path });

  beforeAll(async () => {
    dns = await startDnsServer({
      [vendorKey.recordName]: { TXT: [vendorKey.record] },
      'vendor.example': { TXT: ['v=spf1 ip4:192.0.2.20 -all'] },
      'dmarc.example': { TXT: ['v=spf1 -all'] },
      '_dmarc.dmarc.example': { TXT: ['v=DMARC1; p=reject'] },
    });
    sink = await startSink();
    service = await startMailService(directory.path, dns.address);
    postfix = await startPostfix({ milter: `inet:${service.milter}`, policy: `inet:${service.policy}`, relayPort: sink.port });

    const origin = service.server.origin;
    await create(origin, 'domains', { domain: 'corp.example', drop_dispositions: ['MALICIOUS', 'MALICIOUS-BEC', 'SPOOF'] });
    await create(origin, 'block_senders', { pattern: 'phisher@bad.example', pattern_type: 'EMAIL', is_regex: false });
    await create(origin, 'block_senders', { pattern: 'ceo@header-blocked.example', pattern_type: 'EMAIL', is_regex: false });
    await create(origin, 'block_senders', { pattern: '192.0.2.66', pattern_type: 'IP', is_regex: false });
    await create(origin, 'block_senders', { pattern: '^invoice-[0-9]+@billing\\.example$', pattern_type: 'EMAIL', is_regex: true });
    const allow = (pattern: string, flags: Partial<Record<'is_trusted_sender' | 'is_exempt_recipient' | 'verify_sender', boolean>>) =>
      create(origin, 'allow_policies', {
        pattern,
        pattern_type: 'EMAIL',
        is_regex: false,
        is_trusted_sender: false,
        is_exempt_recipient: false,
        is_acceptable_sender: false,
        verify_sender: false,
        ...flags,
      });
    await allow('friend@partner.example', { is_trusted_sender: true });
    await allow('jane@vendor.example', { is_trusted_sender: true, verify_sender: true });
    await allow('ceo@corp.example', { is_exempt_recipient: true });
    await create(origin, 'impersonation_registry', { name: 'Jane Doe', email: 'jane@corp.example', is_email_regex: false });
  }, 90_000);

  afterAll(async () => {
    await postfix?.stop();
    await service?.stop();
    await sink?.close();
    await dns?.close();
    directory.remove();
  });

  it('rejects a blocked envelope sender at RCPT TO, before the body is sent', async () => {
    const { data } = message('Phisher <phisher@bad.example>', 'ap@corp.example');
    const result = await send('phisher@bad.example', ['ap@corp.example'], data);
    refusedWith(result, /^550 5\.7\.1 .*MALICIOUS/);
    expect(result.transcript).not.toMatch(/^ -> DATA/m);
  });

  it('rejects a blocked header From with 550 5.7.1 after the message is read', async () => {
    const { data } = message('The CEO <ceo@header-blocked.example>', 'ap@corp.example');
    const result = await send('bounce@mailer.example', ['ap@corp.example'], data);
    refusedWith(result, /^550 5\.7\.1 .*MALICIOUS/);
  });

  it('rejects a blocked client IP and a sender matching a blocked regex', async () => {
    const fromIp = message('Someone <someone@elsewhere.example>', 'ap@corp.example');
    refusedWith(await send('someone@elsewhere.example', ['ap@corp.example'], fromIp.data, '192.0.2.66'), /^550 5\.7\.1 /);
    const fromRegex = message('Billing <invoice-20261208@billing.example>', 'ap@corp.example');
    refusedWith(await send('invoice-20261208@billing.example', ['ap@corp.example'], fromRegex.data), /^550 5\.7\.1 /);
  });

  it('delivers a trusted sender with X-Mailwarden-Disposition: NONE and computed Authentication-Results', async () => {
    const { marker, data } = message('Friend <friend@partner.example>', 'ap@corp.example');
    const result = await send('friend@partner.example', ['ap@corp.example'], data);
    expect(result.accepted, result.transcript).toBe(true);
    const delivered = await sink.waitFor(marker);
    expect(delivered.recipients).toEqual(['ap@corp.example']);
    expect(headerValues(delivered, 'X-Mailwarden-Disposition')).toEqual(['NONE']);
    const results = headerValues(delivered, 'Authentication-Results').join('\n');
    expect(results).toMatch(/spf=none/);
    expect(results).toMatch(/dkim=none/);
  });

  it('honours a verify_sender trusted sender only when the message’s own DKIM signature or SPF passes', async () => {
    const impersonating = (marker: string) => [`From: Jane Doe <jane@vendor.example>`, 'To: ap@corp.example', `Subject: ${marker}`];
    // Unsigned, from an address outside vendor.example's SPF: the policy is not honoured, and the display
    // name of a registered executive from another address is MALICIOUS-BEC, which corp.example drops.
    const unsigned = `mw-${randomUUID()}`;
    refusedWith(
      await send('jane@vendor.example', ['ap@corp.example'], [...impersonating(unsigned), '', 'Pay this.', ''].join('\r\n')),
      /^550 5\.7\.1 .*MALICIOUS-BEC/,
    );

    const signed = `mw-${randomUUID()}`;
    const raw = await signMessage([...impersonating(signed), `Message-ID: <${signed}@test>`, '', 'Pay this.', ''].join('\r\n'), vendorKey);
    const viaDkim = await send('jane@vendor.example', ['ap@corp.example'], raw);
    expect(viaDkim.accepted, viaDkim.transcript).toBe(true);
    const delivered = await sink.waitFor(signed);
    expect(headerValues(delivered, 'X-Mailwarden-Disposition')).toEqual(['NONE']);
    expect(headerValues(delivered, 'Authentication-Results').join('\n')).toMatch(/dkim=pass/);

    const viaSpf = `mw-${randomUUID()}`;
    const spfResult = await send(
      'jane@vendor.example',
      ['ap@corp.example'],
      [...impersonating(viaSpf), '', 'Pay this.', ''].join('\r\n'),
      '192.0.2.20',
    );
    expect(spfResult.accepted, spfResult.transcript).toBe(true);
    const spfDelivered = await sink.waitFor(viaSpf);
    expect(headerValues(spfDelivered, 'X-Mailwarden-Disposition')).toEqual(['NONE']);
    expect(headerValues(spfDelivered, 'Authentication-Results').join('\n')).toMatch(/spf=pass/);
  });

  it('rejects a DMARC failure as SPOOF', async () => {
    const { data } = message('Bank <alerts@dmarc.example>', 'ap@corp.example');
    refusedWith(await send('alerts@dmarc.example', ['ap@corp.example'], data), /^550 5\.7\.1 .*SPOOF/);
  });

  it('rejects display-name impersonation as MALICIOUS-BEC', async () => {
    const { data } = message('Jane Doe <jane.doe.ceo@freemail.example>', 'ap@corp.example');
    refusedWith(await send('jane.doe.ceo@freemail.example', ['ap@corp.example'], data), /^550 5\.7\.1 .*MALICIOUS-BEC/);
  });

  it('rejects a lookalike of a protected domain as SPOOF, and the next message sees a trusted domain with is_similarity', async () => {
    const first = message('IT <it@c0rp.example>', 'ap@corp.example');
    refusedWith(await send('it@c0rp.example', ['ap@corp.example'], first.data), /^550 5\.7\.1 .*SPOOF/);

    await create(service.server.origin, 'trusted_domains', {
      pattern: 'c0rp.example',
      is_regex: false,
      is_recent: false,
      is_similarity: true,
    });
    const next = message('IT <it@c0rp.example>', 'ap@corp.example');
    const result = await send('it@c0rp.example', ['ap@corp.example'], next.data);
    expect(result.accepted, result.transcript).toBe(true);
    expect(headerValues(await sink.waitFor(next.marker), 'X-Mailwarden-Disposition')).toEqual(['NONE']);
  });

  it('removes the dropped recipient and delivers to the exempt one in the same message', async () => {
    const { marker, data } = message('The CEO <ceo@header-blocked.example>', 'ceo@corp.example, ap@corp.example');
    const result = await send('bounce@mailer.example', ['ceo@corp.example', 'ap@corp.example'], data);
    expect(result.accepted, result.transcript).toBe(true);
    const delivered = await sink.waitFor(marker);
    expect(delivered.recipients).toEqual(['ceo@corp.example']);
    expect(headerValues(delivered, 'X-Mailwarden-Disposition')).toEqual(['MALICIOUS']);
  });

  it('strips a forged X-Mailwarden-Disposition and writes its own', async () => {
    const { marker, data } = message('Someone <someone@elsewhere.example>', 'ap@corp.example', [
      'X-Mailwarden-Disposition: NONE',
      'X-Mailwarden-Verdict: trusted',
    ]);
    const result = await send('someone@elsewhere.example', ['ap@corp.example'], data, '192.0.2.30');
    expect(result.accepted, result.transcript).toBe(true);
    const delivered = await sink.waitFor(marker);
    expect(headerValues(delivered, 'X-Mailwarden-Disposition')).toEqual(['NONE']);
    expect(headerValues(delivered, 'X-Mailwarden-Verdict')).toEqual([]);
    expect(delivered.raw.match(/^X-Mailwarden-Disposition:/gim)).toHaveLength(1);
  });

  it('sees a settings change in the very next message', async () => {
    const before = message('Newcomer <new@later-blocked.example>', 'ap@corp.example');
    expect((await send('new@later-blocked.example', ['ap@corp.example'], before.data)).accepted).toBe(true);
    await sink.waitFor(before.marker);

    await create(service.server.origin, 'block_senders', { pattern: 'later-blocked.example', pattern_type: 'DOMAIN', is_regex: false });
    const after = message('Newcomer <new@later-blocked.example>', 'ap@corp.example');
    refusedWith(await send('new@later-blocked.example', ['ap@corp.example'], after.data), /^550 5\.7\.1 /);
  });

  it('delivers mail for domains no account protects, whatever another account blocks', async () => {
    const { marker, data } = message('Phisher <phisher@bad.example>', 'someone@unprotected.example');
    const result = await send('phisher@bad.example', ['someone@unprotected.example'], data);
    expect(result.accepted, result.transcript).toBe(true);
    const delivered = await sink.waitFor(marker);
    expect(delivered.recipients).toEqual(['someone@unprotected.example']);
    expect(headerValues(delivered, 'X-Mailwarden-Disposition')).toEqual(['NONE']);
  });

  it('with mailwarden stopped, Postfix answers a temporary failure (milter_default_action = tempfail)', async () => {
    await service.stop();
    const { data } = message('Friend <friend@partner.example>', 'ap@corp.example');
    const result = await send('friend@partner.example', ['ap@corp.example'], data);
    expect(result.accepted, result.transcript).toBe(false);
    expect(
      result.refusals.some((refusal) => /^451 4\.7\.1 /.test(refusal)),
      result.transcript,
    ).toBe(true);
  });
});

/**
 * For tests that each need a mailwarden of their own configuration: one DNS server and one sink, and
 * `start(env)` for a mailwarden with that environment behind a Postfix of its own; all stopped after.
 */
function separateInstances() {
  const directory = temporaryDirectory();
  const shared: { dns?: DnsServer; sink?: SmtpSink } = {};
  const running: Array<{ service: MailService; postfix: PostfixInstance }> = [];
  beforeAll(async () => {
    shared.dns = await startDnsServer();
    shared.sink = await startSink();
  });
  afterAll(async () => {
    for (const { service, postfix } of running) {
      await postfix.stop();
      await service.stop();
    }
    await shared.sink?.close();
    await shared.dns?.close();
    directory.remove();
  });
  return {
    directory,
    sink: () => shared.sink!,
    async start(env: Record<string, string>): Promise<{ service: MailService; postfix: PostfixInstance }> {
      const service = await startMailService(directory.path, shared.dns!.address, env);
      const postfix = await startPostfix({
        milter: `inet:${service.milter}`,
        policy: `inet:${service.policy}`,
        relayPort: shared.sink!.port,
      });
      running.push({ service, postfix });
      return { service, postfix };
    },
  };
}

describe('a real Postfix when every recipient is dropped, by MAILWARDEN_MAIL_DROP_ACTION', { timeout: 60_000 }, () => {
  const instances = separateInstances();
  const { directory } = instances;
  const sink = instances.sink;

  async function start(dropAction: string): Promise<PostfixInstance> {
    const { service, postfix } = await instances.start({ MAILWARDEN_MAIL_DROP_ACTION: dropAction });
    await create(service.server.origin, 'domains', { domain: 'corp.example', drop_dispositions: ['MALICIOUS'] });
    await create(service.server.origin, 'block_senders', { pattern: 'ceo@header-blocked.example', pattern_type: 'EMAIL', is_regex: false });
    return postfix;
  }

  /** Sends a clean message and waits until it is delivered, so that anything sent before had its chance. */
  async function deliveredAfter(postfix: PostfixInstance): Promise<void> {
    const { marker, data } = message('Friend <friend@partner.example>', 'ap@corp.example');
    const result = await submit({
      port: postfix.port,
      mailFrom: 'friend@partner.example',
      recipients: ['ap@corp.example'],
      data,
      directory: directory.path,
    });
    expect(result.accepted, result.transcript).toBe(true);
    await sink().waitFor(marker);
  }

  // The envelope sender is clean, so the policy service lets it through and the milter decides.
  const blocked = () => message('The CEO <ceo@header-blocked.example>', 'ap@corp.example');

  it('quarantine: Postfix accepts the message into its hold queue, and delivers nothing', async () => {
    const postfix = await start('quarantine');
    const { marker, data } = blocked();
    const result = await submit({
      port: postfix.port,
      mailFrom: 'bounce@mailer.example',
      recipients: ['ap@corp.example'],
      data,
      directory: directory.path,
    });
    expect(result.accepted, result.transcript).toBe(true);
    const queued = await postfix.queue();
    expect(queued.map((entry) => entry.queue_name)).toEqual(['hold']);
    expect(queued[0].recipients.map((recipient) => recipient.address)).toEqual(['ap@corp.example']);
    expect(postfix.log()).toMatch(/milter-hold: END-OF-MESSAGE .*milter triggers HOLD action/);
    await deliveredAfter(postfix);
    expect(sink().messages.some((delivered) => delivered.raw.includes(marker))).toBe(false);
  });

  it('discard: Postfix accepts the message and throws it away', async () => {
    const postfix = await start('discard');
    const { marker, data } = blocked();
    const result = await submit({
      port: postfix.port,
      mailFrom: 'bounce@mailer.example',
      recipients: ['ap@corp.example'],
      data,
      directory: directory.path,
    });
    expect(result.accepted, result.transcript).toBe(true);
    expect(await postfix.queue()).toEqual([]);
    expect(postfix.log()).toMatch(/milter-discard: END-OF-MESSAGE/);
    await deliveredAfter(postfix);
    expect(sink().messages.some((delivered) => delivered.raw.includes(marker))).toBe(false);
  });
});

async function blockConnections(database: TestDatabase): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`alter database ${database.name} allow_connections false`);
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database.name]);
  } finally {
    await client.end();
  }
}

// An embedded SQLite store does not go down apart from the process that holds it; PostgreSQL does.
describe.skipIf(TEST_DIALECT !== 'postgres')('a real Postfix while PostgreSQL refuses connections', { timeout: 60_000 }, () => {
  const instances = separateInstances();
  const { directory } = instances;
  const sink = instances.sink;

  async function start(env: Record<string, string>) {
    const { service, postfix } = await instances.start(env);
    await blockConnections(service.database!);
    return { service, postfix };
  }

  it('answers 451 4.7.1 by default (MAILWARDEN_MAIL_ON_ERROR=tempfail), and keeps running', async () => {
    const { service, postfix } = await start({});
    const { data } = message('Friend <friend@partner.example>', 'ap@corp.example');
    const result = await submit({
      port: postfix.port,
      mailFrom: 'friend@partner.example',
      recipients: ['ap@corp.example'],
      data,
      directory: directory.path,
    });
    expect(result.accepted, result.transcript).toBe(false);
    expect(
      result.refusals.some((refusal) => /^451 4\.7\.1 /.test(refusal)),
      result.transcript,
    ).toBe(true);
    expect(service.server.process.exitCode).toBeNull();
  });

  it('with MAILWARDEN_MAIL_ON_ERROR=accept, delivers with X-Mailwarden-Disposition: UNKNOWN', async () => {
    const { postfix } = await start({ MAILWARDEN_MAIL_ON_ERROR: 'accept' });
    const { marker, data } = message('Friend <friend@partner.example>', 'ap@corp.example');
    const result = await submit({
      port: postfix.port,
      mailFrom: 'friend@partner.example',
      recipients: ['ap@corp.example'],
      data,
      directory: directory.path,
    });
    expect(result.accepted, result.transcript).toBe(true);
    expect(headerValues(await sink().waitFor(marker), 'X-Mailwarden-Disposition')).toEqual(['UNKNOWN']);
  });
});
