/**
 * The tracking (history) table. schemaplan's own shape: `version text primary key, name
 * text, checksum text, applied_at timestamptz, execution_ms integer`, plus `error text` (NULL for a
 * completed migration; the failure of a `transaction:false` migration that failed or did not finish,
 * which blocks further runs until resolved) and `statement_index integer` (the 1-based statement such
 * a migration had reached).
 *
 * Existing tables of other runners are adopted in place, by adding the columns they lack:
 * - dbmate `schema_migrations(version)`; a custom `schema_migrations` with a checksum column; a
 *   sequential runner's table (`version integer`, `applied_at`, `description`) — `description`, when
 *   present, is written with the migration's name, and an integer `version` is widened to bigint
 *   when a version would not fit (14-digit timestamps);
 * - goose's `goose_db_version(id, version_id bigint, is_applied, tstamp)`, with goose's semantics:
 *   the latest row (highest `id`) per `version_id` decides, `is_applied` says whether it is applied,
 *   `version_id` 0 is goose's marker row. Applying inserts a row (`is_applied` true); reverting deletes
 *   the version's rows (as goose v3 does); an unfinished/failed `transaction:false` migration's row has
 *   `is_applied` false and `error` set, so goose itself sees it as not applied.
 * - an id-keyed table `schema_migrations(id, name, executed_at, checksum)` of a runner of `-- UP` /
 *   `-- DOWN` files, whose `id` is `<version>_<name>` and whose `checksum` is the SHA-256 (hex) of the
 *   file as that runner read it: the version is the digits of `id` before the first `_`, `executed_at`
 *   serves as applied_at, and the other tool's columns keep its meaning so it can still run against the
 *   table: its checksum is kept (verified against the file, or against the original bytes an `import`
 *   recorded), schemaplan's own SHA-256 goes to an added `schemaplan_checksum` column, and a row
 *   schemaplan inserts carries `id`, `name` and the checksum that tool would compute.
 * Rows are matched to files by {@link versionKey} (leading zeros ignored).
 */
import type { Db } from '../db/types.js';
import { isPgError } from '../db/types.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { compareVersions, versionKey } from '../migrations/names.js';
import type { Statement } from '../sql/split.js';

/** Where the tracking table lives (`Config.table`). */
export interface TrackingTable {
  schema: string;
  name: string;
}

/** One row of the tracking table. Columns an adopted table lacks read as `null`. */
export interface AppliedRow {
  /** The version as stored (text; `1` for an integer column holding the file `001_x.sql`). */
  version: string;
  /** `name`, else a sequential runner's `description`. */
  name: string | null;
  /** The checksum recorded: SHA-256 hex of the file by schemaplan; another tool's for unadopted rows; `null` when none. */
  checksum: string | null;
  appliedAt: Date | null;
  /** Duration of the up section in milliseconds; `null` when not run by schemaplan (adopted, baseline, resolved). */
  executionMs: number | null;
  /** Non-null: a non-transactional migration failed or did not finish; the row blocks `up`/`down` until resolved. */
  error: string | null;
  /** For a failed/unfinished `transaction:false` migration: the 1-based statement it had reached. */
  statementIndex: number | null;
  /**
   * id-keyed tables: the previous tool's own checksum (SHA-256 of the file as it read it), kept as it
   * is; `checksum` is then schemaplan's, `null` until recorded. Absent for other tables.
   */
  foreignChecksum?: string | null;
}

/** Which row model the table follows. */
export type TrackingKind = 'version' | 'goose' | 'id';

/** A column of the existing table. */
interface ColumnInfo {
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}

/** The tracking table as found in the database. */
export interface TrackingInfo {
  table: TrackingTable;
  exists: boolean;
  kind: TrackingKind;
  /** Which tool the table looks like it came from: `schemaplan`, `dbmate`, `goose`, `custom` (has a checksum column), `sequential` (has description). */
  origin: 'schemaplan' | 'dbmate' | 'goose' | 'custom' | 'sequential' | 'new';
  /** Column name → type; empty when the table does not exist. */
  columns: Map<string, ColumnInfo>;
  /**
   * True once schemaplan has run on the table (it has the `error` column). Until then, checksums in
   * it were recorded by another tool and are verified against the files rather than trusted.
   */
  adopted: boolean;
  /** Columns {@link ensureTrackingTable} adds. */
  missing: string[];
}

