/**
 * Whether a message can be evaluated: the schema (with the engine's own Ajv instance), then the checks
 * JSON schema cannot express (addresses and IPs that are well-typed strings but not valid values).
 * Problems are located by JSON pointer, so the evaluate endpoint and the CLI can each report them
 * in their own form.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { checkEmail } from '../address/syntax.js';
import { parseIpOrCidr, parseIpv4, parseIpv6Groups } from '../address/ip.js';
import { MessageSchema, type EvaluateRequest, type Message } from './schema.js';

/** One problem of a message: where (a JSON pointer, `''` for the whole value) and what. */
export interface MessageFieldError {
  pointer: string;
  message: string;
}

/** A message that cannot be evaluated; `errors` locate the problems. */
export class InvalidMessageError extends Error {
  readonly errors: MessageFieldError[];

  constructor(errors: MessageFieldError[]) {
    super(errors.map((e) => (e.pointer ? `${e.pointer}: ${e.message}` : e.message)).join('; '));
    this.name = 'InvalidMessageError';
    this.errors = errors;
  }
}

/**
 * An IPv4 or IPv6 address (not a block). The engine's own readers (pinned to ipaddr.js by property
 * tests) answer the forms they read, without ipaddr.js's cost (about 15 µs for an IPv6 address); the
 * rest (zone ids, and everything invalid) goes to the full check.
 */
function isIpAddress(value: string): boolean {
  if (parseIpv4(value) >= 0 || (value.includes(':') && parseIpv6Groups(value) !== undefined)) return true;
  return !value.includes('/') && parseIpOrCidr(value) !== undefined;
}

const SENDER_FIELDS = ['envelope_from', 'from', 'reply_to'] as const;

/** Semantic checks of one schema-valid message; pointers are prefixed by `pointer` (`/messages/3`). */
export function checkMessage(message: Message, pointer = ''): MessageFieldError[] {
  // Pointers are only built for the values that fail: most messages have none.
  let errors: MessageFieldError[] | undefined;
  for (const field of SENDER_FIELDS) {
    const value = message[field];
    // An empty envelope sender is the null sender (`<>`).
    if (value === undefined || (value === '' && field === 'envelope_from')) continue;
    const problem = checkEmail(value);
    if (problem) (errors ??= []).push({ pointer: `${pointer}/${field}`, message: problem });
  }
  const recipients = message.recipients;
  for (let index = 0; index < recipients.length; index++) {
    const problem = checkEmail(recipients[index]);
    if (problem) (errors ??= []).push({ pointer: `${pointer}/recipients/${index}`, message: problem });
  }
  if (message.sending_ip !== undefined && !isIpAddress(message.sending_ip)) {
    (errors ??= []).push({ pointer: `${pointer}/sending_ip`, message: `'${message.sending_ip}' is not a valid IPv4 or IPv6 address` });
  }
  return errors ?? [];
}

/** Semantic checks of a schema-valid evaluate body: every address and IP must be a real one. */
export function checkEvaluateRequest(body: EvaluateRequest): MessageFieldError[] {
  return body.messages.flatMap((message, index) => checkMessage(message, `/messages/${index}`));
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(MessageSchema);

/** What a schema error says, naming the field as a reader would write it (`recipients[0]`). */
function describe(error: ErrorObject, name: string): string {
  const params = error.params as { limit?: number; type?: string; allowedValues?: unknown[] };
  switch (error.keyword) {
    case 'required':
      return `${name} is required`;
    case 'type':
      return `${name} must be ${String(params.type).split(',').join(' or ')}`;
    case 'enum':
      return `${name} must be one of: ${(params.allowedValues ?? []).join(', ')}`;
    case 'maxLength':
      return `${name} must be at most ${params.limit} characters long`;
    case 'minLength':
      return `${name} must be at least ${params.limit} character${params.limit === 1 ? '' : 's'} long`;
    case 'minimum':
      return `${name} must be at least ${params.limit}`;
    case 'maxItems':
      return `${name} must have at most ${params.limit} items`;
    case 'minItems':
      return `${name} must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}`;
    default:
      return `${name} ${error.message ?? 'is invalid'}`;
  }
}

/** The schema's errors, the first for each field. */
function schemaErrors(errors: readonly ErrorObject[]): MessageFieldError[] {
  const byPointer = new Map<string, MessageFieldError>();
  for (const error of errors) {
    let pointer = error.instancePath;
    if (error.keyword === 'required') pointer += `/${(error.params as { missingProperty: string }).missingProperty}`;
    if (byPointer.has(pointer)) continue;
    const segments = pointer.split('/').filter(Boolean);
    const name =
      segments.length > 0
        ? segments
            .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
            .join('')
            .replace(/^\./, '')
        : 'message';
    byPointer.set(pointer, { pointer, message: describe(error, name) });
  }
  if (byPointer.size === 0) byPointer.set('', { pointer: '', message: 'message is invalid' });
  return [...byPointer.values()];
}

/** The message if it passes the evaluate endpoint's checks (schema and semantic), else throws `InvalidMessageError`. */
export function validMessage(value: unknown): Message {
  if (!validate(value)) throw new InvalidMessageError(schemaErrors(validate.errors ?? []));
  const message = value as Message;
  const problems = checkMessage(message);
  if (problems.length > 0) throw new InvalidMessageError(problems);
  return message;
}

/** Reads one message in the evaluate endpoint's JSON form (text, bytes or an already parsed value). */
export function messageFromJson(source: unknown): Message {
  let value = source;
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    try {
      value = JSON.parse(source.toString());
    } catch (error) {
      throw new InvalidMessageError([{ pointer: '', message: `not valid JSON: ${(error as Error).message}` }]);
    }
  }
  return validMessage(value);
}
