/**
 * Messages from files: a raw RFC 5322 message (`.eml`), read with mailparser, or a JSON message.
 *
 * From a raw message the engine reads what its rules look at, from the headers the receiving side
 * wrote:
 * - `from`, `from_name`: the first From address and its display name (encoded words decoded);
 * - `reply_to`; `recipients`: To, Cc and Bcc (else Delivered-To / X-Original-To);
 * - `envelope_from`: Return-Path;
 * - `authentication`: the topmost Authentication-Results header carrying spf/dkim/dmarc results
 *   (softfail and hardfail count as fail, neutral and errors as none; DKIM passes if any signature
 *   passes); Received-SPF when Authentication-Results has no SPF result;
 * - `sending_ip`, `helo`: Received-SPF `client-ip=` / `helo=`, else the topmost Received header;
 * - `tls`: the topmost Received header (`with ESMTPS`, `version=TLS…` mean TLS, `with ESMTP` means none);
 * - `id`: Message-ID.
 *
 * @example
 *   const message = await messageFromEml(await readFile('suspect.eml'));
 *   const verdict = evaluate(compiled, message);
 */
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import type { ErrorObject } from 'ajv';
import type { FieldError } from '../http/errors.js';
import { bodyAjv, toFieldErrors } from '../validation/schema-validator.js';
import { checkMessage, MessageSchema, type Message } from './message-schema.js';
import { parseIp } from './normalize.js';

/** A message file that cannot be evaluated; `errors` locate the problems (JSON pointers). */
export class InvalidMessageError extends Error {
  readonly errors: FieldError[];

  constructor(errors: FieldError[]) {
    super(errors.map((e) => (e.pointer ? `${e.pointer}: ${e.message}` : e.message)).join('; '));
    this.name = 'InvalidMessageError';
    this.errors = errors;
  }
}

type AuthResult = 'pass' | 'fail' | 'none';

function addresses(field: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!field) return [];
  const flat: EmailAddress[] = [];
  const visit = (entry: EmailAddress) => {
    if (entry.group) entry.group.forEach(visit);
    else if (entry.address) flat.push(entry);
  };
  for (const object of Array.isArray(field) ? field : [field]) object.value.forEach(visit);
  return flat;
}

/** The values of every header named `name`, unfolded, topmost first. */
function headerValues(lines: readonly { key: string; line: string }[], name: string): string[] {
  return lines
    .filter((line) => line.key === name)
    .map((line) => line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
}

function firstAngleAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const angle = /<([^<>]*)>/.exec(value);
  const address = (angle ? angle[1] : value).trim();
  return address.includes('@') || address === '' ? address : undefined;
}

function spfResult(value: string): AuthResult {
  const result = value.toLowerCase();
  if (result === 'pass') return 'pass';
  if (result === 'fail' || result === 'softfail' || result === 'hardfail') return 'fail';
  return 'none';
}

/** spf, dkim and dmarc results of one Authentication-Results value (RFC 8601). */
export function parseAuthenticationResults(value: string): Partial<Record<'spf' | 'dkim' | 'dmarc', AuthResult>> {
  // Comments can quote anything, including "spf=pass"; they are not results.
  const text = value.replace(/\([^()]*\)/g, ' ');
  const found: Partial<Record<'spf' | 'dkim' | 'dmarc', AuthResult>> = {};
  const dkim: string[] = [];
  for (const match of text.matchAll(/(?:^|[\s;])(spf|dkim|dmarc)\s*=\s*([a-z]+)/gi)) {
    const method = match[1].toLowerCase() as 'spf' | 'dkim' | 'dmarc';
    const result = match[2].toLowerCase();
    if (method === 'dkim') dkim.push(result);
    else if (found[method] === undefined) {
      found[method] = method === 'spf' ? spfResult(result) : result === 'pass' ? 'pass' : result === 'fail' ? 'fail' : 'none';
    }
  }
  if (dkim.length > 0) found.dkim = dkim.includes('pass') ? 'pass' : dkim.includes('fail') ? 'fail' : 'none';
  return found;
}

function receivedSpf(value: string | undefined): { result?: AuthResult; ip?: string; helo?: string } {
  if (!value) return {};
  const result = /^\s*([a-z]+)/i.exec(value)?.[1];
  const ip = /client-ip\s*=\s*([0-9a-f.:]+)/i.exec(value)?.[1];
  const helo = /\bhelo\s*=\s*([^\s;]+)/i.exec(value)?.[1];
  return { result: result ? spfResult(result) : undefined, ip, helo };
}

