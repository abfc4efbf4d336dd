/**
 * Both ends of a mail test around a real Postfix: an SMTP sink (`smtp-server`) that keeps every message
 * Postfix delivers, and `swaks`, which sends a message as a given client (XCLIENT address and HELO) and
 * reports where the server refused it.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface DeliveredMessage {
  mailFrom: string;
  recipients: string[];
  raw: string;
  /** The header block, unfolded: [name, value] in order. */
  headers: Array<[string, string]>;
}

export interface SmtpSink {
  port: number;
  messages: DeliveredMessage[];
  /** Resolves with the first delivered message that contains `marker`, waiting up to `timeoutMs`. */
  waitFor(marker: string, timeoutMs?: number): Promise<DeliveredMessage>;
  close(): Promise<void>;
}

function headersOf(raw: string): Array<[string, string]> {
  const block = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  return block
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => line.includes(':'))
    .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
}

/** Every value of the header `name` (case-insensitive) in a delivered message. */
export function headerValues(message: DeliveredMessage, name: string): string[] {
  return message.headers.filter(([key]) => key.toLowerCase() === name.toLowerCase()).map(([, value]) => value);
}

export async function startSink(): Promise<SmtpSink> {
  const messages: DeliveredMessage[] = [];
  const waiting = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          headers: headersOf(raw),
        });
        for (const wake of waiting) wake();
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    port,
    messages,
    waitFor(marker, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find((message) => message.raw.includes(marker));
          if (!found) return false;
          waiting.delete(wake);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const wake = () => void check();
        const timer = setTimeout(() => {
          waiting.delete(wake);
          reject(new Error(`no delivered message contains ${marker} after ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiting.add(wake);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Submission {
  port: number;
  mailFrom: string;
  recipients: string[];
  /** The whole message (headers, blank line, body), CRLF or LF. */
  data: string | Buffer;
  /** The client as Postfix sees it, through XCLIENT. */
  clientAddress?: string;
  helo?: string;
  /** Where swaks may write the message file. */
  directory: string;
}

export interface SubmissionResult {
  /** Did the server take the message (250 after DATA)? */
  accepted: boolean;
  /** The server's refusals, as `CODE TEXT` lines (`550 5.7.1 ...`), in order. */
  refusals: string[];
  transcript: string;
}

let submissions = 0;

/** Sends one message with swaks and says whether the server took it, and what it refused. */
export function submit(submission: Submission): Promise<SubmissionResult> {
  const file = join(submission.directory, `message-${process.pid}-${++submissions}.eml`);
  writeFileSync(file, submission.data);
  const helo = submission.helo ?? 'mx.sender.example';
  const args = [
    '--server',
    `127.0.0.1:${submission.port}`,
    '--from',
    submission.mailFrom,
    '--to',
    submission.recipients.join(','),
    '--helo',
    helo,
    '--xclient-addr',
    submission.clientAddress ?? '192.0.2.10',
    '--xclient-name',
    helo,
    '--xclient-helo',
    helo,
    '--data',
    `@${file}`,
    '--timeout',
    '30',
  ];
  return new Promise((resolve) => {
    execFile('swaks', args, { timeout: 60_000 }, (_error, stdout, stderr) => {
      const transcript = `${stdout}${stderr}`;
      const refusals = [...transcript.matchAll(/^<\*\* +(\d{3}[ -].*)$/gm)].map((match) => match[1].trim());
      // After the message's final dot, a 250 is the server taking it.
      const afterData = transcript.split(/^ -> \.$/m)[1] ?? '';
      resolve({ accepted: /^<- +250 /m.test(afterData), refusals, transcript });
    });
  });
}
