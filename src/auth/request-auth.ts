/**
 * Wires authentication into Fastify: every route that declares `config.permission` requires a
 * credential with that right on the URL's account. The principal is kept on the request for the
 * audit trail and the rate limiter, and its token id joins every log line of the request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChangeContext } from '../audit/audit-log.js';
import { ApiError, ErrorCode } from '../http/errors.js';
import type { Authenticator, Permission, Principal } from './authenticate.js';
import type { FailureLimiter } from './failure-limiter.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The right a route needs; routes without one are public (health, OpenAPI, 404/405 answers). */
    permission?: Permission;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const ACCOUNT_ID = /^[0-9a-fA-F]{32}$/;

function tooManyFailures(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    [{ code: ErrorCode.rateLimited, message: 'Too many failed authentication attempts from this address; please wait' }],
    { 'retry-after': String(retryAfterSeconds) },
  );
}

export function registerRequestAuth(app: FastifyInstance, authenticator: Authenticator, failures: FailureLimiter): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const permission = request.routeOptions.config.permission;
    if (!permission) return;
    const blockedFor = failures.blockedFor(request.ip);
    if (blockedFor > 0) throw tooManyFailures(blockedFor);
    let principal: Principal;
    try {
      principal = await authenticator.authenticate(request.headers);
    } catch (error) {
      // A well-formed credential that is wrong (403 9103/10000): what guessing secrets produces.
      if (error instanceof ApiError && error.status === 403) failures.failed(request.ip);
      throw error;
    }
    request.principal = principal;
    // Cheap: request loggers are deferred (http/request-logger.ts), made only if the request logs.
    const log = request.log.child({ tokenId: principal.tokenId });
    request.log = log;
    reply.log = log;
    // A malformed account id is left to the route's identifier check (400/7003).
    const accountId = (request.params as Record<string, string | undefined>).account_id;
    if (accountId !== undefined && ACCOUNT_ID.test(accountId)) {
      authenticator.authorize(principal, accountId.toLowerCase(), permission);
    }
  });
}

/** Who is making this change, for the audit trail. Only for routes that required a permission. */
export function changeContextOf(request: FastifyRequest): ChangeContext {
  const principal = request.principal;
  return {
    tokenId: principal?.tokenId ?? null,
    tokenName: principal?.tokenName ?? 'anonymous',
    email: principal?.email ?? null,
    clientIp: request.ip,
    requestId: String(request.id),
  };
}
