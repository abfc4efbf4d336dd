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
  /** Rspamd's log level (`error` unless told; `info` shows which modules loaded). */
  logLevel?: string;
  /** rspamd_proxy worker processes (1 unless told). */
  workers?: number;
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
  // Lua plugins load from the plugins directory only when their section is present (spf, dmarc, multimap
  // here); the C module dkim is named in `filters`. The `lua` file defines only the global functions the
  // plugins call (Debian's rules/rspamd.lua would also add its regexp, header and content rules).
  // The symbols are in a group with their weights, and `actions` turn a total of 15 into a milter reject.
  const symbols: Array<[name: string, weight: number]> = [
    ['MW_BLOCKED_SENDER', 20],
    ['MW_BLOCKED_DOMAIN', 20],
    ['MW_BLOCKED_IP', 20],
    ['MW_ALLOWED_SENDER', -20],
    ['MW_ALLOWED_DOMAIN', -20],
    ['MW_TRUSTED_DOMAIN', -10],
  ];
  const luaInit = join(dir, 'init.lua');
  writeFileSync(luaInit, 'require "global_functions" ()\nrspamd_maps = {}\n');
  const conf = `
options {
  pidfile = "${join(dir, 'rspamd.pid')}";
  dbdir = "${join(dir, 'db')}";
  filters = "dkim";
  dns { nameserver = ["${options.dnsServer}"]; timeout = 1s; retransmits = 1; }
}
modules { path = "/usr/share/rspamd/plugins"; }
lua = "${luaInit}";
logging { type = "console"; level = "${options.logLevel ?? 'error'}"; }
worker "rspamd_proxy" {
  bind_socket = "127.0.0.1:${options.milterPort}";
  milter = yes;
  timeout = 120s;
  upstream "local" { default = yes; self_scan = yes; }
  count = ${options.workers ?? 1};
}
spf { }
dkim { }
dmarc { }
multimap {
  MW_BLOCKED_SENDER { type = "from"; filter = "email:addr"; map = ${map('blocked-senders', lists.blockedSenders)}; }
  MW_BLOCKED_DOMAIN { type = "from"; filter = "email:domain"; map = ${map('blocked-domains', lists.blockedDomains)}; }
  MW_ALLOWED_SENDER { type = "from"; filter = "email:addr"; map = ${map('allowed-senders', lists.allowedSenders)}; }
  MW_ALLOWED_DOMAIN { type = "from"; filter = "email:domain"; map = ${map('allowed-domains', lists.allowedDomains)}; }
  MW_TRUSTED_DOMAIN { type = "from"; filter = "email:domain"; map = ${map('trusted-domains', lists.trustedDomains)}; }
  MW_BLOCKED_IP { type = "ip"; map = ${map('blocked-ips', lists.blockedIps)}; }
}
group "mailwarden" {
  symbols {
${symbols.map(([name, weight]) => `    "${name}" { weight = ${weight}; }`).join('\n')}
  }
}
actions { reject = 15; add_header = 6; }
`;
  const path = join(dir, 'rspamd.conf');
  writeFileSync(path, conf);
  return path;
}

/** Starts rspamd in the foreground on the written config, in a process group of its own; stop it with stopRspamd. */
export function startRspamd(confPath: string): ChildProcess {
  return spawn('rspamd', ['-f', '-u', '_rspamd', '-g', '_rspamd', '-c', confPath], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
}

/**
 * Stops an instance from startRspamd and waits for it: SIGTERM to its main process, then, when it has not
 * exited within 20 s (Rspamd waits 16 s for its workers), SIGKILL to its whole process group.
 */
export async function stopRspamd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = new Promise<'late'>((done) => setTimeout(() => done('late'), 20_000).unref());
  if ((await Promise.race([exited, timer])) === 'late') {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
    await exited;
  }
}
