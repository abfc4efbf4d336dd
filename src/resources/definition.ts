/**
 * A resource definition is everything that makes one settings collection different from the others:
 * its table, fields, schemas, sort keys, filters and record-level rules. `resource-service.ts`,
 * `resource-repository.ts` and `resource-routes.ts` turn any definition into storage and HTTP routes,
 * so the six collections share one implementation of list/get/create/patch/delete/batch.
 *
 * @example
 *   export const blockSenders = defineResource({
 *     name: 'block_senders', idParam: 'pattern_id', label: 'Blocked sender',
 *     fields: { comments: { kind: 'text', nullable: true }, pattern: { kind: 'text' }, ... },
 *     ...
 *   });
 */
import type { TObject } from 'typebox';
import type { FieldError } from '../http/errors.js';

/** How a field is stored: booleans as 0/1 and arrays/objects as JSON text, so both engines agree. */
export type FieldKind = 'text' | 'boolean' | 'integer' | 'json';

export interface FieldSpec {
  kind: FieldKind;
  /** The record may hold null here; a PATCH null clears it. */
  nullable?: boolean;
  /** Never taken from a request body; set from `default` or by `derive`. */
  readOnly?: boolean;
  /** The value a create (or batch put) gives the field when the body leaves it out. */
  default?: () => unknown;
  /** Stored but never part of a response (domains' active delivery mode). */
  hidden?: boolean;
}

/** A record's fields in API form (booleans, arrays), keyed by field name. */
export type Values = Record<string, unknown>;

export interface StoredRecord {
  id: number;
  /** The record's uuid, set at creation and never changed; only in collections with `uuidIds`. */
  uuid?: string;
  created_at: string;
  last_modified: string;
  values: Values;
}

/** How a list query parameter narrows the result. */
export type Filter =
  | { column: string; match: 'equals' }
  | { column: string; match: 'equalsIgnoreCase' }
  | { column: string; match: 'anyEqualsIgnoreCase' }
  | { column: string; match: 'jsonArrayContains' };

export interface ResourceSchemas {
  record: TObject;
  create: TObject;
  patch: TObject;
  /** Full replacement body of a batch `puts` item, without its `id`. */
  put?: TObject;
  listQuery: TObject;
}

export interface ResourceDefinition {
  /** URL segment under `/email-security/settings/`, also the table name. */
  name: string;
  /** Name of the path parameter holding a record id (`policy_id`, `pattern_id`, ...). */
  idParam: string;
  /** Human name used in messages: "Allow policy not found". */
  label: string;
  /** Stored fields other than id, account_id, created_at and last_modified. */
  fields: Record<string, FieldSpec>;
  schemas: ResourceSchemas;
  /** Columns searched by `search` (case-insensitive substring). */
  search: string[];
  /** `order` value → column. Ties are always broken by id ascending. */
  sort: Record<string, string>;
  /** Query parameter → filter. */
  filters: Record<string, Filter>;
  operations: {
    /** `single-or-bulk`: the body may also be an array, or `{"body": [...]}`. */
    create: 'single' | 'single-or-bulk';
    /** `full`: deletes, patches, puts, posts; `deletes`: deletes only. */
    batch?: 'full' | 'deletes';
    /** `DELETE` on the collection with a body of `[{id}]` (domains). */
    bulkDelete?: boolean;
  };
  /** A field whose value is unique per account, compared case-insensitively (409 on collision). */
  unique?: { field: string; message: (value: string) => string };
  /** Emit `modified_at` next to `last_modified` (later-API resources). */
  emitModifiedAt?: boolean;
  /**
   * Every record has a uuid (column `uuid`), which is its `id` when the API is served with uuid ids
   * (`MAILWARDEN_API_IDS=uuid`), as today's Cloudflare API does for this collection.
   */
  uuidIds?: boolean;
  /** Rewrites a create/patch/put body before it is read, e.g. to map deprecated aliases. */
  normalizeBody?(body: Values): Values;
  /** Checks the merged record; pointers are relative to the record (`/pattern`). */
  validate(values: Values): FieldError[];
  /** Computes hidden or dependent fields of the next version of a record. */
  derive?(next: Values, previous: Values | undefined): Values;
  /** Fields added to every response (mirrored deprecated aliases). */
  present?(values: Values): Values;
}

export function defineResource(definition: ResourceDefinition): ResourceDefinition {
  return Object.freeze(definition);
}
