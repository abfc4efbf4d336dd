/**
 * Compiles an account's settings into in-memory indexes, so evaluating a message costs about the same
 * with a thousand settings as with a million:
 * - exact addresses in hash maps (lowercase, IDN domains in ASCII);
 * - one domain table for every collection that names domains (sender and recipient patterns, trusted,
 *   protected and restricted domains), probed with each suffix of a message's domain
 *   (`a.b.example.com`, `b.example.com`, `example.com`), which finds the domain and every parent;
 * - IPv4 blocks in a prefix table (a hash per prefix length), IPv6 blocks in a binary trie;
 * - regexes in a `RegexIndex` per list (literal prefilter, then RE2 / `RE2.Set`);
 * - impersonation names by folded skeleton; protected domains' registrable names by their ends and
 *   one-deletion variants, for lookalikes.
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
import type { Matcher, SenderHit, SenderMatches } from './evaluate.js';
import { Bloom, BLOOM_THRESHOLD, HASH_SEED, hashStep, hashString } from './bloom.js';
import { IpTrie, Ipv4PrefixTable } from './ip-trie.js';
import { foldedLabels, imitates, length, profileDomain, type DomainProfile } from './lookalike.js';
import {
  compileRegex,
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
import { foldKey } from './skeleton/skeleton.js';
import type {
  AccountSettings,
  Disposition,
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
} from './types.js';

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const NOTHING: readonly never[] = Object.freeze([]);
const NO_SENDER_MATCHES: SenderMatches = Object.freeze({ blocked: NOTHING, allowed: NOTHING });

/** One sender-side setting: a blocked sender, or an allow policy acting as trusted/acceptable sender. */
interface SenderEntry {
  blocked: EngineBlockedSender | undefined;
  allowed: EngineAllowPolicy | undefined;
}

interface Restriction {
  record: EngineSendingDomainRestriction;
  /** `exclude` entries as full domains: `legacy` under `example.com` is `legacy.example.com`. */
  excludes: string[];
}

/** Everything filed under one domain name. */
interface DomainNode {
  senders?: SenderEntry[];
  exempt?: EngineAllowPolicy[];
  trusted?: EngineTrustedDomain[];
  protected?: EngineDomain[];
  restrictions?: Restriction[];
}

function add<K extends keyof DomainNode>(node: DomainNode, key: K, value: NonNullable<DomainNode[K]>[number]): void {
  const list = node[key] as unknown[] | undefined;
  if (list) list.push(value);
  else (node[key] as unknown[]) = [value];
}

const WALK_MEMO = 8;

/**
 * Domain names of every collection in one hash map. A message's domains (From, envelope, recipients)
 * are each walked once, from the full name up its parents, and the walk is remembered for the next
 * few lookups: one evaluation asks about the From domain four or five times.
 */
class DomainTable {
  private readonly nodes = new Map<string, DomainNode>();
  /** No key has fewer labels than this: shorter suffixes (the TLD) need no probe. */
  private minLabels = Infinity;
  private readonly memoDomains: string[] = [];
  private readonly memoNodes: DomainNode[][] = [];
  private memoNext = 0;
  private bloom: Bloom | undefined;

  /**
   * Called once every domain is filed. The table always gets a Bloom filter: hashing the suffixes in
   * one pass costs about what hashing the sliced suffixes for the map would, and misses (most
   * suffixes of most domains) then cost neither a slice nor a map probe.
   */
  seal(): void {
    this.bloom = new Bloom(this.nodes.size);
    for (const key of this.nodes.keys()) this.bloom.add(hashString(key));
  }

  node(domain: string): DomainNode {
    let node = this.nodes.get(domain);
    if (!node) {
      node = {};
      this.nodes.set(domain, node);
      this.minLabels = Math.min(this.minLabels, domain.split('.').length);
    }
    return node;
  }

