/**
 * A private Rspamd instance for the mail benchmark: its own config directory, its own loopback port for
 * the milter proxy (`rspamd_proxy` with milter = yes and self_scan = yes), the benchmark's DNS server as
 * the only nameserver, and only the modules that do what mailwarden does: multimap lists holding the same
 * settings (blocked senders, allowed senders, trusted domains, blocked IPs), SPF, DKIM and DMARC.
 * No redis: every module that needs it is left out.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RspamdLists {
  blockedSenders: string[];
  blockedDomains: string[];
  allowedSenders: string[];
  allowedDomains: string[];
  trustedDomains: string[];
  blockedIps: string[];
}

export interface RspamdOptions {
  dir: string;
  milterPort: number;
  /** HOST:PORT of the DNS server both filters use. */
  dnsServer: string;
  lists: RspamdLists;
}

/** Installs rspamd from Debian when it is missing (the benchmark is run by hand, as root). */
export function ensureRspamdInstalled(): void {
  if (spawnSync('sh', ['-c', 'command -v rspamd']).status === 0) return;
  const result = spawnSync('apt-get', ['install', '-y', 'rspamd'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) throw new Error('apt-get install -y rspamd failed');
}

function writeList(dir: string, name: string, entries: string[]): string {
  const path = join(dir, 'maps', `${name}.map`);
  writeFileSync(path, entries.join('\n') + '\n');
  return path;
}

/** Writes rspamd.conf and the multimap files; returns the path of rspamd.conf. */
export function writeRspamdConfig(options: RspamdOptions): string {
  const { dir, lists } = options;
  mkdirSync(join(dir, 'maps'), { recursive: true });
  mkdirSync(join(dir, 'db'), { recursive: true });
  const map = (name: string, entries: string[]) => JSON.stringify(`file://${writeList(dir, name, entries)}`);
  const conf = `
options {
  pidfile = "${join(dir, 'rspamd.pid')}";
  dbdir = "${join(dir, 'db')}";
  filters = "spf,dkim,dmarc,multimap";
  dns { nameserver = ["${options.dnsServer}"]; timeout = 1s; retransmits = 1; }
}
logging { type = "console"; level = "error"; }
worker "rspamd_proxy" {
  bind_socket = "127.0.0.1:${options.milterPort}";
  milter = yes;
  timeout = 120s;
  upstream "local" { default = yes; self_scan = yes; }
  count = 1;
}
spf { }
dkim { }
dmarc { }
multimap {
  MW_BLOCKED_SENDER { type = "from"; filter = "email:addr"; map = ${map('blocked-senders', lists.blockedSenders)}; score = 20; }
  MW_BLOCKED_DOMAIN { type = "from"; filter = "email:domain"; map = ${map('blocked-domains', lists.blockedDomains)}; score = 20; }
  MW_ALLOWED_SENDER { type = "from"; filter = "email:addr"; map = ${map('allowed-senders', lists.allowedSenders)}; score = -20; }
  MW_ALLOWED_DOMAIN { type = "from"; filter = "email:domain"; map = ${map('allowed-domains', lists.allowedDomains)}; score = -20; }
  MW_TRUSTED_DOMAIN { type = "from"; filter = "email:domain"; map = ${map('trusted-domains', lists.trustedDomains)}; score = -10; }
  MW_BLOCKED_IP { type = "ip"; map = ${map('blocked-ips', lists.blockedIps)}; score = 20; }
}
actions { reject = 15; add_header = 6; }
`;
  const path = join(dir, 'rspamd.conf');
  writeFileSync(path, conf);
  return path;
}

/** Starts rspamd in the foreground on the written config; stop it with child.kill(). */
export function startRspamd(confPath: string): ChildProcess {
  return spawn('rspamd', ['-f', '-u', '_rspamd', '-g', '_rspamd', '-c', confPath], { stdio: ['ignore', 'inherit', 'inherit'] });
}
