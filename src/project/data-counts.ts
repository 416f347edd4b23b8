/**
 * Counting what is in the way of a plan on a live database (`plan --url`): the I/O half of the data
 * checks (plan/data-checks.ts decides what to count). Each count is one bounded query
 * (statement_timeout {@link DATA_COUNT_TIMEOUT}) in a read-only transaction that is rolled back;
 * when a count times out (or waits too long for a lock, or is not allowed) the planner's statistics
 * stand in: `pg_class.reltuples` for the rows of a table, times `pg_stats.null_frac` for its NULLs;
 * other kinds are then unknown.
 */
import { isPgError, type Db } from '../db/types.js';
import { countSql, type DataCheck } from '../plan/data-checks.js';

/** Bound on each count (PostgreSQL interval text): counting scans the table; five seconds keeps `plan` quick. */
export const DATA_COUNT_TIMEOUT = '5s';

/** A data check with what the database holds in its way. */
export interface CountedCheck {
  check: DataCheck;
  /** Rows (or duplicate key values) found; with `estimated`, the planner's estimate (rounded); -1 = unknown. */
  count: number;
  /** True when `count` is not an exact count (the count timed out, waited for a lock or was refused). */
  estimated: boolean;
  /** Why the count is unknown (-1): PostgreSQL's message when the query reads what only the plan creates (e.g. a function a CHECK calls). */
  unknownBecause?: string;
}

/** Size of a table as the statistics know it. */
export interface TableSize {
  /** `pg_total_relation_size`: the table with its indexes and TOAST, in bytes. */
  bytes: number;
  /** `pg_class.reltuples` rounded; -1 when the table was never analysed or vacuumed. */
  rows: number;
}

/** SQLSTATEs after which the estimate stands in: query_canceled (statement_timeout), lock_not_available, insufficient_privilege. */
const FALL_BACK = new Set(['57014', '55P03', '42501']);

/** SQLSTATEs of a query that reads what the plan creates: undefined_table, undefined_column, undefined_function, undefined_object, invalid_schema_name. */
const NOT_YET = new Set(['42P01', '42703', '42883', '42704', '3F000']);

const noop = () => undefined;

/** The size and estimated row count of each table id (`table:schema.name`) that exists. */
export async function tableSizes(db: Db, tables: Array<{ id: string; schema: string; name: string }>): Promise<Record<string, TableSize>> {
  const out: Record<string, TableSize> = {};
  for (const t of tables) {
    const [row] = await db.query<{ bytes: string; rows: string }>(
      `SELECT pg_total_relation_size(c.oid) AS bytes, c.reltuples AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`, [t.schema, t.name]);
    if (row) out[t.id] = { bytes: Number(row.bytes), rows: Number(row.rows) < 0 ? -1 : Math.round(Number(row.rows)) };
  }
  return out;
}

/** The planner's estimate of what a check would find, or null when the statistics cannot say. */
async function estimate(db: Db, check: DataCheck): Promise<number | null> {
  const { schema, name } = check.relation;
  const [t] = await db.query<{ rows: string }>(
    `SELECT c.reltuples AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [schema, name]);
  const rows = t ? Number(t.rows) : -1;
  if (rows < 0) return null;
  if (check.kind === 'rows') return Math.round(rows);
  if (check.kind === 'nulls') {
    const [s] = await db.query<{ f: string | null }>(`SELECT null_frac AS f FROM pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = $3`, [schema, name, check.columns[0]]);
    return s?.f == null ? null : Math.round(rows * Number(s.f));
  }
  return null;
}

/**
 * Counts, for each check, what the live database holds in its way. Read-only: one transaction
 * (`BEGIN READ ONLY`), each count in a savepoint under `timeout`, rolled back at the end.
 * @param timeout statement_timeout of each count (default {@link DATA_COUNT_TIMEOUT})
 * @returns every check with its count (0 when nothing is in the way), in the order given
 * @throws PostgreSQL errors other than a timeout, a lock wait or a missing privilege
 */
export async function countDataChecks(db: Db, checks: DataCheck[], timeout = DATA_COUNT_TIMEOUT): Promise<CountedCheck[]> {
  if (checks.length === 0) return [];
  const out: CountedCheck[] = [];
  await db.exec('BEGIN READ ONLY');
  try {
    for (const check of checks) {
      await db.exec('SAVEPOINT schemaplan_data_check');
      let n: number | null = null;
      let notYet: string | undefined;
      try {
        await db.query(`SELECT set_config('statement_timeout', $1, true)`, [timeout]);
        const [row] = await db.query<{ n: string | number }>(countSql(check.sql));
        n = Number(row?.n ?? 0);
      } catch (e) {
        if (isPgError(e) && NOT_YET.has(e.code!)) notYet = `${e.message} (SQLSTATE ${e.code})`;
        else if (!isPgError(e) || !FALL_BACK.has(e.code!)) throw e;
      } finally {
        await db.exec('ROLLBACK TO SAVEPOINT schemaplan_data_check');
      }
      if (notYet) out.push({ check, count: -1, estimated: true, unknownBecause: notYet });
      else if (n !== null) out.push({ check, count: n, estimated: false });
      else out.push({ check, count: (await estimate(db, check)) ?? -1, estimated: true });
    }
  } finally {
    await db.exec('ROLLBACK').catch(noop);
  }
  return out;
}

/** Bytes as PostgreSQL's `pg_size_pretty` writes them: `8192 bytes`, `16 kB`, `3 MB`. */
export function prettySize(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (i < units.length - 1 && Math.abs(v) >= 10 * 1024) { v /= 1024; i++; }
  return `${Math.round(v)} ${units[i]}`;
}

/**
 * One line per check with something in its way (or an unknown count): the table, the columns, the
 * count and the way forward. Empty when nothing is in the way.
 */
export function blockingLines(counted: CountedCheck[], describe: (c: CountedCheck) => string): string[] {
  return counted.filter((c) => c.count !== 0 && !(c.estimated && c.count < 0)).map(describe);
}
