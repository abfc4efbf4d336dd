/**
 * API tokens. A secret is shown once, at creation, and stored only as its SHA-256 digest: secrets are
 * 240 random bits, so a fast digest is enough, and looking one up by digest takes the same time
 * whatever the caller guessed.
 */
import { hash, randomBytes } from 'node:crypto';
import type { Executor } from '../db/executor.js';
import { prepareQuery } from '../db/prepared-query.js';

export interface ApiToken {
  id: string;
  name: string;
  /** Account ids the token may reach, or null for every account. */
  accounts: string[] | null;
  read_only: boolean;
  /** Set for tokens usable as a legacy global key (`X-Auth-Email` + `X-Auth-Key`). */
  email: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface NewToken {
  name: string;
  accounts: string[] | null;
  readOnly: boolean;
  email: string | null;
}

/** The stored form of a secret: its SHA-256 in hexadecimal (one-shot `hash`: a third of `createHash`'s cost). */
export function secretDigest(secret: string): string {
  return hash('sha256', secret, 'hex');
}

interface TokenRow {
  id: string;
  name: string;
  secret_digest: string;
  accounts: string | null;
  read_only: number | boolean;
  email: string | null;
  created_at: string;
  revoked_at: string | null;
}

function fromRow(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    accounts: row.accounts === null ? null : (JSON.parse(row.accounts) as string[]),
    read_only: Boolean(row.read_only),
    email: row.email,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
  };
}

export function createTokenStore(db: Executor) {
  // Every authenticated request looks its token up: the statement is built and compiled once, and
  // each lookup only swaps in its digest (the one parameter). Still one database read per request,
  // so a revocation, from any process, applies to the very next request.
  const findActiveByDigest = prepareQuery<'digest', TokenRow>((executor, value) =>
    executor.selectFrom('api_tokens').selectAll().where('secret_digest', '=', value('digest')).where('revoked_at', 'is', null),
  );

  /** The active token whose secret has this `secretDigest`. */
  async function findByDigest(digest: string): Promise<ApiToken | undefined> {
    const { rows } = await findActiveByDigest(db, { digest });
    return rows.length > 0 ? fromRow(rows[0]) : undefined;
  }

  return {
    /** Creates a token; the returned secret is never stored or shown again. */
    async create(input: NewToken): Promise<{ token: ApiToken; secret: string }> {
      const secret = randomBytes(30).toString('base64url');
      const row: TokenRow = {
        id: randomBytes(16).toString('hex'),
        name: input.name,
        secret_digest: secretDigest(secret),
        accounts: input.accounts === null ? null : JSON.stringify(input.accounts.map((a) => a.toLowerCase())),
        read_only: input.readOnly ? 1 : 0,
        email: input.email === null ? null : input.email.toLowerCase(),
        created_at: new Date().toISOString(),
        revoked_at: null,
      };
      await db.insertInto('api_tokens').values(row).execute();
      return { token: fromRow(row), secret };
    },

    async list(): Promise<ApiToken[]> {
      const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
      return (rows as TokenRow[]).map(fromRow);
    },

    /** Revokes the token now; false when no such token exists or it was already revoked. */
    async revoke(id: string): Promise<boolean> {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** The active token whose secret this is. */
    async findBySecret(secret: string): Promise<ApiToken | undefined> {
      return findByDigest(secretDigest(secret));
    },

    findByDigest,

    async countActive(): Promise<number> {
      const { count } = await db
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(count);
    },

    async countAll(): Promise<number> {
      const { count } = await db
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      return Number(count);
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
