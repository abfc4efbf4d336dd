/**
 * A binary trie of CIDR blocks: `collect` walks an address's bits from the top and gathers the values
 * of every block on the way, so finding all blocks that contain an address costs at most 32 (IPv4) or
 * 128 (IPv6) steps whatever the number of blocks. Children are kept in typed arrays that double as
 * they fill, so a million blocks stay a few flat arrays instead of millions of objects.
 */
import { Bloom, BLOOM_THRESHOLD, hashNumber } from './bloom.js';
import { ipBit } from './normalize.js';

export class IpTrie<T> {
  private left = new Int32Array(1024);
  private right = new Int32Array(1024);
  /** Per node: 1 + the index of its value list in `lists`, or 0. */
  private slot = new Int32Array(1024);
  private readonly lists: T[][] = [];
  private nodes = 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  private grow(): void {
    const double = (array: Int32Array) => {
      const grown = new Int32Array(array.length * 2);
      grown.set(array);
      return grown;
    };
    this.left = double(this.left);
    this.right = double(this.right);
    this.slot = double(this.slot);
  }

  private child(node: number, bit: number): number {
    const side = bit === 0 ? this.left : this.right;
    let next = side[node];
    if (next === 0) {
      if (this.nodes === this.left.length) this.grow();
      next = this.nodes++;
      (bit === 0 ? this.left : this.right)[node] = next;
    }
    return next;
  }

  /** Files `value` under the block of the first `prefix` bits of `words`. */
  insert(words: readonly number[], prefix: number, value: T): void {
    let node = 0;
    for (let index = 0; index < prefix; index++) node = this.child(node, ipBit(words, index));
    if (this.slot[node] === 0) this.slot[node] = this.lists.push([value]);
    else this.lists[this.slot[node] - 1].push(value);
    this.count++;
  }

  /** Calls `onValue` for the value of every block containing the address (`bits` long). */
  collect(words: readonly number[], bits: number, onValue: (value: T) => void): void {
    if (this.count === 0) return;
    let node = 0;
    for (let index = 0; ; index++) {
      const slot = this.slot[node];
      if (slot !== 0) for (const value of this.lists[slot - 1]) onValue(value);
      if (index === bits) return;
      node = ipBit(words, index) === 0 ? this.left[node] : this.right[node];
      if (node === 0) return;
    }
  }
}

/**
 * IPv4 blocks in one hash table per prefix length (the "prefix table"): finding every block that
 * contains an address costs one lookup per distinct prefix length in use (blocklists use a handful:
 * /32, /24, /16…), each a hash probe rather than a trie walk's chain of dependent memory reads.
 */
export class Ipv4PrefixTable<T> {
  private readonly byLength = new Map<number, Map<number, T[]>>();
  /** Distinct prefix lengths in use, longest first, and their tables in the same order. */
  private lengths: number[] = [];
  private tables: Map<number, T[]>[] = [];
  private count = 0;
  private bloom: Bloom | undefined;

  /** Called once every block is filed: large tables get a Bloom filter over (prefix length, block). */
  seal(): void {
    if (this.count < BLOOM_THRESHOLD) return;
    this.bloom = new Bloom(this.count);
    for (const [prefix, table] of this.byLength) for (const key of table.keys()) this.bloom.add(hashNumber(key, prefix));
  }

  get size(): number {
    return this.count;
  }

  insert(address: number, prefix: number, value: T): void {
    let table = this.byLength.get(prefix);
    if (!table) {
      table = new Map();
      this.byLength.set(prefix, table);
      this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
      this.tables = this.lengths.map((length) => this.byLength.get(length)!);
    }
    const key = prefix === 0 ? 0 : address >>> (32 - prefix);
    const list = table.get(key);
    if (list) list.push(value);
    else table.set(key, [value]);
    this.count++;
  }

  /** Calls `onValue` for the value of every block containing `address`. */
  collect(address: number, onValue: (value: T) => void): void {
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const prefix = lengths[i];
      const key = prefix === 0 ? 0 : address >>> (32 - prefix);
      if (this.bloom !== undefined && !this.bloom.mayContain(hashNumber(key, prefix))) continue;
      const list = this.tables[i].get(key);
      if (list !== undefined) for (const value of list) onValue(value);
    }
  }
}
