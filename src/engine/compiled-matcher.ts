/**
 * The indexed engine: an account's settings filed into in-memory indexes, so evaluating a message
 * costs about the same with a thousand settings as with a million:
 * - exact addresses in hash maps, and every domain of every collection in one `DomainTable`, behind
 *   Bloom filters fed by the hashes a message's addresses are read with (`PatternIndex`, `DomainTable`);
 * - IPv4 and IPv6 blocks in prefix tables (`Ipv4PrefixTable`, `Ipv6PrefixTable`);
 * - regexes in a `RegexIndex` per list (literal prefilter, then RE2 / `RE2.Set`);
 * - impersonation names by folded key (`foldKey`) behind a filter of their hashes;
 * - protected domains' registrable names for lookalikes (`LookalikeIndex`).
 *
 * It answers the rules' questions (`Matcher`) and takes committed changes in place (`apply`).
 */
import type { NormalizedAddress } from './address/address.js';
import { isWithin, normalizeDomainPattern, unicodeDomain } from './address/domain.js';
import { Bloom, hashString } from './bloom.js';
import { dispositionBit, type Disposition } from './dispositions.js';
import { drop, DomainTable } from './indexes/domain-table.js';
import { LookalikeIndex } from './indexes/lookalike-index.js';
import { listOf } from './indexes/one-or-more.js';
import { PatternIndex } from './indexes/pattern-index.js';
import { RegexIndex } from './indexes/regex-index.js';
import { SenderSetting } from './indexes/sender-setting.js';
import type { PreparedMessage } from './message/prepared.js';
import { registeredAddressMatcher, restrictionExcludes } from './patterns.js';
import type { Matcher, SenderMatches } from './rules/matcher.js';
import { senderMatches } from './sender-lookup.js';
import {
  COLLECTIONS,
  type AccountSettings,
  type EngineAllowPolicy,
  type EngineBlockedSender,
  type EngineDisplayName,
  type EngineDomain,
  type EngineSendingDomainRestriction,
  type EngineTrustedDomain,
  type ResourceName,
  type SettingsChange,
  type SettingsRecord,
} from './settings.js';
import { FOLD_HASH_EMPTY, FOLD_HASH_UNKNOWN, foldKey, foldKeyHash } from './skeleton/skeleton.js';

/** A stored pattern that can never match (not valid for its type, or a regex RE2 cannot run). */
export interface UnusablePattern {
  resource: ResourceName;
  id: number;
  pattern: string;
}

const NOTHING: readonly never[] = Object.freeze([]);

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Two versions of a record are the same when their API forms are (`last_modified` moves on every update). */
function sameVersion(a: SettingsRecord, b: SettingsRecord): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export class CompiledMatcher implements Matcher {
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
  private readonly records = new Map<ResourceName, Map<number, SettingsRecord>>(COLLECTIONS.map((name) => [name, new Map()]));
  /** The setting filed in the sender index for each blocked sender and sender-side allow policy. */
  private readonly senderSettings = new Map<SettingsRecord, SenderSetting>();
  /** Patterns that can never match, by record. */
  private readonly unusableByRecord = new Map<SettingsRecord, UnusablePattern>();
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
    const view = new Map<string, SettingsRecord | null>();
    for (const change of changes) {
      const key = `${change.resource}:${change.id}`;
      const held = view.has(key) ? view.get(key) : this.records.get(change.resource)?.get(change.id);
      if (!this.records.has(change.resource)) return false;
      if (
        change.action === 'create' ? held != null || !change.after : held == null || !change.before || !sameVersion(held, change.before)
      ) {
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
  private insert(resource: ResourceName, record: SettingsRecord): void {
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
        if (domain)
          this.domainTable.file(domain, 'restrictions', { record: restriction, excludes: restrictionExcludes(restriction, domain) });
        break;
      }
    }
    if (!usable) {
      const pattern = (record as EngineBlockedSender | EngineAllowPolicy | EngineTrustedDomain).pattern;
      this.unusableByRecord.set(record, { resource, id: record.id, pattern });
    }
  }

  /** Takes out a record filed with `insert` (after the indexes are sealed). */
  private remove(resource: ResourceName, record: SettingsRecord): void {
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
    return senderMatches(this.senders, message);
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
