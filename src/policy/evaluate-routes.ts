/**
 * `POST /accounts/{account_id}/email-security/evaluate`: applies the account's settings to up to 1,000
 * message envelopes and explains each verdict. Needs read permission only: it changes nothing.
 *
 * The body is the JSON request (`{"messages": [...]}`), or one raw RFC 5322 message sent as
 * `Content-Type: message/rfc822`, read by the engine's `.eml` reader as `mailwarden evaluate` reads a
 * file. Its Authentication-Results (and Received-SPF) count only from the authserv-ids the caller names
 * with `?trusted_authserv_id=` (repeatable); the others are ignored and the explanation says so.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  checkEvaluateRequest,
  evaluateAll,
  EvaluateRequestSchema,
  InvalidMessageError,
  readEml,
  VerdictSchema,
  type EvaluateRequest,
} from '../engine/index.js';
import { success } from '../http/envelope.js';
import { validationError } from '../http/errors.js';
import { accountIdOf } from '../http/identifiers.js';
import { Envelope, ErrorEnvelope } from '../resources/common-schemas.js';
import { evaluationsTotal } from '../metrics/metrics.js';
import type { CompiledSettingsCache } from './compiled-settings-cache.js';

/** The notes an `.eml` reading adds to its verdict's explanation (ignored Authentication-Results). */
const emlNotes = new WeakMap<FastifyRequest, string[]>();

/** An authserv-id as RFC 8601 writes it: a domain-like token, no spaces, separators or controls. */
const AUTHSERV_ID = /^[A-Za-z0-9!#$%&'*+\-.^_`{|}~]{1,255}$/;

/** The `trusted_authserv_id` query values (repeatable), checked; only raw message bodies have headers to trust. */
function trustedAuthservIdsOf(request: FastifyRequest, raw: boolean): string[] {
  const value = (request.query as Record<string, unknown>).trusted_authserv_id;
  if (value === undefined) return [];
  const ids = Array.isArray(value) ? value : [value];
  const pointer = '/trusted_authserv_id';
  if (!raw) {
    throw validationError([
      {
        pointer,
        message: 'trusted_authserv_id applies to a message/rfc822 body only; a JSON request gives its authentication results itself',
      },
    ]);
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !AUTHSERV_ID.test(id)) {
      throw validationError([
        { pointer, message: `trusted_authserv_id ${JSON.stringify(id)} is not an authserv-id (a name such as mx.example.com)` },
      ]);
    }
  }
  return ids as string[];
}

/** Turns a raw message body into the JSON request before the schema checks it. */
async function readRawMessage(request: FastifyRequest): Promise<void> {
  const raw = Buffer.isBuffer(request.body);
  const trustedAuthservIds = trustedAuthservIdsOf(request, raw);
  if (!Buffer.isBuffer(request.body)) return;
  try {
    const { message, notes } = await readEml(request.body, { trustedAuthservIds });
    request.body = { messages: [message] };
    emlNotes.set(request, notes);
  } catch (error) {
    if (error instanceof InvalidMessageError) throw validationError(error.errors);
    throw error;
  }
}

export function registerEvaluateRoutes(app: FastifyInstance, cache: CompiledSettingsCache, { hidden }: { hidden: boolean }): void {
  // Its own scope, so that only this route reads message/rfc822 bodies.
  void app.register((scope, _options, done) => {
    scope.addContentTypeParser('message/rfc822', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));
    scope.post(
      '/accounts/:account_id/email-security/evaluate',
      {
        schema: {
          operationId: 'email_security.evaluate',
          tags: ['evaluate'],
          hide: hidden,
          params: Type.Object({ account_id: Type.String() }),
          querystring: Type.Object({
            trusted_authserv_id: Type.Optional(
              Type.Union([Type.String(), Type.Array(Type.String())], {
                description: 'For a message/rfc822 body: an authserv-id whose Authentication-Results are believed (repeatable).',
              }),
            ),
          }),
          body: EvaluateRequestSchema,
          response: { 200: Envelope(Type.Array(VerdictSchema)), '4xx': ErrorEnvelope },
        },
        // Message text is evaluated, never stored: a NUL in a hostile header must not stop its verdict.
        config: { permission: 'read', anyText: true },
        onRequest: (request, _reply, next) => {
          accountIdOf(request);
          next();
        },
        preValidation: readRawMessage,
      },
      async (request) => {
        const body = request.body as EvaluateRequest;
        const problems = checkEvaluateRequest(body);
        if (problems.length > 0) throw validationError(problems);
        const compiled = await cache.get(accountIdOf(request));
        const verdicts = evaluateAll(compiled, body.messages);
        for (const { disposition, action } of verdicts) evaluationsTotal.inc({ disposition, action });
        verdicts[0]?.explanation.push(...(emlNotes.get(request) ?? []));
        return success(verdicts);
      },
    );
    done();
  });
}
