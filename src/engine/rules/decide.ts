/**
 * The rulebook: from what a message matched to its verdict and the explanation of it.
 *
 * `decide` asks a `Matcher` which settings match (the indexed engine answers from hash tables, prefix
 * tables and regex sets; the naive reference in the tests scans every setting) and applies the same
 * rules for both:
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
import { normalizeAddress } from '../address/address.js';
import { moreSevere, severity, type Disposition } from '../dispositions.js';
import type { PreparedMessage } from '../message/prepared.js';
import type { EngineAllowPolicy, EngineBlockedSender, ResourceName } from '../settings.js';
import type { Action, Match, MatchEffect, MatchField, RecipientVerdict, Verdict } from '../verdict.js';
import {
  ageCandidate,
  Candidate,
  describePolicy,
  detectionCandidate,
  DMARC_FAILED,
  list,
  quote,
  RECENT_SUSPICIOUS_DAYS,
  removedByAcceptable,
  type HitTexts,
} from './candidates.js';
import type { Matcher, SenderHit, SenderMatches } from './matcher.js';
import { byRecordThenField, compareMatches, recipientField, sorted, sortedById, sortInPlace } from './ranking.js';

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

/**
 * The verdict on a prepared message whose sender settings have been looked up.
 *
 * Most messages match little or nothing, so every list (matches, candidates, notes) is only created
 * once something goes into it, and the texts that recur are built once (see `Candidate`, `hitTexts`).
 */
export function decide(matcher: Matcher, prepared: PreparedMessage, senders: SenderMatches): Verdict {
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
      matches = addMatch(
        matches,
        'allow_policies',
        policy.id,
        hit.field,
        policy.pattern,
        honoured ? 'trusted_sender' : 'trusted_sender_not_honoured',
      );
      if (honoured) trusted ??= hit;
    }
    if (policy.is_acceptable_sender) {
      matches = addMatch(
        matches,
        'allow_policies',
        policy.id,
        hit.field,
        policy.pattern,
        honoured ? 'acceptable_sender' : 'acceptable_sender_not_honoured',
      );
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
        for (const entry of registered)
          matches = addMatch(matches, 'impersonation_registry', entry.id, 'from_name', entry.name, 'registered_sender');
        notes = addNote(
          notes,
          `Display name ${quote(fromName)} matches impersonation registry entry ${registered[0].id} (${quote(registered[0].name)}) and ${from.raw} is registered for it: no impersonation.`,
        );
      } else {
        for (const entry of entries)
          matches = addMatch(matches, 'impersonation_registry', entry.id, 'from_name', entry.name, 'impersonation');
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
        notes = addNote(
          notes,
          `Recipient ${address}: NONE, exempt recipient (${describePolicy(exempt[0], field)}), whatever else matched.`,
        );
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
