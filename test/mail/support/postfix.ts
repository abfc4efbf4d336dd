/**
 * A real Postfix (Debian's package) for mail tests: an instance of its own in a temporary configuration
 * directory, listening for SMTP on a loopback port, with mailwarden's milter and policy service wired in
 * as an operator would (`smtpd_milters`, `check_policy_service`), relaying everything it accepts to the
 * test's sink. XCLIENT is allowed from loopback so that a test can speak as any client IP and HELO.
 *
 * Postfix's commands log to syslog, which a test machine may not have: the instance logs to a file
 * (`maillog`), and the commands run under `script` so that their fatal errors reach the test too.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const POSTFIX = '/usr/sbin/postfix';

export interface PostfixOptions {
  /** `inet:HOST:PORT` of the milter; none when absent. */
  milter?: string;
  /** `inet:HOST:PORT` of the policy service; none when absent. */
  policy?: string;
  /** `tempfail` (the README's advice) or `accept`: what Postfix does when the milter cannot be reached. */
  milterDefaultAction?: 'tempfail' | 'accept';
  /** The port of the SMTP sink that receives what Postfix accepts. */
  relayPort: number;
}

export interface PostfixInstance {
  /** The SMTP port Postfix listens on, on 127.0.0.1. */
  port: number;
  directory: string;
  /** Postfix's log so far. */
  log(): string;
  /** The messages in Postfix's queues (`postqueue -j`): which queue each is in, and its recipients. */
  queue(): Promise<Array<{ queue_name: string; queue_id: string; recipients: Array<{ address: string }> }>>;
  stop(): Promise<void>;
}

/** A TCP port free on loopback now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function postfix(directory: string, command: string): Promise<string> {
  // `script` gives the command a terminal, the one place besides syslog where Postfix writes its errors.
  try {
    const { stdout } = await run('script', ['-qec', `${POSTFIX} -c ${directory} ${command}`, '/dev/null']);
    return stdout;
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? '';
    const log = existsSync(join(directory, 'maillog')) ? readFileSync(join(directory, 'maillog'), 'utf8') : '';
    throw new Error(`postfix ${command} failed:\n${output}\n${log}`, { cause: error });
  }
}

async function postconf(directory: string, ...args: string[]): Promise<void> {
  await run('/usr/sbin/postconf', ['-c', directory, ...args]);
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (listening) return;
    if (Date.now() > deadline) throw new Error(`Postfix did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startPostfix(options: PostfixOptions): Promise<PostfixInstance> {
  if (!existsSync(POSTFIX)) throw new Error(`${POSTFIX} is missing: install Debian's postfix package (.ci/run does)`);
  const directory = mkdtempSync(join(tmpdir(), 'mailwarden-postfix-'));
  // Postfix's daemons, running as `postfix`, must reach the queue and data directories inside.
  chmodSync(directory, 0o755);
  const port = await freePort();
  mkdirSync(join(directory, 'queue'));
  mkdirSync(join(directory, 'data'));
  // Postfix's own processes run as `postfix` and keep their lock files here.
  chownSync(join(directory, 'data'), ...postfixIds());
  const restrictions = [options.policy ? `check_policy_service ${options.policy}` : '', 'permit'].filter(Boolean).join(', ');
  const main = {
    compatibility_level: '3.6',
    queue_directory: join(directory, 'queue'),
    data_directory: join(directory, 'data'),
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    myhostname: 'mx.mailwarden.test',
    mydestination: '',
    mynetworks: '127.0.0.0/8',
    alias_maps: '',
    alias_database: '',
    // Everything accepted goes to the sink; no DNS lookups for delivery.
    relayhost: `[127.0.0.1]:${options.relayPort}`,
    smtp_dns_support_level: 'disabled',
    // Every domain is relayed (a loopback-only instance): the tests send to any domain they like.
    relay_domains: 'static:all',
    smtpd_relay_restrictions: 'reject_unauth_destination',
    smtpd_recipient_restrictions: restrictions,
    smtpd_authorized_xclient_hosts: '127.0.0.0/8',
    smtpd_milters: options.milter ?? '',
    milter_default_action: options.milterDefaultAction ?? 'tempfail',
    milter_protocol: '6',
    maillog_file: join(directory, 'maillog'),
    maillog_file_prefixes: directory,
    // A test sees a failure at once rather than after Postfix's back-off.
    smtp_connect_timeout: '5s',
    queue_run_delay: '1s',
    minimal_backoff_time: '1s',
  };
  writeFileSync(
    join(directory, 'main.cf'),
    Object.entries(main)
      .map(([name, value]) => `${name} = ${value}\n`)
      .join(''),
  );
  writeFileSync(join(directory, 'master.cf'), readFileSync('/etc/postfix/master.cf'));
  // No chroot (the instance's queue is not a chroot jail), and SMTP on the test's port only.
  await postconf(directory, '-F', '*/*/chroot = n');
  await postconf(directory, '-MX', 'smtp/inet');
  await postconf(directory, '-M', `127.0.0.1:${port}/inet=127.0.0.1:${port} inet n - n - - smtpd`);
  await postfix(directory, 'start');
  await waitForPort(port, 20_000);
  const log = () => (existsSync(join(directory, 'maillog')) ? readFileSync(join(directory, 'maillog'), 'utf8') : '');
  return {
    port,
    directory,
    log,
    async queue() {
      const { stdout } = await run('/usr/sbin/postqueue', ['-c', directory, '-j']);
      return stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    },
    async stop() {
      await postfix(directory, 'stop').catch(() => undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function postfixIds(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postfix:'));
  if (!line) throw new Error("no postfix user: install Debian's postfix package");
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
