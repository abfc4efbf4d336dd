/**
 * Which regexes of a list match a value, for lists of any size.
 *
 * The plain answer, one `RE2.Set` per list, stops scaling: a set of 1,000 patterns costs about 5 µs
 * per value and a set of 10,000 does not compile (RE2's DFA memory budget). Most sender regexes
 * contain a literal that every match must contain (`.*@evil\.example` contains `@evil.example`), so
 * each such regex is filed under the rarest three-character piece of that literal, and a value only
 * runs the few regexes whose piece it contains — the idea of RE2's FilteredRE2. Regexes without a
 * usable literal (alternations at the top, classes only) go into `RE2.Set`s that every value runs.
 *
 * A value is scanned once: each of its three-character pieces is looked up in a small open-addressing
 * table (behind a 64 Kibit filter), and a candidate's literal is compared where its piece was seen.
 *
 * Matching stays exact: a regex is only skipped when the value cannot contain its required literal,
 * and every candidate is confirmed by the regex itself.
 */
import RE2 from 're2';
import { compileRegex } from '../patterns.js';

const GRAM = 3;
const SET_CHUNK = 1000;

function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '[' && pattern[i + 1] === ':') {
      const end = pattern.indexOf(':]', i + 2);
      if (end > 0) i = end + 1;
    } else if (pattern[i] === ']') return i;
  }
  return pattern.length;
}

function skipBraces(pattern: string, open: number): number {
  const close = pattern.indexOf('}', open);
  return close < 0 ? pattern.length : close;
}

