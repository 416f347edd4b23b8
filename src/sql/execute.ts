/**
 * Executes SQL scripts statement by statement so that a failure can be reported at
 * file:line:column — PGlite's and the simple protocol's multi-statement errors carry no position.
 */
import type { Db } from '../db/types.js';
import { isPgError } from '../db/types.js';
import { rememberSecret } from '../db/redact.js';
import { secretValuesOf } from '../catalog/secrets.js';
import { lineColumn, loadParser, splitStatements, SqlSyntaxError, type Statement } from './split.js';

/** A statement of a file failed: where, and what PostgreSQL said. */
export class SqlExecutionError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly pgMessage: string,
    readonly sqlstate: string | undefined,
    readonly statement: string,
  ) {
    super(`${file}:${line}:${column}: ${pgMessage}${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''}`);
    this.name = 'SqlExecutionError';
  }
}

/**
 * SQLSTATEs of an error that names something that does not exist (yet): undefined_table,
 * undefined_column, undefined_function, undefined_object (class 42) and invalid_schema_name (3F000).
 * A statement of a schema folder that fails with one of them may succeed once a later file has run.
 */
export const MISSING_DEPENDENCY_SQLSTATES: ReadonlySet<string> = new Set(['42P01', '42703', '42883', '42704', '3F000']);

/** True when `e` is a statement that failed because an object it uses does not exist (see `MISSING_DEPENDENCY_SQLSTATES`). */
export function isMissingDependency(e: unknown): e is SqlExecutionError {
  return e instanceof SqlExecutionError && e.sqlstate !== undefined && MISSING_DEPENDENCY_SQLSTATES.has(e.sqlstate);
}

/**
 * Parses `text` and runs each statement on `db` in order.
 * @param file name used in error messages (e.g. `schema/schema.sql`)
 * @param lineOffset lines before `text` in the file (when `text` is a section of a larger file)
 * @returns the statements executed
 * @throws SqlExecutionError for a syntax error or a statement PostgreSQL rejected (position from the
 *   error's `position` field when PostgreSQL gives one, else the statement's first character)
 */
export async function executeScript(db: Db, text: string, file: string, lineOffset = 0): Promise<Statement[]> {
  await loadParser();
  let stmts: Statement[];
  try {
    stmts = splitStatements(text);
  } catch (e) {
    if (e instanceof SqlSyntaxError) {
      throw new SqlExecutionError(file, e.line + lineOffset, e.column, e.message, '42601', '');
    }
    throw e;
  }
  for (const s of stmts) await executeStatement(db, s, file, lineOffset);
  return stmts;
}

/**
 * Runs a migration section in its transaction mode: inside one transaction block (BEGIN … COMMIT,
 * rolled back on failure) unless `transactional` is false, when each statement runs on its own
 * (autocommit), as `transaction:false` sections do under the runner and dbmate. A statement that
 * cannot run inside a transaction block (CREATE/DROP INDEX CONCURRENTLY …) in a transactional section
 * fails as PostgreSQL makes it fail (SQLSTATE 25001).
 * @throws SqlExecutionError as {@link executeScript}
 */
export async function executeSection(db: Db, text: string, file: string, lineOffset: number, transactional: boolean): Promise<Statement[]> {
  if (!transactional) return executeScript(db, text, file, lineOffset);
  await db.exec('BEGIN');
  try {
    const stmts = await executeScript(db, text, file, lineOffset);
    await db.exec('COMMIT');
    return stmts;
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** SQLSTATE active_sql_transaction: a statement that cannot run inside a transaction block ran in one. */
export const IN_TRANSACTION_BLOCK_SQLSTATE = '25001';

/**
 * Runs one parsed statement; a PostgreSQL error becomes a SqlExecutionError at file:line:column
 * (from the error's 1-based `position` in the statement when PostgreSQL gives one, else the
 * statement's first character). `lineOffset` = lines before the statement's text in the file.
 * @throws SqlExecutionError, or the driver's error when it is not a PostgreSQL error
 */
export async function executeStatement(db: Db, s: Statement, file: string, lineOffset = 0): Promise<void> {
  // Secret option values and connection-string passwords it sets are redacted from the CLI's output
  // (an error quotes the statement).
  for (const v of secretValuesOf(s.node)) rememberSecret(v);
  try {
    await db.exec(s.sql);
  } catch (e) {
    if (!isPgError(e)) throw e;
    let { line, column } = s;
    const pos = e.position === undefined ? NaN : Number(e.position);
    if (Number.isFinite(pos) && pos > 0) {
      const lc = lineColumn(s.sql, pos - 1);
      line = s.line + lc.line - 1;
      column = lc.line === 1 ? s.column + lc.column - 1 : lc.column;
    }
    throw new SqlExecutionError(file, line + lineOffset, column, e.message, e.code, s.sql);
  }
}
