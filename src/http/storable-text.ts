/**
 * Text that no store can keep: PostgreSQL refuses the NUL character in `text` (SQLite keeps it, so the
 * two would answer differently), and an unpaired UTF-16 surrogate (JSON `"\ud800"`) has no UTF-8 form:
 * both drivers would silently store U+FFFD instead. Every string of a request's query and body, keys
 * included, is checked before validation; the first offending field is answered with a 400 naming it.
 * Routes whose text never reaches the database (evaluate) opt out with `config.anyText`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError, type FieldError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's input never reaches the database: any Unicode text is accepted. */
    anyText?: boolean;
  }
}

/** A surrogate code unit on its own: with the `u` flag, a well-formed pair is one code point and does not match. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;

function problem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'must be valid Unicode text (it contains an unpaired surrogate)';
  return undefined;
}

function nameOf(pointer: string, rootName: string): string {
  const segments = pointer.split('/').filter(Boolean);
  if (segments.length === 0) return rootName;
  return segments
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join('')
    .replace(/^\./, '');
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The first string in `value` (a parsed JSON body or query object) that cannot be stored, located by pointer. */
export function findUnstorableText(value: unknown, rootName: string, pointer = ''): FieldError | undefined {
  if (typeof value === 'string') {
    const reason = problem(value);
    return reason === undefined ? undefined : { pointer, message: `${nameOf(pointer, rootName)} ${reason}` };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findUnstorableText(value[index], rootName, `${pointer}/${index}`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const here = `${pointer}/${escapePointer(key)}`;
    const reason = problem(key);
    if (reason !== undefined) return { pointer: here, message: `The field name ${JSON.stringify(key)} ${reason}` };
    const found = findUnstorableText(item, rootName, here);
    if (found) return found;
  }
  return undefined;
}

function check(request: FastifyRequest): void {
  if (request.routeOptions.config.anyText) return;
  const found = findUnstorableText(request.query, 'query') ?? findUnstorableText(request.body, 'body');
  if (found) throw validationError([found]);
}

export function registerStorableTextCheck(app: FastifyInstance): void {
  // A callback hook: it runs on every request, and an async one costs a promise each time.
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      check(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}
