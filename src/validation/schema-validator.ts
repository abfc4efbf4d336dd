/**
 * JSON-schema validation with Ajv, shared by Fastify's route validation and by the few handlers that
 * validate a body themselves. Bodies are checked strictly (no type coercion: `"true"` is not a boolean);
 * query strings are coerced, since every query value arrives as text.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { validationError, type FieldError } from '../http/errors.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    useDefaults: coerce,
    removeAdditional: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

export const bodyAjv = createAjv(false);
export const queryAjv = createAjv(true);

function describeType(type: unknown): string {
  return String(type).split(',').join(' or ');
}

function describe(error: ErrorObject, name: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${name} is required`;
    case 'type':
      return `${name} must be ${describeType(params.type)}`;
    case 'enum':
      return `${name} must be one of: ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'maxLength':
      return `${name} must be at most ${String(params.limit)} characters long`;
    case 'minLength':
      return `${name} must be at least ${String(params.limit)} character${params.limit === 1 ? '' : 's'} long`;
    case 'maximum':
      return `${name} must be at most ${String(params.limit)}`;
    case 'minimum':
      return `${name} must be at least ${String(params.limit)}`;
    case 'maxItems':
      return `${name} must have at most ${String(params.limit)} items`;
    case 'minItems':
      return `${name} must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'format':
      return `${name} must be a valid ${String(params.format)}`;
    case 'const':
      return `${name} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${name} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Turns Ajv errors into one error per offending field, located by JSON pointer under `prefix`.
 * The first problem found for a field is the one reported.
 */
export function toFieldErrors(errors: ErrorObject[], prefix = '', rootName = 'body'): FieldError[] {
  const byPointer = new Map<string, FieldError>();
  for (const error of errors) {
    // Union branches report their own failures; the union's summary adds nothing for a reader.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    let pointer = prefix + error.instancePath;
    if (error.keyword === 'required') pointer += `/${(error.params as { missingProperty: string }).missingProperty}`;
    if (byPointer.has(pointer)) continue;
    const segments = pointer.split('/').filter(Boolean);
    const name =
      segments.length > 0
        ? segments
            .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
            .join('')
            .replace(/^\./, '')
        : rootName;
    byPointer.set(pointer, { pointer, message: describe(error, name) });
  }
  if (byPointer.size === 0) byPointer.set(prefix, { pointer: prefix, message: `${rootName} is invalid` });
  return [...byPointer.values()];
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates `value` against `schema` as a request body; throws the API's 400 on failure. */
export function assertValid<T>(schema: object, value: unknown, prefix = ''): asserts value is T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = bodyAjv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) throw validationError(toFieldErrors(validate.errors ?? [], prefix));
}