  /** Nodes of `domain` and of its parents, most specific first. */
  walk(domain: string): readonly DomainNode[] {
    if (this.nodes.size === 0 || domain === '') return NOTHING;
    const memo = this.memoDomains.indexOf(domain);
    if (memo >= 0) return this.memoNodes[memo];
    let found: DomainNode[] | undefined;
    const bloom = this.bloom!;
    // Right to left: at each label boundary the running hash is the hash of that suffix, so only
    // suffixes the filter cannot rule out are cut out of the string and looked up.
    let hash = HASH_SEED;
    let labels = 1;
    for (let i = domain.length - 1; i >= 0; i--) {
      hash = hashStep(hash, domain.charCodeAt(i));
      if (i > 0 && domain.charCodeAt(i - 1) !== 46) continue;
      if (labels >= this.minLabels && bloom.mayContain(hash)) {
        const node = this.nodes.get(i === 0 ? domain : domain.slice(i));
        // Found from the shortest suffix up; most specific first means inserting at the front.
        if (node !== undefined) (found ??= []).unshift(node);
      }
      labels++;
    }
    const nodes = found ?? NOTHING;
    this.memoDomains[this.memoNext] = domain;
    this.memoNodes[this.memoNext] = nodes as DomainNode[];
    this.memoNext = (this.memoNext + 1) % WALK_MEMO;
    return nodes;
  }
}

/** Exact addresses, CIDR blocks and regexes of one list of patterns; its domains go to the shared table. */
class PatternIndex<T> {
  readonly emails = new Map<string, T[]>();
  readonly v4 = new Ipv4PrefixTable<T>();
  readonly v6 = new IpTrie<T>();
  readonly regexes = new RegexIndex<T>();
  private bloom: Bloom | undefined;

  constructor(
    private readonly domains: DomainTable,
    private readonly slot: 'senders' | 'exempt',
  ) {}

  /** Called once every pattern is filed: builds the regex index, and a Bloom filter for many addresses. */
  seal(): void {
    this.regexes.build();
    this.v4.seal();
    if (this.emails.size < BLOOM_THRESHOLD) return;
    this.bloom = new Bloom(this.emails.size);
    for (const key of this.emails.keys()) this.bloom.add(hashString(key));
  }

