/**
 * The one database interface every stage above `src/db/` talks to, so that the catalog reader, the
 * schema loader and the runner work the same on a real server (node-postgres) and on the embedded
 * PGlite shadow.
 */

/** A row as returned by the driver: column name → value (text, number, boolean, null or arrays). */
export type Row = Record<string, any>;

/** An open connection to one database. Not shareable between concurrent callers. */
export interface Db {
  /** `pg` for a server reached by node-postgres, `pglite` for the embedded in-process PostgreSQL. */
  readonly driver: 'pg' | 'pglite';
  /** Redacted description of where this connection goes, safe to print (no password). */
  readonly label: string;
  /**
   * Runs one statement with the extended protocol and returns its rows.
   * @throws DbError-like objects from the driver (fields `code`, `position`, `message`, …).
   */
  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
  /**
   * Runs a script of zero or more statements with the simple protocol (no parameters) and
   * returns the rows of every statement that produced a result set, in order.
   */
  exec(sql: string): Promise<Row[][]>;
  /** Closes the connection; safe to call twice. */
  close(): Promise<void>;
  /**
   * The process ID the server announced in its BackendKeyData message when the connection was
   * opened (node-postgres only). A direct connection runs its statements in that process
   * (`pg_backend_pid()` equals it); a proxy that answers the start-up itself (PgBouncer, and other
   * poolers that hand out their own cancel keys) announces a number of its own.
   */
  readonly backendKeyPid?: number;
  /** Opens another connection to the same target with the same options (node-postgres only). @throws as the first connect */
  reopen?(): Promise<Db>;
}

/**
 * A PostgreSQL error as thrown by node-postgres or PGlite: the fields PostgreSQL sends in its
 * ErrorResponse message (see PostgreSQL docs, "Message Formats" — `position` is a 1-based character
 * index into the statement text).
 */
export interface PgError extends Error {
  code?: string;
  position?: string | number;
  detail?: string;
  hint?: string;
  where?: string;
}

/** True when `e` looks like an error that PostgreSQL itself reported (it has a SQLSTATE). */
export function isPgError(e: unknown): e is PgError {
  return typeof e === 'object' && e !== null && typeof (e as PgError).code === 'string' && /^[0-9A-Z]{5}$/.test((e as PgError).code!);
}
