/**
 * Small pure helpers shared by the indexed engine and the naive reference: how addresses, domains,
 * IPs and patterns are read. Both engines call these, so they can only differ in how they look
 * settings up, never in what a match means.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import ipaddr from 'ipaddr.js';
import RE2 from 're2';
import { parseIpOrCidr } from '../validation/patterns.js';
import type { Message } from './message-schema.js';

// ---------------------------------------------------------------------------------------- domains

const PLAIN_ASCII_DOMAIN = /^[A-Za-z0-9_.-]*$/;

/**
 * A domain in the form every comparison uses: ASCII (IDN labels punycode-encoded), lowercase, no
 * trailing dot. An invalid IDN gives `''`, which matches nothing.
 */
export function normalizeDomain(value: string): string {
  let domain = value.trim();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (PLAIN_ASCII_DOMAIN.test(domain)) return domain.toLowerCase();
  return domainToASCII(domain);
}

/** The Unicode form of a normalized (ASCII) domain, IDN labels decoded. */
export function unicodeDomain(ascii: string): string {
  if (!ascii.includes('xn--')) return ascii;
  return domainToUnicode(ascii) || ascii;
}

/** `domain` is `parent` or one of its subdomains (both normalized). */
export function isWithin(domain: string, parent: string): boolean {
  return (
    domain === parent ||
    (domain.length > parent.length && domain.endsWith(parent) && domain.charCodeAt(domain.length - parent.length - 1) === 46)
  );
}

/** A domain pattern as stored: tolerates a leading `*.`, `@` or `.`; undefined when nothing is left. */
export function normalizeDomainPattern(pattern: string): string | undefined {
  const domain = normalizeDomain(pattern.trim().replace(/^(\*\.|@|\.)/, ''));
  return domain === '' ? undefined : domain;
}

// -------------------------------------------------------------------------------------- addresses

export interface NormalizedAddress {
  /** As given, trimmed: what regexes see. */
  raw: string;
  /** Lowercase, domain in ASCII: what EMAIL patterns compare with. */
  address: string;
  /** Normalized domain (`''` when the value has no `@`). */
  domain: string;
}

/** Already normalized: no uppercase, a plain lowercase ASCII domain after the last `@`, no trailing dot. */
const NORMAL_ADDRESS = /^[^\sA-Z][^A-Z]*@[a-z0-9_-][a-z0-9._-]*$/;

/** Reads an address; undefined for an empty value (the null sender `<>`). */
export function normalizeAddress(value: string | undefined): NormalizedAddress | undefined {
  if (value === undefined || value.length === 0) return undefined;
  // Fast path, the common case: nothing to lowercase, trim or encode.
  if (NORMAL_ADDRESS.test(value) && value.charCodeAt(value.length - 1) !== 46) {
    return { raw: value, address: value, domain: value.slice(value.lastIndexOf('@') + 1) };
  }
  const raw = value.trim();
  if (raw === '') return undefined;
  const at = raw.lastIndexOf('@');
  if (at < 0) return { raw, address: raw.toLowerCase(), domain: '' };
  const domain = normalizeDomain(raw.slice(at + 1));
  return { raw, address: `${raw.slice(0, at).toLowerCase()}@${domain}`, domain };
}

const RECIPIENT_CACHE_LIMIT = 16_384;
const recipientCache = new Map<string, NormalizedAddress | undefined>();

/**
 * `normalizeAddress` for recipients, remembered: an organisation's mailboxes recur in message after
 * message (bounded; cleared when full).
 */
export function normalizeRecipient(value: string): NormalizedAddress | undefined {
  let address = recipientCache.get(value);
  if (address === undefined && !recipientCache.has(value)) {
    address = normalizeAddress(value);
    if (recipientCache.size >= RECIPIENT_CACHE_LIMIT) recipientCache.clear();
    recipientCache.set(value, address);
  }
  return address;
}

/** An EMAIL pattern in comparable form; undefined when it cannot be an address. */
export function normalizeEmailPattern(pattern: string): string | undefined {
  const address = normalizeAddress(pattern);
  return address && address.domain !== '' && !address.address.startsWith('@') ? address.address : undefined;
}

