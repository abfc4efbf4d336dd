/**
 * Credentials until the token system exists: when `MAILWARDEN_BOOTSTRAP_TOKEN` is set, account routes
 * require `Authorization: Bearer <that value>`; when it is not, they are open. Errors follow spec §1.2.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError, ErrorCode } from '../http/errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function createBootstrapAuth(bootstrapToken: string | undefined) {
  const expected = bootstrapToken === undefined ? undefined : digest(bootstrapToken);

  return async function authenticate(request: FastifyRequest): Promise<void> {
    if (!expected) return;
    const header = request.headers.authorization;
    if (header === undefined && request.headers['x-auth-key'] === undefined && request.headers['x-auth-email'] === undefined) {
      throw new ApiError(400, [
        { code: ErrorCode.missingCredentials, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' },
      ]);
    }
    const match = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? '');
    if (!match) {
      throw new ApiError(400, [
        {
          code: ErrorCode.invalidHeaders,
          message: 'Invalid request headers',
          error_chain: [{ code: ErrorCode.invalidAuthorizationHeader, message: 'Invalid format for Authorization header' }],
        },
      ]);
    }
    // Compare fixed-length digests so the time taken says nothing about how much of the token matched.
    if (!timingSafeEqual(digest(match[1]), expected)) {
      throw new ApiError(403, [{ code: ErrorCode.authentication, message: 'Authentication error' }]);
    }
  };
}
