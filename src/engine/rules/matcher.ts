/**
 * What the rules ask of a lookup strategy. The indexed engine (compiled-matcher.ts) answers from hash
 * tables, prefix tables and regex sets; the naive reference in the tests scans every setting. The
 * rules (decide.ts) ask both the same questions, so verdicts cannot depend on the strategy.
 */
import type { NormalizedAddress } from '../address/address.js';
import type { Disposition } from '../dispositions.js';
import type { PreparedMessage, RegexField } from '../message/prepared.js';
import type {
  EngineAllowPolicy,
  EngineBlockedSender,
  EngineDisplayName,
  EngineDomain,
  EngineSendingDomainRestriction,
  EngineTrustedDomain,
} from '../settings.js';
import type { HitTexts } from './candidates.js';

export interface SenderHit<R> {
  readonly record: R;
  readonly field: RegexField;
  /** The rules' texts about this hit, filled on first use (the trusted sender's are asked for twice). */
  texts?: HitTexts;
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
