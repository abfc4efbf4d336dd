/**
 * One table of the domain names of every collection that names domains: sender and exempt-recipient
 * patterns, trusted, protected and restricted domains. A message's domain is looked up with each of
 * its suffixes (`a.b.example.com`, `b.example.com`, `example.com`), which finds the domain and every
 * parent in one walk.
 */
import { HASHED_LABELS, type NormalizedAddress } from '../address/address.js';
import { normalizeDomainPattern } from '../address/domain.js';
import { Bloom, HASH_BITS, HASH_SEED, hashStep, hashString } from '../bloom.js';
import type { EngineAllowPolicy, EngineDomain, EngineSendingDomainRestriction, EngineTrustedDomain } from '../settings.js';
import { addOne, removeOnes, type OneOrMore } from './one-or-more.js';
import type { SenderSetting } from './sender-setting.js';

const NOTHING: readonly never[] = Object.freeze([]);

export interface Restriction {
  record: EngineSendingDomainRestriction;
  /** `exclude` entries as full domains: `legacy` under `example.com` is `legacy.example.com`. */
  excludes: string[];
}

/** Trusted, protected and restricted domains: few, so kept apart from the sender and recipient patterns. */
interface DomainExtra {
  trusted?: EngineTrustedDomain[];
  protected?: EngineDomain[];
  restrictions?: Restriction[];
}

/** Everything filed under one domain name (one shape for all, so lookups read it in one way). */
export class DomainNode {
  senders: OneOrMore<SenderSetting> | undefined = undefined;
  exempt: OneOrMore<EngineAllowPolicy> | undefined = undefined;
  extra: DomainExtra | undefined = undefined;

  get trusted(): EngineTrustedDomain[] | undefined {
    return this.extra?.trusted;
  }

  get protected(): EngineDomain[] | undefined {
    return this.extra?.protected;
  }

  get restrictions(): Restriction[] | undefined {
    return this.extra?.restrictions;
  }

  constructor(
    readonly name: string,
    /** Labels in `name`. */
    readonly labels: number,
  ) {}

  /**
   * `name` is the last labels of the domain that ends `text` and is `domainLength` long (`text` is the
   * domain itself, or an address: reading the domain in place spares cutting it out).
   */
  ends(text: string, domainLength: number): boolean {
    const name = this.name;
    return (
      domainLength >= name.length &&
      text.endsWith(name) &&
      (domainLength === name.length || text.charCodeAt(text.length - name.length - 1) === 46)
    );
  }
}

type NodeList = 'senders' | 'exempt' | 'trusted' | 'protected' | 'restrictions';
/** What a node's list `K` holds. */
type NodeValue<K extends NodeList> = K extends 'senders'
  ? SenderSetting
  : K extends 'exempt'
    ? EngineAllowPolicy
    : NonNullable<DomainExtra[K & keyof DomainExtra]>[number];

function add<K extends NodeList>(node: DomainNode, key: K, value: NodeValue<K>): void {
  if (key === 'senders' || key === 'exempt') {
    const holder = node as unknown as Record<K, OneOrMore<NodeValue<K>> | undefined>;
    holder[key] = addOne(holder[key], value);
    return;
  }
  const holder = (node.extra ??= {}) as unknown as Record<K, unknown[] | undefined>;
  const list = holder[key];
  if (list) list.push(value);
  else holder[key] = [value];
}

/** Takes the items `is` picks out of one of a node's lists (the list goes when it is left empty). */
export function drop<K extends NodeList>(node: DomainNode, key: K, is: (item: NodeValue<K>) => boolean): void {
  if (key === 'senders' || key === 'exempt') {
    const holder = node as unknown as Record<K, OneOrMore<NodeValue<K>> | undefined>;
    holder[key] = removeOnes(holder[key], is);
    return;
  }
  const holder = node.extra as unknown as Record<K, unknown[] | undefined> | undefined;
  const list = holder?.[key];
  if (list === undefined) return;
  const kept = list.filter((item) => !is(item as never));
  holder![key] = kept.length > 0 ? kept : undefined;
}

/**
 * Domain names of every collection in one table, probed with each suffix of a message's domain
 * (`a.b.example.com`, `b.example.com`, `example.com`), which finds the domain and every parent. A
 * Bloom filter in front answers most probes: a message's addresses come with the hashes of their
 * domain's suffixes (`NormalizedAddress`), so a miss costs neither a slice nor a map probe. The walk
 * of an address is remembered on the address: one evaluation asks about the From domain several times.
 */
export class DomainTable {
  private readonly nodes = new Map<string, DomainNode>();
  /**
   * The nodes by `hashString(name) & HASH_BITS`: an address brings the hashes of its suffixes, so a
   * probe needs neither the suffix as a string nor hashing it again; the node then checks its name.
   */
  private readonly byHash = new Map<number, DomainNode | DomainNode[]>();
  /** No key has fewer labels than this: shorter suffixes (the TLD) need no probe. */
  private minLabels = Infinity;
  private bloom: Bloom = new Bloom(0);
  /**
   * The hashes of the nodes holding exempt-recipient patterns (`mayHoldExempt`): a recipient's domain
   * is usually a protected domain with no exempt pattern, which the walk would find and then, unless
   * the recipient's disposition is one its domain may drop, have no use for. A pattern taken out
   * leaves its bits.
   */
  private exemptBloom: Bloom = new Bloom(0);

  /** Nodes filed. A node left empty by a change stays: it only costs a probe that finds nothing. */
  private count = 0;
  private sealed = false;