  /** Files a pattern; false when it can never match (invalid for its type, or a regex RE2 rejects). */
  add(pattern: string, patternType: string, isRegex: boolean, value: T): boolean {
    if (isRegex) return this.regexes.add(pattern, value);
    switch (patternKind(patternType, pattern)) {
      case 'EMAIL': {
        const address = normalizeEmailPattern(pattern);
        if (address) push(this.emails, address, value);
        return address !== undefined;
      }
      case 'DOMAIN': {
        const domain = normalizeDomainPattern(pattern);
        if (domain) add(this.domains.node(domain), this.slot, value as never);
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

  /** Values filed under the exact address, its domain or a parent domain; undefined when none. */
  matchAddress(address: NormalizedAddress): T[] | undefined {
    let found: T[] | undefined;
    const exact =
      this.bloom === undefined || this.bloom.mayContain(hashString(address.address)) ? this.emails.get(address.address) : undefined;
    if (exact !== undefined) found = [...exact];
    for (const node of this.domains.walk(address.domain)) {
      const hits = node[this.slot] as T[] | undefined;
      if (hits !== undefined) {
        if (found === undefined) found = [...hits];
        else for (const hit of hits) found.push(hit);
      }
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

interface ProtectedEntry {
  record: EngineDomain;
  profile: DomainProfile;
}

/** From this length on, a name one edit away keeps its first three or its last three characters. */
const LONG_NAME = 7;

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
  private shortest = Infinity;
  private longestShort = -1;

  add(label: string, index: number): void {
    const chars = Array.from(label);
    this.shortest = Math.min(this.shortest, chars.length);
    if (chars.length >= LONG_NAME) {
      push(this.ends, `<${chars.slice(0, 3).join('')}`, index);
      push(this.ends, `>${chars.slice(-3).join('')}`, index);
      return;
    }
    this.longestShort = Math.max(this.longestShort, chars.length);
    const variants = new Set([label]);
    for (let i = 0; i < chars.length; i++) variants.add(chars.slice(0, i).join('') + chars.slice(i + 1).join(''));
    for (const variant of variants) push(this.variants, variant, index);
  }

  /** Adds to `out` the protected entries that may be within one edit of `label`. */
  candidates(label: string, out: Set<number>): void {
    const size = length(label);
    if (size < this.shortest - 1) return;
    const addAll = (hits: number[] | undefined) => {
      if (hits !== undefined) for (const hit of hits) out.add(hit);
    };
    const chars = size === label.length ? undefined : Array.from(label);
    if (this.ends.size > 0 && size >= LONG_NAME - 1) {
      addAll(this.ends.get(`<${chars ? chars.slice(0, 3).join('') : label.slice(0, 3)}`));
      addAll(this.ends.get(`>${chars ? chars.slice(-3).join('') : label.slice(-3)}`));
    }
    if (this.variants.size > 0 && size <= this.longestShort + 1) {
      addAll(this.variants.get(label));
      const units = chars ?? label;
      for (let i = 0; i < units.length; i++) {
        addAll(this.variants.get(chars ? chars.slice(0, i).join('') + chars.slice(i + 1).join('') : label.slice(0, i) + label.slice(i + 1)));
      }
    }
  }
}

const LOOKALIKE_CACHE_LIMIT = 16_384;
const RECIPIENT_CACHE_LIMIT = 16_384;

class CompiledMatcher implements Matcher {
  readonly domainTable = new DomainTable();
  readonly senders = new PatternIndex<SenderEntry>(this.domainTable, 'senders');
  readonly exempt = new PatternIndex<EngineAllowPolicy>(this.domainTable, 'exempt');
  readonly trustedRegexes = new RegexIndex<EngineTrustedDomain>();
  readonly names = new Map<string, EngineDisplayName[]>();
  readonly registered = new Map<EngineDisplayName, (from: NormalizedAddress) => boolean>();
  readonly protectedEntries: ProtectedEntry[] = [];
  readonly protectedNames = new NameIndex();
  readonly dropped = new Set<string>();
  readonly unusable: UnusablePattern[] = [];
  /** Sender domains repeat a lot; their lookalike answer is cached (bounded, cleared when full). */
  private readonly lookalikeCache = new Map<string, readonly EngineDomain[]>();
  /** So do recipients (the organisation's mailboxes): their exemptions are cached the same way. */
  private readonly exemptCache = new Map<string, readonly EngineAllowPolicy[]>();

  constructor(settings: AccountSettings) {
    const unusable = (resource: keyof AccountSettings, record: { id: number; pattern: string }) =>
      this.unusable.push({ resource, id: record.id, pattern: record.pattern });
    for (const record of settings.block_senders) {
      const entry = { blocked: record, allowed: undefined };
      if (!this.senders.add(record.pattern, record.pattern_type, record.is_regex, entry)) unusable('block_senders', record);
    }
    for (const policy of settings.allow_policies) {
      let usable = true;
      if (policy.is_trusted_sender || policy.is_acceptable_sender) {
        const entry = { blocked: undefined, allowed: policy };
        usable = this.senders.add(policy.pattern, policy.pattern_type, policy.is_regex, entry);
      }
      if (policy.is_exempt_recipient) {
        usable = this.exempt.add(policy.pattern, policy.pattern_type, policy.is_regex, policy) && usable;
      }
      if (!usable) unusable('allow_policies', policy);
    }
    this.senders.seal();
    this.exempt.seal();

    for (const trusted of settings.trusted_domains) {
      if (trusted.is_regex) {
        if (!this.trustedRegexes.add(trusted.pattern, trusted)) unusable('trusted_domains', trusted);
      } else {
        const domain = normalizeDomainPattern(trusted.pattern);
        if (domain) add(this.domainTable.node(domain), 'trusted', trusted);
        else unusable('trusted_domains', trusted);
      }
    }
    this.trustedRegexes.build();

    for (const entry of settings.impersonation_registry) {
      const key = foldKey(entry.name);
      if (key === '') continue;
      push(this.names, key, entry);
      this.registered.set(entry, registeredAddressMatcher(entry));
    }

    for (const record of settings.domains) {
      const domain = normalizeDomainPattern(record.domain);
      if (!domain) continue;
      add(this.domainTable.node(domain), 'protected', record);
      for (const disposition of record.drop_dispositions) this.dropped.add(disposition);
      const profile = profileDomain(domain);
      if (profile) this.protectedNames.add(profile.label, this.protectedEntries.push({ record, profile }) - 1);
    }

    for (const record of settings.sending_domain_restrictions) {
      const domain = normalizeDomainPattern(record.domain);
      if (domain) add(this.domainTable.node(domain), 'restrictions', { record, excludes: restrictionExcludes(record, domain) });
    }
    this.domainTable.seal();
  }

  senderMatches(message: PreparedMessage): SenderMatches {
    // Most messages match nothing: the hit lists are only allocated once something matches.
    let blocked: SenderHit<EngineBlockedSender>[] | undefined;
    let allowed: SenderHit<EngineAllowPolicy>[] | undefined;
    const emit = (entries: readonly SenderEntry[] | undefined, field: RegexField) => {
      if (entries === undefined) return;
      for (const entry of entries) {
        if (entry.blocked) (blocked ??= []).push({ record: entry.blocked, field });
        else (allowed ??= []).push({ record: entry.allowed!, field });
      }
    };
    const index = this.senders;
    let previous: NormalizedAddress | undefined;
    let previousEntries: SenderEntry[] | undefined;
    for (const sender of message.senders) {
      // The envelope sender and the header From are often the same address: look it up once.
      if (previous === undefined || previous.address !== sender.address.address) {
        previous = sender.address;
        previousEntries = index.matchAddress(sender.address);
      }
      emit(previousEntries, sender.field);
    }
    const ip = message.ip;
    if (ip) {
      let entries: SenderEntry[] | undefined;
      const onEntry = (entry: SenderEntry) => (entries ??= []).push(entry);
      if (ip.v6) index.v6.collect(ip.words, 128, onEntry);
      else index.v4.collect(ip.words[0], onEntry);
      emit(entries, 'sending_ip');
    }
    if (index.regexes.size > 0) {
      // Fields often repeat a value (envelope and header From): match each distinct value once.
      const done: { value: string; entries: SenderEntry[] }[] = [];
      for (const input of message.regexInputs) {
        let entries = done.find((d) => d.value === input.value)?.entries;
        if (!entries) {
          const found: SenderEntry[] = [];
          index.regexes.match(input.value, (entry) => found.push(entry));
          done.push({ value: input.value, entries: found });
          entries = found;
        }
        emit(entries, input.field);
      }
    }
    return blocked === undefined && allowed === undefined ? NO_SENDER_MATCHES : { blocked: blocked ?? [], allowed: allowed ?? [] };
  }

  exemptPolicies(recipient: NormalizedAddress): readonly EngineAllowPolicy[] {
    let found = this.exemptCache.get(recipient.raw);
    if (found === undefined) {
      let policies = this.exempt.matchAddress(recipient);
      if (this.exempt.regexes.size > 0) this.exempt.regexes.match(recipient.raw, (policy) => (policies ??= []).push(policy));
      found = policies ?? NOTHING;
      if (this.exemptCache.size >= RECIPIENT_CACHE_LIMIT) this.exemptCache.clear();
      this.exemptCache.set(recipient.raw, found);
    }
    return found;
  }

  displayNames(fromName: string): readonly EngineDisplayName[] {
    if (this.names.size === 0) return NOTHING;
    const key = foldKey(fromName);
    return key === '' ? NOTHING : (this.names.get(key) ?? NOTHING);
  }

  isRegisteredAddress(entry: EngineDisplayName, from: NormalizedAddress): boolean {
    return this.registered.get(entry)?.(from) ?? false;
  }

  isProtected(domain: string): boolean {
    return this.domainTable.walk(domain).some((node) => node.protected !== undefined);
  }

  lookalikes(domain: string): readonly EngineDomain[] {
    if (this.protectedEntries.length === 0) return NOTHING;
    let found = this.lookalikeCache.get(domain);
    if (found === undefined) {
      found = this.findLookalikes(domain);
      if (this.lookalikeCache.size >= LOOKALIKE_CACHE_LIMIT) this.lookalikeCache.clear();
      this.lookalikeCache.set(domain, found);
    }
    return found;
  }

  /**
   * Every label but the last (always part of the public suffix) could be the registrable name, so each
   * is looked up; the public suffix list is only read when one of them is close to a protected name.
   */
  private findLookalikes(domain: string): readonly EngineDomain[] {
    const labels = foldedLabels(domain);
    const candidates = new Set<number>();
    for (let i = 0; i < labels.length - 1; i++) this.protectedNames.candidates(labels[i], candidates);
    if (candidates.size === 0) return NOTHING;
    const profile = profileDomain(domain);
    if (!profile) return NOTHING;
    const found: EngineDomain[] = [];
    for (const index of candidates) {
      const entry = this.protectedEntries[index];
      if (imitates(profile, entry.profile)) found.push(entry.record);
    }
    return found.length > 0 ? found : NOTHING;
  }

  trustedDomains(domain: string, flag: 'is_recent' | 'is_similarity'): readonly EngineTrustedDomain[] {
    const found = new Set<EngineTrustedDomain>();
    for (const node of this.domainTable.walk(domain)) {
      if (node.trusted) for (const trusted of node.trusted) if (trusted[flag]) found.add(trusted);
    }
    if (this.trustedRegexes.size > 0) {
      const onTrusted = (trusted: EngineTrustedDomain) => {
        if (trusted[flag]) found.add(trusted);
      };
      this.trustedRegexes.match(domain, onTrusted);
      const unicode = unicodeDomain(domain);
      if (unicode !== domain) this.trustedRegexes.match(unicode, onTrusted);
    }
    return found.size === 0 ? NOTHING : [...found];
  }

  restrictions(domain: string): readonly EngineSendingDomainRestriction[] {
    let found: EngineSendingDomainRestriction[] | undefined;
    for (const node of this.domainTable.walk(domain)) {
      if (!node.restrictions) continue;
      for (const restriction of node.restrictions) {
        if (!restriction.excludes.some((excluded) => isWithin(domain, excluded))) (found ??= []).push(restriction.record);
      }
    }
    return found ?? NOTHING;
  }

  recipientDomain(domain: string): EngineDomain | undefined {
    for (const node of this.domainTable.walk(domain)) {
      if (node.protected) return node.protected.reduce((best, record) => (record.id < best.id ? record : best));
    }
    return undefined;
  }

  mayDrop(disposition: Disposition): boolean {
    return this.dropped.has(disposition);
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
  /** How many records of each collection were compiled. */
  readonly counts: Readonly<Record<keyof AccountSettings, number>>;
  /** Patterns that can never match; the API validates patterns, so only legacy data should land here. */
  readonly unusable: readonly UnusablePattern[];
}

/** Builds the indexes for one account's settings (see the module comment). */
export function compileSettings(settings: AccountSettings): CompiledSettings {
  const matcher = new CompiledMatcher(settings);
  return {
    matcher,
    unusable: matcher.unusable,
    counts: {
      allow_policies: settings.allow_policies.length,
      block_senders: settings.block_senders.length,
      trusted_domains: settings.trusted_domains.length,
      impersonation_registry: settings.impersonation_registry.length,
      domains: settings.domains.length,
      sending_domain_restrictions: settings.sending_domain_restrictions.length,
    },
  };
}
