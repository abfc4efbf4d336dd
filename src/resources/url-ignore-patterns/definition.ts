import { checkRegex } from '../../validation/patterns.js';
import { defineResource } from '../definition.js';
import {
  CreateUrlIgnorePatternSchema,
  ListUrlIgnorePatternsQuery,
  UpdateUrlIgnorePatternSchema,
  UrlIgnorePatternSchema,
} from './schemas.js';

/**
 * URLs matching `pattern` (a regular expression) are not rewritten, in today's API. mailwarden rewrites
 * no URLs, so the patterns are stored and served only; the policy engine does not read them.
 */
export const urlIgnorePatterns = defineResource({
  name: 'url_ignore_patterns',
  idParam: 'pattern_id',
  label: 'URL ignore pattern',
  fields: {
    comments: { kind: 'text', nullable: true },
    pattern: { kind: 'text' },
  },
  schemas: {
    record: UrlIgnorePatternSchema,
    create: CreateUrlIgnorePatternSchema,
    patch: UpdateUrlIgnorePatternSchema,
    listQuery: ListUrlIgnorePatternsQuery,
  },
  search: ['pattern', 'comments'],
  sort: { pattern: 'pattern', created_at: 'created_at' },
  filters: {},
  operations: { create: 'single' },
  uuidIds: true,
  emitModifiedAt: true,
  validate(values) {
    const problem = checkRegex(String(values.pattern));
    return problem ? [{ pointer: '/pattern', message: problem }] : [];
  },
});
