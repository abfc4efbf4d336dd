/**
 * The dashboard's session endpoints (docs/api-behaviour.md, "Dashboard sessions"):
 * - `POST /dashboard/session` signs in with an API token secret and sets the session cookie;
 * - `GET /dashboard/session` describes the cookie's session;
 * - `DELETE /dashboard/session` signs out (the row is deleted, the cookie cleared);
 * - `GET /dashboard/accounts` lists the accounts the dashboard offers to pick from.
 * Left out of the OpenAPI document: they are the dashboard's, not part of the Cloudflare API.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Authenticator, Principal } from '../auth/authenticate.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import type { Executor } from '../db/executor.js';
import { success } from '../http/envelope.js';
import { ApiError, ErrorCode } from '../http/errors.js';
import { dashboardHeaderRequired, fromDashboard, noSession, SESSION_COOKIE, sessionSecretOf } from './session-cookie.js';
import type { DashboardSession, SessionStore } from './session-store.js';

export interface SessionRouteOptions {
  sessions: SessionStore;
  authenticator: Authenticator;
  failures: FailureLimiter;
  db: Executor;
  apiIds: 'integer' | 'uuid';
}

const SignInBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 512, pattern: '^[\\x21-\\x7e]+$', description: 'An API token secret' }) },
  { additionalProperties: false },
);

/** What the dashboard is told about its session: who it acts as, with which right, where, and how records are named. */
function describe(session: DashboardSession, apiIds: 'integer' | 'uuid') {
  const { principal } = session;
  return {
    api_ids: apiIds,
    token_id: principal.tokenId,
    name: principal.tokenName,
    permission: principal.readOnly ? 'read' : 'write',
    accounts: principal.accounts,
    expires_at: session.expiresAt,
  };
}

function tooManyFailures(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    [{ code: ErrorCode.rateLimited, message: 'Too many failed authentication attempts from this address; please wait' }],
    { 'retry-after': String(retryAfterSeconds) },
  );
}

function wrongToken(): ApiError {
  return new ApiError(403, [{ code: ErrorCode.authentication, message: 'Authentication error' }]);
}

export async function registerSessionRoutes(app: FastifyInstance, options: SessionRouteOptions): Promise<void> {
  const { sessions, authenticator, failures, db } = options;
  // Parses and sets cookies for these routes only (the API reads the cookie in session-cookie.ts).
  await app.register(fastifyCookie, { hook: false });
  const hide = { hide: true };

  function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, maxAgeSeconds: number): void {
    reply.setCookie(SESSION_COOKIE, secret, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      maxAge: maxAgeSeconds,
      secure: request.protocol === 'https',
    });
  }

  function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
  }

  app.post('/dashboard/session', { schema: { ...hide, body: SignInBody } }, async (request, reply) => {
    const blockedFor = await failures.blockedFor(request.ip);
    if (blockedFor > 0) throw tooManyFailures(blockedFor);
    const { token } = request.body as { token: string };
    let principal: Principal;
    try {
      principal = await authenticator.authenticate({ authorization: `Bearer ${token}` });
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) await failures.failed(request.ip);
      throw error;
    }
    // Open mode lets any secret through the API; a session needs a token that exists.
    if (principal.tokenId === null) {
      await failures.failed(request.ip);
      throw wrongToken();
    }
    const { secret, session } = await sessions.open({ ...principal, tokenId: principal.tokenId });
    setSessionCookie(request, reply, secret, sessions.lifetimeSeconds);
    return success(describe(session, options.apiIds));
  });

  app.get('/dashboard/session', { schema: hide }, async (request, reply) => {
    const secret = sessionSecretOf(request);
    const session = secret === undefined ? null : await sessions.find(secret);
    if (session === null) {
      if (secret !== undefined) clearSessionCookie(request, reply);
      throw noSession();
    }
    return success(describe(session, options.apiIds));
  });

  app.delete('/dashboard/session', { schema: hide }, async (request, reply) => {
    if (!fromDashboard(request)) throw dashboardHeaderRequired();
    const secret = sessionSecretOf(request);
    if (secret !== undefined) await sessions.close(secret);
    clearSessionCookie(request, reply);
    return success(null);
  });

  // Authenticated as the API is (Bearer, or the cookie with the dashboard header), needing Read.
  app.get('/dashboard/accounts', { schema: hide, config: { permission: 'read' } }, async (request) => {
    const { accounts } = request.principal!;
    if (accounts !== null) return success([...accounts].sort());
    const rows = await db
      .selectFrom('resource_counts')
      .select('account_id')
      .distinct()
      .where('count', '>', 0)
      .orderBy('account_id')
      .execute();
    return success(rows.map((row: { account_id: string }) => row.account_id));
  });
}
