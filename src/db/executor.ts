import type { Kysely } from 'kysely';

/**
 * A database handle without a compile-time schema. Tables come from the resource definitions at run
 * time, so there is no static database type to give Kysely; rows are typed where they are read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's schema-less form
export type Executor = Kysely<any>;
