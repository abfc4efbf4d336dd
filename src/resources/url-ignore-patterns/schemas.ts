/** URL ignore patterns: today's-API collection with uuid ids (served only with `MAILWARDEN_API_IDS=uuid`). */
import Type, { type Static } from 'typebox';
import { Comments, DateTime, ListQuery, Nullable, PatternString, RecordMeta, Uuid } from '../common-schemas.js';

export const UrlIgnorePatternSchema = Type.Object({
  comments: Nullable(Comments),
  created_at: RecordMeta.created_at,
  id: Uuid,
  last_modified: RecordMeta.last_modified,
  modified_at: DateTime,
  pattern: PatternString,
});
export type UrlIgnorePattern = Static<typeof UrlIgnorePatternSchema>;

export const CreateUrlIgnorePatternSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  pattern: PatternString,
});

export const UpdateUrlIgnorePatternSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  pattern: Type.Optional(PatternString),
});

export const ListUrlIgnorePatternsQuery = ListQuery(['pattern', 'created_at'], {});
