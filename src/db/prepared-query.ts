/**
 * Hot queries are built and compiled by Kysely once, then run with new values. Building and compiling
 * (operation-node visitors, freezing) cost more CPU than an indexed read of one row (bench/PROFILES.md),
 * and the SQL of these queries never changes: only their parameters do.
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Executor = Kysely<any>;

/** Stands for a named value while the query is built; where it lands among the parameters is read back after compiling. */
class Placeholder {
  constructor(readonly name: string) {}
}

export type PreparedQuery<Args extends string> = (
  executor: Executor,
  args: Record<Args, unknown>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
) => Promise<QueryResult<any>>;

/**
 * `build` makes the query with `value(name)` wherever a value goes (Kysely sends it as a parameter, as
 * it does any value). The query is compiled on first use, by the executor it first runs on (every
 * executor of a store shares its dialect), and keeps its operation node, so a driver still sees what
 * kind of query it runs.
 */
export function prepareQuery<Args extends string>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  build: (db: Executor, value: (name: Args) => any) => Compilable<unknown>,
): PreparedQuery<Args> {
  let compiled: CompiledQuery | undefined;
  return (executor, args) => {
    compiled ??= build(executor, (name) => new Placeholder(name)).compile();
    // Parameters other than placeholders are constants of the query (a table name compared as a value).
    const parameters = compiled.parameters.map((parameter) => (parameter instanceof Placeholder ? args[parameter.name as Args] : parameter));
    return executor.executeQuery({ ...compiled, parameters });
  };
}

/** Prepared queries that differ by a few options (an order, a column), each prepared on first use. */
export function prepareVariants<Key extends (string | boolean)[], Args extends string>(
  variant: (...key: Key) => Parameters<typeof prepareQuery<Args>>[0],
): (...key: Key) => PreparedQuery<Args> {
  const prepared = new Map<string, PreparedQuery<Args>>();
  return (...key) => {
    const name = key.join(' ');
    let query = prepared.get(name);
    if (!query) prepared.set(name, (query = prepareQuery(variant(...key))));
    return query;
  };
}

// SQLite's default SQLITE_MAX_VARIABLE_NUMBER (PostgreSQL allows 65,535).
const MAX_PARAMETERS = 32_766;

/** Splits rows into multi-row statements that each stay within the engines' parameter limit. */
export function chunkRows<T>(rows: T[], columnsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMETERS / columnsPerRow));
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}
