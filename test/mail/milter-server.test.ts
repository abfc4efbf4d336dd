/**
 * The milter server on a real TCP port and a real Unix socket, driven by the test milter client.
 * The MailFilter here is a stub that answers what each test sets: this tests the protocol.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailFilter, MailMessage, MessageDecision } from '../../src/mail/mail-filter.js';
import type { MailLogger } from '../../src/mail/mail-logger.js';
import { startMilterServer } from '../../src/mail/milter/milter-server.js';
import type { ListeningServer } from '../../src/mail/listen.js';
import { Command, encodePacket } from '../../src/mail/milter/protocol.js';
import { temporaryDirectory } from '../helpers/server.js';
import { MilterClient, type TestMessage } from './support/milter-client.js';

const quiet: MailLogger = { debug() {}, info() {}, warn() {}, error() {} };
const deliver: MessageDecision = { outcome: 'deliver', removeRecipients: [], removeHeaders: [], addHeaders: [] };

let decide: (message: MailMessage) => Promise<MessageDecision> = () => Promise.resolve(deliver);
const seen: MailMessage[] = [];
const filter: MailFilter = {
  checkRecipient: () => Promise.resolve({ action: 'dunno' }),
  filterMessage: (message) => (seen.push(message), decide(message)),
};

const message: TestMessage = {
  connect: { hostname: 'mx.sender.example', address: '192.0.2.10', port: 40000 },
  helo: 'mx.sender.example',
  mailFrom: 'alice@sender.example',
  recipients: ['bob@protected.example', 'carol@protected.example'],
  headers: [
    ['From', 'Alice <alice@sender.example>'],
    ['X-Mailwarden-Disposition', 'NONE'],
    ['Subject', 'hello'],
    ['x-mailwarden-disposition', 'NONE'],
  ],
  body: 'Hello Bob.\r\n',
  macros: { [Command.HELO]: { tls_version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }, [Command.MAIL]: { i: 'QUEUE1' } },
};

let server: ListeningServer;
let directory: ReturnType<typeof temporaryDirectory>;

beforeAll(async () => {
  directory = temporaryDirectory();
  server = await startMilterServer({ listen: { kind: 'tcp', host: '127.0.0.1', port: 0 }, filter, log: quiet, maxCommandBytes: 4096 });
});
afterAll(async () => {
  await server.close();
  directory.remove();
});
afterEach(() => {
  decide = () => Promise.resolve(deliver);
  seen.length = 0;
});

/** Waits until the server counts `count` sessions (closing is asynchronous). */
async function sessionsReach(count: number, target = server): Promise<void> {
  for (let i = 0; i < 200 && target.sessions() !== count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(target.sessions()).toBe(count);
}

describe('milter server', () => {
  it('hands the filter the whole message and sends deletions, insertions in order, DELRCPT, then ACCEPT', async () => {
    decide = () =>
      Promise.resolve({
        outcome: 'deliver',
        removeRecipients: ['carol@protected.example'],
        removeHeaders: ['X-MAILWARDEN-Disposition'],
        addHeaders: [
          ['X-Mailwarden-Disposition', 'NONE'],
          ['Authentication-Results', 'mx.protected.example; spf=pass'],
        ],
      });
    const client = await MilterClient.open(server.address);
    const result = await client.sendMessage(message);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      clientAddress: '192.0.2.10',
      clientName: 'mx.sender.example',
      helo: 'mx.sender.example',
      tls: true,
      queueId: 'QUEUE1',
      mailFrom: 'alice@sender.example',
      recipients: ['bob@protected.example', 'carol@protected.example'],
      headers: message.headers,
    });
    expect(seen[0].body.toString()).toBe('Hello Bob.\r\n');
    expect(result.modifications).toEqual([
      { type: 'changeHeader', index: 2, name: 'X-Mailwarden-Disposition', value: '' },
      { type: 'changeHeader', index: 1, name: 'X-Mailwarden-Disposition', value: '' },
      { type: 'insertHeader', index: 0, name: 'Authentication-Results', value: 'mx.protected.example; spf=pass' },
      { type: 'insertHeader', index: 0, name: 'X-Mailwarden-Disposition', value: 'NONE' },
      { type: 'deleteRecipient', recipient: '<carol@protected.example>' },
    ]);
    expect(result.reply).toEqual({ type: 'accept' });
    await client.quit();
  });

  it.each([
    [
      'reject',
      { code: '550', enhanced: '5.7.1', text: 'Message rejected by mailwarden: MALICIOUS 100%' },
      'replycode',
      '550 5.7.1 Message rejected by mailwarden: MALICIOUS 100%%',
    ],
    ['tempfail', { code: '451', enhanced: '4.7.1', text: 'try later' }, 'replycode', '451 4.7.1 try later'],
    ['discard', undefined, 'discard', undefined],
  ] as const)('answers a %s decision', async (outcome, reply, type, text) => {
    decide = () => Promise.resolve({ ...deliver, outcome, reply, addHeaders: [['X-Mailwarden-Disposition', 'X']] });
    const client = await MilterClient.open(server.address);
    const result = await client.sendMessage(message);
    expect(result.modifications).toEqual([]);
    expect(result.reply).toEqual(text ? { type, text } : { type });
    await client.close();
  });

  it('quarantines with the reason, then accepts', async () => {
    decide = () => Promise.resolve({ ...deliver, outcome: 'quarantine', reason: 'MALICIOUS' });
    const client = await MilterClient.open(server.address);
    const result = await client.sendMessage(message);
    expect(result).toEqual({ modifications: [{ type: 'quarantine', reason: 'MALICIOUS' }], reply: { type: 'accept' } });
    await client.close();
  });

  it('answers 451 4.7.1 when the filter throws', async () => {
    decide = () => Promise.reject(new Error('database down'));
    const client = await MilterClient.open(server.address);
    const result = await client.sendMessage(message);
    expect(result.reply).toEqual({ type: 'replycode', text: '451 4.7.1 mailwarden: temporary failure, try again later' });
    await client.close();
  });

  it('forgets an aborted message and filters the next one on the same connection, with the connection kept', async () => {
    const client = await MilterClient.open(server.address);
    await client.connectInfo('[192.0.2.11]', '192.0.2.11');
    await client.helo('unresolved.example');
    await client.mail('first@sender.example');
    await client.rcpt('bob@protected.example');
    await client.header('Subject', 'first');
    client.abort();
    const result = await client.sendMessage({
      ...message,
      connect: undefined,
      helo: undefined,
      macros: undefined,
      mailFrom: 'second@sender.example',
    });
    expect(result.reply).toEqual({ type: 'accept' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      mailFrom: 'second@sender.example',
      clientAddress: '192.0.2.11',
      clientName: 'unknown',
      helo: 'unresolved.example',
    });
    expect(seen[0].headers).toEqual(message.headers);
    expect(seen[0].recipients).toEqual(message.recipients);
    await client.close();
  });

  it('answers every step when the MTA offers no no-reply flags (an older MTA)', async () => {
    const client = await MilterClient.open(server.address, { protocol: 0 });
    expect(await client.mail('a@sender.example')).toEqual({ type: 'continue' });
    expect(await client.rcpt('b@protected.example')).toEqual({ type: 'continue' });
    expect(await client.header('From', 'a@sender.example')).toEqual({ type: 'continue' });
    expect(await client.eoh()).toEqual({ type: 'continue' });
    expect(await client.body('x\r\n')).toEqual({ type: 'continue' });
    expect((await client.endOfMessage()).reply).toEqual({ type: 'accept' });
    await client.close();
  });

  it('keeps the first maxBodyBytes of the body and still decides', async () => {
    const small = await startMilterServer({
      listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      filter,
      log: quiet,
      maxBodyBytes: 100_000,
    });
    const client = await MilterClient.open(small.address);
    const result = await client.sendMessage({ ...message, body: Buffer.alloc(300_000, 'a') });
    expect(result.reply).toEqual({ type: 'accept' });
    expect(seen[0].body.length).toBe(100_000);
    await client.close();
    await small.close();
  });

  it('closes only the offending session on malformed packets', async () => {
    const healthy = await MilterClient.open(server.address);
    const cases = [
      Buffer.from([0, 0, 0, 0]), // length 0
      Buffer.from([0x7f, 0, 0, 0, 0x4f]), // 2 GiB announced
      encodePacket('Z', Buffer.from('x')), // unknown command
      encodePacket(Command.HEADER, Buffer.from('no terminator')),
      encodePacket(Command.RCPT, Buffer.from('<x@y>\0')), // RCPT outside a message
    ];
    for (const bytes of cases) {
      const client = await MilterClient.open(server.address);
      client.writeRaw(bytes);
      await client.closed;
    }
    const beforeNegotiation = await MilterClient.connect(server.address);
    beforeNegotiation.writeRaw(encodePacket(Command.MAIL, Buffer.from('<a@b>\0')));
    await beforeNegotiation.closed;
    expect((await healthy.sendMessage(message)).reply).toEqual({ type: 'accept' });
    await healthy.close();
    await sessionsReach(0);
  });

  it('closes a session whose macros exceed maxCommandBytes', async () => {
    const client = await MilterClient.open(server.address);
    await client.mail('a@sender.example', [], { huge: 'x'.repeat(10_000) }).catch(() => undefined);
    await client.closed;
    expect(seen).toHaveLength(0);
  });

  it('refuses a message with too many header bytes (552) instead of passing it unfiltered', async () => {
    const small = await startMilterServer({
      listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
      filter,
      log: quiet,
      maxHeaderBytes: 1000,
    });
    const client = await MilterClient.open(small.address);
    const result = await client.sendMessage({ ...message, headers: [['X-Pad', 'p'.repeat(2000)], ...message.headers] });
    expect(result.reply).toEqual({ type: 'replycode', text: '552 5.3.4 Message header section too large' });
    expect(seen).toHaveLength(0);
    await client.close();
    await small.close();
  });

  it('frees a session whose client disconnects mid-message, even while the filter decides', async () => {
    let release: () => void = () => {};
    decide = () => new Promise((resolve) => (release = () => resolve(deliver)));
    const client = await MilterClient.open(server.address);
    await client.mail('a@sender.example');
    await client.header('Subject', 'half');
    await client.close();
    await sessionsReach(0);
    const second = await MilterClient.open(server.address);
    const pending = second.sendMessage(message).catch((error: Error) => error);
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await second.close();
    release();
    expect(await pending).toBeInstanceOf(Error);
    await sessionsReach(0);
  });

  it('serves 200 concurrent sessions and comes back to 0 sessions', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const client = await MilterClient.open(server.address);
        const first = await client.sendMessage({ ...message, mailFrom: `s${i}@sender.example` });
        const second = await client.sendMessage({ ...message, connect: undefined, helo: undefined });
        await client.quit();
        return [first.reply.type, second.reply.type];
      }),
    );
    expect(results.flat().every((type) => type === 'accept')).toBe(true);
    expect(seen).toHaveLength(400);
    await sessionsReach(0);
  });

  it('listens on a Unix socket, replacing a stale socket file, and close() ends open sessions', async () => {
    const path = join(directory.path, 'milter.sock');
    const first = await startMilterServer({ listen: { kind: 'unix', path }, filter, log: quiet });
    expect(first.address).toBe(path);
    await expect(startMilterServer({ listen: { kind: 'unix', path }, filter, log: quiet })).rejects.toThrow(/in use/);
    const open = await MilterClient.open(path);
    expect((await open.sendMessage(message)).reply).toEqual({ type: 'accept' });
    await first.close();
    await open.closed;
    expect(first.sessions()).toBe(0);
    // A socket file left behind by a process that bound it and exited without removing it.
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
    expect(lstatSync(path).isSocket()).toBe(true);
    const second = await startMilterServer({ listen: { kind: 'unix', path }, filter, log: quiet });
    const client = await MilterClient.open(`unix:${path}`);
    expect((await client.sendMessage(message)).reply).toEqual({ type: 'accept' });
    await client.close();
    await second.close();
  });
});
