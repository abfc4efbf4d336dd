/**
 * Types of the policy engine: the account's settings in their API form, the message it evaluates and
 * the verdict it returns. Settings types are `Pick`s of the API records, so records read from the
 * repository (or from the API) can be passed as they are, and tests can build only what matters.
 */
import type { AllowPolicy } from '../resources/allow-policies/schemas.js';
import type { BlockedSender } from '../resources/block-senders/schemas.js';
import type { Domain } from '../resources/domains/schemas.js';
import type { DisplayName } from '../resources/impersonation-registry/schemas.js';
import type { SendingDomainRestriction } from '../resources/sending-domain-restrictions/schemas.js';
import type { TrustedDomain } from '../resources/trusted-domains/schemas.js';
import type { Message } from './message-schema.js';

export type { Message } from './message-schema.js';

export type EngineAllowPolicy = Pick<
  AllowPolicy,
  | 'id'
  | 'pattern'
  | 'pattern_type'
  | 'is_regex'
  | 'is_trusted_sender'
  | 'is_exempt_recipient'
  | 'is_acceptable_sender'
  | 'verify_sender'
>;
export type EngineBlockedSender = Pick<BlockedSender, 'id' | 'pattern' | 'pattern_type' | 'is_regex'>;
export type EngineTrustedDomain = Pick<TrustedDomain, 'id' | 'pattern' | 'is_regex' | 'is_recent' | 'is_similarity'>;
export type EngineDisplayName = Pick<DisplayName, 'id' | 'name' | 'email' | 'is_email_regex'>;
export type EngineDomain = Pick<Domain, 'id' | 'domain' | 'drop_dispositions'>;
export type EngineSendingDomainRestriction = Pick<SendingDomainRestriction, 'id' | 'domain' | 'exclude'>;

/** Everything the engine applies for one account: the six collections, as the API returns them. */
export interface AccountSettings {
  allow_policies: readonly EngineAllowPolicy[];
  block_senders: readonly EngineBlockedSender[];
  trusted_domains: readonly EngineTrustedDomain[];
  impersonation_registry: readonly EngineDisplayName[];
  domains: readonly EngineDomain[];
  sending_domain_restrictions: readonly EngineSendingDomainRestriction[];
}

/** The settings collections, named as in the URL. */
export type ResourceName = keyof AccountSettings;

/** Verdict dispositions, most severe first. */
export const DISPOSITIONS = ['MALICIOUS', 'MALICIOUS-BEC', 'SUSPICIOUS', 'SPOOF', 'SPAM', 'BULK', 'NONE'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** Dispositions a content scanner may propose in `detections`. */
export const DETECTIONS = ['MALICIOUS', 'SUSPICIOUS', 'SPOOF', 'SPAM', 'BULK'] as const;
export type Detection = (typeof DETECTIONS)[number];

export type Action = 'deliver' | 'drop';

/** Message fields a setting can match: sender fields, the display name, or one recipient (`recipients[2]`). */
export type MatchField =
  | 'envelope_from'
  | 'from'
  | 'reply_to'
  | 'sending_ip'
  | 'helo'
  | 'from_name'
  | `recipients[${number}]`;

/**
 * What a matched setting did:
 * - `block`: blocked sender, MALICIOUS;
 * - `trusted_sender`, `acceptable_sender`: honoured allow policy;
 * - `trusted_sender_not_honoured`, `acceptable_sender_not_honoured`: `verify_sender` is on and neither
 *   DMARC, SPF nor DKIM passed;
 * - `exempt_recipient`: that recipient's disposition is NONE;
 * - `impersonation`: registered display name from an unregistered address, MALICIOUS-BEC;
 * - `registered_sender`: registered display name from one of its registered addresses (no BEC);
 * - `lookalike`: the From domain imitates this protected domain, SPOOF;
 * - `exempt_recent`, `exempt_similarity`: a trusted domain cancelled the recent-domain or lookalike detection;
 * - `drop_without_tls`: sending domain restriction and the message came without TLS, dropped;
 * - `drop`: the recipient's protected domain drops the recipient's disposition.
 */
export type MatchEffect =
  | 'block'
  | 'trusted_sender'
  | 'acceptable_sender'
  | 'trusted_sender_not_honoured'
  | 'acceptable_sender_not_honoured'
  | 'exempt_recipient'
  | 'impersonation'
  | 'registered_sender'
  | 'lookalike'
  | 'exempt_recent'
  | 'exempt_similarity'
  | 'drop_without_tls'
  | 'drop';

export interface Match {
  resource: ResourceName;
  id: number;
  field: MatchField;
  pattern: string;
  effect: MatchEffect;
}

export interface RecipientVerdict {
  address: string;
  disposition: Disposition;
  action: Action;
}

export interface Verdict {
  /** The message's `id`, or null when it had none. */
  id: string | null;
  /** The most severe disposition over the recipients. */
  disposition: Disposition;
  /** `drop` when every recipient's copy is dropped, otherwise `deliver`. */
  action: Action;
  recipients: RecipientVerdict[];
  matches: Match[];
  explanation: string[];
}

/** Evaluates one message; `compileSettings(...)` and the naive reference both produce these. */
export type Evaluator = (message: Message) => Verdict;
