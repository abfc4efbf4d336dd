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
import { normalizeAddress, prepareMessage, type NormalizedAddress, type PreparedMessage, type RegexField } from './normalize.js';
import {
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
  readonly record: R;
  readonly field: RegexField;
  /** The rules' texts about this hit, filled on first use (the trusted sender's are asked for twice). */
  texts?: HitTexts;
}

/** What the rules say about a sender hit (see `hitTexts`). */
interface HitTexts {
  /** The MALICIOUS candidate of a blocked sender. */
  readonly candidate: Candidate | undefined;
  /** `allow policy 7 ('x') matched from`, for allow policies. */
  readonly policy: string | undefined;
  /** The verify_sender note of an allow policy that is not honoured. */
  readonly notHonoured: string | undefined;
}

export interface SenderMatches {
  readonly blocked: readonly SenderHit<EngineBlockedSender>[];
  /** Allow policies with `is_trusted_sender` or `is_acceptable_sender` that match a sender field. */
  readonly allowed: readonly SenderHit<EngineAllowPolicy>[];
}

/**
 * How settings are looked up. Both engines implement it; results must not depend on the strategy
 * (property tests compare them). Addresses passed in are normalized (`NormalizedAddress`: ASCII,
 * lowercase domain), and the domain-level questions are only asked about addresses with a domain.
 * Lists come back in any order; the rules sort what they report.
 */
export interface Matcher {
  senderMatches(message: PreparedMessage): SenderMatches;
  /** Allow policies with `is_exempt_recipient` matching this recipient. */
  exemptPolicies(recipient: NormalizedAddress): readonly EngineAllowPolicy[];
  /** Registry entries whose name folds to the same key as `fromName`. */
  displayNames(fromName: string): readonly EngineDisplayName[];
  /** The entry's email (exact or regex) matches the From address. */
  isRegisteredAddress(entry: EngineDisplayName, from: NormalizedAddress): boolean;
  /** The address's domain is a protected domain or under one. */
  isProtected(address: NormalizedAddress): boolean;
  /** Protected domains the (unprotected) address's domain imitates. */
  lookalikes(address: NormalizedAddress): readonly EngineDomain[];
  /** Trusted domains matching the address's domain that have `flag` set. */
  trustedDomains(address: NormalizedAddress, flag: 'is_recent' | 'is_similarity'): readonly EngineTrustedDomain[];
  /** Sending domain restrictions that apply to the address's domain (it is under theirs and not excluded). */
  restrictions(address: NormalizedAddress): readonly EngineSendingDomainRestriction[];
  /** The most specific protected domain the address's domain is under (lowest id on a tie). */
  recipientDomain(address: NormalizedAddress): EngineDomain | undefined;
  /** False when no protected domain drops `disposition`: lets the rules skip the lookup. */
  mayDrop(disposition: Disposition): boolean;
}

export const RECENT_MALICIOUS_DAYS = 7;
export const RECENT_SUSPICIOUS_DAYS = 30;

const RECIPIENT_FIELDS: MatchField[] = Array.from({ length: 64 }, (_, i) => `recipients[${i}]` as const);

function recipientField(index: number): MatchField {
  return index < RECIPIENT_FIELDS.length ? RECIPIENT_FIELDS[index] : `recipients[${index}]`;
}

// The order matches are reported in. Ranks are switches rather than map lookups: sorting is on the
// path of every message that matches something.

/** block_senders, allow_policies, impersonation_registry, trusted_domains, domains, sending_domain_restrictions. */
function resourceRank(resource: ResourceName): number {
  switch (resource) {
    case 'block_senders':
      return 0;
    case 'allow_policies':
      return 1;
    case 'impersonation_registry':
      return 2;
    case 'trusted_domains':
      return 3;
    case 'domains':
      return 4;
    default:
      return 5;
  }
}

/** envelope_from, from, reply_to, sending_ip, helo, from_name, then recipients[0], recipients[1]… */
export function fieldRank(field: MatchField): number {
  switch (field) {
    case 'envelope_from':
      return 0;
    case 'from':
      return 1;
    case 'reply_to':
      return 2;
    case 'sending_ip':
      return 3;
    case 'helo':
      return 4;
    case 'from_name':
      return 5;
    default: {
      // recipients[N]
      let index = 0;
      for (let i = 11; i < field.length - 1; i++) index = index * 10 + (field.charCodeAt(i) - 48);
      return 6 + index;
    }
  }
}

