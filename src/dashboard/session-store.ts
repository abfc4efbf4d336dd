/**
 * Dashboard sessions in the database. The cookie holds 256 random bits; the table holds only their
 * SHA-256 (a database reader cannot sign in with what it reads) and the token the session was opened
 * with. Every lookup joins the token, so a revoked token or a changed bootstrap secret ends its
 * sessions on the very next request, on every replica.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BOOTSTRAP_TOKEN_ID, bootstrapPrincipal, principalOf, type Principal } from '../auth/authenticate.js';
import { secretDigest } from '../auth/token-store.js';
import type { Executor } from '../db/executor.js';

export interface DashboardSession {
  principal: Principal;
  createdAt: string;
  expiresAt: string;
}

export interface SessionStoreOptions {
  /** MAILWARDEN_BOOTSTRAP_TOKEN, when set: sessions opened with it last only while it stays the same. */
  bootstrapToken?: string;
  /** How long a session lasts from sign-in, in seconds. */
  lifetimeSeconds: number;
}

interface SessionRow {
  token_id: string;
  bootstrap_digest: string | null;
  created_at: string;
  expires_at: string;
  name: string | null;
  accounts: string | null;
  read_only: number | boolean | null;
  email: string | null;
  revoked_at: string | null;
}

function sameDigest(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}

export function createSessionStore(db: Executor, { bootstrapToken, lifetimeSeconds }: SessionStoreOptions) {
  const bootstrapDigest = bootstrapToken === undefined ? undefined : secretDigest(bootstrapToken);

  /** The principal a session row still stands for, or null when its token no longer holds. */
  function principalOfRow(row: SessionRow): Principal | null {
    if (row.token_id === BOOTSTRAP_TOKEN_ID) {
      const holds = bootstrapDigest !== undefined && row.bootstrap_digest !== null && sameDigest(row.bootstrap_digest, bootstrapDigest);
      return holds ? bootstrapPrincipal() : null;
    }
    if (row.name === null || row.revoked_at !== null) return null;
    return principalOf({
      id: row.token_id,
      name: row.name,
      accounts: row.accounts === null ? null : (JSON.parse(row.accounts) as string[]),
      read_only: Boolean(row.read_only),
      email: row.email,
    });
  }

  return {
    lifetimeSeconds,

    /**
     * Opens a session for `principal` (a stored token or the bootstrap token) and returns the cookie's
     * secret, shown only here. Expired sessions of every token are removed on the way.
     */
    async open(principal: Principal & { tokenId: string }): Promise<{ secret: string; session: DashboardSession }> {
      const secret = randomBytes(32).toString('base64url');
      const now = new Date();
      const createdAt = now.toISOString();
      const expiresAt = new Date(now.getTime() + lifetimeSeconds * 1000).toISOString();
      await db.deleteFrom('dashboard_sessions').where('expires_at', '<=', createdAt).execute();
      await db
        .insertInto('dashboard_sessions')
        .values({
          id_digest: secretDigest(secret),
          token_id: principal.tokenId,
          bootstrap_digest: principal.tokenId === BOOTSTRAP_TOKEN_ID ? (bootstrapDigest ?? null) : null,
          created_at: createdAt,
          expires_at: expiresAt,
        })
        .execute();
      return { secret, session: { principal, createdAt, expiresAt } };
    },

    /** The live session whose cookie secret this is; a session found expired or orphaned is deleted. */
    async find(secret: string): Promise<DashboardSession | null> {
      const idDigest = secretDigest(secret);
      const row: SessionRow | undefined = await db
        .selectFrom('dashboard_sessions as s')
        .leftJoin('api_tokens as t', 't.id', 's.token_id')
        .select([
          's.token_id',
          's.bootstrap_digest',
          's.created_at',
          's.expires_at',
          't.name',
          't.accounts',
          't.read_only',
          't.email',
          't.revoked_at',
        ])
        .where('s.id_digest', '=', idDigest)
        .executeTakeFirst();
      if (!row) return null;
      const principal = new Date().toISOString() < row.expires_at ? principalOfRow(row) : null;
      if (principal === null) {
        await db.deleteFrom('dashboard_sessions').where('id_digest', '=', idDigest).execute();
        return null;
      }
      return { principal, createdAt: row.created_at, expiresAt: row.expires_at };
    },

    /** Ends the session whose cookie secret this is; false when there was none. */
    async close(secret: string): Promise<boolean> {
      const result = await db.deleteFrom('dashboard_sessions').where('id_digest', '=', secretDigest(secret)).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
