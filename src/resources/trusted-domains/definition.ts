import { checkDomain, checkRegex } from '../../validation/patterns.js';
import { defineResource } from '../definition.js';
import { CreateTrustedDomainSchema, ListTrustedDomainsQuery, TrustedDomainSchema, UpdateTrustedDomainSchema } from './schemas.js';

export const trustedDomains = defineResource({
  name: 'trusted_domains',
  idParam: 'trusted_domain_id',
  label: 'Trusted domain',
  fields: {
    comments: { kind: 'text', nullable: true },
    is_recent: { kind: 'boolean' },
    is_regex: { kind: 'boolean' },
    is_similarity: { kind: 'boolean' },
    pattern: { kind: 'text' },
  },
  schemas: {
    record: TrustedDomainSchema,
    create: CreateTrustedDomainSchema,
    patch: UpdateTrustedDomainSchema,
    put: CreateTrustedDomainSchema,
    listQuery: ListTrustedDomainsQuery,
  },
  search: ['pattern', 'comments'],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  filters: {
    is_recent: { column: 'is_recent', match: 'equals' },
    is_similarity: { column: 'is_similarity', match: 'equals' },
    pattern: { column: 'pattern', match: 'equalsIgnoreCase' },
  },
  operations: { create: 'single-or-bulk', batch: 'full' },
  uuidIds: true,
  validate(values) {
    const pattern = String(values.pattern);
    const problem = values.is_regex ? checkRegex(pattern) : checkDomain(pattern);
    return problem ? [{ pointer: '/pattern', message: problem }] : [];
  },
});
