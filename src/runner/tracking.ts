/**
 * The tracking (history) table, DESIGN.md: `version text primary key, name text, checksum text,
 * applied_at timestamptz, execution_ms integer` — plus `error text`, NULL for a completed migration and
 * the failure for a non-transactional migration that failed or did not finish (it blocks further runs
 * until resolved). dbmate-style tables (`version` only) are adopted by adding the missing columns.
 */
import type { Db } from '../db/types.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { compareVersions } from '../migrations/names.js';

/** Where the tracking table lives (`Config.table`). */
export interface TrackingTable {
  schema: string;
  name: string;
}

/** One row of the tracking table. Columns an adopted table lacks read as `null`. */
export interface AppliedRow {
  version: string;
  name: string | null;
  /** SHA-256 hex of the file when it was applied; `null` for rows written by another tool. */
  checksum: string | null;
  appliedAt: Date | null;
  /** Duration of the up section in milliseconds. */
  executionMs: number | null;
  /** Non-null: a non-transactional migration failed or did not finish; the row blocks `up`/`down` until resolved. */
  error: string | null;
}

const COLUMNS: Array<[string, string]> = [
  ['name', 'text'],
  ['checksum', 'text'],
  ['applied_at', 'timestamptz'],
  ['execution_ms', 'integer'],
  ['error', 'text'],
];

/** `schema.name` of the table, quoted as needed. */
export function tableSql(table: TrackingTable): string {
  return qualified(table.schema, table.name);
}

/**
 * The column names of the tracking table, or `null` when it does not exist.
 * @throws Error when the name belongs to something that is not a table.
 */
export async function trackingColumns(db: Db, table: TrackingTable): Promise<Set<string> | null> {
  const rel = await db.query<{ relkind: string }>(
    `SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [table.schema, table.name],
  );
  if (rel.length === 0) return null;
  if (!['r', 'p'].includes(rel[0]!.relkind)) {
    throw new Error(`${tableSql(table)} exists but is not a table (relkind ${rel[0]!.relkind}); configure another history table`);
  }
  const cols = await db.query<{ attname: string }>(
    `SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [table.schema, table.name],
  );
  return new Set(cols.map((c) => c.attname));
}

/**
 * Creates the tracking table (and its schema) when missing, or adopts an existing one by adding the
 * missing columns (`name`, `checksum`, `applied_at` (default now(), NULL for existing rows),
 * `execution_ms`, `error`). Call it while holding the migration lock.
 * @returns `created` when the table was made, `added` the columns added to an existing table
 * @throws Error when an existing table has no `version` column, or PostgreSQL's error (e.g. 42501 no privilege).
 */
export async function ensureTrackingTable(db: Db, table: TrackingTable): Promise<{ created: boolean; added: string[] }> {
  const cols = await trackingColumns(db, table);
  const t = tableSql(table);
  if (cols === null) {
    const ns = await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [table.schema]);
    if (ns.length === 0) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`);
    await db.exec(
      `CREATE TABLE IF NOT EXISTS ${t} (version text PRIMARY KEY, name text, checksum text, ` +
        `applied_at timestamptz DEFAULT now(), execution_ms integer, error text)`,
    );
    return { created: true, added: [] };
  }
  if (!cols.has('version')) {
    throw new Error(`${t} exists but has no "version" column, so it is not a migration history table; configure another table name`);
  }
  const missing = COLUMNS.filter(([c]) => !cols.has(c));
  if (missing.length > 0) {
    await db.exec(`ALTER TABLE ${t} ${missing.map(([c, ty]) => `ADD COLUMN IF NOT EXISTS ${c} ${ty}`).join(', ')}`);
    if (missing.some(([c]) => c === 'applied_at')) await db.exec(`ALTER TABLE ${t} ALTER COLUMN applied_at SET DEFAULT now()`);
  }
  return { created: false, added: missing.map(([c]) => c) };
}

/**
 * Reads the tracking table without changing it (missing columns read as null), sorted by version
 * numerically. A missing table reads as no rows.
 */
export async function readApplied(db: Db, table: TrackingTable): Promise<AppliedRow[]> {
  const cols = await trackingColumns(db, table);
  if (cols === null) return [];
  const col = (c: string, ty: string) => (cols.has(c) ? `${c}::${ty} AS ${c}` : `NULL::${ty} AS ${c}`);
  const rows = await db.query(
    `SELECT version::text AS version, ${col('name', 'text')}, ${col('checksum', 'text')}, ${col('applied_at', 'timestamptz')}, ` +
      `${col('execution_ms', 'integer')}, ${col('error', 'text')} FROM ${tableSql(table)}`,
  );
  return rows
    .map((r) => ({
      version: String(r.version),
      name: r.name ?? null,
      checksum: r.checksum ?? null,
      appliedAt: r.applied_at == null ? null : new Date(r.applied_at),
      executionMs: r.execution_ms == null ? null : Number(r.execution_ms),
      error: r.error ?? null,
    }))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * Resolves a migration recorded as failed (non-null `error`), after the database was fixed by hand:
 * `retry` deletes its row so the next `up` runs it again; `applied` clears the error so it counts as applied.
 * @throws Error when no failed row has that version.
 */
export async function resolveFailed(db: Db, table: TrackingTable, version: string, action: 'retry' | 'applied'): Promise<void> {
  const t = tableSql(table);
  const rows = action === 'retry'
    ? await db.query(`DELETE FROM ${t} WHERE version = $1 AND error IS NOT NULL RETURNING version`, [version])
    : await db.query(`UPDATE ${t} SET error = NULL WHERE version = $1 AND error IS NOT NULL RETURNING version`, [version]);
  if (rows.length === 0) throw new Error(`no migration ${version} is recorded as failed in ${t}`);
}