// -------------------------------------------------------------------------------------------- IPs

/** An IPv4 address as one unsigned 32-bit number, or an IPv6 address as four. */
export interface ParsedIp {
  v6: boolean;
  words: number[];
}

export interface ParsedCidr extends ParsedIp {
  prefix: number;
}

/** Dotted-quad IPv4 without leading zeros, as a number; -1 when `value` is not one. */
export function parseIpv4(value: string): number {
  let result = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (code - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      result = result * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? result * 256 + part : -1;
}

function fromIpaddr(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ParsedCidr {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    // IPv4-mapped IPv6 (::ffff:192.0.2.1) is the IPv4 address, in patterns and messages alike.
    if (v6.isIPv4MappedAddress() && prefix >= 96) return fromIpaddr(v6.toIPv4Address(), prefix - 96);
    const p = v6.parts;
    return {
      v6: true,
      words: [(p[0] * 65536 + p[1]) >>> 0, (p[2] * 65536 + p[3]) >>> 0, (p[4] * 65536 + p[5]) >>> 0, (p[6] * 65536 + p[7]) >>> 0],
      prefix,
    };
  }
  const b = (address as ipaddr.IPv4).octets;
  return { v6: false, words: [((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0], prefix };
}

/**
 * IPv6 text (RFC 4291: hex groups, one `::`, an optional dotted-quad tail) as eight 16-bit groups;
 * undefined when `value` is not one. Hand-written because ipaddr.js takes about 15 µs per address.
 */
export function parseIpv6Groups(value: string): number[] | undefined {
  if (value.startsWith('::')) {
    // `::192.0.2.1` (the deprecated IPv4-compatible form) is read as IPv4-mapped, as ipaddr.js reads it.
    const v4 = parseIpv4(value.slice(2));
    if (v4 >= 0) return [0, 0, 0, 0, 0, 0xffff, Math.floor(v4 / 65536), v4 % 65536];
  }
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  const n = value.length;
  if (n < 2) return undefined;
  if (value.charCodeAt(0) === 58) {
    if (value.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let group = 0;
    let digits = 0;
    const start = i;
    for (; i < n && digits <= 4; i++) {
      const code = value.charCodeAt(i);
      const hex = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code >= 65 && code <= 70 ? code - 55 : -1;
      if (hex < 0) break;
      group = group * 16 + hex;
      digits++;
    }
    if (i < n && value.charCodeAt(i) === 46) {
      // Dotted-quad tail: the last 32 bits.
      const v4 = parseIpv4(value.slice(start));
      if (v4 < 0 || groups.length > 6) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = n;
      break;
    }
    if (digits === 0 || digits > 4) return undefined;
    groups.push(group);
    if (i === n) break;
    if (value.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && value.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      i++;
    } else if (i === n) return undefined;
  }
  if (gap < 0) return groups.length === 8 ? groups : undefined;
  if (groups.length > 7) return undefined;
  const zeros = new Array<number>(8 - groups.length).fill(0);
  return [...groups.slice(0, gap), ...zeros, ...groups.slice(gap)];
}

/** A message's sending IP; IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is read as the IPv4 address. */
export function parseIp(value: string | undefined): ParsedIp | undefined {
  if (value === undefined) return undefined;
  const v4 = parseIpv4(value);
  if (v4 >= 0) return { v6: false, words: [v4] };
  if (!value.includes(':')) return undefined;
  const g = parseIpv6Groups(value.trim());
  if (!g) return undefined;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return { v6: false, words: [(g[6] * 65536 + g[7]) >>> 0] };
  }
  return { v6: true, words: [g[0] * 65536 + g[1], g[2] * 65536 + g[3], g[4] * 65536 + g[5], g[6] * 65536 + g[7]] };
}

/** An IP pattern: an address or a CIDR block, IPv4 or IPv6. */
export function parseCidr(pattern: string): ParsedCidr | undefined {
  const block = parseIpOrCidr(pattern.trim());
  if (!block) return undefined;
  const width = block[0].kind() === 'ipv6' ? 128 : 32;
  if (block[1] > width) return undefined;
  return fromIpaddr(block[0], block[1]);
}

/** Bit `index` (0 = most significant) of an address. */
export function ipBit(words: readonly number[], index: number): number {
  return (words[index >>> 5] >>> (31 - (index & 31))) & 1;
}

/** Whether `ip` lies in `cidr`, comparing the first `prefix` bits one word at a time. */
export function ipInCidr(ip: ParsedIp, cidr: ParsedCidr): boolean {
  if (ip.v6 !== cidr.v6) return false;
  let remaining = cidr.prefix;
  for (let w = 0; remaining > 0; w++, remaining -= 32) {
    const bits = Math.min(remaining, 32);
    const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    if (((ip.words[w] & mask) >>> 0) !== ((cidr.words[w] & mask) >>> 0)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------- patterns

export type PatternKind = 'EMAIL' | 'DOMAIN' | 'IP';

/** How a non-regex sender pattern is matched. Legacy `UNKNOWN` patterns are read by their shape. */
export function patternKind(patternType: string, pattern: string): PatternKind {
  if (patternType === 'EMAIL' || patternType === 'DOMAIN' || patternType === 'IP') return patternType;
  if (parseCidr(pattern)) return 'IP';
  return pattern.includes('@') ? 'EMAIL' : 'DOMAIN';
}

/**
 * A pattern regex as the engine runs it: RE2, case-insensitive, matched against the whole value (the
 * documented example `.*@domain\.com` is a full match). Undefined when RE2 cannot compile it.
 */
export function compileRegex(pattern: string): RE2 | undefined {
  try {
    // Compiled alone first: a pattern such as `a)|(b` must not become valid by being wrapped.
    new RE2(pattern, 'i');
    return new RE2(`^(?:${pattern})$`, 'i');
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------- messages

export type SenderField = 'envelope_from' | 'from' | 'reply_to';
export type RegexField = SenderField | 'sending_ip' | 'helo';

export interface SenderAddress {
  field: SenderField;
  address: NormalizedAddress;
}

export interface RegexInput {
  field: RegexField;
  value: string;
}

/** A message read once into the forms every rule compares. */
export class PreparedMessage {
  readonly from: NormalizedAddress | undefined;
  /** envelope_from, from, reply_to: what EMAIL and DOMAIN sender patterns are checked against. */
  readonly senders: SenderAddress[] = [];
  readonly ip: ParsedIp | undefined;
  readonly recipients: (NormalizedAddress | undefined)[];
  /** DMARC, SPF or DKIM passed: what `verify_sender` asks for. */
  readonly authenticated: boolean;
  private inputs: RegexInput[] | undefined;

  constructor(readonly message: Message) {
    const from = normalizeAddress(message.from);
    // The envelope sender is usually the From address: read it once.
    const envelope = message.envelope_from === message.from ? from : normalizeAddress(message.envelope_from);
    const replyTo = normalizeAddress(message.reply_to);
    if (envelope) this.senders.push({ field: 'envelope_from', address: envelope });
    if (from) this.senders.push({ field: 'from', address: from });
    if (replyTo) this.senders.push({ field: 'reply_to', address: replyTo });
    this.from = from;
    this.ip = parseIp(message.sending_ip);
    const recipients = message.recipients;
    this.recipients = recipients.length === 1 ? [normalizeRecipient(recipients[0])] : recipients.map(normalizeRecipient);
    const auth = message.authentication;
    this.authenticated = auth !== undefined && (auth.dmarc === 'pass' || auth.spf === 'pass' || auth.dkim === 'pass');
  }

  /** Every non-empty sender field as given (trimmed): what sender regexes are matched against. */
  get regexInputs(): RegexInput[] {
    if (this.inputs) return this.inputs;
    const inputs: RegexInput[] = this.senders.map((sender) => ({ field: sender.field, value: sender.address.raw }));
    const ip = this.message.sending_ip?.trim();
    if (ip) inputs.push({ field: 'sending_ip', value: ip });
    const helo = this.message.helo?.trim();
    if (helo) inputs.push({ field: 'helo', value: helo });
    this.inputs = inputs;
    return inputs;
  }
}

export function prepareMessage(message: Message): PreparedMessage {
  return new PreparedMessage(message);
}
