/**
 * The indexed engine's lookalike lookup: which protected domains a sender domain imitates (the rule
 * itself is `imitates` in lookalike.ts, shared with the naive engine).
 *
 * Three layers, cheapest first:
 * 1. a filter of hashed name keys (`mayImitate`), read straight from the address with no allocation:
 *    almost every sender domain imitates nothing, and this says so in one pass over the domain, so a
 *    stream of never-seen domains (a spammer's fresh domain per message) costs no more than a known one;
 * 2. a cache of recent answers for the domains that got past the filter (campaigns reuse their domain);
 * 3. the exact lookup: protected names filed by their ends and one-deletion variants (`NameIndex`),
 *    then the public suffix list and `imitates`.
 */
import type { NormalizedAddress } from '../address/address.js';
import { Bloom, HASH_SEED, hashStep } from '../bloom.js';
import { foldedLabels, imitates, profileDomain, type DomainProfile } from '../lookalike.js';
import type { EngineDomain } from '../settings.js';
import { asciiFolded, asciiFoldUnit } from '../skeleton/skeleton.js';

const NOTHING: readonly never[] = Object.freeze([]);

/** From this length on, a name one edit away keeps its first three or its last three characters. */
const LONG_NAME = 7;

function fileUnder(map: Map<string, number[]>, key: string, index: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [index]);
  else if (!list.includes(index)) list.push(index);
}

/**
 * Finds protected names equal to, or one edit from, a folded label, without scanning them:
 * - names of `LONG_NAME` characters or more are filed under their first three and their last three
 *   characters (an edit at position i leaves the first three intact when i ≥ 3, the last three otherwise);
 * - shorter names are filed under themselves and every one-deletion variant (two names one edit apart
 *   always share a deletion variant).
 * It only proposes candidates; `imitates` decides.
 */
class NameIndex {
  private readonly ends = new Map<string, number[]>();
  private readonly variants = new Map<string, number[]>();
  shortest = Infinity;
  longestShort = -1;

  add(label: string, index: number): void {
    const chars = Array.from(label);
    this.shortest = Math.min(this.shortest, chars.length);
    if (chars.length >= LONG_NAME) {
      fileUnder(this.ends, `<${chars.slice(0, 3).join('')}`, index);
      fileUnder(this.ends, `>${chars.slice(-3).join('')}`, index);
      return;
    }
    this.longestShort = Math.max(this.longestShort, chars.length);
    fileUnder(this.variants, label, index);
    for (let i = 0; i < chars.length; i++) fileUnder(this.variants, chars.slice(0, i).join('') + chars.slice(i + 1).join(''), index);
  }

  /** Adds to `out` the protected entries that may be within one edit of `label`. */
  candidates(label: string, out: Set<number>): void {
    const chars = Array.from(label);
    const size = chars.length;
    if (size < this.shortest - 1) return;
    const addAll = (hits: number[] | undefined) => {
      if (hits !== undefined) for (const hit of hits) out.add(hit);
    };
    if (this.ends.size > 0 && size >= LONG_NAME - 1) {
      addAll(this.ends.get(`<${chars.slice(0, 3).join('')}`));
      addAll(this.ends.get(`>${chars.slice(-3).join('')}`));
    }
    if (this.variants.size > 0 && size <= this.longestShort + 1) {
      addAll(this.variants.get(label));
      for (let i = 0; i < size; i++) addAll(this.variants.get(chars.slice(0, i).join('') + chars.slice(i + 1).join('')));
    }
  }
}

// Keys of the filter: a tag, then the key's characters (hashed like strings, with `hashStep`).
const KEY_START = 0x10000;
const KEY_END = 0x10001;
const KEY_VARIANT = 0x10002;

/** The hash of a long name's first three (`KEY_START`) or last three (`KEY_END`) of `count` units. */
function endsHash(kind: number, units: ArrayLike<number>, count: number): number {
  const from = kind === KEY_START ? 0 : count - 3;
  return hashStep(hashStep(hashStep(hashStep(HASH_SEED, kind), units[from]), units[from + 1]), units[from + 2]);
}

/** A long name's key: its ends with its length (an edit changes the length by one at most). */
function withSize(ends: number, size: number): number {
  return hashStep(ends, size);
}

/** The hash of a short name's variant: its `count` units with the one at `skip` left out (-1: none). */
function variantHash(units: ArrayLike<number>, count: number, skip: number): number {
  let hash = hashStep(HASH_SEED, KEY_VARIANT);
  for (let i = 0; i < count; i++) if (i !== skip) hash = hashStep(hash, units[i]);
  return hash;
}

