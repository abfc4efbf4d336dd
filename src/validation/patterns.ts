/**
 * Semantic checks of user-supplied patterns (spec Decision 9). JSON schemas check types and lengths;
 * these functions check that a value means what its type says. Each returns an error message, or
 * undefined when the value is acceptable.
 */
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import RE2 from 're2';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * `checkDomain`'s answer for the common case without the IDN conversion (a call into the URL parser
 * per address, the larger part of checking an evaluate request): letters, digits, hyphens and dots
 * only, no punycode label, and a last label starting with a letter (so the URL parser cannot read the
 * name as an IPv4 address). True or false when it can tell, undefined when the full check must run.
 */
function plainDomainIsValid(value: string): boolean | undefined {
  const length = value.length;
  if (length === 0 || length > 253) return undefined;
  let labels = 0;
  let labelStart = 0;
  let valid = true;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? 46 : value.charCodeAt(i);
    if (code === 46) {
      const size = i - labelStart;
      if (size === 0 || size > 63 || value.charCodeAt(labelStart) === 45 || value.charCodeAt(i - 1) === 45) valid = false;
      // A punycode label (`xn--`, any case) must decode: the full check reads it.
      if (size >= 4 && value.charCodeAt(labelStart + 2) === 45 && value.charCodeAt(labelStart + 3) === 45 && isXn(value, labelStart)) {
        return undefined;
      }
      labels++;
      if (i === length && (size === 0 || !isLetter(value.charCodeAt(labelStart)))) return undefined;
      labelStart = i + 1;
    } else if (!(isLetter(code) || (code - 48) >>> 0 <= 9 || code === 45)) {
      return undefined;
    }
  }
  return valid && labels >= 2;
}

/** An ASCII letter, either case. */
function isLetter(code: number): boolean {
  return (code - 97) >>> 0 <= 25 || (code - 65) >>> 0 <= 25;
}

/** The label starting at `start` starts with `xn` (either case). */
function isXn(value: string, start: number): boolean {
  const x = value.charCodeAt(start);
  const n = value.charCodeAt(start + 1);
  return (x === 120 || x === 88) && (n === 110 || n === 78);
}

/** A hostname of at least two labels (IDN allowed, checked in its ASCII form), not an IP address. */
export function checkDomain(value: string): string | undefined {
  return (plainDomainIsValid(value) ?? isValidDomainName(value)) ? undefined : `'${value}' is not a valid domain name`;
}

/** `checkDomain`'s rule in full: the name in its ASCII form (the URL parser's IDN conversion), then its labels. */
export function isValidDomainName(value: string): boolean {
  const ascii = value.length > 0 && !value.endsWith('.') ? domainToASCII(value) : '';
  const labels = ascii.split('.');
  return (
    ascii.length > 0 &&
    ascii.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    !/^[0-9]+$/.test(labels[labels.length - 1])
  );
}

// RFC 5322 dot-atom local part, the form real mailboxes use.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** An address with exactly one `@`, a dot-atom local part of at most 64 characters and a valid domain. */
export function checkEmail(value: string): string | undefined {
  const at = value.indexOf('@');
  if (at < 1 || at > 64 || value.indexOf('@', at + 1) >= 0 || !LOCAL_PART.test(value.slice(0, at)) || checkDomain(value.slice(at + 1))) {
    return `'${value}' is not a valid email address`;
  }
  return undefined;
}

// Ranges that are never a public mail sender (Decision 9). Checked as whole blocks: a CIDR that
// overlaps any of them is rejected too, so 0.0.0.0/0 or 10.0.0.0/7 cannot slip through.
const NON_GLOBAL_RANGES = [
  '0.0.0.0/8', // unspecified / "this network"
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '255.255.255.255/32',
  '::/128',
  '::1/128',
  'fc00::/7', // unique local
  'fe80::/10',
].map((cidr) => ipaddr.parseCIDR(cidr));

function overlaps(a: [ipaddr.IPv4 | ipaddr.IPv6, number], b: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  if (a[0].kind() !== b[0].kind()) return false;
  // Two blocks overlap exactly when the shorter prefix contains the other's network address.
  const [wide, narrow] = a[1] <= b[1] ? [a, b] : [b, a];
  return narrow[0].match(wide);
}

/** Parses `addr` or `addr/len`, IPv4 or IPv6, in canonical textual forms only. */
export function parseIpOrCidr(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  try {
    if (value.includes('/')) {
      const [address, prefix] = value.split('/');
      if (!/^[0-9]{1,3}$/.test(prefix)) return undefined;
      if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return undefined;
      return ipaddr.parseCIDR(value);
    }
    if (ipaddr.IPv4.isValidFourPartDecimal(value)) return [ipaddr.IPv4.parse(value), 32];
    if (ipaddr.IPv6.isValid(value) && value.includes(':')) return [ipaddr.IPv6.parse(value), 128];
  } catch {
    return undefined;
  }
  return undefined;
}

/** Any syntactically valid IPv4/IPv6 address or CIDR block (used for domain `ip_restrictions`). */
export function checkIpOrCidr(value: string): string | undefined {
  return parseIpOrCidr(value) ? undefined : `'${value}' is not a valid IP address or CIDR block`;
}

/** A globally reachable IPv4/IPv6 address or CIDR block; IPv4-mapped IPv6 is judged by its IPv4 part. */
export function checkGlobalIp(value: string): string | undefined {
  let block = parseIpOrCidr(value);
  if (!block) return `'${value}' is not a valid IP address or CIDR block`;
  const [address, prefix] = block;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    block = [(address as ipaddr.IPv6).toIPv4Address(), prefix - 96];
  }
  const candidate = block;
  if (NON_GLOBAL_RANGES.some((range) => overlaps(candidate, range))) {
    return `'${value}' is not a globally reachable IP address (private, loopback, link-local, unspecified and broadcast addresses are rejected)`;
  }
  return undefined;
}

/** The pattern must compile under RE2: linear-time, so no backreferences or lookaround. */
export function checkRegex(value: string): string | undefined {
  try {
    new RE2(value);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `'${value}' is not a regular expression RE2 can run (no backreferences or lookaround): ${reason}`;
  }
}

export type PatternType = 'EMAIL' | 'DOMAIN' | 'IP' | 'UNKNOWN';

/** Checks a sender pattern against its declared type (allow policies, blocked senders). */
export function checkPattern(pattern: string, patternType: PatternType, isRegex: boolean): string | undefined {
  if (isRegex) return checkRegex(pattern);
  switch (patternType) {
    case 'EMAIL':
      return checkEmail(pattern);
    case 'DOMAIN':
      return checkDomain(pattern);
    case 'IP':
      return checkGlobalIp(pattern);
    case 'UNKNOWN':
      return undefined;
  }
}
