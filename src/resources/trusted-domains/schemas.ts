/** Trusted domains. Seed-era PATCH allows no nulls at all. */
import Type, { type Static } from 'typebox';
import { Comments, ListQuery, Nullable, PatternString, QueryBoolean, RecordMeta } from '../common-schemas.js';

export const TrustedDomainSchema = Type.Object({
  comments: Nullable(Comments),
  created_at: RecordMeta.created_at,
  id: RecordMeta.id,
  is_recent: Type.Boolean(),
  is_regex: Type.Boolean(),
  is_similarity: Type.Boolean(),
  last_modified: RecordMeta.last_modified,
  pattern: PatternString,
});
export type TrustedDomain = Static<typeof TrustedDomainSchema>;

export const CreateTrustedDomainSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  is_recent: Type.Boolean(),
  is_regex: Type.Boolean(),
  is_similarity: Type.Boolean(),
  pattern: PatternString,
});

export const UpdateTrustedDomainSchema = Type.Object({
  comments: Type.Optional(Comments),
  is_recent: Type.Optional(Type.Boolean()),
  is_regex: Type.Optional(Type.Boolean()),
  is_similarity: Type.Optional(Type.Boolean()),
  pattern: Type.Optional(PatternString),
});

export const ListTrustedDomainsQuery = ListQuery(['pattern', 'created_at'], {
  is_recent: Type.Optional(QueryBoolean),
  is_similarity: Type.Optional(QueryBoolean),
  pattern: Type.Optional(Type.String()),
});
