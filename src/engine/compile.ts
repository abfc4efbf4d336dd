/**
 * Compiles an account's settings into in-memory indexes, so evaluating a message costs about the same
 * with a thousand settings as with a million:
 * - exact addresses in hash maps (lowercase, IDN domains in ASCII);
 * - one domain table for every collection that names domains (sender and recipient patterns, trusted,
 *   protected and restricted domains), probed with each suffix of a message's domain
 *   (`a.b.example.com`, `b.example.com`, `example.com`), which finds the domain and every parent;
 * - IPv4 and IPv6 blocks in prefix tables (a hash per prefix length);
 * - regexes in a `RegexIndex` per list (literal prefilter, then RE2 / `RE2.Set`);
 * - impersonation names by folded skeleton; protected domains' registrable names by their ends and
 *   one-deletion variants, for lookalikes, behind a filter that turns away most sender domains in one
 *   pass without allocating (`LookalikeIndex`, lookalike-index.ts).
 *
 * Evaluation is the hot path (see the README's "What made it fast"): Bloom filters answer most probes
 * from the hashes a message's addresses are read with, nothing is allocated for what does not match,
 * nothing is kept of a matched setting, and a sender domain's lookalike answer is kept.
 *
 * The result is safe to share between requests (evaluation is synchronous); compile again after any
 * write to the account's settings.
 *
 * @example
 *   const compiled = compileSettings({ allow_policies, block_senders, trusted_domains,
 *     impersonation_registry, domains, sending_domain_restrictions });
 *   const verdict = evaluate(compiled, message);
 */
import type RE2 from 're2';
import { type Matcher, type SenderHit, type SenderMatches } from './evaluate.js';
import { Bloom, HASH_BITS, HASH_SEED, hashStep, hashString } from './bloom.js';
import { Ipv4PrefixTable, Ipv6PrefixTable } from './ip-trie.js';
import { LookalikeIndex } from './lookalike-index.js';
import {
  compileRegex,
  HASHED_LABELS,
  isWithin,
  normalizeDomainPattern,
  normalizeEmailPattern,
  parseCidr,
  patternKind,
  unicodeDomain,
  type NormalizedAddress,
  type PreparedMessage,
  type RegexField,
} from './normalize.js';
import { RegexIndex } from './regex-index.js';
import { FOLD_HASH_EMPTY, FOLD_HASH_UNKNOWN, foldKey, foldKeyHash } from './skeleton/skeleton.js';
import type {
  AccountSettings,
  Disposition,
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
  ResourceName,
} from './types.js';

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const NOTHING: readonly never[] = Object.freeze([]);
const NO_SENDER_MATCHES: SenderMatches = Object.freeze({ blocked: NOTHING, allowed: NOTHING });

/**
 * A blocked sender or an allow policy as the sender index holds it. Nothing is kept on it between
 * evaluations: a hit, its candidate and the texts naming it are made afresh (see the README's "What
 * made it fast"). A copy of the fields the rules read, in place of `record`, made hits about 7% faster at
 * 100k settings but the compiled settings 25% bigger (sixth session; 4% and 28% in the seventh): not
 * kept.
 */
class SenderSetting {
  constructor(
    /** A blocked sender (else an allow policy). */
    readonly blocked: boolean,
    readonly record: EngineBlockedSender | EngineAllowPolicy,
  ) {}
}

interface SenderHits {
  blocked: readonly SenderHit<EngineBlockedSender>[];
  allowed: readonly SenderHit<EngineAllowPolicy>[];
}

/** Appends to a list this module made, or starts one when it is the shared empty list. */
function append<T>(list: readonly T[], item: T): readonly T[] {
  if (list.length === 0) return [item];
  (list as T[]).push(item);
  return list;
}

/**
 * What one key of an index holds: its value, or an array when it holds more than one. Nearly every key
 * holds one, and an array for each made the compiled settings 19% bigger (26.2 instead of 22.0 MB at
 * 100k settings; seventh session). Evaluation runs at the same speed either way.
 */
type OneOrMore<T> = T | T[];

/** `present` with `value` added (an array from the second value on). Values are never arrays. */
function addOne<T>(present: OneOrMore<T> | undefined, value: T): OneOrMore<T> {
  if (present === undefined) return value;
  if (Array.isArray(present)) {
    present.push(value);
    return present;
  }
  return [present, value];
}

