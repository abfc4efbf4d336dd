/**
 * The settings the engine applies, one account's six collections. Each record type lists the fields
 * the engine reads; records in the settings API's form (with their other fields) fit as they are.
 */
import type { DropDisposition } from './dispositions.js';

/** How a non-regex sender pattern is read; `UNKNOWN` (legacy data) is read by its shape. */
export type PatternType = 'EMAIL' | 'DOMAIN' | 'IP' | 'UNKNOWN';

export interface EngineAllowPolicy {
  id: number;
  pattern: string;
  pattern_type: PatternType;
  is_regex: boolean;
  is_trusted_sender: boolean;
  is_exempt_recipient: boolean;
  is_acceptable_sender: boolean;
  verify_sender: boolean;
}

export interface EngineBlockedSender {
  id: number;
  pattern: string;
  pattern_type: PatternType;
  is_regex: boolean;
}

export interface EngineTrustedDomain {
  id: number;
  pattern: string;
  is_regex: boolean;
  is_recent: boolean;
  is_similarity: boolean;
}

export interface EngineDisplayName {
  id: number;
  name: string;
  email: string;
  is_email_regex: boolean;
}

export interface EngineDomain {
  id: number;
  domain: string;
  drop_dispositions: readonly DropDisposition[];
}

export interface EngineSendingDomainRestriction {
  id: number;
  domain: string;
  exclude: readonly string[];
}

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

/** A record of any collection. */
export type SettingsRecord = AccountSettings[ResourceName][number];

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
  before?: SettingsRecord;
  after?: SettingsRecord;
}