function effectRank(effect: MatchEffect): number {
  switch (effect) {
    case 'block':
      return 0;
    case 'trusted_sender':
      return 1;
    case 'trusted_sender_not_honoured':
      return 2;
    case 'acceptable_sender':
      return 3;
    case 'acceptable_sender_not_honoured':
      return 4;
    case 'exempt_recipient':
      return 5;
    case 'impersonation':
      return 6;
    case 'registered_sender':
      return 7;
    case 'lookalike':
      return 8;
    case 'exempt_recent':
      return 9;
    case 'exempt_similarity':
      return 10;
    case 'drop_without_tls':
      return 11;
    default:
      return 12;
  }
}

/** The order matches are reported in: by collection, id, message field, effect. */
export function compareMatches(a: Match, b: Match): number {
  return (
    resourceRank(a.resource) - resourceRank(b.resource) ||
    a.id - b.id ||
    fieldRank(a.field) - fieldRank(b.field) ||
    effectRank(a.effect) - effectRank(b.effect)
  );
}

function byRecordThenField<R extends { id: number }>(a: SenderHit<R>, b: SenderHit<R>): number {
  return a.record.id - b.record.id || fieldRank(a.field) - fieldRank(b.field);
}

const byId = <R extends { id: number }>(a: R, b: R) => a.id - b.id;

/** Up to this length lists are sorted by insertion (no call into the engine's sort); both are stable. */
const SMALL_SORT = 16;

/** Sorts `items` in place, stably (as `Array.prototype.sort`). */
function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > SMALL_SORT) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i];
    let j = i - 1;
    if (compare(items[j], item) <= 0) continue;
    do {
      items[j + 1] = items[j];
      j--;
    } while (j >= 0 && compare(items[j], item) > 0);
    items[j + 1] = item;
  }
  return items;
}

/** `items` sorted: the list itself when already in order (it is never modified), else a sorted copy. */
function sorted<T>(items: readonly T[], compare: (a: T, b: T) => number): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1], items[i]) > 0) return sortInPlace(items.slice(), compare);
  }
  return items;
}

/** Records sorted by id (see `sorted`). */
function sortedById<R extends { id: number }>(records: readonly R[]): readonly R[] {
  return records.length > 1 ? sorted(records, byId) : records;
}

/** Severity rank of each disposition (0 = most severe), as `DISPOSITIONS` orders them. */
function severity(disposition: Disposition): number {
  switch (disposition) {
    case 'MALICIOUS':
      return 0;
    case 'MALICIOUS-BEC':
      return 1;
    case 'SUSPICIOUS':
      return 2;
    case 'SPOOF':
      return 3;
    case 'SPAM':
      return 4;
    case 'BULK':
      return 5;
    case 'NONE':
      return 6;
    default:
      // Not a disposition (only unvalidated input): compares as neither more nor less severe.
      return NaN;
  }
}

/** The more severe of two dispositions. */
export function moreSevere(a: Disposition, b: Disposition): Disposition {
  return severity(a) <= severity(b) ? a : b;
}

/** SPAM, SPOOF and BULK: what an acceptable sender removes. */
function removedByAcceptable(disposition: Disposition): boolean {
  return disposition === 'SPAM' || disposition === 'SPOOF' || disposition === 'BULK';
}

/**
 * A disposition some rule proposes, and why. Candidates that recur (DMARC failed, the scanner's
 * detections, a domain's age) are shared between evaluations, so the lines naming them are built
 * once, on first use (`line`, `because`); a candidate is never modified otherwise.
 */
class Candidate {
  private decides: string | undefined = undefined;
  private cause: string | undefined = undefined;
  private also: string | undefined = undefined;

  constructor(
    readonly disposition: Disposition,
    readonly reason: string,
  ) {}

  /** `SPOOF: DMARC failed.`: the first line of the explanation when this candidate decides. */
  get line(): string {
    return (this.decides ??= `${this.disposition}: ${this.reason}.`);
  }

  /** `SPOOF because DMARC failed`: how lists of other candidates name it. */
  get because(): string {
    return (this.cause ??= `${this.disposition} because ${this.reason}`);
  }

