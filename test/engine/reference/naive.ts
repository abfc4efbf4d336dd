/**
 * The naive reference engine: for every message it scans every setting, one by one, with the same
 * helpers and the same rules (`evaluateWith`) as the indexed engine in src/engine. It is deliberately
 * simple, so property tests can trust it as the specification of what the indexes must find, and the
 * benchmark can show what the indexes buy. Pure functions (regex compilation, CIDR parsing, domain profiles, skeletons)
 * are memoized, so its cost is the scan, not repeated parsing.
 */
import type RE2 from 're2';
import { normalizeEmailPattern, type NormalizedAddress } from '../../../src/engine/address/address.js';
import { isWithin, normalizeDomainPattern, unicodeDomain } from '../../../src/engine/address/domain.js';
import { ipInCidr, parseCidr, type ParsedCidr } from '../../../src/engine/address/ip.js';
import type { Disposition } from '../../../src/engine/dispositions.js';
import { imitates, profileDomain, type DomainProfile } from '../../../src/engine/lookalike.js';
import type { PreparedMessage, RegexField } from '../../../src/engine/message/prepared.js';
import type { Message } from '../../../src/engine/message/schema.js';
import { compileRegex, patternKind, registeredAddressMatcher, restrictionExcludes } from '../../../src/engine/patterns.js';
import { evaluateWith } from '../../../src/engine/rules/evaluate.js';
import type { Matcher, SenderHit, SenderMatches } from '../../../src/engine/rules/matcher.js';
import type {
  AccountSettings,
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
} from '../../../src/engine/settings.js';
import { foldKey } from '../../../src/engine/skeleton/skeleton.js';
import type { Verdict } from '../../../src/engine/verdict.js';

