/**
 * The web dashboard's server side: session sign-in over the API's tokens, the session cookie as an
 * API credential, and the built front end at `/`. The front end talks to the public API only, plus
 * the session endpoints here.
 */
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticate.js';
import type { FailureLimiter } from '../auth/failure-limiter.js';
import type { AlternativeCredential } from '../auth/request-auth.js';
import type { Executor } from '../db/executor.js';
import { sessionCredential } from './session-cookie.js';
import { registerSessionRoutes } from './session-routes.js';
import { createSessionStore, type SessionStore } from './session-store.js';
import { registerStaticAssets } from './static-assets.js';

/** Eight hours: a working day, after which the dashboard asks for the token again. */
export const DEFAULT_SESSION_SECONDS = 8 * 60 * 60;

export interface DashboardOptions {
  db: Executor;
  bootstrapToken?: string;
  /** Session lifetime from sign-in; DEFAULT_SESSION_SECONDS unless set. */
  sessionSeconds?: number;
  /** The built front end; dist/web of this checkout unless set. */
  directory?: string;
  /** How the API names records (MAILWARDEN_API_IDS); the session tells the front end. */
  apiIds?: 'integer' | 'uuid';
}

export interface Dashboard {
  sessions: SessionStore;
  /** For registerRequestAuth: the session cookie as an API credential. */
  credential: AlternativeCredential;
  /** Adds the session endpoints and the static front end (after authentication is registered). */
  register(app: FastifyInstance, auth: { authenticator: Authenticator; failures: FailureLimiter }): Promise<void>;
}

export function createDashboard(options: DashboardOptions): Dashboard {
  const sessions = createSessionStore(options.db, {
    bootstrapToken: options.bootstrapToken,
    lifetimeSeconds: options.sessionSeconds ?? DEFAULT_SESSION_SECONDS,
  });
  return {
    sessions,
    credential: sessionCredential(sessions),
    async register(app, { authenticator, failures }) {
      await app.register(async (scope) =>
        registerSessionRoutes(scope, { sessions, authenticator, failures, db: options.db, apiIds: options.apiIds ?? 'integer' }),
      );
      await registerStaticAssets(app, options.directory);
    },
  };
}
