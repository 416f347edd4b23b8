/**
 * Counting what a section would delete, in the database as it is now: the I/O half of the runner's
 * data-loss guard (the findings come from src/runner/deletes.ts). Each count is one bounded query
 * (statement_timeout {@link LOSS_COUNT_TIMEOUT}); when it times out or waits too long for a lock, the
 * planner's estimate (`pg_class.reltuples`) stands in and is flagged as an estimate.
 */
import type { Db } from '../db/types.js';
import { isPgError } from '../db/types.js';
import type { Statement } from '../sql/split.js';
import { wouldDelete, type DeleteKind } from './deletes.js';

/**
 * Bound on each count query (PostgreSQL interval text). Counting a big table scans it; five seconds
 * keeps a refused or dry run quick, and the estimate that replaces a count that takes longer is
 * good enough to say "this would delete data".
 */
export const LOSS_COUNT_TIMEOUT = '5s';

/** One table or column that would lose data, with how much. */
export interface DataLoss {
  kind: DeleteKind;
  /** What loses data, schema-qualified as it is now: `public.t` (rows) or `public.t.note` (values). */
  object: string;
  /** The object the statement names, when it differs from `object` (the schema or type dropped with CASCADE). */
  via?: string;
  /** Rows (table kinds) or non-NULL values (column kinds) that would be deleted; ≥ 0. With `estimated`, the planner's estimate (rounded). */
  count: number;
  /** True when `count` is the planner's estimate because counting timed out or was not allowed; `count` is -1 when even that is unknown (never analysed). */
  estimated: boolean;
  /** Where: the migration file (relative path) and its version. */
  file: string;
  version: string;
  /** The section the statement is in. */
  section: 'up' | 'down';
  /** 1-based line of the statement in the file. */
  line: number;
  /** 1-based index of the statement in its section. */
  statement: number;
}

/** One section to count: its statements and where they are. */
export interface CountTarget {
  file: string;
  version: string;
  section: 'up' | 'down';
  /** The section's statements (from `splitStatements`). */
  statements: Statement[];
  /** Line of the file where the section starts (statement lines are relative to it). */
  firstLine: number;
}

const noop = () => undefined;

/** SQLSTATEs after which the estimate stands in for the count: query_canceled (statement_timeout), lock_not_available (lock_timeout), insufficient_privilege. */
const FALL_BACK = new Set(['57014', '55P03', '42501']);

/**
 * Counts what the statements of `targets` would delete, in the database as it is now — every
 * target against the same state, before any of them runs (a later file's count ignores what an
 * earlier one would change: a table it creates counts 0, one it fills counts as it is now). Objects
 * that do not exist count 0 and are left out. Read-only: inside the caller's transaction each count
 * runs in a savepoint that is rolled back; otherwise in a transaction of its own that is rolled back.
 * @param opts.inTransaction the caller has a transaction open on `db` (the runner's refusal transaction)
 * @param opts.timeout statement_timeout of each count (default {@link LOSS_COUNT_TIMEOUT})
 * @returns the losses with a count above 0, or unknown (-1 estimate), in target and statement order
 * @throws PostgreSQL errors other than a timeout or missing privilege (the estimate replaces those)
 */
export async function countLosses(db: Db, targets: CountTarget[], opts: { inTransaction: boolean; timeout?: string }): Promise<DataLoss[]> {
  const findings = targets.flatMap((t) => t.statements.flatMap((s, i) => wouldDelete(s.node).map((d) => ({ t, s, i, d }))));
  if (findings.length === 0) return [];
  if (!opts.inTransaction) await db.exec('BEGIN READ ONLY');
  const out: DataLoss[] = [];
  try {
    for (const { t, s, i, d } of findings) {
      const rows = await db.query<{ object: string; count_sql: string; estimate: number }>(d.countQuery);
      for (const r of rows) {
        const n = await boundedCount(db, r.count_sql, opts.timeout ?? LOSS_COUNT_TIMEOUT);
        const estimated = n === null;
        const count = n ?? (r.estimate < 0 ? -1 : Math.round(r.estimate));
        if (count === 0) continue;
        out.push({
          kind: d.kind, object: r.object, ...(d.kind === 'schema' || d.kind === 'type' ? { via: d.object } : {}),
          count, estimated, file: t.file, version: t.version, section: t.section, line: t.firstLine + s.line - 1, statement: i + 1,
        });
      }
    }
  } finally {
    if (!opts.inTransaction) await db.exec('ROLLBACK').catch(noop);
  }
  return out;
}

/** Runs one count under `timeout` in a savepoint; null when it timed out (or was refused), so the estimate applies. */
async function boundedCount(db: Db, sql: string, timeout: string): Promise<number | null> {
  await db.exec('SAVEPOINT schemaplan_count');
  try {
    await db.query(`SELECT set_config('statement_timeout', $1, true)`, [timeout]);
    const [row] = await db.query<{ n: string | number }>(sql);
    return Number(row?.n ?? 0);
  } catch (e) {
    if (isPgError(e) && FALL_BACK.has(e.code!)) return null;
    throw e;
  } finally {
    // Also undoes the SET LOCAL: the caller's statement_timeout is back.
    await db.exec('ROLLBACK TO SAVEPOINT schemaplan_count');
    await db.exec('RELEASE SAVEPOINT schemaplan_count');
  }
}

/** `500 non-NULL value(s) of column public.t.note`, `about 1200 row(s) of table public.t (estimate: counting took over 5s)`. */
export function describeLoss(l: DataLoss): string {
  const values = l.kind === 'column' || l.kind === 'type';
  const n = l.count < 0 ? 'an unknown number of' : `${l.estimated ? 'about ' : ''}${l.count}`;
  const what = values ? `${n} non-NULL value(s) of column ${l.object}` : `${n} row(s) of table ${l.object}`;
  const how = l.kind === 'truncate' ? ' (TRUNCATE)'
    : l.kind === 'schema' ? ` (schema ${l.via} dropped with CASCADE)`
      : l.kind === 'type' ? ` (type ${l.via} dropped with CASCADE)` : '';
  const est = l.estimated ? ` [planner estimate: the exact count timed out or was not allowed]` : '';
  return `${what}${how}${est} (statement ${l.statement} of the ${l.section} section of ${l.file}, line ${l.line})`;
}