/** `present` without the values `is` picks out; undefined when none is left. */
function removeOnes<T>(present: OneOrMore<T> | undefined, is: (value: T) => boolean): OneOrMore<T> | undefined {
  if (present === undefined) return undefined;
  if (!Array.isArray(present)) return is(present) ? undefined : present;
  const kept = present.filter((value) => !is(value));
  return kept.length === 0 ? undefined : kept.length === 1 ? kept[0] : kept;
}

/** The values as a list (the index's own array when there are several: read only). */
function listOf<T>(values: OneOrMore<T>): readonly T[] {
  return Array.isArray(values) ? values : [values];
}

/** Adds a setting matched on `field` to the hit lists (created on the first hit). */
function emitOne(hits: SenderHits | undefined, setting: SenderSetting, field: RegexField): SenderHits {
  hits ??= { blocked: NOTHING, allowed: NOTHING };
  // Made afresh: a young object costs less than reading back one kept from an earlier evaluation.
  if (setting.blocked) hits.blocked = append(hits.blocked, { record: setting.record as EngineBlockedSender, field, texts: undefined });
  else hits.allowed = append(hits.allowed, { record: setting.record as EngineAllowPolicy, field, texts: undefined });
  return hits;
}

/** Adds the settings matched on `field` to the hit lists. */
function emit(hits: SenderHits | undefined, settings: OneOrMore<SenderSetting>, field: RegexField): SenderHits | undefined {
  if (!Array.isArray(settings)) return emitOne(hits, settings, field);
  for (let i = 0; i < settings.length; i++) hits = emitOne(hits, settings[i], field);
  return hits;
}

