/**
 * `POST /accounts/{account_id}/email-security/evaluate`: applies the account's settings to up to 1,000
 * message envelopes and explains each verdict. Needs read permission only: it changes nothing.
 *
 * The body is the JSON request (`{"messages": [...]}`), or one raw RFC 5322 message sent as
 * `Content-Type: message/rfc822`, read by the engine's `.eml` reader as `mailwarden evaluate` reads a
 * file. No authserv-id is trusted here, so an `.eml`'s Authentication-Results are ignored and the
 * explanation says so.
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

/** Turns a raw message body into the JSON request before the schema checks it. */
async function readRawMessage(request: FastifyRequest): Promise<void> {
  if (!Buffer.isBuffer(request.body)) return;
  try {
    const { message, notes } = await readEml(request.body);
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
