/**
 * `POST /accounts/{account_id}/email-security/evaluate`: applies the account's settings to up to 1,000
 * message envelopes and explains each verdict. Needs read permission only: it changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  checkEvaluateRequest,
  evaluateAll,
  EvaluateRequestSchema,
  VerdictSchema,
  type EvaluateRequest,
} from '../engine/index.js';
import { success } from '../http/envelope.js';
import { validationError } from '../http/errors.js';
import { accountIdOf } from '../http/identifiers.js';
import { Envelope, ErrorEnvelope } from '../resources/common-schemas.js';
import type { CompiledSettingsCache } from './compiled-settings-cache.js';

export function registerEvaluateRoutes(app: FastifyInstance, cache: CompiledSettingsCache, { hidden }: { hidden: boolean }): void {
  app.post(
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
      config: { permission: 'read' },
      onRequest: async (request) => {
        accountIdOf(request);
      },
    },
    async (request) => {
      const body = request.body as EvaluateRequest;
      const problems = checkEvaluateRequest(body);
      if (problems.length > 0) throw validationError(problems);
      const compiled = await cache.get(accountIdOf(request));
      return success(evaluateAll(compiled, body.messages));
    },
  );
}