function fromReceived(value: string | undefined): { ip?: string; helo?: string; tls?: boolean } {
  if (!value) return {};
  const helo = /^from\s+([^\s(;]+)/i.exec(value)?.[1];
  const ip = /\[(?:IPv6:)?([0-9a-f.:]+)\]/i.exec(value)?.[1];
  let tls: boolean | undefined;
  if (/\bwith\s+(?:E?SMTPS|ESMTPSA|LMTPS|UTF8SMTPS)\b|\(version=TLS|\bTLSv?1|using TLS/i.test(value)) tls = true;
  else if (/\bwith\s+(?:E?SMTP|ESMTPA|LMTP|UTF8SMTP)\b/i.test(value)) tls = false;
  return { ip, helo, tls };
}

/** Reads a raw RFC 5322 message; `overrides` supply or replace fields (the CLI's `--recipient`, say). */
export async function messageFromEml(source: Buffer | string, overrides: Partial<Message> = {}): Promise<Message> {
  const mail = await simpleParser(source, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
  });
  const lines = mail.headerLines;
  const from = addresses(mail.from)[0];
  const replyTo = addresses(mail.replyTo)[0];
  const seen = new Set<string>();
  const recipients: string[] = [];
  for (const entry of [...addresses(mail.to), ...addresses(mail.cc), ...addresses(mail.bcc)]) {
    const key = entry.address!.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      recipients.push(entry.address!);
    }
  }
  if (recipients.length === 0) {
    for (const name of ['delivered-to', 'x-original-to']) {
      const address = firstAngleAddress(headerValues(lines, name)[0]);
      if (address) {
        recipients.push(address);
        break;
      }
    }
  }

  const authentication: Partial<Record<'spf' | 'dkim' | 'dmarc', AuthResult>> = {};
  for (const value of headerValues(lines, 'authentication-results')) {
    const results = parseAuthenticationResults(value);
    if (Object.keys(results).length === 0) continue;
    Object.assign(authentication, results);
    break;
  }
  const spf = receivedSpf(headerValues(lines, 'received-spf')[0]);
  if (authentication.spf === undefined && spf.result !== undefined) authentication.spf = spf.result;
  const received = fromReceived(headerValues(lines, 'received')[0]);
  const ipCandidate = [spf.ip, received.ip].find((ip) => ip !== undefined && parseIp(ip) !== undefined);
  const returnPath = firstAngleAddress(headerValues(lines, 'return-path')[0]);

  const message: Message = {
    ...(mail.messageId ? { id: mail.messageId } : {}),
    ...(returnPath !== undefined ? { envelope_from: returnPath } : {}),
    from: from?.address ?? '',
    ...(from?.name?.trim() ? { from_name: from.name.trim() } : {}),
    ...(replyTo?.address ? { reply_to: replyTo.address } : {}),
    recipients,
    ...(ipCandidate ? { sending_ip: ipCandidate } : {}),
    ...(spf.helo ?? received.helo ? { helo: (spf.helo ?? received.helo)! } : {}),
    ...(received.tls !== undefined ? { tls: received.tls } : {}),
    ...(Object.keys(authentication).length > 0 ? { authentication } : {}),
    ...overrides,
  };
  return validMessage(message);
}

const validate = bodyAjv.compile(MessageSchema);

/** The message if it passes the evaluate endpoint's checks (schema and semantic), else throws `InvalidMessageError`. */
export function validMessage(value: unknown): Message {
  if (!validate(value)) throw new InvalidMessageError(toFieldErrors((validate.errors ?? []) as ErrorObject[], '', 'message'));
  const message = value as Message;
  const problems = checkMessage(message);
  if (problems.length > 0) throw new InvalidMessageError(problems);
  return message;
}

/** Reads one message in the evaluate endpoint's JSON form (text, bytes or an already parsed value). */
export function messageFromJson(source: Buffer | string | unknown): Message {
  let value = source;
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    try {
      value = JSON.parse(source.toString());
    } catch (error) {
      throw new InvalidMessageError([{ pointer: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  return validMessage(value);
}
