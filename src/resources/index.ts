/** Every settings collection the API serves, in the order the OpenAPI document lists them. */
import { allowPolicies } from './allow-policies/definition.js';
import { blockSenders } from './block-senders/definition.js';
import { domains } from './domains/definition.js';
import { impersonationRegistry } from './impersonation-registry/definition.js';
import { sendingDomainRestrictions } from './sending-domain-restrictions/definition.js';
import { trustedDomains } from './trusted-domains/definition.js';
import { urlIgnorePatterns } from './url-ignore-patterns/definition.js';

export const RESOURCES = [allowPolicies, blockSenders, domains, impersonationRegistry, sendingDomainRestrictions, trustedDomains];

/**
 * Collections of today's API only, served with uuid ids (`MAILWARDEN_API_IDS=uuid`) and not at all with
 * integer ids. They are stored and audited, but not exported or imported, and the policy engine does not
 * read them.
 */
export const UUID_MODE_RESOURCES = [urlIgnorePatterns];
