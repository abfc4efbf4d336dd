/**
 * PostgreSQL for tests: every test server gets a database of its own, created fresh on the local
 * server and dropped afterwards, so runs and files never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the PostgreSQL half of the suite connects (trust auth); override with MAILWARDEN_TEST_POSTGRES_URL. */
export const POSTGRES_ADMIN_URL = process.env.MAILWARDEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Which store this test run uses: the vitest project sets it (see vitest.config.ts). */
export const TEST_DIALECT: 'sqlite' | 'postgres' = process.env.MAILWARDEN_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `mailwarden_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** Resolves true when the PostgreSQL server answers. */
export async function postgresReachable(): Promise<boolean> {
  try {
    await admin((client) => client.query('select 1'));
    return true;
  } catch {
    return false;
  }
}
