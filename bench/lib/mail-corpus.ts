/**
 * The mail benchmark's lists and messages, deterministic by index: `settingsLists(size)` gives the same
 * settings to both filters (mailwarden's records and Rspamd's multimap files), `corpusMessage(i, size)`
 * gives message `i` of the corpus: one in ten from a blocked sender, one in ten from an allowed one, the
 * rest from domains in no list, each with an SPF record in the benchmark's DNS zone.
 */
import type { TestMessage } from '../../test/mail/support/milter-client.js';
import type { RspamdLists } from './rspamd.js';
import type { Zone } from '../../test/mail/support/dns-server.js';

const SENDING_IP = '192.0.2.10';
/** The envelope and header sender of the end-to-end load (in no list; SPF passes from 127.0.0.1). */
export const E2E_SENDER = 'load@e2e.example';
export const E2E_RECIPIENT = 'user@protected.example';

export function blockedSender(i: number): string {
  return `blocked${i}@spam${i % 997}.example`;
}
export function allowedSender(i: number): string {
  return `partner${i}@vendor${i % 991}.example`;
}

/** 60% blocked senders (half addresses, half domains), 40% allow entries, 1% of size trusted domains. */
export function settingsLists(size: number): RspamdLists {
  const blocked = Math.floor(size * 0.6);
  const allowed = size - blocked;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    blockedSenders: range(Math.ceil(blocked / 2)).map(blockedSender),
    blockedDomains: range(Math.floor(blocked / 2)).map((i) => `blockeddomain${i}.example`),
    allowedSenders: range(Math.ceil(allowed / 2)).map(allowedSender),
    allowedDomains: range(Math.floor(allowed / 2)).map((i) => `alloweddomain${i}.example`),
    trustedDomains: range(Math.max(1, Math.floor(size / 100))).map((i) => `trusted${i}.example`),
    blockedIps: range(Math.max(1, Math.floor(size / 100))).map((i) => `198.51.${Math.floor(i / 256) % 256}.${i % 256}`),
  };
}

export function corpusMessage(i: number, size: number): TestMessage {
  const kind = i % 10;
  const from =
    kind === 0
      ? blockedSender(i % Math.ceil(size * 0.3))
      : kind === 1
        ? allowedSender(i % Math.ceil(size * 0.2))
        : `user${i}@sender${i % 5000}.example`;
  const date = new Date(Date.UTC(2026, 11, 7, 12, 0, i % 60)).toUTCString();
  return {
    connect: { hostname: 'mx.sender.example', address: SENDING_IP, port: 25000 + (i % 1000), family: '4' },
    helo: 'mx.sender.example',
    mailFrom: from,
    recipients: [`user${i % 50}@protected.example`],
    headers: [
      ['From', ` ${from}`],
      ['To', ` user${i % 50}@protected.example`],
      ['Subject', ` corpus message ${i}`],
      ['Date', ` ${date}`],
      ['Message-ID', ` <bench-${i}@sender.example>`],
    ],
    body: `Hello,\r\n\r\nThis is corpus message ${i}.\r\n`.repeat(20),
  };
}

/** SPF (and no DMARC policy) for every sender domain of the corpus, answered by the local DNS server. */
export function corpusZone(): Zone {
  const zone: Zone = {};
  const spf = [`v=spf1 ip4:${SENDING_IP} -all`];
  for (let d = 0; d < 5000; d++) zone[`sender${d}.example`] = { TXT: spf };
  for (let d = 0; d < 997; d++) zone[`spam${d}.example`] = { TXT: spf };
  for (let d = 0; d < 991; d++) zone[`vendor${d}.example`] = { TXT: spf };
  // The end-to-end load's sender: smtp-source connects to Postfix from loopback.
  zone[E2E_SENDER.split('@')[1]] = { TXT: ['v=spf1 ip4:127.0.0.1 -all'] };
  return zone;
}
