/**
 * How a browser presents a dashboard session: the `mailwarden_session` cookie, honoured by the API
 * only together with `X-Mailwarden-Dashboard: 1`. A cross-site page can make a browser send the
 * cookie (SameSite=Strict already stops most of that) but cannot add a custom header without a CORS
 * preflight this server never grants, so the header proves the request came from the dashboard.
 */
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { AlternativeCredential } from '../auth/request-auth.js';
import { ApiError, ErrorCode } from '../http/errors.js';
import type { SessionStore } from './session-store.js';

export const SESSION_COOKIE = 'mailwarden_session';
export const DASHBOARD_HEADER = 'x-mailwarden-dashboard';

/** The value of the request's session cookie, if it carries one. */
export function sessionSecretOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header === undefined ? undefined : fastifyCookie.parse(header)[SESSION_COOKIE];
}

/** True when the request carries `X-Mailwarden-Dashboard: 1`. */
export function fromDashboard(request: FastifyRequest): boolean {
  return request.headers[DASHBOARD_HEADER] === '1';
}

export function noSession(): ApiError {
  return new ApiError(401, [
    { code: ErrorCode.noSession, message: 'No dashboard session: it expired, was signed out or its token was revoked; sign in again' },
  ]);
}

export function dashboardHeaderRequired(): ApiError {
  return new ApiError(403, [
    {
      code: ErrorCode.forbidden,
      message: `Requests made with the dashboard session cookie must carry the header X-Mailwarden-Dashboard: 1`,
    },
  ]);
}

/**
 * The session cookie as an API credential: ignored without the dashboard header (the request is then
 * answered like one without a credential); with it, a dead session is a 401 the dashboard recognises.
 */
export function sessionCredential(sessions: SessionStore): AlternativeCredential {
  return async (request) => {
    if (!fromDashboard(request)) return null;
    const secret = sessionSecretOf(request);
    if (secret === undefined) return null;
    const session = await sessions.find(secret);
    if (session === null) throw noSession();
    return session.principal;
  };
}
