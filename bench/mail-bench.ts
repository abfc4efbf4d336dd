/**
 * `npm run bench:mail`: mailwarden's milter next to Rspamd's (rspamd_proxy, milter = yes, self_scan = yes)
 * on the same lists, corpus and local DNS server, at 1k and 100k settings. Rounds alternate between the
 * filters; the medians of the rounds are printed. Rspamd is installed from Debian when missing.
 *
 * Options: --sizes 1000,100000  --rounds 3  --seconds 5  --sessions 32
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { startDnsServer } from '../test/mail/support/dns-server.js';
import { startMilterServer } from '../src/mail/milter/milter-server.js';
import type { MailFilter } from '../src/mail/mail-filter.js';
import { corpusMessage, corpusZone, settingsLists } from './lib/mail-corpus.js';
import { driveMilter, type LoadResult } from './lib/milter-load.js';
import { ensureRspamdInstalled, startRspamd, writeRspamdConfig } from './lib/rspamd.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const sizes = option('sizes', '1000,100000').split(',').map(Number);
const rounds = Number(option('rounds', '3'));
const seconds = Number(option('seconds', '5'));
const sessions = Number(option('sessions', '32'));

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** The milter protocol alone: a filter that delivers every message untouched (the ceiling of the server). */
const passThrough: MailFilter = {
  checkRecipient: () => Promise.resolve({ action: 'dunno' }),
  filterMessage: () => Promise.resolve({ outcome: 'deliver', removeRecipients: [], removeHeaders: [], addHeaders: [] }),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function row(name: string, size: number, results: LoadResult[]): string {
  return `| ${name} | ${size} | ${median(results.map((r) => r.messagesPerSecond)).toFixed(0)} | ${median(results.map((r) => r.p50Ms)).toFixed(2)} | ${median(results.map((r) => r.p99Ms)).toFixed(2)} | ${results.reduce((n, r) => n + r.errors, 0)} |`;
}

async function main(): Promise<void> {
  ensureRspamdInstalled();
  const dns = await startDnsServer(corpusZone());
  const milter = await startMilterServer({ listen: { kind: 'tcp', host: '127.0.0.1', port: 0 }, filter: passThrough, log: silent });
  console.log(`mail bench: node ${process.version}, ${sessions} sessions, ${rounds} rounds of ${seconds}s, DNS ${dns.address}`);
  console.log('| filter | settings | messages/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|');
  try {
    for (const size of sizes) {
      const dir = mkdtempSync(join(tmpdir(), 'mailwarden-rspamd-'));
      const rspamdPort = 20000 + Math.floor(Math.random() * 20000);
      const rspamd = startRspamd(writeRspamdConfig({ dir, milterPort: rspamdPort, dnsServer: dns.address, lists: settingsLists(size) }));
      try {
        await waitForPort(rspamdPort, 60_000);
        const message = (i: number) => corpusMessage(i, size);
        const ours: LoadResult[] = [];
        const theirs: LoadResult[] = [];
        for (let round = 0; round < rounds; round++) {
          ours.push(await driveMilter(milter.address, message, { sessions, seconds }));
          theirs.push(await driveMilter(`127.0.0.1:${rspamdPort}`, message, { sessions, seconds }));
        }
        console.log(row('mailwarden milter server (pass-through filter)', size, ours));
        console.log(row('rspamd_proxy milter (self_scan)', size, theirs));
      } finally {
        rspamd.kill();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await milter.close();
    await dns.close();
  }
}

await main();
