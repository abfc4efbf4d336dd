import { checkEmail, checkRegex } from '../../validation/patterns.js';
import { defineResource } from '../definition.js';
import { CreateDisplayNameSchema, DisplayNameSchema, ListDisplayNamesQuery, UpdateDisplayNameSchema } from './schemas.js';

export const impersonationRegistry = defineResource({
  name: 'impersonation_registry',
  idParam: 'display_name_id',
  label: 'Impersonation registry entry',
  fields: {
    comments: { kind: 'text', nullable: true, readOnly: true },
    directory_id: { kind: 'integer', nullable: true, readOnly: true },
    directory_node_id: { kind: 'integer', nullable: true, readOnly: true },
    email: { kind: 'text' },
    external_directory_node_id: { kind: 'text', nullable: true, readOnly: true },
    is_email_regex: { kind: 'boolean' },
    name: { kind: 'text' },
    // Entries made through the API are manual entries.
    provenance: { kind: 'text', nullable: true, readOnly: true, default: () => 'A1S_INTERNAL' },
  },
  schemas: {
    record: DisplayNameSchema,
    create: CreateDisplayNameSchema,
    patch: UpdateDisplayNameSchema,
    listQuery: ListDisplayNamesQuery,
  },
  search: ['name', 'email', 'comments'],
  sort: { name: 'name', email: 'email', created_at: 'created_at' },
  filters: { provenance: { column: 'provenance', match: 'equals' } },
  operations: { create: 'single' },
  uuidIds: true,
  validate(values) {
    const email = String(values.email);
    const problem = values.is_email_regex ? checkRegex(email) : checkEmail(email);
    return problem ? [{ pointer: '/email', message: problem }] : [];
  },
});
