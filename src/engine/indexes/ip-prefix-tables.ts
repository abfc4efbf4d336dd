/**
 * CIDR blocks, found by address: one hash table per prefix length in use, behind a Bloom filter, so
 * finding every block that contains an address costs one probe per distinct prefix length (blocklists
 * use a handful: /32, /24, /16…) rather than a trie walk's chain of dependent memory reads.
 */
import { Bloom, hashNumber } from '../bloom.js';

/**
 * Blocks filed in one hash table per prefix length, keyed by `K` (the masked block). What the IPv4
 * and IPv6 tables share: their lookups walk `lengths`/`tables` in order, longest prefix first.
 */
abstract class PrefixTables<K, T> {
  protected readonly byLength = new Map<number, Map<K, T[]>>();
  /** Distinct prefix lengths in use, longest first, and their tables in the same order. */
  protected lengths: number[] = [];
  protected tables: Map<K, T[]>[] = [];

  /** Takes `value` out of the block `key` of one prefix length; false when it was not filed there. */
  protected removeFrom(prefix: number, key: K, value: T): boolean {
    const table = this.byLength.get(prefix);
    const list = table?.get(key);
    const at = list === undefined ? -1 : list.indexOf(value);
    if (at < 0) return false;
    if (list!.length === 1) table!.delete(key);
    else list!.splice(at, 1);
    return true;
  }

  /** The table of one prefix length, made (and put in order) on first use. */
  protected tableFor(prefix: number): Map<K, T[]> {
    let table = this.byLength.get(prefix);
    if (!table) {
      table = new Map();
      this.byLength.set(prefix, table);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
      this.tables = this.lengths.map((length) => this.byLength.get(length)!);
    }
    return table;
  }
}

/**
 * IPv4 blocks in one hash table per prefix length (the "prefix table"): finding every block that
 * contains an address costs one lookup per distinct prefix length in use (blocklists use a handful:
 * /32, /24, /16…), each a hash probe rather than a trie walk's chain of dependent memory reads.
 *
 * A Bloom filter laid out by /16 block sits in front: every block of 16 bits or longer is marked in
 * the 512-bit line of its /16, so the probes of one address for all its prefix lengths read one cache
 * line instead of one each. Shorter blocks (rare, few) are looked up directly.
 */
export class Ipv4PrefixTable<T> extends PrefixTables<number, T> {
  private count = 0;
  /** The filter: `LINE_WORDS` words per line; undefined until sealed. */
  private lines: Int32Array | undefined;
  private lineMask = 0;

  /**
   * Called once every block is filed: builds the filter. Small tables get one too: a probe of it
   * costs less than a map lookup per prefix length.
   */
  seal(): void {
    let bits = 1024;
    while (bits < this.count * 16) bits *= 2;
    const lines = new Int32Array(bits >>> 5);
    this.lineMask = bits / LINE_BITS - 1;
    for (const [prefix, table] of this.byLength) {
      for (const key of table.keys()) this.mark(lines, key, prefix);
    }
    this.lines = lines;
  }

  /** First word of the filter line of a /16 block. */
  private line(block: number): number {
    return (hashNumber(block, LINE_SALT) & this.lineMask) * LINE_WORDS;
  }

  get size(): number {
    return this.count;
  }

  /** Files `value` under the block of the first `prefix` bits of `address` (before or after `seal`). */
  insert(address: number, prefix: number, value: T): void {
    const table = this.tableFor(prefix);
    const key = prefix === 0 ? 0 : address >>> (32 - prefix);
    const list = table.get(key);
    if (list) list.push(value);
    else table.set(key, [value]);
    this.count++;
    if (this.lines !== undefined) this.mark(this.lines, key, prefix);
  }

  /** Takes `value` out of the block it was filed under (its bits stay in the filter: a false positive costs a probe). */
  remove(address: number, prefix: number, value: T): void {
    if (this.removeFrom(prefix, prefix === 0 ? 0 : address >>> (32 - prefix), value)) this.count--;
  }

  /** Sets a block's two bits in the filter line of its /16 (blocks shorter than /16 are not filtered). */
  private mark(lines: Int32Array, key: number, prefix: number): void {
    if (prefix < LINE_PREFIX) return;
    const base = this.line(key >>> (prefix - LINE_PREFIX));
    const hash = lineHash(key, prefix);
    const a = hash >>> 23;
    const b = (hash >>> 14) & (LINE_BITS - 1);
    lines[base + (a >>> 5)] |= 1 << (a & 31);
    lines[base + (b >>> 5)] |= 1 << (b & 31);
  }

  /** Calls `onValue` for the value of every block containing `address`. */
  collect(address: number, onValue: (value: T) => void): void {
    const found = this.find(address, undefined);
    if (found !== undefined) for (const value of found) onValue(value);
  }

