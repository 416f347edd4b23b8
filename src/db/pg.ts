import type { Client, ClientConfig, QueryResult } from 'pg';
import pg from './driver.js';
import type { Db, Row } from './types.js';
import { clientPlan, describeConnectError, targetLabel } from './options.js';

// PostgreSQL int8 and numeric stay strings (no silent precision loss); this only affects our own reads.

/** Thrown when a connection cannot be opened; the message is one paragraph without the password (see `describeConnectError`). */
export class ConnectError extends Error {
  constructor(message: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectError';
  }
}

/**
 * Opens a node-postgres connection. `url` follows libpq's URI form
 * (`postgres://user:pass@host:port/db?sslmode=…`, `host=/socket/dir` for Unix sockets), or is
 * `ENV_TARGET` (`postgres://`) for the `PG*` environment alone; missing parts, the password file and
 * sslmode follow libpq (see `src/db/options.ts`).
 * @param opts.applicationName `application_name` of the session (default `schemaplan`), unless the URL or PGAPPNAME sets one
 * @param opts.describeErrors throw {@link ConnectError} with a readable paragraph (default true)
 * @throws ConnectError (ECONNREFUSED, 28P01 wrong password, 3D000 missing database …), naming the target without its password
 */
export async function connectPg(url: string, opts: { applicationName?: string; describeErrors?: boolean } = {}): Promise<Db> {
  const plan = clientPlan(url, opts.applicationName ? { applicationName: opts.applicationName } : {});
  const label = targetLabel(url);
  const open = async (config: ClientConfig): Promise<Client> => {
    const client = new pg.Client(config);
    // An idle connection that the server closes must not crash the process with an unhandled 'error'.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  };
  let client: Client;
  try {
    try {
      client = await open(plan.config);
    } catch (e: any) {
      if (!plan.plainFallback || !/does not support SSL/i.test(String(e?.message))) throw e;
      client = await open(plan.plainFallback);
    }
  } catch (e: any) {
    if (opts.describeErrors === false) throw e;
    throw new ConnectError(describeConnectError(e, label), e?.code, { cause: e });
  }
  let closed = false;
  return {
    driver: 'pg',
    label,
    // node-postgres keeps BackendKeyData's process ID as `processID` (not in its type definitions).
    backendKeyPid: (client as unknown as { processID?: number }).processID,
    reopen: () => connectPg(url, opts),
    async query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]> {
      const res = await client.query(sql, params as any[]);
      return res.rows as R[];
    },
    async exec(sql: string): Promise<Row[][]> {
      const res = (await client.query(sql)) as unknown as QueryResult | QueryResult[];
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
