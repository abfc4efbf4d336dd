/**
 * fast-check arbitraries built from the server's own OpenAPI schemas: values that are mostly of the
 * documented shape, with hostile values mixed in at every level (wrong types, NUL and unpaired
 * surrogates, overlong and odd Unicode text, integers past int32/int64 and float edge cases, deep or
 * huge structures, unknown and prototype-polluting keys), so validation, storage and the error
 * envelope all get exercised.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b.example',
  '\ud800',
  'x\udfffy',
  '\u202eevil.example',
  '\ufeff',
  '😀.example',
  'İstanbul.example',
  'ß.example',
  'xn--',
  'xn--zz.example',
  '\r\nX-Injected: 1',
  "'; drop table allow_policies; --",
  '%00',
  '%',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '(a+)+$',
  '(?<=x)y',
  '\\1',
  '[',
  '*',
  'null',
  'true',
  '-1',
  '1e400',
  '2147483648',
  '9223372036854775808',
  '0x7fffffff',
  'NaN',
  '0.0.0.0/0',
  '::ffff:10.0.0.1',
  '10.0.0.0/7',
  '2001:db8::/129',
  '@',
  'a@@b.example',
  'a'.repeat(64) + '@example.com',
  'a'.repeat(254) + '.example',
  'x'.repeat(1025),
  'é'.repeat(1025),
  '😀'.repeat(600),
  '2026-02-30T25:61:61Z',
  '0000-00-00',
  '00000000-0000-0000-0000-00000000000g',
];

const HOSTILE_NUMBERS = [0, -1, -0, 1.5, 2147483647, 2147483648, -2147483649, 2 ** 53, 2 ** 63, 1e21, 1e308, -1e308, Number.MIN_VALUE];

/**
 * Values tried in every field and parameter one by one (the random runs mix them too): text no store
 * keeps, text past column limits, numbers past int32/int64, and every wrong JSON type.
 */
export const KILLER_VALUES: unknown[] = [
  '\u0000',
  '\ud800',
  'x'.repeat(1025),
  '😀'.repeat(300),
  'a'.repeat(254) + '.example',
  '',
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  0,
  1.5,
  null,
  true,
  [],
  {},
  '9'.repeat(30),
];

/** A JSON value no schema asks for. */
export function hostileValue(depth = 2): fc.Arbitrary<unknown> {
  const leaves = fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HOSTILE_NUMBERS),
    fc.constantFrom(null, true, false),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ maxLength: 20 }).map((text) => `${text}\u0000`),
    fc.constantFrom(...KILLER_VALUES),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  if (depth === 0) return leaves;
  return fc.oneof(
    { weight: 6, arbitrary: leaves },
    {
      weight: 1,
      arbitrary: fc.array(hostileValue(depth - 1), { maxLength: 4 }),
    },
    {
      weight: 1,
      arbitrary: fc.dictionary(fc.constantFrom('id', 'pattern', 'x', '', 'a\u0000', 'constructor', '$where'), hostileValue(depth - 1), {
        maxKeys: 3,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        [[[[[[[[[[[]]]]]]]]]]],
        Array.from({ length: 1001 }, () => ({ id: 1 })),
      ),
    },
  );
}

function pick<T>(value: T | T[] | undefined): T | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A value of the documented shape of `schema` (not necessarily semantically valid). */
function shaped(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((variant) => fromSchema(variant, depth)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => shaped({ ...schema, type }, depth)));
  switch (pick(schema.type)) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -(2 ** 31), -(2 ** 31)),
        max: Math.min(schema.maximum ?? 2 ** 31 - 1, 2 ** 31 - 1),
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'string':
      return stringOf(schema);
    case 'array':
      return fc.array(fromSchema(schema.items ?? {}, depth + 1), {
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object':
    default:
      return objectOf(schema, depth);
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  return fc.oneof(
    fc.constantFrom('example.com', 'mail.example.org', 'user@example.com', '203.0.113.7', '198.51.100.0/24', 'legacy', 'Alice', '^a.*$'),
    fc.domain(),
    fc.emailAddress(),
    fc.string({
      minLength: schema.minLength ?? 0,
      maxLength: Math.min(schema.maxLength ?? 30, 30),
    }),
  );
}

function objectOf(schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) record[key] = fromSchema(property, depth + 1);
  const optional = Object.keys(properties).filter((key) => !required.has(key));
  const extra = fc.dictionary(fc.constantFrom('unknown', 'id', 'created_at', '__proto__x', 'constructor'), hostileValue(1), { maxKeys: 2 });
  return fc
    .tuple(
      fc.record(record, {
        requiredKeys: [...required].filter((key) => key in properties) as never[],
      }),
      extra,
      fc.subarray(optional),
    )
    .map(([values, more, dropped]) => {
      const out: Record<string, unknown> = { ...(values as object), ...more };
      // Sometimes a required key goes missing too.
      for (const key of dropped) delete out[key];
      return out;
    });
}

/** Mostly the documented shape, hostile at any level with some probability. */
export function fromSchema(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 5) return hostileValue(0);
  return fc.oneof({ weight: 3, arbitrary: shaped(schema, depth) }, { weight: 1, arbitrary: hostileValue(depth > 2 ? 0 : 1) });
}

/** Bytes that are percent-encoded UTF-8, or percent-escapes no decoder should accept. */
export function percentEncoded(text: string): string {
  return [...Buffer.from(text)]
    .map((byte) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

const RAW_ESCAPES = ['%00', '%FF', '%ED%A0%80', '%C0%80', '%', '%zz', '%25', '%2F..%2F', '&', '=', '#', '%0D%0A'];

/** An already-encoded query value or path segment for a parameter of `schema`. */
export function encodedParameter(schema: JsonSchema): fc.Arbitrary<string> {
  const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fromSchema(schema).map((value) => percentEncoded(asText(value))),
    },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_ESCAPES) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', '-1', '1.0', '1e3', '2147483648', '99999999999999999999', 'true', 'a'.repeat(2000)),
    },
  );
}

/** A raw body that is not the JSON the route wants: broken JSON, other encodings, other media types. */
export const rawBodies: fc.Arbitrary<{
  body: Buffer | string;
  contentType?: string;
}> = fc.oneof(
  fc
    .constantFrom(
      '{',
      '[',
      '{"a":}',
      'nul',
      '"\\u12"',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      '1'.repeat(400),
      '\ufeff{}',
    )
    .map((body) => ({ body, contentType: 'application/json' })),
  fc.constant({
    body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    contentType: 'application/json',
  }),
  fc.constant({ body: '{}', contentType: 'text/plain' }),
  fc.constant({
    body: 'a=1',
    contentType: 'application/x-www-form-urlencoded',
  }),
  fc.constant({ body: '{}', contentType: 'application/json; charset=latin1' }),
  fc.constant({ body: '{}', contentType: undefined }),
);