  /** The explanation line naming this candidate as the only other one that matched. */
  get alsoLine(): string {
    return (this.also ??= `Also matched, not decisive: ${this.because}.`);
  }
}

const DMARC_FAILED = new Candidate('SPOOF', 'DMARC failed');
const detectionCandidates = new Map<string, Candidate>();

function detectionCandidate(detection: Disposition): Candidate {
  let candidate = detectionCandidates.get(detection);
  if (candidate === undefined) {
    candidate = new Candidate(detection, `the content scanner proposed ${detection}`);
    // The schema allows five values; anything else is not kept.
    if (detectionCandidates.size < 16) detectionCandidates.set(detection, candidate);
  }
  return candidate;
}

/** Recent-domain candidates for whole numbers of days, by age. */
const ageCandidates: Candidate[] = [];

function ageCandidate(age: number): Candidate {
  const disposition: Disposition = age < RECENT_MALICIOUS_DAYS ? 'MALICIOUS' : 'SUSPICIOUS';
  const limit = age < RECENT_MALICIOUS_DAYS ? RECENT_MALICIOUS_DAYS : RECENT_SUSPICIOUS_DAYS;
  const cached = Number.isInteger(age) && age >= 0 && !Object.is(age, -0);
  if (cached && ageCandidates[age] !== undefined) return ageCandidates[age];
  const candidate = new Candidate(disposition, `the sender domain is ${age} days old (under ${limit})`);
  if (cached) ageCandidates[age] = candidate;
  return candidate;
}

const quote = (text: string) => `'${text}'`;

function describePolicy(policy: EngineAllowPolicy, field: MatchField): string {
  return `allow policy ${policy.id} (${quote(policy.pattern)}) matched ${field}`;
}

/** The texts of a sender hit, built on first use and kept on the hit. */
function hitTexts(hit: SenderHit<EngineBlockedSender> | SenderHit<EngineAllowPolicy>, blocked: boolean): HitTexts {
  if (hit.texts !== undefined) return hit.texts;
  let texts: HitTexts;
  if (blocked) {
    const record = hit.record;
    texts = {
      candidate: new Candidate('MALICIOUS', `blocked sender ${record.id} (${quote(record.pattern)}) matched ${hit.field}`),
      policy: undefined,
      notHonoured: undefined,
    };
  } else {
    const policy = hit.record as EngineAllowPolicy;
    const described = describePolicy(policy, hit.field);
    const role = policy.is_trusted_sender ? 'a trusted sender' : 'an acceptable sender';
    texts = {
      candidate: undefined,
      policy: described,
      notHonoured: `Not honoured: ${described} as ${role}, but verify_sender is on and neither DMARC, SPF nor DKIM passed.`,
    };
  }
  hit.texts = texts;
  return texts;
}

/** `a`, `a; and b`, `a; b; and c`. */
function list(candidates: readonly Candidate[]): string {
  const last = candidates.length - 1;
  if (last < 0) return '';
  if (last === 0) return candidates[0].because;
  let text = candidates[0].because;
  for (let i = 1; i < last; i++) text += `; ${candidates[i].because}`;
  return `${text}; and ${candidates[last].because}`;
}

/** Appends a match, creating the list on the first one. */
function addMatch(
  matches: Match[] | undefined,
  resource: ResourceName,
  id: number,
  field: MatchField,
  pattern: string,
  effect: MatchEffect,
): Match[] {
  const match: Match = { resource, id, field, pattern, effect };
  if (matches === undefined) return [match];
  matches.push(match);
  return matches;
}

function addCandidate(candidates: Candidate[] | undefined, candidate: Candidate): Candidate[] {
  if (candidates === undefined) return [candidate];
  candidates.push(candidate);
  return candidates;
}

/** `list` with `more` appended (in place). */
function appendAll(list: string[], more: readonly string[]): string[] {
  for (let i = 0; i < more.length; i++) list.push(more[i]);
  return list;
}

function addNote(notes: string[] | undefined, note: string): string[] {
  if (notes === undefined) return [note];
  notes.push(note);
  return notes;
}

/** A placeholder, replaced before the verdict is returned. */
const EMPTY_RECIPIENT: RecipientVerdict = Object.freeze({ address: '', disposition: 'NONE', action: 'deliver' });

