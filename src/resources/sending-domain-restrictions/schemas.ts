/** Sending domain restrictions: later-API CRUD with int32 ids. */
import Type, { type Static } from 'typebox';
import { Comments, DateTime, ListQuery, Nullable, RecordMeta } from '../common-schemas.js';

const DomainName = Type.String({ minLength: 1, maxLength: 253 });
const Exclude = Type.Array(DomainName, { maxItems: 1000 });

export const SendingDomainRestrictionSchema = Type.Object({
  comments: Nullable(Comments),
  created_at: RecordMeta.created_at,
  domain: Type.String(),
  exclude: Type.Array(Type.String()),
  id: RecordMeta.id,
  last_modified: RecordMeta.last_modified,
  modified_at: DateTime,
});
export type SendingDomainRestriction = Static<typeof SendingDomainRestrictionSchema>;

export const CreateSendingDomainRestrictionSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  domain: DomainName,
  exclude: Exclude,
});

export const UpdateSendingDomainRestrictionSchema = Type.Object({
  comments: Type.Optional(Nullable(Comments)),
  domain: Type.Optional(DomainName),
  exclude: Type.Optional(Exclude),
});

export const ListSendingDomainRestrictionsQuery = ListQuery(['domain', 'created_at'], {});
