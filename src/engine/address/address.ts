/**
 * Addresses read once into the forms every comparison uses, hashed on the way for the indexes' Bloom
 * filters. Both engines read addresses with `normalizeAddress`.
 */
import { HASH_BITS, HASH_SEED, hashStep } from '../bloom.js';
import { normalizeDomain } from './domain.js';

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
  /** Scratch for the indexed engine: the domain lookups it already made for this address (see indexes/domain-table.ts). */
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
        (code === 0xa0 ||
          code === 0x1680 ||
          (code >= 0x2000 && code <= 0x200a) ||
          code === 0x2028 ||
          code === 0x2029 ||
          code === 0x202f ||
          code === 0x205f ||
          code === 0x3000 ||
          code === 0xfeff);
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
