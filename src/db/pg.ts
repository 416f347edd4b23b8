import pg from 'pg';
import type { Db, Row } from './types.js';
import { redactUrl } from './redact.js';

// PostgreSQL int8 and numeric stay strings (no silent precision loss); this only affects our own reads.

/**
 * Opens a node-postgres connection. `url` follows libpq's URI form
 * (`postgres://user:pass@host:port/db?sslmode=…`, `host=/socket/dir` for Unix sockets); missing
 * parts come from the `PG*` environment variables exactly as node-postgres reads them.
 *
 * @throws the driver's connection error (ECONNREFUSED, 28P01 wrong password, 3D000 missing database …)
 */
export async function connectPg(url: string, opts: { applicationName?: string } = {}): Promise<Db> {
  const client = new pg.Client({ connectionString: url, application_name: opts.applicationName ?? 'schemaplan' });
  // An idle connection that the server closes must not crash the process with an unhandled 'error'.
  client.on('error', () => undefined);
  await client.connect();
  let closed = false;
  return {
    driver: 'pg',
    label: redactUrl(url),
    async query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]> {
      const res = await client.query(sql, params as any[]);
      return res.rows as R[];
    },
    async exec(sql: string): Promise<Row[][]> {
      const res = (await client.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[];
      const list = Array.isArray(res) ? res : [res];
      return list.filter((r) => Array.isArray(r.fields) && r.fields.length > 0).map((r) => r.rows);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await client.end().catch(() => undefined);
    },
  };
}
