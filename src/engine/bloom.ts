/**
 * A Bloom filter in front of the big hash maps. Most lookups of an evaluation miss (an unknown sender
 * is the common case), and in a map of a hundred thousand keys each miss costs a couple of cache misses;
 * the filter answers "certainly absent" from a few bits that stay in cache (16 bits per key, two
 * probes: about 1.4% false positives, which then simply look in the map). Small maps get one too: a
 * probe costs less than a `Map.get` that misses.
 *
 * Strings are hashed right to left, so one pass over `mail.example.com` yields the hashes of
 * `example.com` and `com` on the way (`suffixHashes`).
 */

/** FNV-1a step. */
export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 16777619);
}

export const HASH_SEED = 0x811c9dc5 | 0;

/** Hashes kept in objects are cut to 30 bits, so they stay small integers (no boxed numbers); filters only look at these bits. */
export const HASH_BITS = 0x3fffffff;

/** Hash of a whole string, right to left. */
export function hashString(text: string): number {
  let hash = HASH_SEED;
  for (let i = text.length - 1; i >= 0; i--) hash = hashStep(hash, text.charCodeAt(i));
  return hash;
}

/** Hash of a number (a CIDR block's key), mixed with its prefix length. */
export function hashNumber(value: number, salt: number): number {
  let hash = Math.imul(value ^ Math.imul(salt, 0x9e3779b1), 0x85ebca6b);
  hash ^= hash >>> 13;
  return Math.imul(hash, 0xc2b2ae35) ^ (hash >>> 16);
}

export class Bloom {
  private readonly words: Int32Array;
  private readonly mask: number;

  constructor(keys: number) {
    let bits = 1024;
    while (bits < keys * 16) bits *= 2;
    this.words = new Int32Array(bits >>> 5);
    this.mask = bits - 1;
  }

  add(full: number): void {
    const hash = full & HASH_BITS;
    const a = hash & this.mask;
    const b = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) & this.mask;
    this.words[a >>> 5] |= 1 << (a & 31);
    this.words[b >>> 5] |= 1 << (b & 31);
  }

  mayContain(full: number): boolean {
    const hash = full & HASH_BITS;
    const a = hash & this.mask;
    if ((this.words[a >>> 5] & (1 << (a & 31))) === 0) return false;
    const b = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) & this.mask;
    return (this.words[b >>> 5] & (1 << (b & 31))) !== 0;
  }
}
