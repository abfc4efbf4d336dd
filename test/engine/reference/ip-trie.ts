/**
 * A binary trie of CIDR blocks: the simple structure the engine's prefix tables
 * (src/engine/indexes/ip-prefix-tables.ts) are checked against. `find` walks an address's bits from the
 * top and gathers the values of every block on the way, at most 32 (IPv4) or 128 (IPv6) steps whatever
 * the number of blocks. Children are kept in typed arrays that double as they fill.
 */

/** Bit `index` (0 = most significant) of an address. */
export function ipBit(words: readonly number[], index: number): number {
  return (words[index >>> 5] >>> (31 - (index & 31))) & 1;
}

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
    const found = this.find(words, bits, undefined);
    if (found !== undefined) for (const value of found) onValue(value);
  }

  /** The values of every block containing the address (`bits` long), appended to `out`; undefined when none and no `out`. */
  find(words: readonly number[], bits: number, out: T[] | undefined): T[] | undefined {
    if (this.count === 0) return out;
    let node = 0;
    for (let index = 0; ; index++) {
      const slot = this.slot[node];
      if (slot !== 0) {
        const list = this.lists[slot - 1];
        out ??= [];
        for (let i = 0; i < list.length; i++) out.push(list[i]);
      }
      if (index === bits) return out;
      node = ipBit(words, index) === 0 ? this.left[node] : this.right[node];
      if (node === 0) return out;
    }
  }
}