/** schemaplan's columns beyond `version`, with their types (version-kind tables). */
const COLUMNS: Array<[string, string]> = [
  ['name', 'text'],
  ['checksum', 'text'],
  ['applied_at', 'timestamptz'],
  ['execution_ms', 'integer'],
  ['error', 'text'],
  ['statement_index', 'integer'],
];
/** schemaplan's columns added to goose_db_version (its `tstamp` serves as applied_at). */
const GOOSE_COLUMNS = COLUMNS.filter(([c]) => c !== 'applied_at');
/** schemaplan's columns added to an id-keyed table (its `executed_at` serves as applied_at, its `checksum` stays the other tool's). */
const ID_COLUMNS: Array<[string, string]> = [['name', 'text'], ['schemaplan_checksum', 'text'], ['execution_ms', 'integer'], ['error', 'text'], ['statement_index', 'integer']];

/** The columns schemaplan adds to a table of this kind. */
function wantedColumns(kind: TrackingKind): Array<[string, string]> {
  return kind === 'goose' ? GOOSE_COLUMNS : kind === 'id' ? ID_COLUMNS : COLUMNS;
}

/**
 * SQL for a row's version: `version`, goose's `version_id`, or an id-keyed table's digits of `id`
 * before the first `_` (compared as text with the stored version, {@link AppliedRow.version}).
 */
export function versionSql(info: TrackingInfo): string {
  return info.kind === 'goose' ? 'version_id' : info.kind === 'id' ? `split_part(id::text, '_', 1)` : 'version';
}

/** The column that holds when a row was applied: `applied_at`, goose's `tstamp`, an id-keyed table's `executed_at`; undefined when none. */
export function appliedAtColumn(info: TrackingInfo): string | undefined {
  const c = info.kind === 'goose' ? 'tstamp' : info.kind === 'id' ? 'executed_at' : 'applied_at';
  return info.columns.has(c) ? c : undefined;
}

/** `schema.name` of the table, quoted as needed. */
export function tableSql(table: TrackingTable): string {
  return qualified(table.schema, table.name);
}

/**
 * Reads the shape of the tracking table (nothing is changed).
 * @throws Error when the name belongs to something that is not a table, or to a table that has
 *   neither a `version` column nor goose's `version_id`/`is_applied`.
 */
export async function inspectTracking(db: Db, table: TrackingTable): Promise<TrackingInfo> {
  const rel = await db.query<{ oid: number; relkind: string }>(
    `SELECT c.oid::int8 AS oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [table.schema, table.name],
  );
  const t = tableSql(table);
  if (rel.length === 0) {
    return { table, exists: false, kind: 'version', origin: 'new', columns: new Map(), adopted: false, missing: [] };
  }
  if (!['r', 'p'].includes(rel[0]!.relkind)) {
    throw new Error(`${t} exists but is not a table (relkind ${rel[0]!.relkind}); configure another history table (table: in schemaplan.yaml)`);
  }
  const cols = await db.query<{ attname: string; type: string; notnull: boolean; hasdef: boolean }>(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS hasdef
       FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [String(rel[0]!.oid)],
  );
  const columns = new Map(cols.map((c) => [c.attname, { type: c.type, notNull: c.notnull, hasDefault: c.hasdef }]));
  const goose = columns.has('version_id') && columns.has('is_applied');
  const idType = columns.get('id')?.type ?? '';
  const idKeyed = !goose && !columns.has('version') && /^(text|character varying|character)\b/.test(idType) && columns.has('checksum');
  if (!goose && !idKeyed && !columns.has('version')) {
    throw new Error(
      `${t} exists but has neither a "version" column, goose's "version_id"/"is_applied", nor a text "id" (<version>_<name>) ` +
        `with a "checksum", so it is not a migration history table schemaplan can adopt; configure another table name (table: in schemaplan.yaml)`,
    );
  }
  const kind: TrackingKind = goose ? 'goose' : idKeyed ? 'id' : 'version';
  const wanted = wantedColumns(kind);
  const missing = wanted.map(([c]) => c).filter((c) => !columns.has(c));
  const adopted = columns.has('error');
  const origin: TrackingInfo['origin'] = adopted ? 'schemaplan' : goose ? 'goose' : columns.has('checksum') ? 'custom'
    : columns.has('description') ? 'sequential' : 'dbmate';
  return { table, exists: true, kind, origin, columns, adopted, missing };
}

