/**
 * The rulebook: from what a message matched to its verdict and the explanation of it.
 *
 * `evaluateWith` asks a `Matcher` which settings match (the indexed engine answers from hash maps,
 * tries and regex sets; the naive reference scans every setting) and applies the rules of issue 5 the
 * same way for both:
 *
 * - blocked sender: MALICIOUS, and it beats trusted and acceptable senders;
 * - trusted sender (allow policy, honoured): NONE, unless blocked;
 * - acceptable sender (honoured): removes SPAM, SPOOF and BULK; MALICIOUS and SUSPICIOUS stay;
 * - `verify_sender`: a trusted or acceptable policy is honoured only if DMARC, SPF or DKIM passed;
 * - impersonation: a registered display name from an address not registered for it, MALICIOUS-BEC;
 * - lookalike From domain: SPOOF, unless a trusted domain with `is_similarity` matches it;
 * - domain younger than 7 days: MALICIOUS, than 30: SUSPICIOUS, unless a trusted domain with `is_recent`;
 * - DMARC fail: SPOOF; the content scanner's detections count as they are;
 * - the message disposition is the most severe left: MALICIOUS > MALICIOUS-BEC > SUSPICIOUS > SPOOF >
 *   SPAM > BULK > NONE;
 * - exempt recipient: NONE for that recipient, whatever else matched;
 * - a recipient whose protected domain lists its disposition in `drop_dispositions` is dropped;
 * - a sending domain restriction drops mail from its domain (or a subdomain not excluded) without TLS.
 *
 * @example
 *   const compiled = compileSettings(settings);
 *   const verdict = evaluate(compiled, { from: 'ceo@examp1e.com', from_name: 'Jane Doe', recipients: ['a@example.com'] });
 *   verdict.disposition; // 'MALICIOUS-BEC'
 *   verdict.explanation; // ['MALICIOUS-BEC: display name "Jane Doe" is registered …', …]
 */
import type { CompiledSettings } from './compile.js';
import type { Message } from './message-schema.js';
import { prepareMessage, type NormalizedAddress, type PreparedMessage, type RegexField } from './normalize.js';
import {
  DISPOSITIONS,
  type Action,
  type Disposition,
  type EngineAllowPolicy,
  type EngineBlockedSender,
  type EngineDisplayName,
  type EngineDomain,
  type EngineSendingDomainRestriction,
  type EngineTrustedDomain,
  type Match,
  type MatchEffect,
  type MatchField,
  type RecipientVerdict,
  type ResourceName,
  type Verdict,
} from './types.js';

export interface SenderHit<R> {
  record: R;
  field: RegexField;
}

export interface SenderMatches {
  readonly blocked: readonly SenderHit<EngineBlockedSender>[];
  /** Allow policies with `is_trusted_sender` or `is_acceptable_sender` that match a sender field. */
  readonly allowed: readonly SenderHit<EngineAllowPolicy>[];
}

/**
 * How settings are looked up. Both engines implement it; results must not depend on the strategy
 * (property tests compare them). Domains passed in are normalized (ASCII, lowercase). Lists come back
 * in any order; the rules sort what they report.
 */
export interface Matcher {
  senderMatches(message: PreparedMessage): SenderMatches;
  /** Allow policies with `is_exempt_recipient` matching this recipient. */
  exemptPolicies(recipient: NormalizedAddress): readonly EngineAllowPolicy[];
  /** Registry entries whose name folds to the same key as `fromName`. */
  displayNames(fromName: string): readonly EngineDisplayName[];
  /** The entry's email (exact or regex) matches the From address. */
  isRegisteredAddress(entry: EngineDisplayName, from: NormalizedAddress): boolean;
  /** The domain is a protected domain or under one. */
  isProtected(domain: string): boolean;
  /** Protected domains the (unprotected) domain imitates. */
  lookalikes(domain: string): readonly EngineDomain[];
  /** Trusted domains matching the domain that have `flag` set. */
  trustedDomains(domain: string, flag: 'is_recent' | 'is_similarity'): readonly EngineTrustedDomain[];
  /** Sending domain restrictions that apply to the domain (it is under theirs and not excluded). */
  restrictions(domain: string): readonly EngineSendingDomainRestriction[];
  /** The most specific protected domain the domain is under (lowest id on a tie). */
  recipientDomain(domain: string): EngineDomain | undefined;
  /** False when no protected domain drops `disposition`: lets the rules skip the lookup. */
  mayDrop(disposition: Disposition): boolean;
}