const ESCAPED_LITERAL = /[!-/:-@[-`{-~]/;

/**
 * The ASCII literal runs (lowercased, at least three characters) that every match of `pattern` must
 * contain, read from its top-level concatenation; `[]` when it has none it can promise (a top-level
 * alternation, or only classes, groups and wildcards).
 */
export function requiredLiterals(pattern: string): string[] {
  const runs: string[] = [];
  let run = '';
  const flush = () => {
    if (run.length >= GRAM) runs.push(run.toLowerCase());
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    let ch = pattern[i];
    switch (ch) {
      case '|':
        return [];
      case '(': {
        flush();
        let depth = 1;
        for (i++; i < pattern.length && depth > 0; i++) {
          const c = pattern[i];
          if (c === '\\') i++;
          else if (c === '[') i = skipClass(pattern, i);
          else if (c === '(') depth++;
          else if (c === ')') depth--;
        }
        i--;
        continue;
      }
      case '[':
        flush();
        i = skipClass(pattern, i);
        continue;
      case '.':
      case '^':
      case '$':
      case '*':
      case '+':
      case '?':
        flush();
        continue;
      case '{':
        flush();
        i = skipBraces(pattern, i);
        continue;
      case '\\': {
        const next = pattern[i + 1];
        if (next === undefined) return [];
        i++;
        if (!ESCAPED_LITERAL.test(next)) {
          // A class (\d), an anchor (\b), or a character given by code (\x41, \x{263a}, \101): never a run.
          flush();
          if (next === 'Q') return [];
          if ((next === 'p' || next === 'P' || next === 'x') && pattern[i + 1] === '{') i = skipBraces(pattern, i + 1);
          else if (next === 'x') i += 2;
          else if (next >= '0' && next <= '7') while (i + 1 < pattern.length && pattern[i + 1] >= '0' && pattern[i + 1] <= '7') i++;
          continue;
        }
        ch = next;
        break;
      }
    }
    // A literal character: required unless a quantifier after it allows zero copies.
    const quantifier = pattern[i + 1];
    if (quantifier === '*' || quantifier === '?') {
      flush();
      continue;
    }
    if (quantifier === '{') {
      const repeat = /^\{(\d+)(,\d*)?\}/.exec(pattern.slice(i + 1));
      if (repeat && Number(repeat[1]) >= 1 && ch.charCodeAt(0) < 128) run += ch;
      flush();
      continue;
    }
    if (ch.charCodeAt(0) >= 128) {
      flush();
      continue;
    }
    run += ch;
    if (quantifier === '+') flush();
  }
  flush();
  return runs;
}

function gramCode(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  const c = text.charCodeAt(at + 2);
  return a < 128 && b < 128 && c < 128 ? (a << 14) | (b << 7) | c : -1;
}

/**
 * The form values are searched in for literals: lowercase, and the two non-ASCII letters RE2's case
 * folding equates with ASCII ones (ſ with s; the Kelvin sign lowercases to k by itself).
 */
function searchForm(value: string): string {
  const lower = value.toLowerCase();
  return lower.includes('ſ') ? lower.replaceAll('ſ', 's') : lower;
}

type RE2Set = InstanceType<typeof RE2.Set>;

const NO_REGEXES: number[] = [];

/** Bits of the gram filter (8 KiB): sparse enough that most grams of a value miss it. */
const GRAM_FILTER_BITS = 16;

/** Home slot of a gram in a table of `2 ** (32 - shift)` slots (Fibonacci hashing). */
function gramSlot(gram: number, shift: number): number {
  return Math.imul(gram, 0x9e3779b1) >>> shift;
}

interface SetShard {
  set: RE2Set | undefined;
  indices: number[];
}

/** A list of regexes with a value attached to each; `match` reports the values of those that match. */
export class RegexIndex<T> {
  private readonly values: T[] = [];
  private readonly sources: string[] = [];
  private readonly regexes: RE2[] = [];
  private readonly postings = new Map<number, number[]>();
  /** Per regex: the literal run its gram came from, checked before the regex runs ('' when unfiltered). */
  private literal: string[] = [];
  /**
   * The posting lists again, in an open-addressing table small enough to stay in cache (two slots
   * per gram): every character of a value is looked up, and most grams are in no list. `gramKeys`
   * holds the gram of each slot (-1 when empty), `gramLists` its regexes.
   */
  private gramKeys: Int32Array | undefined;
  private gramLists: number[][] = [];
  private gramShift = 32;
  /** One bit per 16-bit hash of the grams in the table (`GRAM_FILTER_BITS`): a probe is only made on a set bit. */
  private gramFilter = new Int32Array(0);
  private shards: SetShard[] = [];
  private seen: Int32Array = new Int32Array(0);
  /** Per regex: where its gram starts in its literal. */
  private offset: Int32Array = new Int32Array(0);
  /** Scratch of `find`: the regexes whose gram a value contains, each with where its literal would start. */
  private readonly pending: number[] = [];
  private generation = 0;
  private built = false;
  get size(): number {
    return this.values.length;
  }

  /**
   * Adds a regex; false (and nothing added) when RE2 cannot compile it, so it never matches. After
   * `build`, the index is built again on the next lookup (an RE2 set cannot take one more).
   */
  add(pattern: string, value: T): boolean {
    const regex = compileRegex(pattern);
    if (!regex) return false;
    this.values.push(value);
    this.sources.push(pattern);
    this.regexes.push(regex);
    this.built = false;
    return true;
  }

  /** Takes out the regex filed with `value`; the index is built again on the next lookup. */
  remove(value: T): void {
    const index = this.values.indexOf(value);
    if (index < 0) return;
    this.values.splice(index, 1);
    this.sources.splice(index, 1);
    this.regexes.splice(index, 1);
    this.built = false;
  }

  /** Builds the prefilter and the sets from the regexes added (again, after a change). */
  build(): void {
    if (this.built) return;
    this.built = true;
    this.postings.clear();
    this.gramKeys = undefined;
    this.gramLists = [];
    this.gramFilter = new Int32Array(0);
    this.shards = [];
    this.generation = 0;
    const literals = this.sources.map(requiredLiterals);
    // Each gram is counted once per regex; the rarest gram of a regex's literals files it.
    const frequency = new Map<number, number>();
    for (const runs of literals) {
      const grams = new Set<number>();
      for (const run of runs) for (let at = 0; at + GRAM <= run.length; at++) grams.add(gramCode(run, at));
      for (const gram of grams) frequency.set(gram, (frequency.get(gram) ?? 0) + 1);
    }
    const unfiltered: number[] = [];
    this.literal = literals.map(() => '');
    this.offset = new Int32Array(literals.length);
    literals.forEach((runs, index) => {
      let best = -1;
      for (const run of runs) {
        for (let at = 0; at + GRAM <= run.length; at++) {
          const gram = gramCode(run, at);
          if (best < 0 || frequency.get(gram)! < frequency.get(best)!) {
            best = gram;
            this.literal[index] = run;
          }
        }
      }
      if (best < 0) {
        unfiltered.push(index);
        return;
      }
      const literal = this.literal[index];
      let at = 0;
      while (gramCode(literal, at) !== best) at++;
      this.offset[index] = at;
      const list = this.postings.get(best);
      if (list) list.push(index);
      else this.postings.set(best, [index]);
    });
    if (this.postings.size > 0) {
      let bits = 4;
      while (1 << bits < this.postings.size * 2) bits++;
      const keys = new Int32Array(1 << bits).fill(-1);
      const lists: number[][] = new Array<number[]>(1 << bits).fill(NO_REGEXES);
      this.gramShift = 32 - bits;
      for (const [gram, list] of this.postings) {
        let slot = gramSlot(gram, this.gramShift);
        while (keys[slot] !== -1) slot = (slot + 1) & (keys.length - 1);
        keys[slot] = gram;
        lists[slot] = list;
      }
      this.gramKeys = keys;
      this.gramLists = lists;
      this.gramFilter = new Int32Array(1 << (GRAM_FILTER_BITS - 5));
      for (const gram of this.postings.keys()) {
        const bit = gramSlot(gram, 32 - GRAM_FILTER_BITS);
        this.gramFilter[bit >>> 5] |= 1 << (bit & 31);
      }
    }
    for (let start = 0; start < unfiltered.length; start += SET_CHUNK) {
      this.shards.push(...this.shard(unfiltered.slice(start, start + SET_CHUNK)));
    }
    this.seen = new Int32Array(this.values.length);
  }

  /** RE2.Set over `indices`; halves until RE2 accepts it, down to single regexes run alone. */
  private shard(indices: number[]): SetShard[] {
    if (indices.length === 0) return [];
    try {
      const set = new RE2.Set(
        indices.map((index) => this.sources[index]),
        'i',
        { anchor: 'both' },
      );
      return [{ set, indices }];
    } catch {
      if (indices.length === 1) return [{ set: undefined, indices }];
      const half = indices.length >> 1;
      return [...this.shard(indices.slice(0, half)), ...this.shard(indices.slice(half))];
    }
  }

  /** Calls `onMatch` with the value of every regex that matches all of `value`. */
  match(value: string, onMatch: (value: T) => void): void {
    const found = this.find(value, undefined);
    if (found !== undefined) for (const item of found) onMatch(item);
  }

  /** The values of every regex that matches all of `value`, appended to `out`; undefined when none and no `out`. */
  find(value: string, out: T[] | undefined): T[] | undefined {
    if (!this.built) this.build();
    if (this.values.length === 0) return out;
    const keys = this.gramKeys;
    if (keys !== undefined) {
      if (++this.generation > 0x3fffffff) {
        this.seen.fill(0);
        this.generation = 1;
      }
      const generation = this.generation;
      const mask = keys.length - 1;
      const shift = this.gramShift;
      const filter = this.gramFilter;
      const length = value.length;
      const pending = this.pending;
      let count = 0;
      // Lowercase ASCII already: its search form is the value itself.
      let plain = true;
      // A rolling three-character code over the value, case-folded as RE2 folds into ASCII.
      let gram = 0;
      let run = 0;
      for (let i = 0; i < length; i++) {
        let code = value.charCodeAt(i);
        if ((code - 65) >>> 0 <= 25) {
          // A-Z
          code += 32;
          plain = false;
        } else if (code >= 128) {
          code = code === 0x17f ? 115 : code === 0x212a ? 107 : -1;
          plain = false;
        }
        if (code < 0) {
          run = 0;
          continue;
        }
        gram = ((gram << 7) | code) & 0x1fffff;
        if (++run < GRAM) continue;
        const bit = gramSlot(gram, 32 - GRAM_FILTER_BITS);
        if ((filter[bit >>> 5] & (1 << (bit & 31))) === 0) continue;
        let slot = gramSlot(gram, shift);
        let key = keys[slot];
        while (key !== gram && key !== -1) {
          slot = (slot + 1) & mask;
          key = keys[slot];
        }
        if (key === -1) continue;
        // Each regex filed under this gram, with where its literal would start in the value.
        const list = this.gramLists[slot];
        for (let j = 0; j < list.length; j++) {
          const index = list[j];
          pending[count++] = index;
          pending[count++] = i - (GRAM - 1) - this.offset[index];
        }
      }
      // The whole literal before the regex: a string comparison is far cheaper than a call into RE2.
      // A value in lowercase ASCII is its own search form, and a literal that occurs in it occurs
      // where its gram was seen: only those places are compared, the first character first.
      const text = plain || count === 0 ? value : searchForm(value);
      for (let j = 0; j < count; j += 2) {
        const index = pending[j];
        if (this.seen[index] === generation) continue;
        const literal = this.literal[index];
        if (plain) {
          const start = pending[j + 1];
          if (start < 0 || start + literal.length > length || value.charCodeAt(start) !== literal.charCodeAt(0)) continue;
          if (!value.startsWith(literal, start)) continue;
        } else if (!text.includes(literal)) {
          this.seen[index] = generation;
          continue;
        }
        this.seen[index] = generation;
        if (this.regexes[index].test(value)) (out ??= []).push(this.values[index]);
      }
    }
    for (const shard of this.shards) {
      if (shard.set) {
        for (const position of shard.set.match(value)) (out ??= []).push(this.values[shard.indices[position]]);
      } else if (this.regexes[shard.indices[0]].test(value)) {
        (out ??= []).push(this.values[shard.indices[0]]);
      }
    }
    return out;
  }
}
