/** TypeBox pieces shared by every resource's schemas. */
import Type, { type TObject, type TSchema, type TProperties, type Static } from 'typebox';

export const MAX_ID = 2147483647;
export const MAX_BATCH_ITEMS = 1000;
export const MAX_PER_PAGE = 1000;

export const Id = Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'Server-assigned int32 identifier' });
export const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'Server-assigned uuid',
});
export const DateTime = Type.String({ format: 'date-time', description: 'RFC 3339 timestamp, UTC' });

/** A string enum with an explicit `type`, so the OpenAPI document and serializer know it is a string. */
export function StringEnum<const Values extends string[]>(values: [...Values], options: object = {}) {
  return Type.Enum(values, { type: 'string', ...options });
}

/** `T | null` written as a JSON-schema type list, so a failed check is one error, not an anyOf cascade. */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string | string[]; enum?: unknown[] };
  if (typeof type !== 'string') return Type.Union([schema, Type.Null()]);
  if (rest.enum) rest.enum = [...rest.enum, null];
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

export const Comments = Type.String({ maxLength: 1024 });
export const PatternString = Type.String({ minLength: 1, maxLength: 1024 });
export const PatternType = StringEnum(['EMAIL', 'DOMAIN', 'IP', 'UNKNOWN']);

export const IdReference = Type.Object({ id: Id });
export type IdReference = Static<typeof IdReference>;
export const UuidReference = Type.Object({ id: Uuid });

/**
 * A record schema as today's API answers it: `modified_at` next to `last_modified`, and with `uuid`, `id`
 * a uuid string; properties in alphabetical order as the API emits them.
 */
export function currentApiRecord(record: TObject, { uuid }: { uuid: boolean }): TObject {
  const properties: TProperties = { ...record.properties, modified_at: DateTime };
  if (uuid) properties.id = Type.String({ description: 'Server-assigned uuid' });
  const sorted = Object.fromEntries(
    Object.keys(properties)
      .sort()
      .map((key) => [key, properties[key]]),
  );
  return Type.Object(sorted);
}

/** Every seed-era record starts with these three read-only fields. */
export const RecordMeta = {
  id: Id,
  created_at: DateTime,
  last_modified: DateTime,
};

/** Query parameters every list endpoint takes, plus the resource's sort keys and filters. */
export function ListQuery<const Order extends string[], Filters extends TProperties>(order: [...Order], filters: Filters) {
  return Type.Object({
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ID, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: 20 })),
    order: Type.Optional(StringEnum(order)),
    direction: Type.Optional(StringEnum(['asc', 'desc'])),
    search: Type.Optional(Type.String({ maxLength: 1024 })),
    ...filters,
  });
}

export const QueryBoolean = Type.Boolean();

const ErrorMessage = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  source: Type.Optional(Type.Object({ pointer: Type.String() })),
  error_chain: Type.Optional(Type.Array(Type.Object({ code: Type.Integer(), message: Type.String() }))),
});

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Literal(false),
    errors: Type.Array(ErrorMessage),
    messages: Type.Array(ErrorMessage),
    result: Type.Null(),
  },
  { description: 'Error envelope' },
);

const ResultInfo = Type.Object({
  page: Type.Integer(),
  per_page: Type.Integer(),
  count: Type.Integer(),
  total_count: Type.Integer(),
});

export function Envelope<T extends TSchema>(result: T) {
  return Type.Object({
    success: Type.Literal(true),
    errors: Type.Array(ErrorMessage),
    messages: Type.Array(ErrorMessage),
    result,
  });
}

export function ListEnvelope<T extends TSchema>(item: T) {
  return Type.Object({
    success: Type.Literal(true),
    errors: Type.Array(ErrorMessage),
    messages: Type.Array(ErrorMessage),
    result: Type.Array(item),
    result_info: ResultInfo,
  });
}
