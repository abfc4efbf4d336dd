/**
 * IP addresses and CIDR blocks: the engine's own readers for the forms messages carry (pinned to
 * ipaddr.js by property tests), and ipaddr.js for patterns and everything else.
 */
import ipaddr from 'ipaddr.js';

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

/** Whether `ip` lies in `cidr`, comparing the first `prefix` bits one word at a time. */
export function ipInCidr(ip: ParsedIp, cidr: ParsedCidr): boolean {
  if (ip.v6 !== cidr.v6) return false;
  let remaining = cidr.prefix;
  for (let w = 0; remaining > 0; w++, remaining -= 32) {
    const bits = Math.min(remaining, 32);
    const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    if ((ip.words[w] & mask) >>> 0 !== (cidr.words[w] & mask) >>> 0) return false;
  }
  return true;
}
