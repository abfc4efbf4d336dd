/** One list of patterns (the sender patterns, or the exempt-recipient patterns) filed for lookup by kind. */
import { normalizeEmailPattern, type NormalizedAddress } from '../address/address.js';
import { normalizeDomainPattern } from '../address/domain.js';
import { parseCidr } from '../address/ip.js';
import { Bloom, HASH_BITS, hashString } from '../bloom.js';
import { patternKind } from '../patterns.js';
import { drop, type DomainTable } from './domain-table.js';
import { Ipv4PrefixTable, Ipv6PrefixTable } from './ip-prefix-tables.js';
import { addOne, listOf, removeOnes, type OneOrMore } from './one-or-more.js';
import { RegexIndex } from './regex-index.js';

const NOTHING: readonly never[] = Object.freeze([]);

/** The values filed under one exact address; `next` chains addresses whose hashes collide. */
interface EmailEntry<T> {
  readonly address: string;
  values: OneOrMore<T> | undefined;
  next: EmailEntry<T> | undefined;
}

/** Exact addresses, CIDR blocks and regexes of one list of patterns; its domains go to the shared table. */
export class PatternIndex<T> {
  /**
   * The exact addresses by `hashString(address) & HASH_BITS`, the hash a message's address is read
   * with: a lookup needs no hashing of the (freshly parsed) string by the engine's own map.
   */
  private readonly byHash = new Map<number, EmailEntry<T>>();
  private emailCount = 0;
  readonly v4 = new Ipv4PrefixTable<T>();
  readonly v6 = new Ipv6PrefixTable<T>();
  /** Built again on its next lookup after a change. */
  readonly regexes = new RegexIndex<T>();
  /** Over the exact addresses, even a few: a probe costs less than a lookup that misses. Sized at `seal`. */
  private bloom = new Bloom(0);
  private sealed = false;

  constructor(
    private readonly domains: DomainTable,
    private readonly slot: 'senders' | 'exempt',
  ) {}

  /** Called once every pattern is filed: builds the regex index and the Bloom filters. */
  seal(): void {
    this.regexes.build();
    this.v4.seal();
    this.v6.seal();
    this.bloom = new Bloom(this.emailCount);
    for (const entries of this.byHash.values()) {
      for (let entry: EmailEntry<T> | undefined = entries; entry !== undefined; entry = entry.next)
        this.bloom.add(hashString(entry.address));
    }
    this.sealed = true;
  }

  /** The entry of an exact address, when one is filed. */
  private emailEntry(address: string, hash: number): EmailEntry<T> | undefined {
    for (let entry = this.byHash.get(hash); entry !== undefined; entry = entry.next) if (entry.address === address) return entry;
    return undefined;
  }

  /** Files a pattern (before or after `seal`); false when it can never match (invalid for its type, or a regex RE2 rejects). */
  add(pattern: string, patternType: string, isRegex: boolean, value: T): boolean {
    if (isRegex) return this.regexes.add(pattern, value);
    switch (patternKind(patternType, pattern)) {
      case 'EMAIL': {
        const address = normalizeEmailPattern(pattern);
        if (address === undefined) return false;
        const hash = hashString(address);
        const entry = this.emailEntry(address, hash & HASH_BITS);
        if (entry !== undefined) {
          entry.values = addOne(entry.values, value);
          return true;
        }
        this.byHash.set(hash & HASH_BITS, { address, values: value, next: this.byHash.get(hash & HASH_BITS) });
        this.emailCount++;
        if (this.sealed) this.bloom.add(hash);
        return true;
      }
      case 'DOMAIN': {
        const domain = normalizeDomainPattern(pattern);
        if (domain) this.domains.file(domain, this.slot, value as never);
        return domain !== undefined;
      }
      case 'IP': {
        const cidr = parseCidr(pattern);
        if (cidr?.v6) this.v6.insert(cidr.words, cidr.prefix, value);
        else if (cidr) this.v4.insert(cidr.words[0], cidr.prefix, value);
        return cidr !== undefined;
      }
    }
  }

  /** Takes out a value filed with `add` (after `seal`). */
  remove(pattern: string, patternType: string, isRegex: boolean, value: T): void {
    if (isRegex) {
      this.regexes.remove(value);
      return;
    }
    switch (patternKind(patternType, pattern)) {
      case 'EMAIL': {
        const address = normalizeEmailPattern(pattern);
        if (address === undefined) return;
        const hash = hashString(address) & HASH_BITS;
        const entry = this.emailEntry(address, hash);
        if (entry === undefined) return;
        entry.values = removeOnes(entry.values, (item) => item === value);
        if (entry.values !== undefined) return;
        // Unlink the emptied entry from its chain (its bits stay in the filter).
        const head = this.byHash.get(hash)!;
        if (head === entry) {
          if (entry.next === undefined) this.byHash.delete(hash);
          else this.byHash.set(hash, entry.next);
        } else {
          let previous = head;
          while (previous.next !== entry) previous = previous.next!;
          previous.next = entry.next;
        }
        this.emailCount--;
        return;
      }
      case 'DOMAIN': {
        const node = this.domains.filedNode(pattern);
        if (node !== undefined) drop(node, this.slot, (item) => item === value);
        return;
      }
      case 'IP': {
        const cidr = parseCidr(pattern);
        if (cidr?.v6) this.v6.remove(cidr.words, cidr.prefix, value);
        else if (cidr) this.v4.remove(cidr.words[0], cidr.prefix, value);
        return;
      }
    }
  }

  /**
   * Values filed under the exact address, its domain or a parent domain; undefined when none. Read
   * only: when one list holds them all, it is the index's own.
   */
  matchAddress(address: NormalizedAddress): OneOrMore<T> | undefined {
    let found: OneOrMore<T> | undefined;
    if (this.emailCount > 0 && this.bloom.mayContain(address.hash)) {
      const entry = this.emailEntry(address.address, address.hash);
      if (entry !== undefined) found = entry.values;
    }
    // A sender's walk is asked for again (protected? trusted? restricted?); a recipient's seldom is.
    const nodes = this.slot === 'senders' || this.domains.mayHoldExempt(address) ? this.domains.walkAddress(address) : NOTHING;
    for (let i = 0; i < nodes.length; i++) {
      const hits = (this.slot === 'senders' ? nodes[i].senders : nodes[i].exempt) as OneOrMore<T> | undefined;
      if (hits !== undefined) found = found === undefined ? hits : listOf(found).concat(hits);
    }
    return found;
  }
}
