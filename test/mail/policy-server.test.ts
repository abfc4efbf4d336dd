/**
 * The Postfix policy delegation service on a real port, spoken to as Postfix does: name=value lines,
 * an empty line, many requests on one connection. The MailFilter is a stub recording what it gets.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListeningServer } from '../../src/mail/listen.js';
import type { MailEnvelope, MailFilter } from '../../src/mail/mail-filter.js';
import type { MailLogger } from '../../src/mail/mail-logger.js';
import { startPolicyServer } from '../../src/mail/policy/policy-server.js';

const quiet: MailLogger = { debug() {}, info() {}, warn() {}, error() {} };
const asked: Array<[MailEnvelope, string]> = [];
const filter: MailFilter = {
  checkRecipient(envelope, recipient) {
    asked.push([envelope, recipient]);
    if (recipient.startsWith('blocked'))
      return Promise.resolve({ action: 'reject', reply: { code: '550', enhanced: '5.7.1', text: 'Recipient\nrejected: BLOCKED' } });
    if (recipient.startsWith('later'))
      return Promise.resolve({ action: 'tempfail', reply: { code: '451', enhanced: '4.7.1', text: 'settings unavailable' } });
    if (recipient.startsWith('broken')) return Promise.reject(new Error('bug'));
    return Promise.resolve({ action: 'dunno' });
  },
  filterMessage: () => Promise.reject(new Error('not used')),
};

let server: ListeningServer;
beforeAll(async () => {
  server = await startPolicyServer({ listen: { kind: 'tcp', host: '127.0.0.1', port: 0 }, filter, log: quiet, maxRequestBytes: 2048 });
});
afterAll(() => server.close());

function request(recipient: string, extra: Record<string, string> = {}): string {
  const attributes = {
    request: 'smtpd_access_policy',
    protocol_state: 'RCPT',
    protocol_name: 'ESMTP',
    client_address: '192.0.2.10',
    client_name: 'mx.sender.example',
    helo_name: 'mx.sender.example',
    sender: 'alice@sender.example',
    recipient,
    queue_id: '',
    encryption_protocol: 'TLSv1.3',
    ...extra,
  };
  return `${Object.entries(attributes)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n')}\n\n`;
}

/** Opens a connection and returns a function that sends text and reads `count` answers. */
async function policyConnection(): Promise<{
  socket: Socket;
  ask(text: string, count?: number): Promise<string[]>;
  closed: Promise<void>;
}> {
  const socket = connect(Number(server.address.split(':').pop()), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.setEncoding('utf8');
  let received = '';
  let wake: () => void = () => {};
  socket.on('data', (chunk: string) => ((received += chunk), wake()));
  const closed = new Promise<void>((resolve) => socket.once('close', () => (wake(), resolve())));
  return {
    socket,
    closed,
    async ask(text, count = 1) {
      socket.write(text);
      while (received.split('\n\n').length - 1 < count && !socket.destroyed) await new Promise<void>((resolve) => (wake = resolve));
      const answers = received.split('\n\n').slice(0, count);
      received = received.split('\n\n').slice(count).join('\n\n');
      return answers;
    },
  };
}

describe('policy service', () => {
  it('answers DUNNO, a 550 reject and a 451 deferral in order on one connection, building the envelope', async () => {
    const connection = await policyConnection();
    const answers = await connection.ask(
      request('bob@protected.example') + request('blocked@protected.example') + request('later@protected.example'),
      3,
    );
    expect(answers).toEqual(['action=DUNNO', 'action=550 5.7.1 Recipient rejected: BLOCKED', 'action=451 4.7.1 settings unavailable']);
    expect(asked[0]).toEqual([
      {
        clientAddress: '192.0.2.10',
        clientName: 'mx.sender.example',
        helo: 'mx.sender.example',
        queueId: undefined,
        tls: true,
        mailFrom: 'alice@sender.example',
        recipients: ['bob@protected.example'],
      },
      'bob@protected.example',
    ]);
    expect(await connection.ask(request('broken@protected.example'))).toEqual([
      'action=451 4.7.1 mailwarden: temporary failure, try again later',
    ]);
    connection.socket.destroy();
  });

  it('answers DUNNO without asking the filter for requests it does not decide', async () => {
    asked.length = 0;
    const connection = await policyConnection();
    const answers = await connection.ask(
      request('', {}) +
        request('bob@protected.example', { protocol_state: 'DATA' }) +
        'garbage line\n\n' +
        request('x@y', { request: 'other' }),
      4,
    );
    expect(answers).toEqual(['action=DUNNO', 'action=DUNNO', 'action=DUNNO', 'action=DUNNO']);
    expect(asked).toEqual([]);
    connection.socket.destroy();
  });

  it('closes a connection whose request grows past maxRequestBytes, and keeps serving others', async () => {
    const abusive = await policyConnection();
    abusive.socket.write(`request=smtpd_access_policy\nrecipient=${'a'.repeat(5000)}`);
    await abusive.closed;
    const connection = await policyConnection();
    expect(await connection.ask(request('blocked@protected.example'))).toEqual(['action=550 5.7.1 Recipient rejected: BLOCKED']);
    connection.socket.destroy();
    for (let i = 0; i < 100 && server.sessions() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.sessions()).toBe(0);
  });
});
