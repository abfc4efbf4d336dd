/**
 * End to end through a real Postfix (test/mail/support/postfix.ts): `smtp-sink` receives what Postfix
 * relays, `smtp-source` makes the load. One run sends `messages` messages over `sessions` parallel SMTP
 * sessions and is timed from the first connection until Postfix has relayed every message to the sink, so the
 * figure is Postfix's throughput with the milter in its path, queueing and relaying included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startPostfix, type PostfixInstance } from '../../test/mail/support/postfix.js';

const SMTP_SOURCE = '/usr/sbin/smtp-source';
const SMTP_SINK = '/usr/sbin/smtp-sink';

export interface Sink {
  port: number;
  stop(): Promise<void>;
}

/** `smtp-sink` on a loopback port, answering 250 to everything. */
export async function startSmtpSink(): Promise<Sink> {
  const port = await freePort();
  // -u: smtp-sink refuses to run as root without it.
  const child: ChildProcess = spawn(SMTP_SINK, ['-u', 'postfix', `127.0.0.1:${port}`, '1024'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await new Promise((done) => setTimeout(done, 300));
  if (child.exitCode !== null) throw new Error(`smtp-sink exited: ${output}`);
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Messages Postfix relayed to the sink so far: its log's `status=sent` lines, read on from where the last
 * call stopped (smtp-sink's own counter goes to a terminal only).
 */
export function relayedCounter(maillog: string): () => number {
  let offset = 0;
  let count = 0;
  let rest = '';
  return () => {
    if (!existsSync(maillog)) return count;
    const size = statSync(maillog).size;
    if (size <= offset) return count;
    const fd = openSync(maillog, 'r');
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    closeSync(fd);
    offset = size;
    const lines = (rest + buffer.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.includes(' status=sent ')) count++;
    return count;
  };
}

export interface SourceOptions {
  port: number;
  messages: number;
  sessions: number;
  from: string;
  to: string;
  /** Payload bytes after smtp-source's own headers. */
  length?: number;
}

/** Runs smtp-source to completion; resolves with its exit status and output. */
export function runSmtpSource(options: SourceOptions): Promise<{ status: number | null; output: string }> {
  const args = [
    '-s',
    String(options.sessions),
    '-m',
    String(options.messages),
    '-l',
    String(options.length ?? 1024),
    '-f',
    options.from,
    '-t',
    options.to,
    '-S',
    'mail bench end to end',
    `127.0.0.1:${options.port}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (status) => resolve({ status, output }));
  });
}

export interface Lane {
  name: string;
  postfix: PostfixInstance;
  sink: Sink;
  relayed: () => number;
}

export async function startLane(name: string, milter: string | undefined): Promise<Lane> {
  const sink = await startSmtpSink();
  const postfix = await startPostfix({ milter, relayPort: sink.port });
  return { name, postfix, sink, relayed: relayedCounter(join(postfix.directory, 'maillog')) };
}

export async function stopLane(lane: Lane): Promise<void> {
  await lane.postfix.stop();
  await lane.sink.stop();
}

async function waitForCount(lane: Lane, target: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (lane.relayed() < target) {
    if (Date.now() > end) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}

export interface LaneResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Messages per second smtp-source saw accepted (Postfix's SMTP side only, before relaying). */
  acceptedPerSecond: number;
}

/** One timed run: smtp-source's messages through the lane's Postfix until its sink counted them all. */
export async function driveLane(lane: Lane, options: Omit<SourceOptions, 'port'>, timeoutMs = 180_000): Promise<LaneResult> {
  const before = lane.relayed();
  const started = performance.now();
  const source = await runSmtpSource({ ...options, port: lane.postfix.port });
  const accepted = (performance.now() - started) / 1000;
  if (source.status !== 0) throw new Error(`${lane.name}: smtp-source exited with ${source.status}: ${source.output}`);
  if (!(await waitForCount(lane, before + options.messages, timeoutMs)))
    throw new Error(
      `${lane.name}: Postfix relayed ${lane.relayed() - before} of ${options.messages} messages\n${lane.postfix.log().slice(-3000)}`,
    );
  const seconds = (performance.now() - started) / 1000;
  return {
    messages: options.messages,
    seconds,
    messagesPerSecond: options.messages / seconds,
    acceptedPerSecond: options.messages / accepted,
  };
}
