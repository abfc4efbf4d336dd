/**
 * Small pure helpers shared by the indexed engine and the naive reference: how addresses, domains,
 * IPs and patterns are read. Both engines call these, so they can only differ in how they look
 * settings up, never in what a match means.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import ipaddr from 'ipaddr.js';
import RE2 from 're2';
import { parseIpOrCidr } from '../validation/patterns.js';
import { HASH_BITS, HASH_SEED, hashStep } from './bloom.js';
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

/** Suffix hashes kept per address: domains of up to this many labels need no second pass. */
export const HASHED_LABELS = 4;

/**
 * An address read once into the forms every comparison uses, with the hashes the indexed engine's
 * Bloom filters ask about (`hashString`, right to left: the hashes of the domain's suffixes come out
 * on the way to the hash of the whole address, so one pass gives them all).
 */
export class NormalizedAddress {
  // Every field is set once, in the constructor, in this order (`declare`: no separate definition
  // first), so all addresses share one shape.
  /** Scratch for the indexed engine: the domain lookups it already made for this address (see compile.ts). */
  declare nodesOwner: object | undefined;
  declare nodes: unknown;
  /** `domain`, once asked for (most lookups of most messages only need its hashes). */
  declare private domainText: string | undefined;
  /** Where the domain starts in `address` (its length when there is none). */
  declare readonly domainStart: number;
  /** As given, trimmed: what regexes see. */
  declare readonly raw: string;
  /** Lowercase, domain in ASCII: what EMAIL patterns compare with. */
  declare readonly address: string;
  /** `hashString(address)` (all hashes here are `& HASH_BITS`, small integers). */
  declare hash: number;
  /** `hashString(domain)`. */
  declare domainHash: number;
  /** Labels in `domain` (0 when it is empty). */
  declare labels: number;
  /** `hashString` of the domain's last 1, 2, 3 and 4 labels (`com`, `example.com`, …), 0 past `labels`. */
  declare suffix1: number;
  declare suffix2: number;
  declare suffix3: number;
  declare suffix4: number;

  /**
   * `domain` is the normalized domain, or undefined when it is the end of `address` from `domainStart`
   * on (cut out when first asked for).
   */
  constructor(
    raw: string,
    address: string,
    domain: string | undefined,
    domainStart: number,
    hash = 0,
    domainHash = 0,
    labels = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
  ) {
    this.nodesOwner = undefined;
    this.nodes = undefined;
    this.domainText = domain;
    this.domainStart = domainStart;
    this.raw = raw;
    this.address = address;
    this.hash = hash;
    this.domainHash = domainHash;
    this.labels = labels;
    this.suffix1 = s1;
    this.suffix2 = s2;
    this.suffix3 = s3;
    this.suffix4 = s4;
  }

  /** Normalized domain (`''` when the value has no `@`). */
  get domain(): string {
    return (this.domainText ??= this.address.slice(this.domainStart));
  }

  /** `domain.length`, without cutting the domain out. */
  get domainLength(): number {
    return this.address.length - this.domainStart;
  }

  /** The hash of the domain's suffix of `labels` labels (1 to `HASHED_LABELS`). */
  suffixHash(labels: number): number {
    return labels === 1 ? this.suffix1 : labels === 2 ? this.suffix2 : labels === 3 ? this.suffix3 : this.suffix4;
  }

  /** Records the hash of the domain's suffix of `labels` labels. */
  setSuffix(labels: number, hash: number): void {
    if (labels === 1) this.suffix1 = hash;
    else if (labels === 2) this.suffix2 = hash;
    else if (labels === 3) this.suffix3 = hash;
    else if (labels === 4) this.suffix4 = hash;
  }
}

/** `\s` of a JavaScript regex: what `trim()` removes. */
function isJsWhitespace(code: number): boolean {
  return code <= 0x20
    ? code === 0x20 || (code >= 0x09 && code <= 0x0d)
    : code >= 0xa0 &&
        (code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
          code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff);
}