  /**
   * Called once every domain is filed: builds the Bloom filter and the hash index, which is all
   * lookups use (the map by name is dropped).
   */
  seal(): void {
    this.bloom = new Bloom(this.nodes.size);
    let exempt = 0;
    for (const node of this.nodes.values()) if (node.exempt !== undefined) exempt++;
    this.exemptBloom = new Bloom(exempt);
    for (const node of this.nodes.values()) {
      this.index(node);
      if (node.exempt !== undefined) this.exemptBloom.add(hashString(node.name));
    }
    this.nodes.clear();
    this.sealed = true;
  }

  /** Files `value` in the list `key` of the node of `domain` (before or after `seal`). */
  file<K extends NodeList>(domain: string, key: K, value: NodeValue<K>): void {
    const node = this.node(domain);
    add(node, key, value);
    if (this.sealed && key === 'exempt') this.exemptBloom.add(hashString(domain));
  }

  /**
   * False when no node of the address's domain or its parents can hold an exempt-recipient pattern,
   * from the address's suffix hashes alone: the walk then need not be made for that lookup.
   */
  mayHoldExempt(address: NormalizedAddress): boolean {
    const labels = address.labels;
    if (labels === 0 || labels > HASHED_LABELS) return labels !== 0;
    const bloom = this.exemptBloom;
    for (let count = labels; count >= this.minLabels; count--) if (bloom.mayContain(address.suffixHash(count))) return true;
    return false;
  }

  /** Files a node in the hash index and the filter. */
  private index(node: DomainNode): void {
    const hash = hashString(node.name);
    this.bloom.add(hash);
    this.count++;
    // Hashes rarely collide: a node is kept as it is, a list only for a shared hash.
    const slot = hash & HASH_BITS;
    const present = this.byHash.get(slot);
    if (present === undefined) this.byHash.set(slot, node);
    else if (present instanceof DomainNode) this.byHash.set(slot, [present, node]);
    else present.push(node);
  }

  /** The node of the suffix of `labels` labels of the domain (see `DomainNode.ends`), whose hash is `hash` (`& HASH_BITS`). */
  private find(hash: number, text: string, domainLength: number, labels: number): DomainNode | undefined {
    const nodes = this.byHash.get(hash);
    if (nodes === undefined) return undefined;
    if (nodes instanceof DomainNode) return nodes.labels === labels && nodes.ends(text, domainLength) ? nodes : undefined;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (node.labels === labels && node.ends(text, domainLength)) return node;
    }
    return undefined;
  }

  get size(): number {
    return this.count;
  }

  /** The node of `domain`, made on first use (before or after `seal`). */
  private node(domain: string): DomainNode {
    let node = this.sealed ? this.lookup(domain) : this.nodes.get(domain);
    if (!node) {
      const labels = domain.split('.').length;
      node = new DomainNode(domain, labels);
      this.minLabels = Math.min(this.minLabels, labels);
      if (this.sealed) this.index(node);
      else this.nodes.set(domain, node);
    }
    return node;
  }

  /** The node of `domain` when one is filed (after `seal`). */
  private lookup(domain: string): DomainNode | undefined {
    return this.find(hashString(domain) & HASH_BITS, domain, domain.length, domain.split('.').length);
  }

  /** The node a domain pattern as stored (`normalizeDomainPattern`) was filed under, if any (after `seal`). */
  filedNode(pattern: string): DomainNode | undefined {
    const domain = normalizeDomainPattern(pattern);
    return domain === undefined ? undefined : this.lookup(domain);
  }

  /**
   * Right to left over `domain`: at each label boundary the running hash is the hash of that suffix,
   * so only suffixes the filter cannot rule out are looked up. For domains of more labels than
   * addresses carry hashes for.
   */
  private scan(domain: string): readonly DomainNode[] {
    let found: DomainNode[] | undefined;
    const bloom = this.bloom;
    let hash = HASH_SEED;
    let labels = 1;
    for (let i = domain.length - 1; i >= 0; i--) {
      hash = hashStep(hash, domain.charCodeAt(i));
      if (i > 0 && domain.charCodeAt(i - 1) !== 46) continue;
      if (labels >= this.minLabels && bloom.mayContain(hash)) {
        const node = this.find(hash & HASH_BITS, domain, domain.length, labels);
        // Found from the shortest suffix up; most specific first means inserting at the front.
        if (node !== undefined) found = found === undefined ? [node] : [node].concat(found);
      }
      labels++;
    }
    return found ?? NOTHING;
  }

  /**
   * Nodes of the address's domain and of its parents, most specific first: from the hashes the address
   * carries, and remembered on the address.
   */
  walkAddress(address: NormalizedAddress): readonly DomainNode[] {
    if (address.nodesOwner === this) return address.nodes as readonly DomainNode[];
    const labels = address.labels;
    let nodes: readonly DomainNode[] = NOTHING;
    if (labels === 0 || this.count === 0) {
      // No domain, or nothing to find.
    } else if (labels > HASHED_LABELS) {
      nodes = this.scan(address.domain);
    } else {
      const bloom = this.bloom;
      let found: DomainNode[] | undefined;
      // Most specific first: the whole domain, then its parents down to the shortest key.
      for (let count = labels; count >= this.minLabels; count--) {
        const hash = address.suffixHash(count);
        if (!bloom.mayContain(hash)) continue;
        const node = this.find(hash, address.address, address.domainLength, count);
        if (node !== undefined) found = found === undefined ? [node] : found.concat(node);
      }
      if (found !== undefined) nodes = found;
    }
    address.nodesOwner = this;
    address.nodes = nodes;
    return nodes;
  }
}
