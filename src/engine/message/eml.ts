/**
 * Messages from raw RFC 5322 files (`.eml`), read with mailparser.
 *
 * The engine reads what its rules look at, from the headers the receiving side wrote:
 * - `from`, `from_name`: the first From address and its display name (encoded words decoded);
 * - `reply_to`; `recipients`: To, Cc and Bcc (else Delivered-To / X-Original-To);
 * - `envelope_from`: Return-Path;
 * - `authentication`: the topmost Authentication-Results header from a trusted authserv-id that
 *   carries spf/dkim/dmarc results (softfail and hardfail count as fail, neutral and errors as none;
 *   DKIM passes if any signature passes); else, for SPF, a Received-SPF header whose receiver is a
 *   trusted authserv-id. Results from anyone else are ignored and named in the reading's `notes`;
 * - `sending_ip`, `helo`: Received-SPF `client-ip=` / `helo=`, else the topmost Received header;
 * - `tls`: the topmost Received header (`with ESMTPS`, `version=TLS…` mean TLS, `with ESMTP` means none);
 * - `id`: Message-ID.
 *
 * @example
 *   const { message, notes } = await readEml(await readFile('suspect.eml'), { trustedAuthservIds: ['mx.example.com'] });
 *   const verdict = evaluate(compiled, message);
 *   verdict.explanation.push(...notes);
 */
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import { parseIp } from '../address/ip.js';
import {
  ignoredAuthenticationNote,
  parseReceivedSpf,
  trustedAuthenticationResults,
  type AuthenticationResults,
} from './authentication-results.js';
import { InvalidMessageError, validMessage } from './check.js';
import type { Message } from './schema.js';

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
    .map((line) =>
      line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

function firstAngleAddress(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const angle = /<([^<>]*)>/.exec(value);
  const address = (angle ? angle[1] : value).trim();
  return address.includes('@') || address === '' ? address : undefined;
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

export interface EmlOptions {
  /** Authentication-Results (and Received-SPF) are believed only from these authserv-ids (compared without case). */
  trustedAuthservIds?: readonly string[];
  /** Fields that supply or replace what the headers give (the CLI's `--recipient`, say). */
  overrides?: Partial<Message>;
}

export interface EmlReading {
  message: Message;
  /** Explanation lines about the reading itself: authentication results that were ignored, and why. */
  notes: string[];
}

/** Reads a raw RFC 5322 message; throws `InvalidMessageError` when the result cannot be evaluated. */
export async function readEml(source: Buffer | string, options: EmlOptions = {}): Promise<EmlReading> {
  const trustedIds = options.trustedAuthservIds ?? [];
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(source, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
    });
  } catch (error) {
    // The parser's own limits (a header block over its maximum, say): the message cannot be read.
    throw new InvalidMessageError([{ pointer: '', message: `the message cannot be parsed: ${(error as Error).message}` }]);
  }
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

  const trusted = trustedAuthenticationResults(headerValues(lines, 'authentication-results'), trustedIds);
  const notes = trusted.ignored.map((id) => ignoredAuthenticationNote(id));
  const authentication: AuthenticationResults = { ...trusted.results };
  const spf = parseReceivedSpf(headerValues(lines, 'received-spf')[0]);
  if (authentication.spf === undefined && spf.result !== undefined) {
    const receiver = spf.receiver ?? '';
    if (trustedIds.some((id) => id.trim().toLowerCase() === receiver)) authentication.spf = spf.result;
    else notes.push(ignoredAuthenticationNote(receiver, 'Received-SPF'));
  }
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
    ...((spf.helo ?? received.helo) ? { helo: (spf.helo ?? received.helo)! } : {}),
    ...(received.tls !== undefined ? { tls: received.tls } : {}),
    ...(Object.keys(authentication).length > 0 ? { authentication } : {}),
    ...options.overrides,
  };
  return { message: validMessage(message), notes };
}

/** `readEml`'s message alone. */
export async function messageFromEml(
  source: Buffer | string,
  overrides: Partial<Message> = {},
  options: Omit<EmlOptions, 'overrides'> = {},
): Promise<Message> {
  return (await readEml(source, { ...options, overrides })).message;
}
