/** Blocked senders. */
import Type, { type Static } from 'typebox';
import { Comments, ListQuery, Nullable, PatternString, PatternType, RecordMeta } from '../common-schemas.js';

export const BlockedSenderSchema = Type.Object({
  comments: Nullable(Comments),
  created_at: RecordMeta.created_at,
  id: RecordMeta.id,
  is_regex: Type.Boolean(),
  last_modified: RecordMeta.last_modified,
  pattern: PatternString,
  pattern_type: PatternType,
});
export type BlockedSender = Static<typeof BlockedSenderSchema>;

export const CreateBlockedSenderSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  is_regex: Type.Boolean(),
  pattern: PatternString,
  pattern_type: PatternType,
});

export const UpdateBlockedSenderSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  is_regex: Type.Optional(Nullable(Type.Boolean())),
  pattern: Type.Optional(Nullable(PatternString)),
  pattern_type: Type.Optional(PatternType),
});

export const ListBlockedSendersQuery = ListQuery(['pattern', 'created_at'], {
  pattern_type: Type.Optional(PatternType),
  pattern: Type.Optional(Type.String()),
});