const SEVERITY = new Map<Disposition, number>(DISPOSITIONS.map((d, i) => [d, i]));
const REMOVED_BY_ACCEPTABLE = new Set<Disposition>(['SPAM', 'SPOOF', 'BULK']);
const RESOURCE_ORDER: ResourceName[] = [
  'block_senders',
  'allow_policies',
  'impersonation_registry',
  'trusted_domains',
  'domains',
  'sending_domain_restrictions',
];
const FIELD_ORDER = ['envelope_from', 'from', 'reply_to', 'sending_ip', 'helo', 'from_name'];
const EFFECT_ORDER: MatchEffect[] = [
  'block',
  'trusted_sender',
  'trusted_sender_not_honoured',
  'acceptable_sender',
  'acceptable_sender_not_honoured',
  'exempt_recipient',
  'impersonation',
  'registered_sender',
  'lookalike',
  'exempt_recent',
  'exempt_similarity',
  'drop_without_tls',
  'drop',
];

export const RECENT_MALICIOUS_DAYS = 7;
export const RECENT_SUSPICIOUS_DAYS = 30;

const RECIPIENT_FIELDS: MatchField[] = Array.from({ length: 64 }, (_, i) => `recipients[${i}]` as const);

function recipientField(index: number): MatchField {
  return index < RECIPIENT_FIELDS.length ? RECIPIENT_FIELDS[index] : `recipients[${index}]`;
}

const rankOf = <K extends string>(order: readonly K[]) => new Map<string, number>(order.map((key, index) => [key, index]));
const RESOURCE_RANK = rankOf(RESOURCE_ORDER);
const EFFECT_RANK = rankOf(EFFECT_ORDER);
const FIELD_RANK = rankOf([...FIELD_ORDER, ...RECIPIENT_FIELDS]);

function fieldRank(field: MatchField): number {
  return FIELD_RANK.get(field) ?? FIELD_ORDER.length + Number(field.slice(11, -1));
}

/** The order matches are reported in: by collection, id, message field, effect. */
export function compareMatches(a: Match, b: Match): number {
  return (
    RESOURCE_RANK.get(a.resource)! - RESOURCE_RANK.get(b.resource)! ||
    a.id - b.id ||
    fieldRank(a.field) - fieldRank(b.field) ||
    EFFECT_RANK.get(a.effect)! - EFFECT_RANK.get(b.effect)!
  );
}

function byRecordThenField<R extends { id: number }>(a: SenderHit<R>, b: SenderHit<R>): number {
  return a.record.id - b.record.id || fieldRank(a.field) - fieldRank(b.field);
}

const byId = <R extends { id: number }>(a: R, b: R) => a.id - b.id;

/** The more severe of two dispositions. */
export function moreSevere(a: Disposition, b: Disposition): Disposition {
  return SEVERITY.get(a)! <= SEVERITY.get(b)! ? a : b;
}

interface Candidate {
  disposition: Disposition;
  reason: string;
}

const quote = (text: string) => `'${text}'`;

function describePolicy(policy: EngineAllowPolicy, field: MatchField): string {
  return `allow policy ${policy.id} (${quote(policy.pattern)}) matched ${field}`;
}

