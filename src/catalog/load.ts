/**
 * The desired state: schema files executed statement by statement in a shadow database
 * ("desired state is elaborated by PostgreSQL, not by us").
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/types.js';
import { executeStatement, isMissingDependency, SqlExecutionError } from '../sql/execute.js';
import { loadParser, splitStatements, SqlSyntaxError, type Statement } from '../sql/split.js';

/**
 * Expands schema sources (files or folders) into `.sql` files: a folder contributes its `.sql` files
 * recursively in name order. Returns absolute paths.
 * @throws Error naming a source that does not exist.
 */
export function listSchemaFiles(sources: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    } else if (p.endsWith('.sql')) out.push(p);
  };
  for (const s of sources) {
    if (!fs.existsSync(s)) throw new Error(`schema source not found: ${s}`);
    walk(s);
  }
  return out;
}

/**
 * Executes the statements of `files` on `db`, in file order and statement order. A statement that
 * fails because something it uses does not exist yet (`isMissingDependency`: undefined table,
 * column, function, object or schema) is set aside and retried, in its original order, in a later
 * round after every other statement has run — so a folder whose files depend on files named after
 * them still loads. Loading stops when a round succeeds entirely or retries nothing successfully;
 * then the first statement that never succeeded is reported with its own error and position.
 * Statements run one at a time outside any transaction, each one atomic: a failed one leaves nothing
 * behind. Every file is parsed before anything runs.
 * @param displayRoot paths in error messages are relative to it (e.g. `schema/schema.sql:12:5`)
 * @throws SqlExecutionError naming file:line:column (a syntax error, any other error at once, or the
 *   first statement that still fails for a missing dependency after the last round); Error when a
 *   file is not valid UTF-8
 */
export async function loadSchema(db: Db, files: string[], displayRoot = process.cwd()): Promise<void> {
  await executeSchema(db, await readSchema(files, displayRoot));
}

/** One statement of a schema file, with the file's display name. */
export interface SchemaStatement {
  file: string;
  statement: Statement;
}

/**
 * Reads and parses schema files with PostgreSQL's parser, without a database: a syntax error is
 * reported before any shadow starts.
 * @param displayRoot paths in error messages are relative to it
 * @throws SqlExecutionError (SQLSTATE 42601) naming file:line:column of a syntax error; Error when a
 *   file is not valid UTF-8
 */
export async function readSchema(files: string[], displayRoot = process.cwd()): Promise<SchemaStatement[]> {
  await loadParser();
  const pending: SchemaStatement[] = [];
  for (const f of files) {
    const buf = fs.readFileSync(f);
    const name = path.relative(displayRoot, f) || f;
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      throw new Error(`${name}: not valid UTF-8; save the file as UTF-8`);
    }
    let statements: Statement[];
    try {
      statements = splitStatements(text);
    } catch (e) {
      if (e instanceof SqlSyntaxError) throw new SqlExecutionError(name, e.line, e.column, e.message, '42601', '');
      throw e;
    }
    for (const statement of statements) pending.push({ file: name, statement });
  }
  return pending;
}

/**
 * Executes parsed schema statements on `db` with the retry rounds of {@link loadSchema}.
 * @throws SqlExecutionError naming file:line:column
 */
export async function executeSchema(db: Db, statements: readonly SchemaStatement[]): Promise<void> {
  let pending = [...statements];
  while (pending.length) {
    const failed: { file: string; statement: Statement; error: SqlExecutionError }[] = [];
    for (const p of pending) {
      try {
        await executeStatement(db, p.statement, p.file);
      } catch (e) {
        if (!isMissingDependency(e)) throw e;
        failed.push({ ...p, error: e });
      }
    }
    // No statement of this round succeeded where it had failed before: what is left never will.
    if (failed.length === pending.length) throw failed[0]!.error;
    pending = failed;
  }
}
