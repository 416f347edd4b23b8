/**
 * The data assumptions of migration files: `-- schemaplan:check <query>` header lines (written by
 * `plan` for changes that can fail on existing rows, see plan/data-checks.ts, or by hand). Each query
 * must find no rows before the file's up section runs. This module reads them with PostgreSQL's
 * parser — only a single plain SELECT is accepted (no SELECT INTO, no FOR UPDATE/SHARE, no
 * data-modifying WITH) — and runs them; the runner refuses a run whose checks find rows before any
 * migration runs.
 */
import type { Db } from '../db/types.js';
import { isPgError } from '../db/types.js';
import type { Migration } from '../migrations/history.js';
import { countSql } from '../plan/data-checks.js';
import { loadParser, splitStatements, SqlSyntaxError } from '../sql/split.js';

/** One parsed check of a file. */
export interface Assumption {
  /** The file (relative path), version and 1-based line of the check. */
  file: string;
  version: string;
  line: number;
  /** The SELECT as written (no trailing semicolon). */
  query: string;
  /** Relations the query reads (`schema.name` or `name` as written), in order of appearance. */
  relations: string[];
  /** Columns the query names (last part of each column reference), in order of appearance. */
  columns: string[];
}

/** What running a check found. */
export type AssumptionResult =
  | { a: Assumption; outcome: 'holds' }
  | { a: Assumption; outcome: 'violated'; count: number }
  /** A relation or column it reads does not exist yet (an earlier pending file creates it): checked again just before its file. */
  | { a: Assumption; outcome: 'deferred'; reason: string }
  | { a: Assumption; outcome: 'failed'; reason: string };

/** Thrown for a check line that is not a single plain SELECT; the message starts with `file:line:`. */
export class AssumptionSyntaxError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: -- schemaplan:check ${message}`);
    this.name = 'AssumptionSyntaxError';
  }
}

/** Walks a parse tree, calling `visit(type, node)` for every `{ Type: {...} }` node. */
function walk(node: unknown, visit: (type: string, body: Record<string, any>) => void): void {
  if (Array.isArray(node)) { for (const n of node) walk(n, visit); return; }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && /^[A-Z]/.test(k)) visit(k, v as Record<string, any>);
    walk(v, visit);
  }
}

/**
 * The checks of `m`, parsed. Needs nothing loaded (loads the parser).
 * @throws AssumptionSyntaxError for an empty check, a syntax error, several statements, or a
 *   statement other than a plain SELECT
 */
export async function readAssumptions(m: Migration): Promise<Assumption[]> {
  const lines = m.parsed.checks ?? [];
  if (!lines.length) return [];
  await loadParser();
  return lines.map(({ sql, line }) => {
    const fail = (why: string): never => { throw new AssumptionSyntaxError(m.relFile, line, why); };
    if (sql.trim() === '') fail('has no query: write one SELECT that finds the rows in the way');
    let stmts;
    try {
      stmts = splitStatements(sql);
    } catch (e) {
      if (e instanceof SqlSyntaxError) fail(`does not parse: ${e.message} (column ${e.column} of the query)`);
      throw e;
    }
    if (stmts.length !== 1) fail(`must hold exactly one statement, found ${stmts.length}`);
    const s = stmts[0]!;
    const select = s.node.SelectStmt as Record<string, any> | undefined;
    if (!select) fail(`must be a SELECT, found ${Object.keys(s.node)[0]}`);
    let problem: string | undefined;
    walk(s.node, (type, body) => {
      if (type === 'SelectStmt' && body.intoClause) problem ??= 'must not be SELECT INTO';
      if (type === 'SelectStmt' && body.lockingClause) problem ??= 'must not lock rows (FOR UPDATE/SHARE)';
      if (type === 'CommonTableExpr' && body.ctequery && !('SelectStmt' in body.ctequery)) problem ??= 'must not modify data in WITH';
    });
    if (problem) fail(problem);
    const relations: string[] = [];
    const columns: string[] = [];
    walk(s.node, (type, body) => {
      if (type === 'RangeVar') {
        const r = body.schemaname ? `${body.schemaname}.${body.relname}` : String(body.relname);
        if (!relations.includes(r)) relations.push(r);
      }
      if (type === 'ColumnRef') {
        const fields = (body.fields ?? []) as Array<{ String?: { sval: string } }>;
        const last = fields[fields.length - 1]?.String?.sval;
        if (last !== undefined && !columns.includes(last)) columns.push(last);
      }
    });
    return { file: m.relFile, version: m.version, line, query: s.sql, relations, columns };
  });
}

/** SQLSTATEs of a check that reads what does not exist yet: undefined_table, undefined_column, undefined_function, undefined_object, invalid_schema_name. */
const NOT_YET = new Set(['42P01', '42703', '42883', '42704', '3F000']);

/**
 * Runs checks on `db`. Read-only and isolated: inside the caller's transaction each runs in a
 * savepoint that is rolled back; otherwise in a `READ ONLY` transaction of its own that is rolled back.
 * @param opts.inTransaction the caller has a transaction open on `db` (the runner's refusal transaction)
 * @returns one result per check, in order
 */
export async function runAssumptions(db: Db, checks: Assumption[], opts: { inTransaction: boolean }): Promise<AssumptionResult[]> {
  if (!checks.length) return [];
  if (!opts.inTransaction) await db.exec('BEGIN READ ONLY');
  const out: AssumptionResult[] = [];
  try {
    for (const a of checks) {
      await db.exec('SAVEPOINT schemaplan_check');
      try {
        const [row] = await db.query<{ n: string | number }>(countSql(a.query));
        const count = Number(row?.n ?? 0);
        out.push(count > 0 ? { a, outcome: 'violated', count } : { a, outcome: 'holds' });
      } catch (e) {
        if (!isPgError(e)) throw e;
        out.push(NOT_YET.has(e.code!) ? { a, outcome: 'deferred', reason: e.message } : { a, outcome: 'failed', reason: `${e.message} (SQLSTATE ${e.code})` });
      } finally {
        await db.exec('ROLLBACK TO SAVEPOINT schemaplan_check');
        await db.exec('RELEASE SAVEPOINT schemaplan_check');
      }
    }
  } finally {
    if (!opts.inTransaction) await db.exec('ROLLBACK').catch(() => undefined);
  }
  return out;
}

/** `migrations/x.sql:3: 100 row(s) found in public.orders (customer) by the check "SELECT …"`. */
export function describeAssumption(r: AssumptionResult): string {
  const a = r.a;
  const where = `${a.relations.join(', ') || 'the database'}${a.columns.length ? ` (${a.columns.join(', ')})` : ''}`;
  const q = a.query.replace(/\s+/g, ' ');
  switch (r.outcome) {
    case 'violated': return `${a.file}:${a.line}: ${r.count} row(s) in the way in ${where}: the check "${q}" must find none`;
    case 'failed': return `${a.file}:${a.line}: the check "${q}" on ${where} failed: ${r.reason}`;
    case 'deferred': return `${a.file}:${a.line}: the check "${q}" waits for its file (${r.reason})`;
    case 'holds': return `${a.file}:${a.line}: the check "${q}" on ${where} finds nothing`;
  }
}
