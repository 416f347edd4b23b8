/**
 * Database health facts that `status` and `check --url` report beside the history: INVALID indexes
 * (`pg_index.indisvalid = false`), which a failed `CREATE INDEX CONCURRENTLY` or `REINDEX
 * CONCURRENTLY` leaves behind. PostgreSQL keeps maintaining such an index on every write but never
 * uses it for reads ("CREATE INDEX", "Building Indexes Concurrently").
 */
import type { Db } from '../db/types.js';

/** One INVALID index: its quoted, schema-qualified name and its table's. */
export interface InvalidIndex {
  index: string;
  table: string;
}

/**
 * The INVALID indexes of the database outside system schemas, sorted by name.
 * @throws the driver's error when the catalog cannot be read
 */
export async function invalidIndexes(db: Db): Promise<InvalidIndex[]> {
  return db.query<InvalidIndex>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS index, i.indrelid::regclass::text AS table
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
      ORDER BY 1`,
  );
}

/** The advice line for one INVALID index. */
export function describeInvalidIndex(i: InvalidIndex): string {
  return `index ${i.index} on ${i.table} is INVALID (a failed concurrent build?): writes still maintain it, reads never use it; ` +
    `plan --url rebuilds it (DROP INDEX CONCURRENTLY, then CREATE INDEX CONCURRENTLY)`;
}