function list(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join('; ')}; and ${items[items.length - 1]}`;
}

/** Evaluates one message with the given lookup strategy. */
export function evaluateWith(matcher: Matcher, message: Message): Verdict {
  const prepared = prepareMessage(message);
  const matches: Match[] = [];
  const candidates: Candidate[] = [];
  const notes: string[] = [];
  const add = (resource: ResourceName, id: number, field: MatchField, pattern: string, effect: MatchEffect) =>
    matches.push({ resource, id, field, pattern, effect });

  // Candidates are pushed settings first, so on a tie in severity a setting is named as the decider.
  // Blocked senders and sender-side allow policies.
  const senders = matcher.senderMatches(prepared);
  const blocked = senders.blocked.length > 1 ? [...senders.blocked].sort(byRecordThenField) : senders.blocked;
  for (const hit of blocked) {
    add('block_senders', hit.record.id, hit.field, hit.record.pattern, 'block');
    candidates.push({
      disposition: 'MALICIOUS',
      reason: `blocked sender ${hit.record.id} (${quote(hit.record.pattern)}) matched ${hit.field}`,
    });
  }
  const trusted: SenderHit<EngineAllowPolicy>[] = [];
  const acceptable: SenderHit<EngineAllowPolicy>[] = [];
  const allowed = senders.allowed.length > 1 ? [...senders.allowed].sort(byRecordThenField) : senders.allowed;
  for (const hit of allowed) {
    const policy = hit.record;
    const honoured = !policy.verify_sender || prepared.authenticated;
    if (policy.is_trusted_sender) {
      add('allow_policies', policy.id, hit.field, policy.pattern, honoured ? 'trusted_sender' : 'trusted_sender_not_honoured');
      if (honoured) trusted.push(hit);
    }
    if (policy.is_acceptable_sender) {
      add('allow_policies', policy.id, hit.field, policy.pattern, honoured ? 'acceptable_sender' : 'acceptable_sender_not_honoured');
      if (honoured) acceptable.push(hit);
    }
    if (!honoured && (policy.is_trusted_sender || policy.is_acceptable_sender)) {
      const role = policy.is_trusted_sender ? 'a trusted sender' : 'an acceptable sender';
      notes.push(
        `Not honoured: ${describePolicy(policy, hit.field)} as ${role}, but verify_sender is on and neither DMARC, SPF nor DKIM passed.`,
      );
    }
  }

  // Impersonation of a registered display name.
  const fromName = message.from_name;
  const from = prepared.from;
  if (fromName && from) {
    const named = matcher.displayNames(fromName);
    if (named.length > 0) {
      const entries = [...named].sort(byId);
      const registered = entries.filter((entry) => matcher.isRegisteredAddress(entry, from));
      if (registered.length > 0) {
        for (const entry of registered) add('impersonation_registry', entry.id, 'from_name', entry.name, 'registered_sender');
        notes.push(
          `Display name ${quote(fromName)} matches impersonation registry entry ${registered[0].id} (${quote(registered[0].name)}) and ${from.raw} is registered for it: no impersonation.`,
        );
      } else {
        for (const entry of entries) add('impersonation_registry', entry.id, 'from_name', entry.name, 'impersonation');
        candidates.push({
          disposition: 'MALICIOUS-BEC',
          reason: `display name ${quote(fromName)} matches impersonation registry entry ${entries[0].id} (${quote(entries[0].name)}) but ${from.raw} is not an address registered for it`,
        });
      }
    }
  }

  // Detections on the From domain: age and lookalikes, each cancelled by a trusted domain.
  const age = message.sender_domain_age_days;
  const fromDomain = from?.domain ?? '';
  if (age !== undefined && age < RECENT_SUSPICIOUS_DAYS) {
    const disposition: Disposition = age < RECENT_MALICIOUS_DAYS ? 'MALICIOUS' : 'SUSPICIOUS';
    const limit = age < RECENT_MALICIOUS_DAYS ? RECENT_MALICIOUS_DAYS : RECENT_SUSPICIOUS_DAYS;
    const reason = `the sender domain is ${age} days old (under ${limit})`;
    const exempting = fromDomain ? [...matcher.trustedDomains(fromDomain, 'is_recent')].sort(byId) : [];
    if (exempting.length > 0) {
      for (const t of exempting) add('trusted_domains', t.id, 'from', t.pattern, 'exempt_recent');
      notes.push(`Cancelled by trusted domain ${exempting[0].id} (${quote(exempting[0].pattern)}, is_recent): ${disposition} because ${reason}.`);
    } else {
      candidates.push({ disposition, reason });
    }
  }
  if (fromDomain && !matcher.isProtected(fromDomain)) {
    const lookalikes = matcher.lookalikes(fromDomain);
    if (lookalikes.length > 0) {
      const imitated = [...lookalikes].sort(byId);
      const reason = `the From domain ${fromDomain} looks like protected domain ${imitated[0].domain}`;
      const exempting = [...matcher.trustedDomains(fromDomain, 'is_similarity')].sort(byId);
      if (exempting.length > 0) {
        for (const t of exempting) add('trusted_domains', t.id, 'from', t.pattern, 'exempt_similarity');
        notes.push(`Cancelled by trusted domain ${exempting[0].id} (${quote(exempting[0].pattern)}, is_similarity): SPOOF because ${reason}.`);
      } else {
        for (const d of imitated) add('domains', d.id, 'from', d.domain, 'lookalike');
        candidates.push({ disposition: 'SPOOF', reason });
      }
    }
  }

  // Authentication and the content scanner.
  if (message.authentication?.dmarc === 'fail') candidates.push({ disposition: 'SPOOF', reason: 'DMARC failed' });
  const detections = message.detections;
  if (detections) {
    for (let i = 0; i < detections.length; i++) {
      const detection = detections[i];
      if (detections.indexOf(detection) !== i) continue;
      candidates.push({ disposition: detection, reason: `the content scanner proposed ${detection}` });
    }
  }

  // Precedence: blocked beats trusted; trusted clears everything else; acceptable removes SPAM/SPOOF/BULK.
  const decision: string[] = [];
  let disposition: Disposition = 'NONE';
  const isBlocked = blocked.length > 0;
  if (trusted.length > 0 && !isBlocked) {
    decision.push(`NONE: trusted sender, ${describePolicy(trusted[0].record, trusted[0].field)}.`);
    if (candidates.length > 0) {
      decision.push(`Overridden by the trusted sender: ${list(candidates.map((c) => `${c.disposition} because ${c.reason}`))}.`);
    }
  } else {
    let remaining = candidates;
    if (acceptable.length > 0) {
      remaining = candidates.filter((c) => !REMOVED_BY_ACCEPTABLE.has(c.disposition));
      const removed = candidates.filter((c) => REMOVED_BY_ACCEPTABLE.has(c.disposition));
      const who = `acceptable sender, ${describePolicy(acceptable[0].record, acceptable[0].field)}`;
      if (removed.length > 0) {
        decision.push(`Removed by the ${who}: ${list(removed.map((c) => `${c.disposition} because ${c.reason}`))}.`);
      }
      if (remaining.length > 0) {
        decision.push(`Not removed by the ${who}: it removes only SPAM, SPOOF and BULK.`);
      }
    }
    let decisive: Candidate | undefined;
    for (const candidate of remaining) {
      if (!decisive || SEVERITY.get(candidate.disposition)! < SEVERITY.get(decisive.disposition)!) decisive = candidate;
    }
    if (decisive) {
      disposition = decisive.disposition;
      decision.unshift(`${disposition}: ${decisive.reason}.`);
      const others = remaining.filter((c) => c !== decisive);
      if (others.length > 0) {
        decision.push(`Also matched, not decisive: ${list(others.map((c) => `${c.disposition} because ${c.reason}`))}.`);
      }
    } else {
      decision.unshift(candidates.length > 0 ? 'NONE: every detection was removed.' : 'NONE: no detection or setting applies.');
    }
    if (isBlocked && trusted.length > 0) {
      decision.push(`Overridden: ${describePolicy(trusted[0].record, trusted[0].field)} as a trusted sender, but a blocked sender beats trusted and acceptable senders.`);
    }
  }

  // Sending domain restrictions: mail from the domain without TLS is dropped for everyone.
  let droppedByRestriction = false;
  if (message.tls === false) {
    const seen = new Set<number>();
    for (const sender of prepared.senders) {
      if (sender.field === 'reply_to' || sender.address.domain === '') continue;
      for (const restriction of [...matcher.restrictions(sender.address.domain)].sort(byId)) {
        add('sending_domain_restrictions', restriction.id, sender.field, restriction.domain, 'drop_without_tls');
        if (!seen.has(restriction.id)) {
          seen.add(restriction.id);
          notes.push(
            `Dropped for every recipient: sending domain restriction ${restriction.id} (${quote(restriction.domain)}) requires TLS and ${sender.field} ${sender.address.raw} came without it.`,
          );
        }
        droppedByRestriction = true;
      }
    }
  }

  // Per recipient: exemption, then the protected domain's drop list.
  const recipients: RecipientVerdict[] = [];
  let top: Disposition | undefined;
  let allDropped = message.recipients.length > 0;
  for (let index = 0; index < message.recipients.length; index++) {
    const address = message.recipients[index];
    const recipient = prepared.recipients[index];
    const field = recipientField(index);
    let own = disposition;
    if (recipient) {
      const found = matcher.exemptPolicies(recipient);
      if (found.length > 0) {
        const exempt = found.length > 1 ? [...found].sort(byId) : found;
        for (const policy of exempt) add('allow_policies', policy.id, field, policy.pattern, 'exempt_recipient');
        own = 'NONE';
        notes.push(`Recipient ${address}: NONE, exempt recipient (${describePolicy(exempt[0], field)}), whatever else matched.`);
      }
    }
    let action: Action = droppedByRestriction ? 'drop' : 'deliver';
    if (!droppedByRestriction && recipient !== undefined && recipient.domain !== '' && matcher.mayDrop(own)) {
      const home = matcher.recipientDomain(recipient.domain);
      if (home && home.drop_dispositions.includes(own)) {
        action = 'drop';
        add('domains', home.id, field, home.domain, 'drop');
        notes.push(`Recipient ${address}: dropped, protected domain ${home.domain} (${home.id}) drops ${own}.`);
      }
    }
    if (action === 'deliver') allDropped = false;
    top = top === undefined ? own : moreSevere(top, own);
    recipients.push({ address, disposition: own, action });
  }

  if (matches.length > 1) matches.sort(compareMatches);
  return {
    id: message.id ?? null,
    disposition: top ?? disposition,
    action: allDropped || (message.recipients.length === 0 && droppedByRestriction) ? 'drop' : 'deliver',
    recipients,
    matches,
    explanation: notes.length === 0 ? decision : [...decision, ...notes],
  };
}

/** Evaluates one message against compiled settings. */
export function evaluate(compiled: CompiledSettings, message: Message): Verdict {
  return evaluateWith(compiled.matcher, message);
}

/** Evaluates messages in order; one verdict per message. */
export function evaluateAll(compiled: CompiledSettings, messages: readonly Message[]): Verdict[] {
  return messages.map((message) => evaluateWith(compiled.matcher, message));
}