/** What {@link ensureTrackingTable} changed, for the run's report. */
export interface TrackingSetup {
  /** The shape afterwards. */
  info: TrackingInfo;
  /** The shape before (its `origin` says which tool made the table). */
  before: TrackingInfo;
  created: boolean;
  /** Columns added to an existing table. */
  added: string[];
  /** The integer `version` column was widened to bigint. */
  widened: boolean;
}

/**
 * The columns that statements of migrations insert into the tracking table themselves (a sequential
 * runner's files that record their own row, e.g. `INSERT INTO public.schema_migrations (version,
 * description) VALUES …`), read from PostgreSQL's parse tree; an unqualified table name counts as the
 * tracking table. Empty when no statement writes it.
 * @param statements every up section's statements (src/sql/split.ts)
 */
export function columnsWrittenByMigrations(table: TrackingTable, statements: Statement[]): string[] {
  const out = new Set<string>();
  for (const s of statements) {
    const ins = s.node.InsertStmt;
    const rel = ins?.relation;
    if (!rel || rel.relname !== table.name || (rel.schemaname !== undefined && rel.schemaname !== table.schema)) continue;
    for (const c of ins.cols ?? []) if (typeof c?.ResTarget?.name === 'string') out.add(c.ResTarget.name);
  }
  return [...out];
}

/**
 * Creates the tracking table (and its schema) when missing, or adopts an existing one by adding the
 * missing columns (module doc); widens an `integer`/`smallint` version column to `bigint` when
 * `versions` holds a larger number. Call it while holding the migration lock, preferably inside a
 * transaction (DDL is transactional: a run that is then refused leaves no trace). `written`: the
 * columns the history's own statements insert into the table ({@link columnsWrittenByMigrations}),
 * created (or added) as nullable `text` when schemaplan's shape lacks them, so such a file runs on a
 * table schemaplan created.
 * @returns what was done and the table's shape afterwards
 * @throws Error for a table with other NOT NULL columns schemaplan cannot fill, and PostgreSQL's error
 *   (e.g. SQLSTATE 42501 when the role may not create the table)
 */
