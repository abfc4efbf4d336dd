import { validateSenderPattern } from '../sender-pattern.js';
import { defineResource } from '../definition.js';
import { BlockedSenderSchema, CreateBlockedSenderSchema, ListBlockedSendersQuery, UpdateBlockedSenderSchema } from './schemas.js';

export const blockSenders = defineResource({
  name: 'block_senders',
  idParam: 'pattern_id',
  label: 'Blocked sender',
  fields: {
    comments: { kind: 'text', nullable: true },
    is_regex: { kind: 'boolean' },
    pattern: { kind: 'text' },
    pattern_type: { kind: 'text' },
  },
  schemas: {
    record: BlockedSenderSchema,
    create: CreateBlockedSenderSchema,
    patch: UpdateBlockedSenderSchema,
    put: CreateBlockedSenderSchema,
    listQuery: ListBlockedSendersQuery,
  },
  search: ['pattern', 'comments'],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  filters: {
    pattern_type: { column: 'pattern_type', match: 'equals' },
    pattern: { column: 'pattern', match: 'equalsIgnoreCase' },
  },
  operations: { create: 'single', batch: 'full' },
  uuidIds: true,
  validate: validateSenderPattern,
});
