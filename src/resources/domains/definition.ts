import type { FieldError } from '../../http/errors.js';
import { checkDomain, checkIpOrCidr } from '../../validation/patterns.js';
import { defineResource } from '../definition.js';
import { CreateDomainSchema, DomainSchema, ListDomainsQuery, UpdateDomainSchema } from './schemas.js';

const readOnlyNull = { nullable: true, readOnly: true } as const;

export const domains = defineResource({
  name: 'domains',
  idParam: 'domain_id',
  label: 'Domain',
  fields: {
    allowed_delivery_modes: { kind: 'json', default: () => ['API'] },
    authorization: { kind: 'json', ...readOnlyNull },
    dmarc_status: { kind: 'text', ...readOnlyNull },
    domain: { kind: 'text' },
    drop_dispositions: { kind: 'json', default: () => [] },
    emails_processed: { kind: 'json', ...readOnlyNull },
    folder: { kind: 'text', nullable: true },
    inbox_provider: { kind: 'text', ...readOnlyNull },
    integration_id: { kind: 'text', nullable: true },
    ip_restrictions: { kind: 'json', default: () => [] },
    lookback_hops: { kind: 'integer', default: () => 1 },
    o365_tenant_id: { kind: 'text', ...readOnlyNull },
    regions: { kind: 'json', default: () => ['GLOBAL'] },
    require_tls_inbound: { kind: 'boolean', nullable: true },
    require_tls_outbound: { kind: 'boolean', nullable: true },
    spf_status: { kind: 'text', ...readOnlyNull },
    transport: { kind: 'text', default: () => '' },
    // The mode a domain currently receives mail through, for the `active_delivery_mode` filter.
    active_delivery_mode: { kind: 'text', nullable: true, readOnly: true, hidden: true },
  },
  schemas: { record: DomainSchema, create: CreateDomainSchema, patch: UpdateDomainSchema, listQuery: ListDomainsQuery },
  search: ['domain'],
  sort: { domain: 'domain', created_at: 'created_at' },
  filters: {
    allowed_delivery_mode: { column: 'allowed_delivery_modes', match: 'jsonArrayContains' },
    active_delivery_mode: { column: 'active_delivery_mode', match: 'equals' },
    domain: { column: 'domain', match: 'anyEqualsIgnoreCase' },
  },
  operations: { create: 'single', bulkDelete: true },
  unique: { field: 'domain', message: (value) => `Domain ${value} is already protected in this account` },
  validate(values) {
    const errors: FieldError[] = [];
    const domainProblem = checkDomain(String(values.domain));
    if (domainProblem) errors.push({ pointer: '/domain', message: domainProblem });
    (values.ip_restrictions as string[]).forEach((entry, index) => {
      const problem = checkIpOrCidr(entry);
      if (problem) errors.push({ pointer: `/ip_restrictions/${index}`, message: problem });
    });
    return errors;
  },
  // The active mode stays while it is still allowed; otherwise it becomes the first allowed mode.
  derive(next, previous) {
    const allowed = next.allowed_delivery_modes as string[];
    const active = previous?.active_delivery_mode as string | null | undefined;
    return { ...next, active_delivery_mode: active && allowed.includes(active) ? active : (allowed[0] ?? null) };
  },
});
