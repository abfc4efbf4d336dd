/** Allow policies. Properties are listed in the order the API emits them. */
import Type, { type Static } from 'typebox';
import { Comments, ListQuery, Nullable, PatternString, PatternType, QueryBoolean, RecordMeta } from '../common-schemas.js';

const Flag = Type.Boolean();
const DeprecatedFlag = (replacement: string) => Type.Boolean({ deprecated: true, description: `Deprecated alias of \`${replacement}\`` });

export const AllowPolicySchema = Type.Object({
  comments: Nullable(Comments),
  created_at: RecordMeta.created_at,
  id: RecordMeta.id,
  is_acceptable_sender: Flag,
  is_exempt_recipient: Flag,
  is_recipient: DeprecatedFlag('is_exempt_recipient'),
  is_regex: Flag,
  is_sender: DeprecatedFlag('is_trusted_sender'),
  is_spoof: DeprecatedFlag('is_acceptable_sender'),
  is_trusted_sender: Flag,
  last_modified: RecordMeta.last_modified,
  pattern: PatternString,
  pattern_type: PatternType,
  verify_sender: Flag,
});
export type AllowPolicy = Static<typeof AllowPolicySchema>;

// The three action flags may come under their deprecated names instead, so the schema
// leaves them optional and the service reports a missing one after mapping the aliases.
export const CreateAllowPolicySchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  is_acceptable_sender: Type.Optional(Flag),
  is_exempt_recipient: Type.Optional(Flag),
  is_regex: Flag,
  is_trusted_sender: Type.Optional(Flag),
  pattern: PatternString,
  pattern_type: PatternType,
  verify_sender: Flag,
  is_sender: Type.Optional(DeprecatedFlag('is_trusted_sender')),
  is_recipient: Type.Optional(DeprecatedFlag('is_exempt_recipient')),
  is_spoof: Type.Optional(DeprecatedFlag('is_acceptable_sender')),
});

export const UpdateAllowPolicySchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  is_acceptable_sender: Type.Optional(Nullable(Flag)),
  is_exempt_recipient: Type.Optional(Nullable(Flag)),
  is_regex: Type.Optional(Nullable(Flag)),
  is_trusted_sender: Type.Optional(Nullable(Flag)),
  pattern: Type.Optional(Nullable(PatternString)),
  pattern_type: Type.Optional(PatternType),
  verify_sender: Type.Optional(Nullable(Flag)),
  is_sender: Type.Optional(Nullable(Flag)),
  is_recipient: Type.Optional(Nullable(Flag)),
  is_spoof: Type.Optional(Nullable(Flag)),
});

export const ListAllowPoliciesQuery = ListQuery(['pattern', 'created_at'], {
  is_sender: Type.Optional(QueryBoolean),
  is_trusted_sender: Type.Optional(QueryBoolean),
  is_recipient: Type.Optional(QueryBoolean),
  is_exempt_recipient: Type.Optional(QueryBoolean),
  is_spoof: Type.Optional(QueryBoolean),
  is_acceptable_sender: Type.Optional(QueryBoolean),
  verify_sender: Type.Optional(QueryBoolean),
  pattern_type: Type.Optional(PatternType),
  pattern: Type.Optional(Type.String()),
});
