/**
 * mailwarden as the mail benchmark runs it: `dist/server.js` in a process of its own (as an operator runs
 * it), over a fresh SQLite file, with its milter on a loopback port and the benchmark's DNS server as its
 * only resolver. Its log goes to a file (not through the bench process); the milter's address is read from
 * the "milter listening" line. `seed` loads one account's settings through the import endpoint, the way
 * an operator moves settings in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RspamdLists } from './rspamd.js';

export const BENCH_ACCOUNT = '023e105f4ecef8ad9ca31a8372d0c353';
/** The domain the corpus's recipients are in: the account protects it and drops MALICIOUS mail. */
export const PROTECTED_DOMAIN = 'protected.example';
const TOKEN = 'mailwarden-mail-bench-token';
const SERVER_ENTRY = resolve(import.meta.dirname, '../../../server.js');

export interface MailwardenProcess {
  origin: string;
  /** HOST:PORT of the milter. */
  milter: string;
  pid: number;
  /** Loads the lists into the bench account through `POST .../email-security/import` (mode replace). */
  seed(lists: RspamdLists): Promise<{ ms: number; created: number }>;
  stop(): Promise<void>;
}

async function waitFor(file: string, pattern: RegExp, child: ChildProcess, timeoutMs: number): Promise<RegExpExecArray> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(readFileSync(file, 'utf8'));
    if (match) return match;
    if (child.exitCode !== null) throw new Error(`mailwarden exited with ${child.exitCode}:\n${readFileSync(file, 'utf8')}`);
    if (Date.now() > end) throw new Error(`mailwarden did not log ${pattern}:\n${readFileSync(file, 'utf8')}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** The lists as one account's export document: the same entries Rspamd's multimap files hold. */
export function importDocument(lists: RspamdLists): object {
  const block = (pattern: string, pattern_type: 'EMAIL' | 'DOMAIN' | 'IP') => ({ pattern, pattern_type, is_regex: false });
  const allow = (pattern: string, pattern_type: 'EMAIL' | 'DOMAIN') => ({
    pattern,
    pattern_type,
    is_regex: false,
    is_trusted_sender: true,
    is_exempt_recipient: false,
    is_acceptable_sender: false,
    verify_sender: false,
  });
  return {
    domains: [{ domain: PROTECTED_DOMAIN, drop_dispositions: ['MALICIOUS', 'MALICIOUS-BEC', 'SPOOF'] }],
    block_senders: [
      ...lists.blockedSenders.map((p) => block(p, 'EMAIL')),
      ...lists.blockedDomains.map((p) => block(p, 'DOMAIN')),
      ...lists.blockedIps.map((p) => block(p, 'IP')),
    ],
    allow_policies: [...lists.allowedSenders.map((p) => allow(p, 'EMAIL')), ...lists.allowedDomains.map((p) => allow(p, 'DOMAIN'))],
    trusted_domains: lists.trustedDomains.map((pattern) => ({ pattern, is_regex: false, is_recent: false, is_similarity: false })),
  };
}

export async function startMailwarden(options: { dir: string; dnsServer: string }): Promise<MailwardenProcess> {
  const logFile = join(options.dir, 'mailwarden.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: `sqlite:${join(options.dir, 'mailwarden.db')}`,
      MAILWARDEN_BOOTSTRAP_TOKEN: TOKEN,
      MAILWARDEN_MILTER_LISTEN: '127.0.0.1:0',
      MAILWARDEN_DNS_SERVER: options.dnsServer,
      // The import of 100k settings is one request of ~15 MB; the bench's own requests are not rate limited.
      MAILWARDEN_BODY_LIMIT: String(256 * 1024 * 1024),
      MAILWARDEN_RATE_LIMIT: '0',
      // Postfix opens one milter connection per SMTP session; the bench's sessions all come from 127.0.0.1.
      MAILWARDEN_MAX_CONNECTIONS: '0',
      MAILWARDEN_MAX_CONNECTIONS_PER_IP: '0',
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    const [, origin] = await waitFor(logFile, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/, child, 30_000);
    const [, milter] = await waitFor(logFile, /"address":"([^"]+)","msg":"milter listening"/, child, 30_000);
    return {
      origin,
      milter,
      pid: child.pid!,
      async seed(lists) {
        const started = performance.now();
        const response = await fetch(`${origin}/accounts/${BENCH_ACCOUNT}/email-security/import?mode=replace`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(importDocument(lists)),
        });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`import answered ${response.status}: ${text.slice(0, 2000)}`);
        const result = (JSON.parse(text) as { result: Record<string, unknown> }).result;
        return { ms: performance.now() - started, created: (result as { counts: { create: number } }).counts.create };
      },
      async stop() {
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