export async function ensureTrackingTable(db: Db, table: TrackingTable, versions: string[] = [], written: string[] = []): Promise<TrackingSetup> {
  const before = await inspectTracking(db, table);
  const t = tableSql(table);
  const own = new Set(['version', ...COLUMNS.map(([c]) => c)]);
  const extra = [...new Set(written)].filter((c) => !own.has(c));
  if (!before.exists) {
    const ns = await db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [table.schema]);
    if (ns.length === 0) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`);
    await db.exec(
      `CREATE TABLE IF NOT EXISTS ${t} (version text PRIMARY KEY, name text, checksum text, ` +
        `applied_at timestamptz DEFAULT now(), execution_ms integer, error text, statement_index integer` +
        `${extra.map((c) => `, ${quoteIdent(c)} text`).join('')})`,
    );
    return { info: await inspectTracking(db, table), before, created: true, added: [], widened: false };
  }
  const known = new Set(['version', 'version_id', 'is_applied', 'tstamp', 'id', 'description', 'executed_at', ...COLUMNS.map(([c]) => c)]);
  const unfillable = [...before.columns].filter(([c, i]) => i.notNull && !i.hasDefault && !known.has(c)).map(([c]) => c);
  if (unfillable.length > 0) {
    throw new Error(`${t} has NOT NULL column(s) without a default that schemaplan cannot fill: ${unfillable.join(', ')}; give them defaults or drop the constraint before adopting the table`);
  }
  const wanted = before.kind === 'version' ? [...COLUMNS, ...extra.map((c): [string, string] => [c, 'text'])] : wantedColumns(before.kind);
  const missing = wanted.filter(([c]) => !before.columns.has(c));
  if (missing.length > 0) {
    await db.exec(`ALTER TABLE ${t} ${missing.map(([c, ty]) => `ADD COLUMN IF NOT EXISTS ${quoteIdent(c)} ${ty}`).join(', ')}`);
    if (missing.some(([c]) => c === 'applied_at')) await db.exec(`ALTER TABLE ${t} ALTER COLUMN applied_at SET DEFAULT now()`);
  }
  if (before.kind === 'id') return { info: await inspectTracking(db, table), before, created: false, added: missing.map(([c]) => c), widened: false };
  let widened = false;
  const vcol = before.kind === 'goose' ? 'version_id' : 'version';
  const vtype = before.columns.get(vcol)?.type;
  if ((vtype === 'integer' || vtype === 'smallint') && versions.some((v) => /^\d+$/.test(v) && compareVersions(v, '2147483647') > 0)) {
    await db.exec(`ALTER TABLE ${t} ALTER COLUMN ${vcol} TYPE bigint`);
    widened = true;
  }
  return { info: await inspectTracking(db, table), before, created: false, added: missing.map(([c]) => c), widened };
}

/**
 * Reads the tracking table without changing it (missing columns read as null), sorted by version
 * numerically. A missing table reads as no rows. For goose: the latest row per version decides;
 * versions whose latest row is not applied (and did not fail) are left out, as is version 0.
 * @param info from {@link inspectTracking}; read when omitted
 */
export async function readApplied(db: Db, table: TrackingTable, info?: TrackingInfo): Promise<AppliedRow[]> {
  const i = info ?? (await inspectTracking(db, table));
  if (!i.exists) return [];
  const has = (c: string) => i.columns.has(c);
  const col = (c: string, ty: string) => (has(c) ? `${quoteIdent(c)}::${ty} AS ${c}` : `NULL::${ty} AS ${c}`);
  const t = tableSql(table);
  let rows: Array<Record<string, any>>;
  if (i.kind === 'goose') {
    rows = await db.query(
      `SELECT * FROM (SELECT DISTINCT ON (version_id) version_id::text AS version, is_applied, ${col('name', 'text')}, ` +
        `${col('checksum', 'text')}, ${has('tstamp') ? 'tstamp::timestamptz' : 'NULL::timestamptz'} AS applied_at, ` +
        `${col('execution_ms', 'integer')}, ${col('error', 'text')}, ${col('statement_index', 'integer')} ` +
        `FROM ${t} WHERE version_id <> 0 ORDER BY version_id, ${has('id') ? 'id DESC' : 'version_id'}) g WHERE is_applied OR error IS NOT NULL`,
    );
  } else if (i.kind === 'id') {
    rows = await db.query(
      `SELECT split_part(id::text, '_', 1) AS version, CASE WHEN strpos(id::text, '_') > 0 THEN substr(id::text, strpos(id::text, '_') + 1) ELSE ${has('name') ? 'name::text' : 'NULL'} END AS name, ` +
        `${col('schemaplan_checksum', 'text').replace(/ AS schemaplan_checksum$/, ' AS checksum')}, checksum::text AS foreign_checksum, ` +
        `${has('executed_at') ? 'executed_at::timestamptz' : 'NULL::timestamptz'} AS applied_at, ` +
        `${col('execution_ms', 'integer')}, ${col('error', 'text')}, ${col('statement_index', 'integer')} FROM ${t}`,
    );
  } else {
    const name = has('name') && has('description') ? 'COALESCE(name, description::text)' : has('name') ? 'name::text' : has('description') ? 'description::text' : 'NULL::text';
    rows = await db.query(
      `SELECT version::text AS version, ${name} AS name, ${col('checksum', 'text')}, ${col('applied_at', 'timestamptz')}, ` +
        `${col('execution_ms', 'integer')}, ${col('error', 'text')}, ${col('statement_index', 'integer')} FROM ${t}`,
    );
  }
  return rows
    .map((r) => ({
      version: String(r.version),
      name: r.name ?? null,
      checksum: r.checksum ?? null,
      appliedAt: r.applied_at == null ? null : new Date(r.applied_at),
      executionMs: r.execution_ms == null ? null : Number(r.execution_ms),
      error: r.error ?? null,
      statementIndex: r.statement_index == null ? null : Number(r.statement_index),
      ...(i.kind === 'id' ? { foreignChecksum: r.foreign_checksum ?? null } : {}),
    }))
    .sort((a, b) => compareVersions(a.version, b.version));
}

/** A row to write. */
export interface RowValues {
  /** The file's version (as in the file name). */
  version: string;
  name: string;
  checksum: string;
  executionMs: number | null;
  error: string | null;
  statementIndex: number | null;
  /**
   * id-keyed tables: the checksum the previous tool would compute for the file (SHA-256 of its
   * original bytes, before an import rewrote its markers), written to that tool's `checksum` column;
   * `checksum` when omitted.
   */
  originalChecksum?: string;
}

/**
 * PostgreSQL refused a statement that writes the tracking table (recording, completing or deleting a
 * row). `sql` is that statement, `code` PostgreSQL's SQLSTATE; the runner names the migration's file
 * with it. Lost connections are not wrapped (they keep PostgreSQL's or the driver's error).
 */
export class TrackingWriteError extends Error {
  constructor(readonly sql: string, readonly code: string, readonly pgMessage: string) {
    super(`${pgMessage} (SQLSTATE ${code}) in "${sql}"`);
    this.name = 'TrackingWriteError';
  }
}

/** Runs a statement that writes the tracking table; PostgreSQL's refusal becomes a {@link TrackingWriteError}. */
async function write(db: Db, sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  try {
    return await db.query(sql, params);
  } catch (e) {
    if (isPgError(e) && !/^(08|57P0)/.test(e.code!)) throw new TrackingWriteError(sql, e.code!, e.message);
    throw e;
  }
}

/**
 * Records an applied migration: completes the row of its version when the migration inserted one
 * itself in the same transaction (a sequential runner's file that records itself, e.g. `INSERT INTO
 * schema_migrations (version, description) VALUES ('002', …) ON CONFLICT (version) DO NOTHING`), else
 * inserts it ({@link insertRow}). Completing sets name, checksum, applied_at, execution_ms, error and
 * statement_index, and the description only where the file left it empty. goose tables: always a new row.
 * Rows match the version by {@link versionKey} (`'2'` completes the row of `002_x.sql`).
 * @returns `completed` when the migration's own row was completed, `inserted` otherwise
 * @throws TrackingWriteError naming the statement PostgreSQL refused
 */
export async function recordApplied(db: Db, info: TrackingInfo, v: RowValues): Promise<'inserted' | 'completed'> {
  if (info.kind === 'version') {
    const t = tableSql(info.table);
    const desc = info.columns.has('description');
    const rows = await write(db,
      `UPDATE ${t} SET name = $2, checksum = $3, applied_at = clock_timestamp(), execution_ms = $4, error = $5, statement_index = $6` +
        `${desc ? ', description = COALESCE(description, $2)' : ''} WHERE COALESCE(NULLIF(ltrim(version::text, '0'), ''), '0') = $1 RETURNING 1 AS ok`,
      [versionKey(v.version), v.name, v.checksum, v.executionMs, v.error, v.statementIndex]);
    if (rows.length > 0) return 'completed';
  }
  await insertRow(db, info, v);
  return 'inserted';
}

/**
 * Inserts a tracking row (goose: a new `goose_db_version` row, `is_applied` = no error).
 * @param info the table's shape after {@link ensureTrackingTable}
 */
export async function insertRow(db: Db, info: TrackingInfo, v: RowValues): Promise<void> {
  const t = tableSql(info.table);
  if (info.kind === 'goose') {
    await write(db,
      `INSERT INTO ${t} (version_id, is_applied, name, checksum, execution_ms, error, statement_index) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7)`,
      [versionKey(v.version), v.error === null, v.name, v.checksum, v.executionMs, v.error, v.statementIndex],
    );
    return;
  }
  if (info.kind === 'id') {
    await write(db,
      `INSERT INTO ${t} (id, name, checksum, schemaplan_checksum, executed_at, execution_ms, error, statement_index) ` +
        `VALUES ($1, $2, $3, $4, clock_timestamp(), $5, $6, $7)`,
      [`${v.version}_${v.name}`, v.name, v.originalChecksum ?? v.checksum, v.checksum, v.executionMs, v.error, v.statementIndex]);
    return;
  }
  const desc = info.columns.has('description');
  await write(db,
    `INSERT INTO ${t} (version, name, checksum, applied_at, execution_ms, error, statement_index${desc ? ', description' : ''}) ` +
      `VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6${desc ? ', $2' : ''})`,
    [v.version, v.name, v.checksum, v.executionMs, v.error, v.statementIndex],
  );
}

/** Columns {@link updateRow} may set. `undefined` leaves a column alone. */
export interface RowUpdate {
  name?: string | null;
  /** Set `name` only where it is NULL (adopted rows). */
  nameIfMissing?: string;
  checksum?: string | null;
  executionMs?: number | null;
  error?: string | null;
  statementIndex?: number | null;
  /** Set applied_at (goose: tstamp) to the current time. */
  touchAppliedAt?: boolean;
}

/**
 * Updates the row of `version` (the stored version text, {@link AppliedRow.version}); goose: its
 * latest row, keeping `is_applied` in step with `error` (applied = no error).
 * @returns false when no row matched
 */
export async function updateRow(db: Db, info: TrackingInfo, version: string, u: RowUpdate): Promise<boolean> {
  const t = tableSql(info.table);
  const sets: string[] = [];
  const params: unknown[] = [info.kind === 'goose' ? versionKey(version) : version];
  const id = info.kind === 'id';
  const add = (col: string, value: unknown) => {
    params.push(value);
    sets.push(`${col} = $${params.length}`);
  };
  if (u.name !== undefined) add('name', u.name);
  else if (u.nameIfMissing !== undefined && !id) {
    params.push(u.nameIfMissing);
    sets.push(`name = COALESCE(name, $${params.length})`);
  }
  if (u.checksum !== undefined) add(id ? 'schemaplan_checksum' : 'checksum', u.checksum);
  if (u.executionMs !== undefined) add('execution_ms', u.executionMs);
  if (u.error !== undefined) {
    add('error', u.error);
    if (info.kind === 'goose') sets.push(`is_applied = ($${params.length}::text IS NULL)`);
  }
  if (u.statementIndex !== undefined) add('statement_index', u.statementIndex);
  if (u.touchAppliedAt) sets.push(info.kind === 'goose' ? 'tstamp = now()' : id ? 'executed_at = clock_timestamp()' : 'applied_at = clock_timestamp()');
  if (sets.length === 0) return true;
  const where = info.kind === 'goose'
    ? `id = (SELECT max(id) FROM ${t} WHERE version_id = $1::bigint)`
    : `${versionSql(info)} = $1`;
  const rows = await write(db, `UPDATE ${t} SET ${sets.join(', ')} WHERE ${where} RETURNING 1 AS ok`, params);
  return rows.length > 0;
}

/**
 * Deletes the row(s) of `version` (goose: every row of the version_id, as goose v3's down does).
 * @returns the number of rows deleted
 */
export async function deleteRow(db: Db, info: TrackingInfo, version: string): Promise<number> {
  const t = tableSql(info.table);
  const rows = info.kind === 'goose'
    ? await write(db, `DELETE FROM ${t} WHERE version_id = $1::bigint RETURNING 1 AS ok`, [versionKey(version)])
    : await write(db, `DELETE FROM ${t} WHERE ${versionSql(info)} = $1 RETURNING 1 AS ok`, [version]);
  return rows.length;
}

/**
 * Resolves a migration recorded as failed (non-null `error`), after the database was fixed by hand:
 * `retry` deletes its row so the next `up` runs it again; `applied` clears the error so it counts as
 * applied. Kept for the programmatic API; the CLI's `resolve` uses the runner's `resolve`.
 * @throws Error when no failed row has that version.
 */
export async function resolveFailed(db: Db, table: TrackingTable, version: string, action: 'retry' | 'applied'): Promise<void> {
  const info = await inspectTracking(db, table);
  const row = (await readApplied(db, table, info)).find((r) => versionKey(r.version) === versionKey(version) && r.error !== null);
  if (!row) throw new Error(`no migration ${version} is recorded as failed in ${tableSql(table)}`);
  if (action === 'retry') await deleteRow(db, info, row.version);
  else await updateRow(db, info, row.version, { error: null, statementIndex: null });
}