  /** The values of every block containing `address`, appended to `out`; undefined when none and no `out`. */
  find(address: number, out: T[] | undefined): T[] | undefined {
    const lengths = this.lengths;
    const lines = this.lines;
    const base = lines === undefined ? 0 : this.line(address >>> LINE_PREFIX);
    for (let i = 0; i < lengths.length; i++) {
      const prefix = lengths[i];
      const key = prefix === 0 ? 0 : address >>> (32 - prefix);
      if (lines !== undefined && prefix >= LINE_PREFIX) {
        const hash = lineHash(key, prefix);
        const a = hash >>> 23;
        if ((lines[base + (a >>> 5)] & (1 << (a & 31))) === 0) continue;
        const b = (hash >>> 14) & (LINE_BITS - 1);
        if ((lines[base + (b >>> 5)] & (1 << (b & 31))) === 0) continue;
      }
      const list = this.tables[i].get(key);
      if (list !== undefined) {
        out ??= [];
        for (let j = 0; j < list.length; j++) out.push(list[j]);
      }
    }
    return out;
  }
}

/**
 * Where a block's two bits go in its line: one multiplication (the line itself is already chosen by a
 * stronger hash of the /16), its top 9 bits and the 9 below them.
 */
function lineHash(key: number, prefix: number): number {
  return Math.imul(key ^ (prefix << 24), 0x9e3779b1);
}

/** Filter lines: 512 bits (a 64-byte cache line), one per /16 block hash. */
const LINE_BITS = 512;
const LINE_WORDS = LINE_BITS / 32;
const LINE_PREFIX = 16;
const LINE_SALT = 99;

/** Word `index` (0–3) of an IPv6 address kept to the first `prefix` bits of the address, unsigned. */
function maskedWord(words: readonly number[], index: number, prefix: number): number {
  const bits = prefix - 32 * index;
  if (bits <= 0) return 0;
  if (bits >= 32) return words[index] >>> 0;
  return (words[index] & ~(0xffffffff >>> bits)) >>> 0;
}

/**
 * IPv6 blocks in one hash table per prefix length, like `Ipv4PrefixTable`: an address costs one
 * probe per prefix length in use (IPv6 lists use a few: /128, /64, /48, /32) instead of a walk of up
 * to 128 trie nodes. A Bloom filter over (prefix length, block) answers most probes, so the key
 * string of a block is only built when the filter cannot rule it out.
 */
export class Ipv6PrefixTable<T> extends PrefixTables<string, T> {
  private count = 0;
  private bloom = new Bloom(0);
  private sealed = false;

  get size(): number {
    return this.count;
  }

  private static hash(words: readonly number[], prefix: number): number {
    let hash = hashNumber(maskedWord(words, 0, prefix), prefix);
    hash = hashNumber(maskedWord(words, 1, prefix) ^ hash, 1);
    hash = hashNumber(maskedWord(words, 2, prefix) ^ hash, 2);
    return hashNumber(maskedWord(words, 3, prefix) ^ hash, 3);
  }

  private static key(words: readonly number[], prefix: number): string {
    return `${maskedWord(words, 0, prefix)}:${maskedWord(words, 1, prefix)}:${maskedWord(words, 2, prefix)}:${maskedWord(words, 3, prefix)}`;
  }

  /** Files `value` under the block of the first `prefix` bits of `words` (before or after `seal`). */
  insert(words: readonly number[], prefix: number, value: T): void {
    const table = this.tableFor(prefix);
    const key = Ipv6PrefixTable.key(words, prefix);
    const list = table.get(key);
    if (list) list.push(value);
    else table.set(key, [value]);
    this.count++;
    if (this.sealed) this.bloom.add(Ipv6PrefixTable.hash(words, prefix));
  }

  /** Takes `value` out of the block it was filed under (its bits stay in the filter). */
  remove(words: readonly number[], prefix: number, value: T): void {
    if (this.removeFrom(prefix, Ipv6PrefixTable.key(words, prefix), value)) this.count--;
  }

  /** Called once every block is filed: builds the filter. */
  seal(): void {
    this.sealed = true;
    this.bloom = new Bloom(this.count);
    for (const [prefix, table] of this.byLength) {
      for (const key of table.keys()) Ipv6PrefixTable.addKey(this.bloom, key, prefix);
    }
  }

  private static addKey(bloom: Bloom, key: string, prefix: number): void {
    const words = key.split(':').map(Number);
    bloom.add(Ipv6PrefixTable.hash(words, prefix));
  }

  /** The values of every block containing the address, appended to `out`; undefined when none and no `out`. */
  find(words: readonly number[], out: T[] | undefined): T[] | undefined {
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const prefix = lengths[i];
      if (!this.bloom.mayContain(Ipv6PrefixTable.hash(words, prefix))) continue;
      const list = this.tables[i].get(Ipv6PrefixTable.key(words, prefix));
      if (list !== undefined) {
        out ??= [];
        for (let j = 0; j < list.length; j++) out.push(list[j]);
      }
    }
    return out;
  }
}
