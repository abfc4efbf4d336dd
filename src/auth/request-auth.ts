/**
 * Wires authentication into Fastify: every route that declares `config.permission` requires a
 * credential with that right on the URL's account. The principal is kept on the request for the
 * audit trail and the rate limiter, and its token id joins every log line of the request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChangeContext } from '../audit/audit-log.js';
import { clientAddressOf } from '../http/client-address.js';
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

function tooManyFailures(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    [{ code: ErrorCode.rateLimited, message: 'Too many failed authentication attempts from this address; please wait' }],
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/**
 * A credential other than the headers the authenticator reads (the dashboard's session cookie):
 * resolves to its principal, to null when the request does not present one, or throws the refusal.
 * Consulted only for requests without Authorization / X-Auth-* headers, which keep their meaning.
 */
export type AlternativeCredential = (request: FastifyRequest) => Promise<Principal | null>;

const CREDENTIAL_HEADERS = ['authorization', 'x-auth-email', 'x-auth-key'] as const;

export function registerRequestAuth(
  app: FastifyInstance,
  authenticator: Authenticator,
  failures: FailureLimiter,
  alternative?: AlternativeCredential,
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    const permission = request.routeOptions.config.permission;
    if (!permission) return;
    const blockedFor = await failures.blockedFor(request.ip);
    if (blockedFor > 0) throw tooManyFailures(blockedFor);
    let principal: Principal | null = null;
    try {
      if (alternative && CREDENTIAL_HEADERS.every((name) => request.headers[name] === undefined)) {
        principal = await alternative(request);
      }
      principal ??= await authenticator.authenticate(request.headers);
    } catch (error) {
      // A well-formed credential that is wrong (403 9103/10000): what guessing secrets produces.
      if (error instanceof ApiError && error.status === 403) await failures.failed(request.ip);
      throw error;
    }
    request.principal = principal;
    // Cheap: request loggers are deferred (http/request-logger.ts), made only if the request logs.
    const log = request.log.child({ tokenId: principal.tokenId });
    request.log = log;
    reply.log = log;
    // A malformed account id (null here) is left to the route's identifier check (400/7003).
    if (request.accountId !== null) authenticator.authorize(principal, request.accountId, permission);
  });
}

/** Who is making this change, for the audit trail. Only for routes that required a permission. */
export function changeContextOf(request: FastifyRequest): ChangeContext {
  const principal = request.principal;
  return {
    tokenId: principal?.tokenId ?? null,
    tokenName: principal?.tokenName ?? 'anonymous',
    email: principal?.email ?? null,
    clientIp: clientAddressOf(request),
    requestId: String(request.id),
  };
}
