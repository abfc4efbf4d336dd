/** The verdict the engine returns for a message: its disposition, per recipient, and why. */
import type { Disposition } from './dispositions.js';
import type { ResourceName } from './settings.js';

export type Action = 'deliver' | 'drop';

/** Message fields a setting can match: sender fields, the display name, or one recipient (`recipients[2]`). */
export type MatchField = 'envelope_from' | 'from' | 'reply_to' | 'sending_ip' | 'helo' | 'from_name' | `recipients[${number}]`;

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