/** Hashes of an address whose domain (possibly `''`) ends it: the same values `readNormal` computes in its pass. */
function hashAddress(address: NormalizedAddress): NormalizedAddress {
  const text = address.address;
  const start = text.length - address.domain.length;
  let hash = HASH_SEED;
  let labels = 0;
  let i = text.length - 1;
  if (address.domain !== '') {
    labels = 1;
    for (; i >= start; i--) {
      const code = text.charCodeAt(i);
      if (code === 46) address.setSuffix(labels++, hash & HASH_BITS);
      hash = hashStep(hash, code);
    }
    address.setSuffix(labels, hash & HASH_BITS);
    address.domainHash = hash & HASH_BITS;
  }
  for (; i >= 0; i--) hash = hashStep(hash, text.charCodeAt(i));
  address.labels = labels;
  address.hash = hash & HASH_BITS;
  return address;
}

/**
 * The common case in one pass, right to left: an address that is already normalized (no uppercase,
 * not starting with whitespace, a plain lowercase ASCII domain after the last `@` that neither starts
 * nor ends with a dot), read and hashed; undefined for anything else.
 */
function readNormal(value: string): NormalizedAddress | undefined {
  const n = value.length;
  let i = n - 1;
  if (value.charCodeAt(i) === 46) return undefined;
  let hash = HASH_SEED;
  let labels = 1;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let code = 0;
  // The domain: [a-z0-9._-]+ up to the last `@`.
  for (; i >= 0; i--) {
    code = value.charCodeAt(i);
    // Ranges as one unsigned comparison each: a-z, 0-9 (letters and digits alternate, so two-sided
    // range tests would mispredict).
    if ((code - 97) >>> 0 <= 25 || (code - 48) >>> 0 <= 9 || code === 45 || code === 95) {
      hash = hashStep(hash, code);
    } else if (code === 46) {
      if (labels === 1) s1 = hash & HASH_BITS;
      else if (labels === 2) s2 = hash & HASH_BITS;
      else if (labels === 3) s3 = hash & HASH_BITS;
      else if (labels === 4) s4 = hash & HASH_BITS;
      labels++;
      hash = hashStep(hash, code);
    } else break;
  }
  // An `@` after a local part of at least one character, before a domain that does not start with a dot.
  if (i < 1 || code !== 64 || i === n - 1 || value.charCodeAt(i + 1) === 46) return undefined;
  const at = i;
  const domainHash = hash & HASH_BITS;
  if (labels === 1) s1 = domainHash;
  else if (labels === 2) s2 = domainHash;
  else if (labels === 3) s3 = domainHash;
  else if (labels === 4) s4 = domainHash;
  hash = hashStep(hash, 64);
  for (i = at - 1; i >= 0; i--) {
    code = value.charCodeAt(i);
    if ((code - 65) >>> 0 <= 25) return undefined; // A-Z
    hash = hashStep(hash, code);
  }
  if (isJsWhitespace(code)) return undefined;
  return new NormalizedAddress(value, value, undefined, at + 1, hash & HASH_BITS, domainHash, labels, s1, s2, s3, s4);
}