function memo<V>(compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

const regexOf = memo<RE2 | undefined>(compileRegex);
const cidrOf = memo<ParsedCidr | undefined>(parseCidr);
const emailOf = memo<string | undefined>(normalizeEmailPattern);
const domainOf = memo<string | undefined>(normalizeDomainPattern);
const profileOf = memo<DomainProfile | undefined>(profileDomain);
const keyOf = memo<string>(foldKey);

type SenderPattern = Pick<EngineBlockedSender, 'pattern' | 'pattern_type' | 'is_regex'>;

/** Every sender field the pattern matches (in the order fields are read). */
function senderFieldsMatched(record: SenderPattern, message: PreparedMessage): RegexField[] {
  const fields: RegexField[] = [];
  if (record.is_regex) {
    const regex = regexOf(record.pattern);
    if (regex) for (const input of message.regexInputs) if (regex.test(input.value)) fields.push(input.field);
    return fields;
  }
  switch (patternKind(record.pattern_type, record.pattern)) {
    case 'EMAIL': {
      const address = emailOf(record.pattern);
      for (const sender of message.senders) if (address !== undefined && sender.address.address === address) fields.push(sender.field);
      break;
    }
    case 'DOMAIN': {
      const domain = domainOf(record.pattern);
      for (const sender of message.senders) {
        if (domain !== undefined && sender.address.domain !== '' && isWithin(sender.address.domain, domain)) fields.push(sender.field);
      }
      break;
    }
    case 'IP': {
      const cidr = cidrOf(record.pattern);
      if (cidr && message.ip && ipInCidr(message.ip, cidr)) fields.push('sending_ip');
    }
  }
  return fields;
}

/** Whether the pattern matches a recipient (IP patterns never do). */
function recipientMatched(record: SenderPattern, recipient: NormalizedAddress): boolean {
  if (record.is_regex) return regexOf(record.pattern)?.test(recipient.raw) ?? false;
  switch (patternKind(record.pattern_type, record.pattern)) {
    case 'EMAIL':
      return emailOf(record.pattern) === recipient.address;
    case 'DOMAIN': {
      const domain = domainOf(record.pattern);
      return domain !== undefined && recipient.domain !== '' && isWithin(recipient.domain, domain);
    }
    case 'IP':
      return false;
  }
}

function trustedMatches(trusted: EngineTrustedDomain, domain: string): boolean {
  if (trusted.is_regex) {
    const regex = regexOf(trusted.pattern);
    if (!regex) return false;
    const unicode = unicodeDomain(domain);
    return regex.test(domain) || (unicode !== domain && regex.test(unicode));
  }
  const pattern = domainOf(trusted.pattern);
  return pattern !== undefined && isWithin(domain, pattern);
}

class NaiveMatcher implements Matcher {
  private readonly registered = new Map<EngineDisplayName, (from: NormalizedAddress) => boolean>();

  constructor(private readonly settings: AccountSettings) {}

  senderMatches(message: PreparedMessage): SenderMatches {
    const blocked: SenderHit<EngineBlockedSender>[] = [];
    const allowed: SenderHit<EngineAllowPolicy>[] = [];
    for (const record of this.settings.block_senders) {
      for (const field of senderFieldsMatched(record, message)) blocked.push({ record, field });
    }
    for (const policy of this.settings.allow_policies) {
      if (!policy.is_trusted_sender && !policy.is_acceptable_sender) continue;
      for (const field of senderFieldsMatched(policy, message)) allowed.push({ record: policy, field });
    }
    return { blocked, allowed };
  }

  exemptPolicies(recipient: NormalizedAddress): EngineAllowPolicy[] {
    return this.settings.allow_policies.filter((policy) => policy.is_exempt_recipient && recipientMatched(policy, recipient));
  }

  displayNames(fromName: string): readonly EngineDisplayName[] {
    const key = foldKey(fromName);
    return key === '' ? [] : this.settings.impersonation_registry.filter((entry) => keyOf(entry.name) === key);
  }

  isRegisteredAddress(entry: EngineDisplayName, from: NormalizedAddress): boolean {
    let matcher = this.registered.get(entry);
    if (!matcher) {
      matcher = registeredAddressMatcher(entry);
      this.registered.set(entry, matcher);
    }
    return matcher(from);
  }

  isProtected({ domain }: NormalizedAddress): boolean {
    return this.settings.domains.some((record) => {
      const protectedDomain = domainOf(record.domain);
      return protectedDomain !== undefined && isWithin(domain, protectedDomain);
    });
  }

  lookalikes({ domain }: NormalizedAddress): readonly EngineDomain[] {
    const sender = profileOf(domain);
    if (!sender) return [];
    return this.settings.domains.filter((record) => {
      const protectedDomain = domainOf(record.domain);
      const profile = protectedDomain === undefined ? undefined : profileOf(protectedDomain);
      return profile !== undefined && imitates(sender, profile);
    });
  }

  trustedDomains({ domain }: NormalizedAddress, flag: 'is_recent' | 'is_similarity'): readonly EngineTrustedDomain[] {
    return this.settings.trusted_domains.filter((trusted) => trusted[flag] && trustedMatches(trusted, domain));
  }

  restrictions({ domain }: NormalizedAddress): readonly EngineSendingDomainRestriction[] {
    return this.settings.sending_domain_restrictions.filter((restriction) => {
      const restricted = domainOf(restriction.domain);
      if (restricted === undefined || !isWithin(domain, restricted)) return false;
      return !restrictionExcludes(restriction, restricted).some((excluded) => isWithin(domain, excluded));
    });
  }

  recipientDomain({ domain }: NormalizedAddress): EngineDomain | undefined {
    let best: EngineDomain | undefined;
    let bestLength = -1;
    for (const record of this.settings.domains) {
      const protectedDomain = domainOf(record.domain);
      if (protectedDomain === undefined || !isWithin(domain, protectedDomain)) continue;
      if (protectedDomain.length > bestLength || (protectedDomain.length === bestLength && record.id < best!.id)) {
        best = record;
        bestLength = protectedDomain.length;
      }
    }
    return best;
  }

  mayDrop(disposition: Disposition): boolean {
    return this.settings.domains.some((record) => record.drop_dispositions.includes(disposition));
  }
}

/** A matcher that scans `settings` on every call; reuse it across messages of the same settings. */
export function naiveMatcher(settings: AccountSettings): Matcher {
  return new NaiveMatcher(settings);
}

/** Evaluates a message by scanning every setting (reference implementation; see the module comment). */
export function naiveEvaluate(settings: AccountSettings, message: Message): Verdict {
  return evaluateWith(new NaiveMatcher(settings), message);
}
