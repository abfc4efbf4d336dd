/** Every settings collection the API serves, in the order the OpenAPI document lists them. */
import { allowPolicies } from './allow-policies/definition.js';
import { blockSenders } from './block-senders/definition.js';
import { domains } from './domains/definition.js';
import { impersonationRegistry } from './impersonation-registry/definition.js';
import { sendingDomainRestrictions } from './sending-domain-restrictions/definition.js';
import { trustedDomains } from './trusted-domains/definition.js';

export const RESOURCES = [allowPolicies, blockSenders, domains, impersonationRegistry, sendingDomainRestrictions, trustedDomains];