/** Reads an address; undefined for an empty value (the null sender `<>`). */
export function normalizeAddress(value: string | undefined): NormalizedAddress | undefined {
  if (value === undefined || value.length === 0) return undefined;
  // Fast path, the common case: nothing to lowercase, trim or encode.
  const normal = readNormal(value);
  if (normal !== undefined) return normal;
  const raw = value.trim();
  if (raw === '') return undefined;
  const at = raw.lastIndexOf('@');
  if (at < 0) {
    const address = raw.toLowerCase();
    return hashAddress(new NormalizedAddress(raw, address, '', address.length));
  }
  const domain = normalizeDomain(raw.slice(at + 1));
  const address = `${raw.slice(0, at).toLowerCase()}@${domain}`;
  return hashAddress(new NormalizedAddress(raw, address, domain, address.length - domain.length));
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
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    const digit = code - 48;
    if (digit >>> 0 <= 9) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + digit;
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

/** The value of each ASCII hexadecimal digit; -1 for other characters. */
const HEX = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  HEX[digit.toString(16).charCodeAt(0)] = digit;
  HEX[digit.toString(16).toUpperCase().charCodeAt(0)] = digit;
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
  // Groups are written from the start; those after a `::` are moved to the end at the close.
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let count = 0;
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
      const hex = code < 128 ? HEX[code] : -1;
      if (hex < 0) break;
      group = group * 16 + hex;
      digits++;
    }
    if (i < n && value.charCodeAt(i) === 46) {
      // Dotted-quad tail: the last 32 bits.
      const v4 = parseIpv4(value.slice(start));
      if (v4 < 0 || count > 6) return undefined;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 % 65536;
      i = n;
      break;
    }
    if (digits === 0 || digits > 4 || count === 8) return undefined;
    groups[count++] = group;
    if (i === n) break;
    if (value.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < n && value.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    } else if (i === n) return undefined;
  }
  if (gap < 0) return count === 8 ? groups : undefined;
  if (count > 7) return undefined;
  // Move the groups after the gap to the end, zeros in between.
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) {
    groups[k + shift] = groups[k];
    groups[k] = 0;
  }
  return groups;
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
  // Every field is set once, in the constructor, in this order (`declare`: no separate definition
  // first), so all prepared messages share one shape.
  /** The message's fields, each read once (messages come in many shapes; this object has one). */
  declare readonly message: Message;
  declare readonly id: string | null;
  declare readonly fromName: string | undefined;
  declare readonly age: number | undefined;
  declare readonly tls: boolean | undefined;
  declare readonly dmarcFailed: boolean;
  declare readonly detections: Message['detections'];
  /** `recipients` as given (each read with `normalizeAddress` when the rules reach it). */
  declare readonly addresses: readonly string[];
  declare readonly envelope: NormalizedAddress | undefined;
  declare readonly from: NormalizedAddress | undefined;
  declare readonly replyTo: NormalizedAddress | undefined;
  /** The sending IP when it is IPv4 (IPv4-mapped IPv6 included), as a number; -1 otherwise. */
  declare readonly ipv4: number;
  /** The sending IP's four words when it is IPv6. */
  declare readonly ipv6: number[] | undefined;
  /** DMARC, SPF or DKIM passed: what `verify_sender` asks for. */
  declare readonly authenticated: boolean;
  declare private list: SenderAddress[] | undefined;
  declare private inputs: RegexInput[] | undefined;
  declare private parsedIp: ParsedIp | undefined;

  constructor(message: Message) {
    const fromValue = message.from;
    const envelopeValue = message.envelope_from;
    const from = normalizeAddress(fromValue);
    // The envelope sender is usually the From address: read it once.
    const envelope = envelopeValue === fromValue ? from : normalizeAddress(envelopeValue);
    const replyTo = normalizeAddress(message.reply_to);
    let ipv4 = -1;
    let ipv6: number[] | undefined;
    const ipValue = message.sending_ip;
    if (ipValue !== undefined) {
      // Dotted-quad IPv4 first: the common case, read without allocating.
      ipv4 = parseIpv4(ipValue);
      if (ipv4 < 0) {
        const ip = parseIp(ipValue);
        if (ip?.v6) ipv6 = ip.words;
        else if (ip) ipv4 = ip.words[0];
      }
    }
    const auth = message.authentication;
    this.message = message;
    this.id = message.id ?? null;
    this.fromName = message.from_name;
    this.age = message.sender_domain_age_days;
    this.tls = message.tls;
    this.dmarcFailed = auth !== undefined && auth.dmarc === 'fail';
    this.detections = message.detections;
    this.addresses = message.recipients;
    this.envelope = envelope;
    this.from = from;
    this.replyTo = replyTo;
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
    this.authenticated = auth !== undefined && (auth.dmarc === 'pass' || auth.spf === 'pass' || auth.dkim === 'pass');
    this.list = undefined;
    this.inputs = undefined;
    this.parsedIp = undefined;
  }

  /** The sending IP (as `parseIp` reads it). */
  get ip(): ParsedIp | undefined {
    if (this.parsedIp === undefined && (this.ipv4 >= 0 || this.ipv6 !== undefined)) {
      this.parsedIp = this.ipv6 !== undefined ? { v6: true, words: this.ipv6 } : { v6: false, words: [this.ipv4] };
    }
    return this.parsedIp;
  }

  /** envelope_from, from, reply_to (those present): what EMAIL and DOMAIN sender patterns are checked against. */
  get senders(): SenderAddress[] {
    if (this.list) return this.list;
    const list: SenderAddress[] = [];
    if (this.envelope) list.push({ field: 'envelope_from', address: this.envelope });
    if (this.from) list.push({ field: 'from', address: this.from });
    if (this.replyTo) list.push({ field: 'reply_to', address: this.replyTo });
    this.list = list;
    return list;
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
