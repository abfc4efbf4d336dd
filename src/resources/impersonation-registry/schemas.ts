/**
 * Impersonation registry ("display names"). Seed-era bodies write only name, email and
 * is_email_regex; the other fields are read-only (directory sync, provenance).
 */
import Type, { type Static } from 'typebox';
import { ListQuery, Nullable, RecordMeta, StringEnum } from '../common-schemas.js';

const Provenance = StringEnum(['A1S_INTERNAL', 'SNOOPY-CASB_OFFICE_365', 'SNOOPY-OFFICE_365', 'SNOOPY-GOOGLE_DIRECTORY']);
const Name = Type.String({ minLength: 1, maxLength: 1024 });
const Email = Type.String({ minLength: 1, maxLength: 1024 });

export const DisplayNameSchema = Type.Object({
  comments: Nullable(Type.String()),
  created_at: RecordMeta.created_at,
  directory_id: Nullable(Type.Integer()),
  directory_node_id: Nullable(Type.Integer()),
  email: Email,
  external_directory_node_id: Nullable(Type.String({ deprecated: true })),
  id: RecordMeta.id,
  is_email_regex: Type.Boolean(),
  last_modified: RecordMeta.last_modified,
  name: Name,
  provenance: Nullable(Type.String()),
});
export type DisplayName = Static<typeof DisplayNameSchema>;

export const CreateDisplayNameSchema = Type.Object({
  email: Email,
  is_email_regex: Type.Boolean(),
  name: Name,
});

export const UpdateDisplayNameSchema = Type.Object({
  email: Type.Optional(Nullable(Email)),
  is_email_regex: Type.Optional(Nullable(Type.Boolean())),
  name: Type.Optional(Nullable(Name)),
});

export const ListDisplayNamesQuery = ListQuery(['name', 'email', 'created_at'], {
  provenance: Type.Optional(Provenance),
});