/** Longest folded label the filter reads; anything longer goes to the exact lookup. */
const MAX_UNITS = 256;

/**
 * `NameIndex`'s keys, hashed into a Bloom filter, asked about a sender domain without building a
 * string: the domain's ASCII characters are folded into a scratch buffer label by label (with the
 * table `foldLabels` uses) and each label's keys are hashed from there. It never says no to a domain
 * the exact lookup would find something for: it asks a superset of the same questions, narrowed by
 * the length condition that `imitates` implies (one edit changes the length by one at most), which
 * turns most labels away before anything is hashed. A yes may be a false positive, which the exact
 * lookup then answers. Domains it cannot read this way (IDN labels, characters outside printable
 * ASCII) and protected names with such characters make it answer yes.
 */
class NameFilter {
  private readonly bloom: Bloom;
  private readonly scratch = new Int32Array(MAX_UNITS);
  /** `longSizes[n]` is 1 when some long protected name has n folded characters. */
  private readonly longSizes = new Uint8Array(MAX_UNITS + 2);
  /** False when some protected name is not printable ASCII once folded: every domain then goes to the exact lookup. */
  private readonly usable: boolean;

  constructor(
    labels: readonly string[],
    private readonly names: NameIndex,
  ) {
    const keys: number[] = [];
    let usable = true;
    for (const label of labels) {
      const units = Array.from(label, (ch) => ch.charCodeAt(0));
      const size = units.length;
      if (units.some((unit) => unit < 0x21 || unit > 0x7e) || size > MAX_UNITS) usable = false;
      if (size >= LONG_NAME) {
        keys.push(withSize(endsHash(KEY_START, units, size), size), withSize(endsHash(KEY_END, units, size), size));
        if (size <= MAX_UNITS) this.longSizes[size] = 1;
      } else {
        keys.push(variantHash(units, size, -1));
        for (let skip = 0; skip < size; skip++) keys.push(variantHash(units, size, skip));
      }
    }
    this.usable = usable;
    this.bloom = new Bloom(keys.length);
    for (const key of keys) this.bloom.add(key);
  }

  /** False when no label of the address's domain but the last can be one edit from a protected name. */
  mayImitate(address: NormalizedAddress): boolean {
    if (!this.usable) return true;
    const text = address.address;
    const units = this.scratch;
    let count = 0;
    let labelStart = address.domainStart;
    for (let i = labelStart; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 46) {
        if (this.labelMayMatch(count)) return true;
        count = 0;
        labelStart = i + 1;
        continue;
      }
      if (code < 0x21 || code > 0x7e || count + 2 > MAX_UNITS) return true;
      // An IDN label (`xn--…`) is compared decoded: the exact lookup reads it.
      if (
        code === 45 &&
        i === labelStart + 2 &&
        text.charCodeAt(i + 1) === 45 &&
        text.charCodeAt(labelStart) === 120 &&
        text.charCodeAt(labelStart + 1) === 110
      ) {
        return true;
      }
      const unit = asciiFoldUnit(code);
      if (unit >= 0) {
        units[count++] = unit;
      } else {
        const folded = asciiFolded(code);
        if (count + folded.length > MAX_UNITS) return true;
        for (let j = 0; j < folded.length; j++) units[count++] = folded.charCodeAt(j);
      }
    }
    // The last label is part of the public suffix: never the registrable name.
    return false;
  }

  /** Whether the folded label in the scratch buffer (`count` units) may be one edit from a protected name. */
  private labelMayMatch(count: number): boolean {
    const names = this.names;
    if (count < names.shortest - 1) return false;
    const units = this.scratch;
    const bloom = this.bloom;
    const sizes = this.longSizes;
    if (count >= LONG_NAME - 1 && (sizes[count - 1] | sizes[count] | sizes[count + 1]) !== 0) {
      const start = endsHash(KEY_START, units, count);
      const end = endsHash(KEY_END, units, count);
      for (let size = count - 1; size <= count + 1; size++) {
        if (sizes[size] !== 0 && (bloom.mayContain(withSize(start, size)) || bloom.mayContain(withSize(end, size)))) return true;
      }
    }
    if (count <= names.longestShort + 1) {
      for (let skip = -1; skip < count; skip++) if (bloom.mayContain(variantHash(units, count, skip))) return true;
    }
    return false;
  }
}

