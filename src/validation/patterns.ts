/**
 * Semantic checks of user-supplied patterns. JSON schemas check types and lengths;
 * these functions check that a value means what its type says. Each returns an error message, or
 * undefined when the value is acceptable.
 */
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import RE2 from 're2';
import { checkDomain, checkEmail, parseIpOrCidr } from '../engine/index.js';

// The address and IP syntax is the engine's (it checks messages with it); the settings API checks patterns with it too.
export { checkDomain, checkEmail, parseIpOrCidr };

/**
 * The full domain a sending domain restriction's `exclude` entry names under `domain`: the entry
 * itself when it is `domain` or a subdomain of it (`legacy.bank.example`), else the entry read as a
 * name relative to `domain` (`legacy` → `legacy.bank.example`). Undefined when that is no valid name.
 */
export function resolveExcludeEntry(entry: string, domain: string): string | undefined {
  if (entry === '' || entry.startsWith('.') || entry.endsWith('.')) return undefined;
  const entryAscii = domainToASCII(entry).toLowerCase();
  const domainAscii = domainToASCII(domain).toLowerCase();
  if (entryAscii === '' || domainAscii === '') return undefined;
  const within = entryAscii === domainAscii || entryAscii.endsWith(`.${domainAscii}`);
  const full = within ? entryAscii : `${entryAscii}.${domainAscii}`;
  return checkDomain(full) === undefined ? full : undefined;
}

/** `resolveExcludeEntry`'s check, as an error message. */
export function checkExcludeEntry(entry: string, domain: string): string | undefined {
  return resolveExcludeEntry(entry, domain) === undefined
    ? `'${entry}' is neither a subdomain of ${domain} nor a valid name relative to it`
    : undefined;
}

// Ranges that are never a public mail sender. Checked as whole blocks: a CIDR that
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