interface Restriction {
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
class DomainNode {
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
type NodeValue<K extends NodeList> = K extends 'senders' ? SenderSetting : K extends 'exempt' ? EngineAllowPolicy : NonNullable<DomainExtra[K & keyof DomainExtra]>[number];

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
function drop<K extends NodeList>(node: DomainNode, key: K, is: (item: NodeValue<K>) => boolean): void {
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
class DomainTable {
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

/** The values filed under one exact address; `next` chains addresses whose hashes collide. */
interface EmailEntry<T> {
  readonly address: string;
  values: OneOrMore<T> | undefined;
  next: EmailEntry<T> | undefined;
}

/** Exact addresses, CIDR blocks and regexes of one list of patterns; its domains go to the shared table. */
class PatternIndex<T> {
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
      for (let entry: EmailEntry<T> | undefined = entries; entry !== undefined; entry = entry.next) this.bloom.add(hashString(entry.address));
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

/** Exclusions of a sending domain restriction as full, normalized domains. */
export function restrictionExcludes(restriction: EngineSendingDomainRestriction, domain: string): string[] {
  const excludes: string[] = [];
  for (const entry of restriction.exclude) {
    const normalized = normalizeDomainPattern(entry);
    if (normalized) excludes.push(isWithin(normalized, domain) ? normalized : `${normalized}.${domain}`);
  }
  return excludes;
}

/** Whether an impersonation entry's email (exact address, or a regex) matches the From address. */
export function registeredAddressMatcher(entry: EngineDisplayName): (from: NormalizedAddress) => boolean {
  if (entry.is_email_regex) {
    const regex: RE2 | undefined = compileRegex(entry.email);
    return regex ? (from) => regex.test(from.raw) : () => false;
  }
  const address = normalizeEmailPattern(entry.email);
  return address ? (from) => from.address === address : () => false;
}

/** A record of any collection. */
type AnyRecord = AccountSettings[ResourceName][number];

/** Collections in the order they are compiled (and their unusable patterns listed). */
export const COLLECTIONS: readonly ResourceName[] = [
  'block_senders',
  'allow_policies',
  'trusted_domains',
  'impersonation_registry',
  'domains',
  'sending_domain_restrictions',
];

/**
 * A committed change to one record, as the settings API audits it: `before` and `after` in the API's
 * form (`after` for creates and updates, `before` for updates and deletes).
 */
export interface SettingsChange {
  resource: ResourceName;
  action: 'create' | 'update' | 'delete';
  id: number;
  before?: AnyRecord;
  after?: AnyRecord;
}

/** Two versions of a record are the same when their API forms are (`last_modified` moves on every update). */
function sameVersion(a: AnyRecord, b: AnyRecord): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

class CompiledMatcher implements Matcher {
  readonly domainTable = new DomainTable();
  readonly senders = new PatternIndex<SenderSetting>(this.domainTable, 'senders');
  readonly exempt = new PatternIndex<EngineAllowPolicy>(this.domainTable, 'exempt');
  /** Built again on its next lookup after a change. */
  readonly trustedRegexes = new RegexIndex<EngineTrustedDomain>();
  readonly names = new Map<string, EngineDisplayName[]>();
  /** `hashString` of every key of `names` (a key whose last entry went keeps its bits). */
  private nameBloom = new Bloom(0);
  readonly registered = new Map<EngineDisplayName, (from: NormalizedAddress) => boolean>();
  /** Made again after every change to the protected domains (few, and its caches hold their answers). */
  private lookalikeIndex = new LookalikeIndex();
  private droppedMask = 0;
  private dropped = new Set<string>();
  /** Every record compiled in, by collection and id: what a change checks against and takes out. */
  private readonly records = new Map<ResourceName, Map<number, AnyRecord>>(COLLECTIONS.map((name) => [name, new Map()]));
  /** The setting filed in the sender index for each blocked sender and sender-side allow policy. */
  private readonly senderSettings = new Map<AnyRecord, SenderSetting>();
  /** Patterns that can never match, by record. */
  private readonly unusableByRecord = new Map<AnyRecord, UnusablePattern>();
  private sealed = false;

  constructor(settings: AccountSettings) {
    for (const resource of COLLECTIONS) for (const record of settings[resource]) this.insert(resource, record);
    this.senders.seal();
    this.exempt.seal();
    this.trustedRegexes.build();
    this.nameBloom = new Bloom(this.names.size);
    for (const key of this.names.keys()) this.nameBloom.add(hashString(key));
    this.domainTable.seal();
    this.sealed = true;
    this.protectedDomainsChanged();
  }

  get unusable(): UnusablePattern[] {
    return [...this.unusableByRecord.values()];
  }

  /** How many records of each collection are compiled in. */
  counts(): Record<ResourceName, number> {
    return Object.fromEntries(COLLECTIONS.map((name) => [name, this.records.get(name)!.size])) as Record<ResourceName, number>;
  }

  /**
   * Applies committed changes in place, all or none. False, with nothing applied, when they do not
   * follow from what is compiled (a create of an id already here, an update or delete of a version
   * that is not the one here: changes applied out of order); the caller then compiles afresh.
   */
  apply(changes: readonly SettingsChange[]): boolean {
    // Checked first against a view of the records as the changes go, so a refusal changes nothing.
    const view = new Map<string, AnyRecord | null>();
    for (const change of changes) {
      const key = `${change.resource}:${change.id}`;
      const held = view.has(key) ? view.get(key) : this.records.get(change.resource)?.get(change.id);
      if (!this.records.has(change.resource)) return false;
      if (change.action === 'create' ? held != null || !change.after : held == null || !change.before || !sameVersion(held, change.before)) {
        return false;
      }
      if (change.action !== 'delete' && (!change.after || change.after.id !== change.id)) return false;
      view.set(key, change.action === 'delete' ? null : change.after!);
    }
    let domainsChanged = false;
    for (const change of changes) {
      if (change.action !== 'create') this.remove(change.resource, this.records.get(change.resource)!.get(change.id)!);
      if (change.action !== 'delete') this.insert(change.resource, change.after!);
      domainsChanged ||= change.resource === 'domains';
    }
    if (domainsChanged) this.protectedDomainsChanged();
    return true;
  }

  /** Files one record (before or after the indexes are sealed). */
  private insert(resource: ResourceName, record: AnyRecord): void {
    this.records.get(resource)!.set(record.id, record);
    let usable = true;
    switch (resource) {
      case 'block_senders': {
        const blocked = record as EngineBlockedSender;
        const setting = new SenderSetting(true, blocked);
        this.senderSettings.set(record, setting);
        usable = this.senders.add(blocked.pattern, blocked.pattern_type, blocked.is_regex, setting);
        break;
      }
      case 'allow_policies': {
        const policy = record as EngineAllowPolicy;
        if (policy.is_trusted_sender || policy.is_acceptable_sender) {
          const setting = new SenderSetting(false, policy);
          this.senderSettings.set(record, setting);
          usable = this.senders.add(policy.pattern, policy.pattern_type, policy.is_regex, setting);
        }
        if (policy.is_exempt_recipient) usable = this.exempt.add(policy.pattern, policy.pattern_type, policy.is_regex, policy) && usable;
        break;
      }
      case 'trusted_domains': {
        const trusted = record as EngineTrustedDomain;
        if (trusted.is_regex) {
          usable = this.trustedRegexes.add(trusted.pattern, trusted);
        } else {
          const domain = normalizeDomainPattern(trusted.pattern);
          if (domain) this.domainTable.file(domain, 'trusted', trusted);
          usable = domain !== undefined;
        }
        break;
      }
      case 'impersonation_registry': {
        const entry = record as EngineDisplayName;
        const key = foldKey(entry.name);
        if (key === '') break;
        push(this.names, key, entry);
        this.registered.set(entry, registeredAddressMatcher(entry));
        if (this.sealed) this.nameBloom.add(hashString(key));
        break;
      }
      case 'domains': {
        const protectedDomain = record as EngineDomain;
        const domain = normalizeDomainPattern(protectedDomain.domain);
        if (domain) this.domainTable.file(domain, 'protected', protectedDomain);
        break;
      }
      case 'sending_domain_restrictions': {
        const restriction = record as EngineSendingDomainRestriction;
        const domain = normalizeDomainPattern(restriction.domain);
        if (domain) this.domainTable.file(domain, 'restrictions', { record: restriction, excludes: restrictionExcludes(restriction, domain) });
        break;
      }
    }
    if (!usable) {
      const pattern = (record as EngineBlockedSender | EngineAllowPolicy | EngineTrustedDomain).pattern;
      this.unusableByRecord.set(record, { resource, id: record.id, pattern });
    }
  }

  /** Takes out a record filed with `insert` (after the indexes are sealed). */
  private remove(resource: ResourceName, record: AnyRecord): void {
    this.records.get(resource)!.delete(record.id);
    this.unusableByRecord.delete(record);
    switch (resource) {
      case 'block_senders':
      case 'allow_policies': {
        const { pattern, pattern_type, is_regex } = record as EngineBlockedSender | EngineAllowPolicy;
        const setting = this.senderSettings.get(record);
        if (setting !== undefined) this.senders.remove(pattern, pattern_type, is_regex, setting);
        this.senderSettings.delete(record);
        if (resource === 'allow_policies' && (record as EngineAllowPolicy).is_exempt_recipient) {
          this.exempt.remove(pattern, pattern_type, is_regex, record as EngineAllowPolicy);
        }
        break;
      }
      case 'trusted_domains': {
        const trusted = record as EngineTrustedDomain;
        if (trusted.is_regex) {
          this.trustedRegexes.remove(trusted);
        } else {
          const node = this.domainTable.filedNode(trusted.pattern);
          if (node !== undefined) drop(node, 'trusted', (item) => item === trusted);
        }
        break;
      }
      case 'impersonation_registry': {
        const entry = record as EngineDisplayName;
        const key = foldKey(entry.name);
        const list = this.names.get(key)?.filter((item) => item !== entry);
        if (list === undefined || list.length === 0) this.names.delete(key);
        else this.names.set(key, list);
        this.registered.delete(entry);
        break;
      }
      case 'domains':
      case 'sending_domain_restrictions': {
        const node = this.domainTable.filedNode((record as EngineDomain | EngineSendingDomainRestriction).domain);
        if (node === undefined) break;
        if (resource === 'domains') drop(node, 'protected', (item) => item === record);
        else drop(node, 'restrictions', (item) => item.record === record);
        break;
      }
    }
  }

  /** The lookalike index and the drop dispositions, from the protected domains compiled in now. */
  private protectedDomainsChanged(): void {
    const lookalikes = new LookalikeIndex();
    const dropped = new Set<string>();
    for (const record of this.records.get('domains')!.values() as Iterable<EngineDomain>) {
      const domain = normalizeDomainPattern(record.domain);
      if (!domain) continue;
      for (const disposition of record.drop_dispositions) dropped.add(disposition);
      lookalikes.add(record, domain);
    }
    lookalikes.seal();
    this.lookalikeIndex = lookalikes;
    this.dropped = dropped;
    this.droppedMask = 0;
    for (const disposition of dropped) this.droppedMask |= dispositionBit(disposition);
  }

  senderMatches(message: PreparedMessage): SenderMatches {
    // Most messages match nothing: the hit lists are only allocated once something matches.
    const index = this.senders;
    let hits: SenderHits | undefined;
    // The envelope sender and the header From are often the same address: look it up once.
    const envelope = message.envelope;
    const from = message.from;
    const replyTo = message.replyTo;
    const envelopeEntries = envelope === undefined ? undefined : index.matchAddress(envelope);
    if (envelopeEntries !== undefined) hits = emit(hits, envelopeEntries, 'envelope_from');
    let fromEntries: OneOrMore<SenderSetting> | undefined;
    if (from !== undefined) {
      fromEntries = envelope !== undefined && envelope.address === from.address ? envelopeEntries : index.matchAddress(from);
      if (fromEntries !== undefined) hits = emit(hits, fromEntries, 'from');
    }
    if (replyTo !== undefined) {
      const entries =
        from !== undefined && from.address === replyTo.address
          ? fromEntries
          : envelope !== undefined && envelope.address === replyTo.address
            ? envelopeEntries
            : index.matchAddress(replyTo);
      if (entries !== undefined) hits = emit(hits, entries, 'reply_to');
    }
    const entries =
      message.ipv4 >= 0 ? index.v4.find(message.ipv4, undefined) : message.ipv6 !== undefined ? index.v6.find(message.ipv6, undefined) : undefined;
    if (entries !== undefined) hits = emit(hits, entries, 'sending_ip');
    if (index.regexes.size > 0) hits = this.senderRegexes(message, hits);
    return hits === undefined ? NO_SENDER_MATCHES : hits;
  }

  /**
   * Sender regexes against each sender field as given (`PreparedMessage.regexInputs`, read here
   * without building that list). The envelope sender is usually the From address: matched once.
   */
  private senderRegexes(message: PreparedMessage, hits: SenderHits | undefined): SenderHits | undefined {
    const regexes = this.senders.regexes;
    const envelope = message.envelope;
    const from = message.from;
    const replyTo = message.replyTo;
    const envelopeFound = envelope === undefined ? undefined : regexes.find(envelope.raw, undefined);
    if (envelopeFound !== undefined) hits = emit(hits, envelopeFound, 'envelope_from');
    let fromFound: SenderSetting[] | undefined;
    if (from !== undefined) {
      fromFound = envelope !== undefined && envelope.raw === from.raw ? envelopeFound : regexes.find(from.raw, undefined);
      if (fromFound !== undefined) hits = emit(hits, fromFound, 'from');
    }
    if (replyTo !== undefined) {
      const found =
        from !== undefined && from.raw === replyTo.raw
          ? fromFound
          : envelope !== undefined && envelope.raw === replyTo.raw
            ? envelopeFound
            : regexes.find(replyTo.raw, undefined);
      if (found !== undefined) hits = emit(hits, found, 'reply_to');
    }
    const ip = message.message.sending_ip?.trim();
    if (ip) {
      const found = regexes.find(ip, undefined);
      if (found !== undefined) hits = emit(hits, found, 'sending_ip');
    }
    const helo = message.message.helo?.trim();
    if (helo) {
      const found = regexes.find(helo, undefined);
      if (found !== undefined) hits = emit(hits, found, 'helo');
    }
    return hits;
  }

  exemptPolicies(recipient: NormalizedAddress): readonly EngineAllowPolicy[] {
    const one = this.exempt.matchAddress(recipient);
    const matched = one === undefined ? undefined : listOf(one);
    let policies: readonly EngineAllowPolicy[] | undefined = matched;
    if (this.exempt.regexes.size > 0) {
      const byRegex = this.exempt.regexes.find(recipient.raw, undefined);
      if (byRegex !== undefined) policies = matched === undefined ? byRegex : matched.concat(byRegex);
    }
    return policies ?? NOTHING;
  }

  displayNames(fromName: string): readonly EngineDisplayName[] {
    if (this.names.size === 0) return NOTHING;
    // Most display names are no registered name: the hash of the folded name, checked against a
    // filter of the registry's keys, says so without folding the name into a string.
    const hash = foldKeyHash(fromName);
    if (hash === FOLD_HASH_EMPTY || (hash !== FOLD_HASH_UNKNOWN && !this.nameBloom.mayContain(hash))) return NOTHING;
    const key = foldKey(fromName);
    return key === '' ? NOTHING : (this.names.get(key) ?? NOTHING);
  }

  isRegisteredAddress(entry: EngineDisplayName, from: NormalizedAddress): boolean {
    return this.registered.get(entry)?.(from) ?? false;
  }

  isProtected(address: NormalizedAddress): boolean {
    const nodes = this.domainTable.walkAddress(address);
    for (let i = 0; i < nodes.length; i++) if (nodes[i].protected !== undefined) return true;
    return false;
  }

  lookalikes(address: NormalizedAddress): readonly EngineDomain[] {
    return this.lookalikeIndex.find(address);
  }

  trustedDomains(address: NormalizedAddress, flag: 'is_recent' | 'is_similarity'): readonly EngineTrustedDomain[] {
    const nodes = this.domainTable.walkAddress(address);
    if (this.trustedRegexes.size === 0) {
      let any = false;
      for (let i = 0; i < nodes.length && !any; i++) any = nodes[i].trusted !== undefined;
      if (!any) return NOTHING;
    }
    const found = new Set<EngineTrustedDomain>();
    for (const node of nodes) {
      if (node.trusted) for (const trusted of node.trusted) if (trusted[flag]) found.add(trusted);
    }
    if (this.trustedRegexes.size > 0) {
      const onTrusted = (trusted: EngineTrustedDomain) => {
        if (trusted[flag]) found.add(trusted);
      };
      const domain = address.domain;
      this.trustedRegexes.match(domain, onTrusted);
      const unicode = unicodeDomain(domain);
      if (unicode !== domain) this.trustedRegexes.match(unicode, onTrusted);
    }
    return found.size === 0 ? NOTHING : [...found];
  }

  restrictions(address: NormalizedAddress): readonly EngineSendingDomainRestriction[] {
    let found: EngineSendingDomainRestriction[] | undefined;
    const domain = address.domain;
    for (const node of this.domainTable.walkAddress(address)) {
      if (!node.restrictions) continue;
      for (const restriction of node.restrictions) {
        if (!restriction.excludes.some((excluded) => isWithin(domain, excluded))) (found ??= []).push(restriction.record);
      }
    }
    return found ?? NOTHING;
  }

  recipientDomain(address: NormalizedAddress): EngineDomain | undefined {
    const nodes = this.domainTable.walkAddress(address);
    for (let i = 0; i < nodes.length; i++) {
      const records = nodes[i].protected;
      if (records === undefined) continue;
      let best = records[0];
      for (let j = 1; j < records.length; j++) if (records[j].id < best.id) best = records[j];
      return best;
    }
    return undefined;
  }

  mayDrop(disposition: Disposition): boolean {
    // One bit per disposition (`dropped` as a mask): asked for every recipient.
    const bit = dispositionBit(disposition);
    return bit === 0 ? this.dropped.has(disposition) : (this.droppedMask & bit) !== 0;
  }
}

/** A bit of its own for each disposition (0 for anything else). */
function dispositionBit(disposition: string): number {
  switch (disposition) {
    case 'MALICIOUS':
      return 1;
    case 'MALICIOUS-BEC':
      return 2;
    case 'SUSPICIOUS':
      return 4;
    case 'SPOOF':
      return 8;
    case 'SPAM':
      return 16;
    case 'BULK':
      return 32;
    case 'NONE':
      return 64;
    default:
      return 0;
  }
}

/** A stored pattern that can never match (not valid for its type, or a regex RE2 cannot run). */
export interface UnusablePattern {
  resource: keyof AccountSettings;
  id: number;
  pattern: string;
}

/** Settings compiled for evaluation; build with `compileSettings`, use with `evaluate`. */
export interface CompiledSettings {
  readonly matcher: Matcher;
  /** How many records of each collection are compiled in. */
  readonly counts: Readonly<Record<keyof AccountSettings, number>>;
  /** Patterns that can never match; the API validates patterns, so only legacy data should land here. */
  readonly unusable: readonly UnusablePattern[];
  /**
   * Applies committed changes of the account's settings in place, so the next evaluation sees them
   * without compiling everything again; all or none. False (nothing applied) when the changes do not
   * follow from what is compiled, such as two transactions' changes arriving out of order: compile
   * afresh then.
   */
  apply(changes: readonly SettingsChange[]): boolean;
}

/** Builds the indexes for one account's settings (see the module comment). */
export function compileSettings(settings: AccountSettings): CompiledSettings {
  const matcher = new CompiledMatcher(settings);
  return {
    matcher,
    get counts() {
      return matcher.counts();
    },
    get unusable() {
      return matcher.unusable;
    },
    apply: (changes) => matcher.apply(changes),
  };
}