/** The answer cache: sets (a power of two) of `CACHE_WAYS` (a power of two) domains. */
const CACHE_SETS = 1_024;
const CACHE_WAYS = 4;
/** Slots of a set in the cache: the ways' hashes, then each way's domain and answer. */
const CACHE_SET_SLOTS = 3 * CACHE_WAYS;

/** `text` in a flat string of its own (normalized domains are ASCII; anything else is kept as it is). */
function flatCopy(text: string): string {
  const copy = Buffer.from(text, 'latin1').toString('latin1');
  return copy === text ? copy : text;
}

interface ProtectedEntry {
  record: EngineDomain;
  profile: DomainProfile;
}

/** Lookalikes of an account's protected domains (see the module comment). */
export class LookalikeIndex {
  private readonly entries: ProtectedEntry[] = [];
  private readonly names = new NameIndex();
  private filter: NameFilter | undefined = undefined;
  /** Answers for recent domains that got past the filter, by domain hash (made on first use). */
  private cache: unknown[] | undefined = undefined;
  private readonly turns = new Uint8Array(CACHE_SETS);

  /** Adds a protected domain (normalized); call `seal` after the last. */
  add(record: EngineDomain, domain: string): void {
    const profile = profileDomain(domain);
    if (profile) this.names.add(profile.label, this.entries.push({ record, profile }) - 1);
  }

  seal(): void {
    this.filter = new NameFilter(
      this.entries.map((entry) => entry.profile.label),
      this.names,
    );
  }

  /** Protected domains the address's domain imitates (the caller has checked it is not protected itself). */
  find(address: NormalizedAddress): readonly EngineDomain[] {
    if (this.entries.length === 0 || !this.filter!.mayImitate(address)) return NOTHING;
    // Answers are cached by domain hash, in four-way sets. A set's hashes, domains and answers sit side
    // by side in one array (48 bytes): a lookup costs one or two cache lines there, plus the domain's text.
    const hash = address.domainHash;
    const set = (hash & (CACHE_SETS - 1)) * CACHE_SET_SLOTS;
    const cache = (this.cache ??= newCache());
    const text = address.address;
    for (let way = 0; way < CACHE_WAYS; way++) {
      if (cache[set + way] !== hash) continue;
      // The domain ends the address. `endsWith` reads strings of any representation in place, while
      // `===` on two sliced strings (a domain is cut out of its address) calls into the runtime.
      const cached = cache[set + CACHE_WAYS + 2 * way] as string;
      if (cached.length === address.domainLength && text.endsWith(cached)) {
        return cache[set + CACHE_WAYS + 2 * way + 1] as readonly EngineDomain[];
      }
    }
    const domain = address.domain;
    const found = this.lookUp(domain);
    // The sets' entries are replaced in turn. The domain is kept as a copy: cut out of its address it
    // is a slice, which costs a second memory read on every comparison and keeps the address alive.
    const way = this.turns[hash & (CACHE_SETS - 1)]++ & (CACHE_WAYS - 1);
    cache[set + way] = hash;
    cache[set + CACHE_WAYS + 2 * way] = flatCopy(domain);
    cache[set + CACHE_WAYS + 2 * way + 1] = found;
    return found;
  }

  /**
   * The exact lookup. Every label but the last (always part of the public suffix) could be the
   * registrable name, so each is looked up; the public suffix list is only read when one of them is
   * close to a protected name.
   */
  private lookUp(domain: string): readonly EngineDomain[] {
    const labels = foldedLabels(domain);
    const candidates = new Set<number>();
    for (let i = 0; i < labels.length - 1; i++) this.names.candidates(labels[i], candidates);
    if (candidates.size === 0) return NOTHING;
    const profile = profileDomain(domain);
    if (!profile) return NOTHING;
    const found: EngineDomain[] = [];
    for (const index of candidates) {
      const entry = this.entries[index];
      if (imitates(profile, entry.profile)) found.push(entry.record);
    }
    return found.length > 0 ? found : NOTHING;
  }
}

/** An empty answer cache: hashes -1 (no domain hash is negative), domains and answers undefined. */
function newCache(): unknown[] {
  const cache = new Array<unknown>(CACHE_SETS * CACHE_SET_SLOTS).fill(undefined);
  for (let set = 0; set < cache.length; set += CACHE_SET_SLOTS) cache.fill(-1, set, set + CACHE_WAYS);
  return cache;
}
