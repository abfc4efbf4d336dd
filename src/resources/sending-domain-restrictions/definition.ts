import type { FieldError } from '../../http/errors.js';
import { checkDomain, checkExcludeEntry } from '../../validation/patterns.js';
import { defineResource } from '../definition.js';
import {
  CreateSendingDomainRestrictionSchema,
  ListSendingDomainRestrictionsQuery,
  SendingDomainRestrictionSchema,
  UpdateSendingDomainRestrictionSchema,
} from './schemas.js';

export const sendingDomainRestrictions = defineResource({
  name: 'sending_domain_restrictions',
  idParam: 'sending_domain_restriction_id',
  label: 'Sending domain restriction',
  fields: {
    comments: { kind: 'text', nullable: true },
    domain: { kind: 'text' },
    exclude: { kind: 'json' },
    // The exclude entries one per line, so search matches entries and never the JSON punctuation around them.
    exclude_search: { kind: 'text', readOnly: true, hidden: true },
  },
  schemas: {
    record: SendingDomainRestrictionSchema,
    create: CreateSendingDomainRestrictionSchema,
    patch: UpdateSendingDomainRestrictionSchema,
    listQuery: ListSendingDomainRestrictionsQuery,
  },
  search: ['domain', 'exclude_search', 'comments'],
  sort: { domain: 'domain', created_at: 'created_at' },
  filters: {},
  operations: { create: 'single', batch: 'deletes' },
  uuidIds: true,
  emitModifiedAt: true,
  derive(next) {
    return { ...next, exclude_search: (next.exclude as string[]).join('\n') };
  },
  validate(values) {
    const errors: FieldError[] = [];
    const domainProblem = checkDomain(String(values.domain));
    if (domainProblem) errors.push({ pointer: '/domain', message: domainProblem });
    // Entries are subdomains written in full or relative to the domain (`legacy`), stored as written;
    // they are checked once the domain they are relative to is valid.
    if (domainProblem) return errors;
    (values.exclude as string[]).forEach((entry, index) => {
      const problem = checkExcludeEntry(entry, String(values.domain));
      if (problem) errors.push({ pointer: `/exclude/${index}`, message: problem });
    });
    return errors;
  },
});
