import { validateSenderPattern } from '../sender-pattern.js';
import { defineResource, type Values } from '../definition.js';
import { AllowPolicySchema, CreateAllowPolicySchema, ListAllowPoliciesQuery, UpdateAllowPolicySchema } from './schemas.js';

/** Deprecated name → current name. Only the current field is stored. */
const ALIASES = {
  is_sender: 'is_trusted_sender',
  is_recipient: 'is_exempt_recipient',
  is_spoof: 'is_acceptable_sender',
} as const;

export const allowPolicies = defineResource({
  name: 'allow_policies',
  idParam: 'policy_id',
  label: 'Allow policy',
  fields: {
    comments: { kind: 'text', nullable: true },
    is_acceptable_sender: { kind: 'boolean' },
    is_exempt_recipient: { kind: 'boolean' },
    is_regex: { kind: 'boolean' },
    is_trusted_sender: { kind: 'boolean' },
    pattern: { kind: 'text' },
    pattern_type: { kind: 'text' },
    verify_sender: { kind: 'boolean' },
  },
  schemas: {
    record: AllowPolicySchema,
    create: CreateAllowPolicySchema,
    patch: UpdateAllowPolicySchema,
    put: CreateAllowPolicySchema,
    listQuery: ListAllowPoliciesQuery,
  },
  search: ['pattern', 'comments'],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  filters: {
    is_trusted_sender: { column: 'is_trusted_sender', match: 'equals' },
    is_exempt_recipient: { column: 'is_exempt_recipient', match: 'equals' },
    is_acceptable_sender: { column: 'is_acceptable_sender', match: 'equals' },
    is_sender: { column: 'is_trusted_sender', match: 'equals' },
    is_recipient: { column: 'is_exempt_recipient', match: 'equals' },
    is_spoof: { column: 'is_acceptable_sender', match: 'equals' },
    verify_sender: { column: 'verify_sender', match: 'equals' },
    pattern_type: { column: 'pattern_type', match: 'equals' },
    pattern: { column: 'pattern', match: 'equalsIgnoreCase' },
  },
  operations: { create: 'single', batch: 'full' },
  uuidIds: true,
  // The current name wins when both are given; the alias fills in only when the current one is absent or null.
  normalizeBody(body) {
    const normalized: Values = { ...body };
    for (const [alias, current] of Object.entries(ALIASES)) {
      if (normalized[current] == null && normalized[alias] != null) normalized[current] = normalized[alias];
    }
    return normalized;
  },
  validate: validateSenderPattern,
  present(values) {
    return {
      is_sender: values.is_trusted_sender,
      is_recipient: values.is_exempt_recipient,
      is_spoof: values.is_acceptable_sender,
    };
  },
});