const NO_DETECTION = 'NONE: no detection or setting applies.';
const EVERY_DETECTION_REMOVED = 'NONE: every detection was removed.';
const NOTHING: readonly never[] = Object.freeze([]);

/** Evaluates one message with the given lookup strategy. */
export function evaluateWith(matcher: Matcher, message: Message): Verdict {
  const prepared = prepareMessage(message);
  return decide(matcher, prepared, matcher.senderMatches(prepared));
}

/**
 * The verdict on a prepared message whose sender settings have been looked up.
 *
 * Most messages match little or nothing, so every list (matches, candidates, notes) is only created
 * once something goes into it, and the texts that recur are built once (see `Candidate`, `hitTexts`).
 */
function decide(matcher: Matcher, prepared: PreparedMessage, senders: SenderMatches): Verdict {
  let matches: Match[] | undefined;
  let candidates: Candidate[] | undefined;
  let notes: string[] | undefined;

  // Candidates are pushed settings first, so on a tie in severity a setting is named as the decider.
  // Blocked senders and sender-side allow policies.
  const blocked = senders.blocked.length > 1 ? sorted(senders.blocked, byRecordThenField) : senders.blocked;
  for (let i = 0; i < blocked.length; i++) {
    const hit = blocked[i];
    matches = addMatch(matches, 'block_senders', hit.record.id, hit.field, hit.record.pattern, 'block');
    candidates = addCandidate(candidates, hitTexts(hit, true).candidate!);
  }
  // Only the first honoured trusted and acceptable policies are named.
  let trusted: SenderHit<EngineAllowPolicy> | undefined;
  let acceptable: SenderHit<EngineAllowPolicy> | undefined;
  const allowed = senders.allowed.length > 1 ? sorted(senders.allowed, byRecordThenField) : senders.allowed;
  for (let i = 0; i < allowed.length; i++) {
    const hit = allowed[i];
    const policy = hit.record;
    const honoured = !policy.verify_sender || prepared.authenticated;
    if (policy.is_trusted_sender) {
      matches = addMatch(matches, 'allow_policies', policy.id, hit.field, policy.pattern, honoured ? 'trusted_sender' : 'trusted_sender_not_honoured');
      if (honoured) trusted ??= hit;
    }
    if (policy.is_acceptable_sender) {
      matches = addMatch(matches, 'allow_policies', policy.id, hit.field, policy.pattern, honoured ? 'acceptable_sender' : 'acceptable_sender_not_honoured');
      if (honoured) acceptable ??= hit;
    }
    if (!honoured && (policy.is_trusted_sender || policy.is_acceptable_sender)) {
      notes = addNote(notes, hitTexts(hit, false).notHonoured!);
    }
  }

  // Impersonation of a registered display name.
  const fromName = prepared.fromName;
  const from = prepared.from;
  if (fromName && from) {
    const named = matcher.displayNames(fromName);
    if (named.length > 0) {
      const entries = sortedById(named);
      const registered = entries.filter((entry) => matcher.isRegisteredAddress(entry, from));
      if (registered.length > 0) {
        for (const entry of registered) matches = addMatch(matches, 'impersonation_registry', entry.id, 'from_name', entry.name, 'registered_sender');
        notes = addNote(
          notes,
          `Display name ${quote(fromName)} matches impersonation registry entry ${registered[0].id} (${quote(registered[0].name)}) and ${from.raw} is registered for it: no impersonation.`,
        );
      } else {
        for (const entry of entries) matches = addMatch(matches, 'impersonation_registry', entry.id, 'from_name', entry.name, 'impersonation');
        candidates = addCandidate(
          candidates,
          new Candidate(
            'MALICIOUS-BEC',
            `display name ${quote(fromName)} matches impersonation registry entry ${entries[0].id} (${quote(entries[0].name)}) but ${from.raw} is not an address registered for it`,
          ),
        );
      }
    }
  }

  // Detections on the From domain: age and lookalikes, each cancelled by a trusted domain. The
  // domain-level questions are asked about the From address when it has a domain.
  const age = prepared.age;
  const fromDomain = from !== undefined && from.labels > 0 ? from : undefined;
  if (age !== undefined && age < RECENT_SUSPICIOUS_DAYS) {
    const candidate = ageCandidate(age);
    const exempting = fromDomain ? sortedById(matcher.trustedDomains(fromDomain, 'is_recent')) : NOTHING;
    if (exempting.length > 0) {
      for (const t of exempting) matches = addMatch(matches, 'trusted_domains', t.id, 'from', t.pattern, 'exempt_recent');
      notes = addNote(
        notes,
        `Cancelled by trusted domain ${exempting[0].id} (${quote(exempting[0].pattern)}, is_recent): ${candidate.because}.`,
      );
    } else {
      candidates = addCandidate(candidates, candidate);
    }
  }
  if (fromDomain && !matcher.isProtected(fromDomain)) {
    const lookalikes = matcher.lookalikes(fromDomain);
    if (lookalikes.length > 0) {
      const imitated = sortedById(lookalikes);
      const reason = `the From domain ${fromDomain.domain} looks like protected domain ${imitated[0].domain}`;
      const exempting = sortedById(matcher.trustedDomains(fromDomain, 'is_similarity'));
      if (exempting.length > 0) {
        for (const t of exempting) matches = addMatch(matches, 'trusted_domains', t.id, 'from', t.pattern, 'exempt_similarity');
        notes = addNote(
          notes,
          `Cancelled by trusted domain ${exempting[0].id} (${quote(exempting[0].pattern)}, is_similarity): SPOOF because ${reason}.`,
        );
      } else {
        for (const d of imitated) matches = addMatch(matches, 'domains', d.id, 'from', d.domain, 'lookalike');
        candidates = addCandidate(candidates, new Candidate('SPOOF', reason));
      }
    }
  }

  // Authentication and the content scanner.
  if (prepared.dmarcFailed) candidates = addCandidate(candidates, DMARC_FAILED);
  const detections = prepared.detections;
  if (detections) {
    for (let i = 0; i < detections.length; i++) {
      const detection = detections[i];
      if (detections.indexOf(detection) !== i) continue;
      candidates = addCandidate(candidates, detectionCandidate(detection));
    }
  }

  // Precedence: blocked beats trusted; trusted clears everything else; acceptable removes SPAM/SPOOF/BULK.
  let decision: string[];
  let disposition: Disposition = 'NONE';
  const isBlocked = blocked.length > 0;
  if (trusted !== undefined && !isBlocked) {
    decision = [`NONE: trusted sender, ${hitTexts(trusted, false).policy!}.`];
    if (candidates !== undefined) decision.push(`Overridden by the trusted sender: ${list(candidates)}.`);
  } else if (candidates === undefined && acceptable === undefined) {
    // The common case: nothing to decide between.
    decision = [NO_DETECTION];
  } else {
    let remaining: readonly Candidate[] = candidates ?? NOTHING;
    let removedLine: string | undefined;
    let keptLine: string | undefined;
    if (acceptable !== undefined && remaining.length > 0) {
      const all = remaining;
      remaining = all.filter((c) => !removedByAcceptable(c.disposition));
      const removed = all.filter((c) => removedByAcceptable(c.disposition));
      const who = `acceptable sender, ${hitTexts(acceptable, false).policy!}`;
      if (removed.length > 0) removedLine = `Removed by the ${who}: ${list(removed)}.`;
      if (remaining.length > 0) keptLine = `Not removed by the ${who}: it removes only SPAM, SPOOF and BULK.`;
    }
    let decisive: Candidate | undefined;
    for (let i = 0; i < remaining.length; i++) {
      const candidate = remaining[i];
      if (decisive === undefined || severity(candidate.disposition) < severity(decisive.disposition)) decisive = candidate;
    }
    if (decisive !== undefined) {
      disposition = decisive.disposition;
      decision = [decisive.line];
    } else {
      decision = [candidates !== undefined ? EVERY_DETECTION_REMOVED : NO_DETECTION];
    }
    if (removedLine !== undefined) decision.push(removedLine);
    if (keptLine !== undefined) decision.push(keptLine);
    if (remaining.length === 2) {
      // The usual case (a sender matched on two fields, or one more detection): a line kept on the candidate.
      decision.push((remaining[0] === decisive ? remaining[1] : remaining[0]).alsoLine);
    } else if (remaining.length > 2) {
      const others = remaining.filter((c) => c !== decisive);
      decision.push(`Also matched, not decisive: ${list(others)}.`);
    }
    if (isBlocked && trusted !== undefined) {
      decision.push(
        `Overridden: ${hitTexts(trusted, false).policy!} as a trusted sender, but a blocked sender beats trusted and acceptable senders.`,
      );
    }
  }

  // Sending domain restrictions: mail from the domain without TLS is dropped for everyone.
  let droppedByRestriction = false;
  if (prepared.tls === false) {
    let seen: Set<number> | undefined;
    for (const sender of prepared.senders) {
      if (sender.field === 'reply_to' || sender.address.domain === '') continue;
      const restrictions = sortedById(matcher.restrictions(sender.address));
      for (const restriction of restrictions) {
        matches = addMatch(matches, 'sending_domain_restrictions', restriction.id, sender.field, restriction.domain, 'drop_without_tls');
        seen ??= new Set<number>();
        if (!seen.has(restriction.id)) {
          seen.add(restriction.id);
          notes = addNote(
            notes,
            `Dropped for every recipient: sending domain restriction ${restriction.id} (${quote(restriction.domain)}) requires TLS and ${sender.field} ${sender.address.raw} came without it.`,
          );
        }
        droppedByRestriction = true;
      }
    }
  }

  // Per recipient: exemption, then the protected domain's drop list.
  const addresses = prepared.addresses;
  const count = addresses.length;
  // Sized up front: most messages have one recipient, and a pushed-to array reserves room for many.
  const recipients: RecipientVerdict[] = count === 1 ? [EMPTY_RECIPIENT] : [];
  let top: Disposition | undefined;
  let allDropped = count > 0;
  for (let index = 0; index < count; index++) {
    const address = addresses[index];
    const recipient = normalizeAddress(address);
    let own = disposition;
    if (recipient) {
      const found = matcher.exemptPolicies(recipient);
      if (found.length > 0) {
        const field = recipientField(index);
        const exempt = sortedById(found);
        for (const policy of exempt) matches = addMatch(matches, 'allow_policies', policy.id, field, policy.pattern, 'exempt_recipient');
        own = 'NONE';
        notes = addNote(notes, `Recipient ${address}: NONE, exempt recipient (${describePolicy(exempt[0], field)}), whatever else matched.`);
      }
    }
    let action: Action = droppedByRestriction ? 'drop' : 'deliver';
    if (!droppedByRestriction && recipient !== undefined && recipient.labels > 0 && matcher.mayDrop(own)) {
      const home = matcher.recipientDomain(recipient);
      if (home && home.drop_dispositions.includes(own)) {
        action = 'drop';
        matches = addMatch(matches, 'domains', home.id, recipientField(index), home.domain, 'drop');
        notes = addNote(notes, `Recipient ${address}: dropped, protected domain ${home.domain} (${home.id}) drops ${own}.`);
      }
    }
    if (action === 'deliver') allDropped = false;
    top = top === undefined ? own : moreSevere(top, own);
    const verdict: RecipientVerdict = { address, disposition: own, action };
    if (count === 1) recipients[0] = verdict;
    else recipients.push(verdict);
  }

  if (matches === undefined) matches = [];
  else if (matches.length > 1) sortInPlace(matches, compareMatches);
  return {
    id: prepared.id,
    disposition: top ?? disposition,
    action: allDropped || (count === 0 && droppedByRestriction) ? 'drop' : 'deliver',
    recipients,
    matches,
    explanation: notes === undefined ? decision : appendAll(decision, notes),
  };
}

/** Evaluates one message against compiled settings. */
export function evaluate(compiled: CompiledSettings, message: Message): Verdict {
  return evaluateWith(compiled.matcher, message);
}

/**
 * Evaluates messages in order; one verdict per message. The same verdicts as `evaluate` on each, made
 * in stages over the whole batch: every message read, then every message's sender settings looked up,
 * then each verdict: 4–14% faster on the stream than one message at a time (seventh session,
 * bench/README.md). Why was not measured; the gain is largest on messages that match nothing, which
 * points to each stage's code staying warm across the batch more than to overlapping memory reads.
 */
export function evaluateAll(compiled: CompiledSettings, messages: readonly Message[]): Verdict[] {
  const matcher = compiled.matcher;
  const prepared = messages.map((message) => prepareMessage(message));
  const senders = prepared.map((message) => matcher.senderMatches(message));
  return prepared.map((message, i) => decide(matcher, message, senders[i]));
}
