/**
 * Applies and reverts migrations on a database and reports their status:
 * - each migration exactly once, also behind a transaction-pooling proxy (pooler.ts): every transaction
 *   that applies or records a migration takes a transaction-scoped advisory lock and re-reads the
 *   tracking table (a migration another runner recorded meanwhile counts as done), a `transaction:false`
 *   migration is claimed with an expiring lease (lease.ts); on a direct connection a session advisory
 *   lock around the run serializes whole runs as well (bounded wait; the error names the holder), so
 *   concurrent runs all succeed;
 * - the tracking table is created or adopted (tracking.ts), its checksums backfilled, and every refusal
 *   check made, in one transaction before any migration runs: a refused run changes nothing;
 * - a transactional migration and its tracking row commit together or not at all; a lock timeout
 *   (SQLSTATE 55P03) rolls it back and retries it a bounded number of times with a doubling delay;
 * - a `transaction:false` migration runs statement by statement in autocommit; its row is written
 *   first as unfinished and keeps the statement reached, and is completed afterwards, so a failure —
 *   or a crash, a kill, a lost connection — leaves it recorded as failed, which blocks further runs
 *   until `resolve`d;
 * - the session sets `client_connection_check_interval` (PostgreSQL ≥ 14) so that the server notices a
 *   killed runner during a long statement, rolls back its transaction and frees the lock;
 * - applied files whose checksum changed are reported and stop the run (unless `allowModified`);
 *   pending files older than the newest applied one are reported and stop it (unless `allowOutOfOrder`);
 * - `lock_timeout` / `statement_timeout` per run (options) and per file (`-- lock_timeout: 5s` header lines);
 * - nothing loses data silently: before anything runs, what the down sections to run (and the up
 *   sections of files without a `-- DESTRUCTIVE:` header) would delete is counted in the database as
 *   it is now (deletes.ts, loss-count.ts), and the run is refused unless `allowDestructive`;
 * - a baseline (`-- schemaplan:baseline`, written by `init --from-url`) is never reverted;
 * - what pending files assume about the data (`-- schemaplan:check` lines, assumptions.ts) is checked
 *   before any of them runs, in the refusal transaction;
 * - a statement that gives up on a lock (lock_timeout, or a statement_timeout that ended the wait)
 *   names the sessions holding locks on its relations (blockers.ts), on each retry and in the error.
 */
import { describeInvalidIndex, invalidIndexes, type InvalidIndex } from './health.js';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/types.js';
import { isPgError } from '../db/types.js';
import { quoteIdent, quoteLiteral } from '../db/quote.js';
import type { Migration } from '../migrations/history.js';
import { importedHashes } from '../migrations/import.js';
import { isBaseline } from '../migrations/sections.js';
import { compareVersions, versionKey } from '../migrations/names.js';
import { executeScript, executeStatement, SqlExecutionError } from '../sql/execute.js';
import { loadParser, splitStatements, SqlSyntaxError, statementType, type Statement } from '../sql/split.js';
import { beginLocked, lockHolder } from './lock.js';
import { claimLease, claimMigration, isPooled, lockOptions, openRun } from './pooler.js';
import { countLosses, describeLoss, type DataLoss } from './loss-count.js';
import { blockersSentence, describeBlocker, staleHolders } from './blockers.js';
import { AssumptionSyntaxError, describeAssumption, readAssumptions, runAssumptions, type Assumption } from './assumptions.js';
import {
  columnsWrittenByMigrations, deleteRow, ensureTrackingTable, insertRow, inspectTracking, readApplied, recordApplied, tableSql,
  TrackingWriteError, updateRow, type AppliedRow, type TrackingInfo, type TrackingTable,
} from './tracking.js';

/** Options shared by every runner operation. */
export interface RunOptions {
  /** The tracking table (`Config.table`). */
  table: TrackingTable;
  /** Print what would run and the tracking changes (through `log`) and return them; change nothing (no lock, no table). */
  dryRun?: boolean;
  /** Run even though applied files changed since they were applied (each is reported through `log`). */
  allowModified?: boolean;
  /** Apply pending files older than the newest applied migration (each is reported). */
  allowOutOfOrder?: boolean;
  /**
   * Run down sections (and up sections of files without a `-- DESTRUCTIVE:` header) although they
   * would delete rows or column values (up, down, redo). Without it such a run is refused before
   * anything runs, naming each table or column and how much it holds.
   */
  allowDestructive?: boolean;
  /** Bound on waiting for the migration lock, in ms (default 60 000). */
  lockWaitMs?: number;
  /** PostgreSQL `lock_timeout` for the run, interval text such as `'5s'` (a file's `-- lock_timeout:` header wins). */
  lockTimeout?: string;
  /** PostgreSQL `statement_timeout` for the run, interval text such as `'15min'` (a file's header wins). */
  statementTimeout?: string;
  /** How often a transactional migration that hit `lock_timeout` (SQLSTATE 55P03) is retried (default 3; 0 = never). */
  lockRetries?: number;
  /** Delay before the first such retry in ms (default 2 000), doubled for each further one. */
  lockRetryDelayMs?: number;
  /** Receives one human-readable line per event (and, in a dry run, the SQL that would run). */
  log?: (line: string) => void;
  /** Receives structured progress events (for a progress display). */
  onEvent?: (e: RunEvent) => void;
}

/** A progress event of a run: a migration starts, finishes, or is retried after a lock timeout. */
export type RunEvent =
  | { type: 'start'; direction: 'up' | 'down'; index: number; total: number; version: string; name: string; file: string }
  | { type: 'done'; direction: 'up' | 'down'; index: number; total: number; version: string; name: string; file: string; ms: number }
  | { type: 'retry'; version: string; file: string; attempt: number; retries: number; delayMs: number; message: string };

/** Options of {@link up}. */
export interface UpOptions extends RunOptions {
  /** Apply pending migrations up to and including this version only. */
  to?: string;
  /**
   * Called with the migrations about to be applied, in order, once the migration lock is held and
   * before the first one runs (in a dry run: before anything is printed); on the run's connection.
   * When it throws, the run stops with nothing applied and the error propagates. The CLI checks
   * there that the database is the catalog a generated plan started from.
   */
  beforeApply?: (pending: Migration[]) => Promise<void>;
}

/** Options of {@link down}. */
export interface DownOptions extends RunOptions {
  /** How many applied migrations to revert, newest first (default 1). Not together with `to`. */
  steps?: number;
  /** Revert every applied migration newer than this version (`'0'`: all). Not together with `steps`. */
  to?: string;
}

/** One migration run (or, in a dry run, that would run). */
export interface RunRecord {
  version: string;
  name: string;
  /** `Migration.relFile`. */
  file: string;
  transactional: boolean;
  /** Statements in the section. */
  statements: number;
  /** Wall time of the section in ms (what `execution_ms` records); `null` in a dry run. */
  executionMs: number | null;
  /** The section's SQL text (as in the file). */
  sql: string;
}

/** What {@link up} did. */
export interface UpResult {
  dryRun: boolean;
  /** Applied migrations in order (in a dry run: those that would be applied). */
  applied: RunRecord[];
  /** Non-fatal findings: applied files gone, out-of-order files let through, modified files let through. */
  warnings: string[];
  /** Changes made to the tracking table other than one row per migration (created, columns added, checksums backfilled); "would …" in a dry run. */
  tracking: string[];
  /** What the up sections of files without a `-- DESTRUCTIVE:` header would delete, counted before the first ran (in a dry run, or let through by `allowDestructive`: empty when not counted). */
  losses: DataLoss[];
}

/** What {@link down} did. */
export interface DownResult {
  dryRun: boolean;
  /** Reverted migrations, newest first (in a dry run: those that would be reverted). */
  reverted: RunRecord[];
  warnings: string[];
  tracking: string[];
  /** What the down sections would delete (see {@link UpResult.losses}). */
  losses: DataLoss[];
}

/** The state of one migration, by {@link status}. */
export type MigrationState = 'applied' | 'pending' | 'missing' | 'modified' | 'failed';

/** One line of {@link status}: a file of the history and/or a row of the tracking table. */
export interface StatusEntry {
  version: string;
  name: string;
  /**
   * `applied`: row and file agree (or the row has no checksum yet); `pending`: file without row;
   * `missing`: row without file; `modified`: the file's checksum differs from the recorded one;
   * `failed`: a non-transactional migration failed or did not finish (row with an error).
   */
  state: MigrationState;
  /** `Migration.relFile`, absent for `missing`. */
  file?: string;
  appliedAt?: Date;
  executionMs?: number;
  /** Checksum recorded in the tracking table. */
  appliedChecksum?: string;
  /** Checksum of the file now. */
  checksum?: string;
  /** The recorded failure (state `failed`). */
  error?: string;
  /** State `failed`: the 1-based statement the migration had reached, and how many its section has. */
  statementIndex?: number;
  statements?: number;
  /** State `pending`: older than the newest applied migration (`up` needs `--allow-out-of-order`). */
  outOfOrder?: boolean;
  /** One sentence of explanation when the state needs attention or the next `up` will change the row. */
  note?: string;
}

/** {@link statusReport}'s answer: every entry, the tracking table's shape, and what to do. */
export interface StatusReport {
  /** Where (redacted). */
  database: string;
  table: string;
  tracking: { exists: boolean; origin: TrackingInfo['origin']; adopted: boolean; missingColumns: string[] };
  entries: StatusEntry[];
  /** Set while another process holds the migration lock (a run is in progress): who. */
  runInProgress?: string;
  /** Every migration applied, none failed, modified or missing. */
  clean: boolean;
  /** One paragraph per problem, saying what to do. */
  notes: string[];
  /** INVALID indexes of the database (health.ts); they do not make the history unclean. */
  invalidIndexes: InvalidIndex[];
}

/** A refusal before any SQL of a migration ran (or a lost connection). `code` says which. */
export class RunnerError extends Error {
  constructor(
    readonly code:
      | 'modified' | 'failed' | 'unknown_version' | 'missing_file' | 'no_down' | 'bad_option' | 'bad_setting'
      | 'transaction_control' | 'out_of_order' | 'not_failed' | 'not_recorded' | 'refused' | 'connection_lost' | 'tracking_table'
      | 'baseline' | 'would_lose_data' | 'data_assumption' | 'bad_check',
    message: string,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

/**
 * A migration's SQL failed. Extends SqlExecutionError (`file`, `line`, `column`, `pgMessage`, `sqlstate`,
 * `statement`); the message is one paragraph: where (file:line:column), which statement (index of
 * count when known), PostgreSQL's message and SQLSTATE, and what state the database and tracking
 * table were left in.
 */
export class MigrationError extends SqlExecutionError {
  constructor(
    readonly version: string,
    readonly phase: 'up' | 'down' | 'replay',
    cause: SqlExecutionError,
    outcome: string,
    readonly statementIndex?: number,
    readonly statementCount?: number,
  ) {
    super(cause.file, cause.line, cause.column, cause.pgMessage, cause.sqlstate, cause.statement);
    this.name = 'MigrationError';
    const first = cause.statement.split('\n')[0]!.trim();
    const excerpt = first.length > 100 ? first.slice(0, 97) + '...' : first;
    const hint = cause.sqlstate === '25001'
      ? ' Hint: this statement cannot run inside a transaction block; put it in a file of its own marked "-- migrate:up transaction:false".'
      : '';
    const what = phase === 'down' ? 'reverting' : phase === 'replay' ? 'replaying' : 'applying';
    const which = statementIndex !== undefined && statementCount !== undefined ? ` statement ${statementIndex} of ${statementCount}` : ' statement';
    this.message =
      `${cause.file}:${cause.line}:${cause.column}: ${what} migration ${version} failed: ${cause.pgMessage}` +
      `${cause.sqlstate ? ` (SQLSTATE ${cause.sqlstate})` : ''}${excerpt ? ` in${which} "${excerpt}"` : ''}.` +
      `${outcome ? ' ' + outcome : ''}${hint}`;
  }
}

const noop = () => undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Header keys (case-insensitive, `-`/`_`) of the per-file settings. */
function fileSetting(m: Migration, key: 'lock_timeout' | 'statement_timeout'): string | undefined {
  for (const [k, v] of Object.entries(m.parsed.header)) if (k.toLowerCase().replace(/-/g, '_') === key) return v;
  return undefined;
}

type Section = { text: string; line: number; transactional: boolean; statements: Statement[] };

/**
 * The text to run for one section. In a transactional section, a `BEGIN`…`COMMIT` wrapper (as in
 * hand-written or adopted histories) is blanked out so the runner's own transaction takes its place;
 * any other transaction control statement is refused. Syntax errors become MigrationErrors.
 */
async function section(m: Migration, dir: 'up' | 'down', table: TrackingTable): Promise<Section> {
  const text = dir === 'up' ? m.parsed.up : m.parsed.down ?? '';
  const line = dir === 'up' ? m.parsed.upLine : m.parsed.downLine ?? 1;
  const transactional = dir === 'up' ? m.parsed.transactional : m.parsed.downTransactional;
  await loadParser();
  let statements: Statement[];
  try {
    statements = splitStatements(text);
  } catch (e) {
    if (!(e instanceof SqlSyntaxError)) throw e;
    throw new MigrationError(m.version, dir, new SqlExecutionError(m.relFile, e.line + line - 1, e.column, e.message, '42601', ''),
      'Nothing was run.');
  }
  if (!transactional) return { text, line, transactional, statements };
  const control = statements.filter((s) => statementType(s) === 'TransactionStmt');
  const kind = (s: Statement) => String(s.node.TransactionStmt?.kind ?? '');
  const isBegin = (s: Statement) => /TRANS_STMT_(BEGIN|START)$/.test(kind(s));
  const isCommit = (s: Statement) => /TRANS_STMT_COMMIT$/.test(kind(s));
  const nested = (s: Statement) => /TRANS_STMT_(SAVEPOINT|RELEASE|ROLLBACK_TO)$/.test(kind(s));
  const blocking = control.filter((s) => !nested(s));
  if (blocking.length === 0) return { text, line, transactional, statements };
  const first = statements[0]!;
  const last = statements[statements.length - 1]!;
  if (blocking.length === 2 && blocking[0] === first && blocking[1] === last && isBegin(first) && isCommit(last)) {
    let t = text;
    for (const s of [last, first]) {
      let end = s.start + s.sql.length;
      const semi = /^\s*;/.exec(t.slice(end));
      if (semi) end += semi[0].length;
      t = t.slice(0, s.start) + t.slice(s.start, end).replace(/[^\n]/g, ' ') + t.slice(end);
    }
    return { text: t, line, transactional, statements: statements.slice(1, -1) };
  }
  const s = blocking[0]!;
  throw new RunnerError('transaction_control',
    `${m.relFile}:${s.line + line - 1}:${s.column}: "${s.sql.split('\n')[0]}" controls the transaction, but the runner runs this ` +
      `section in its own transaction together with its row in ${tableSql(table)}. Remove it, or mark the section ` +
      `"transaction:false" to manage transactions yourself.`);
}

/** Runs one statement of a section; a PostgreSQL error becomes a SqlExecutionError at file:line:column. */
async function runStatement(db: Db, m: Migration, s: Section, st: Statement): Promise<void> {
  await executeStatement(db, st, m.relFile, s.line - 1);
}

/** Sets lock_timeout/statement_timeout (`local` = until the end of the current transaction). */
async function applySettings(db: Db, m: Migration | undefined, values: { lockTimeout?: string; statementTimeout?: string }, local: boolean): Promise<void> {
  for (const [guc, value] of [['lock_timeout', values.lockTimeout], ['statement_timeout', values.statementTimeout]] as const) {
    if (value === undefined) continue;
    try {
      await db.query(`SELECT set_config($1, $2, $3)`, [guc, value, local]);
    } catch (e) {
      if (!isPgError(e)) throw e;
      const where = m ? `${m.relFile}: header "-- ${guc}: ${value}"` : `${guc} = ${quoteLiteral(value)}`;
      throw new RunnerError('bad_setting', `${where}: ${e.message} (SQLSTATE ${e.code}); use PostgreSQL interval text such as 5s, 500ms or 15min`);
    }
  }
}

function perFile(m: Migration): { lockTimeout?: string; statementTimeout?: string } {
  const lockTimeout = fileSetting(m, 'lock_timeout');
  const statementTimeout = fileSetting(m, 'statement_timeout');
  return { ...(lockTimeout !== undefined ? { lockTimeout } : {}), ...(statementTimeout !== undefined ? { statementTimeout } : {}) };
}

/** A lost connection (not an error PostgreSQL reported about a statement). */
function isConnectionError(e: unknown): boolean {
  if (isPgError(e)) return /^(57P0[123]|08...)$/.test(e.code!);
  const msg = String((e as Error)?.message ?? e);
  return /Connection terminated|connection.*(closed|ended|lost)|ECONNRESET|EPIPE|not queryable|Client was closed/i.test(msg);
}

/**
 * Runs `fn` as a run (pooler.ts `openRun`: pooler detection; on a direct connection the session run
 * lock and `client_connection_check_interval`, so the server notices a killed runner) with the run's
 * settings: on a direct connection the session's lock_timeout and statement_timeout are set and
 * restored afterwards; behind a pooler they are set in each transaction only ({@link preparedInTransaction},
 * {@link applyTransactional}).
 */
async function locked<T>(db: Db, opts: RunOptions, fn: () => Promise<T>): Promise<T> {
  const run = await openRun(db, { table: opts.table, ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}), log: opts.log ?? noop });
  try {
    if (run.pooled) return await fn();
    const [saved] = await db.query<{ lt: string; st: string }>(
      `SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st`,
    );
    try {
      await applySettings(db, undefined, opts, false);
      return await fn();
    } finally {
      await applySettings(db, undefined, { lockTimeout: saved!.lt, statementTimeout: saved!.st }, false).catch(noop);
    }
  } finally {
    await run.close();
  }
}

function index(history: Migration[]): Map<string, Migration> {
  return new Map(history.map((m) => [versionKey(m.version), m]));
}

function record(m: Migration, s: Section, executionMs: number | null): RunRecord {
  return { version: m.version, name: m.name, file: m.relFile, transactional: s.transactional, statements: s.statements.length, executionMs, sql: s.text };
}

/**
 * The checksum the previous tool computed for a file: the SHA-256 of its original bytes recorded by
 * `import`, else the file's own SHA-256 (written to an id-keyed table's own `checksum` column).
 */
function originalChecksum(m: Migration): string {
  return importedHashes(m.parsed).find((h) => h.length === 64) ?? m.checksum;
}

const hex = (algo: string, data: string) => createHash(algo).update(Buffer.from(data, 'utf8')).digest('hex');

/**
 * Whether a checksum recorded by another tool (before schemaplan adopted the table) stands for the
 * file: hex SHA-256, MD5 or SHA-1 of its bytes, or of the original bytes an `import` recorded in the
 * file's `-- Imported:` line (an optional `algo:` prefix and case are ignored).
 */
function foreignChecksumMatches(recorded: string, m: Migration): boolean {
  const r = recorded.trim().toLowerCase().replace(/^(sha256|sha1|md5|sha-256|sha-1):/, '');
  const candidates = [m.checksum, hex('md5', m.text), hex('sha1', m.text), ...importedHashes(m.parsed)];
  return candidates.includes(r);
}

/** How the rows of a table relate to the files before a run: which checksums to record. */
interface Adoption {
  /** Rows with no checksum: record the file's. */
  backfill: Array<{ row: AppliedRow; m: Migration }>;
  /** Rows with another tool's checksum that matches the file: re-record it as SHA-256. */
  verified: Array<{ row: AppliedRow; m: Migration }>;
  /** The rows as they will be after the updates. */
  rows: AppliedRow[];
}

function planAdoption(rows: AppliedRow[], byKey: Map<string, Migration>, foreign: boolean): Adoption {
  const backfill: Adoption['backfill'] = [];
  const verified: Adoption['verified'] = [];
  const out = rows.map((row) => {
    const m = byKey.get(versionKey(row.version));
    if (!m || row.error !== null) return row;
    if (row.foreignChecksum !== undefined && row.checksum === null && row.foreignChecksum !== null) {
      // id-keyed table: the previous tool's checksum stays; schemaplan's is recorded beside it once it matches.
      if (foreignChecksumMatches(row.foreignChecksum, m)) {
        verified.push({ row, m });
        return { ...row, checksum: m.checksum };
      }
      return { ...row, checksum: row.foreignChecksum };
    }
    if (row.checksum === null) {
      backfill.push({ row, m });
      return { ...row, checksum: m.checksum, name: row.name ?? m.name };
    }
    if (foreign && row.checksum !== m.checksum && foreignChecksumMatches(row.checksum, m)) {
      verified.push({ row, m });
      return { ...row, checksum: m.checksum, name: row.name ?? m.name };
    }
    return row;
  });
  return { backfill, verified, rows: out };
}

/**
 * The columns the history's up sections insert into the tracking table themselves (files of a
 * sequential runner that record their own row); a section that does not parse is skipped here (the
 * run reports it with its file and line).
 */
function writtenColumns(history: Migration[], table: TrackingTable): string[] {
  const statements: Statement[] = [];
  for (const m of history) {
    try {
      statements.push(...splitStatements(m.parsed.up));
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e;
    }
  }
  return columnsWrittenByMigrations(table, statements);
}

/**
 * Creates the tracking table in a shadow database before the history is replayed there, when some
 * migration inserts its own row into it (the shadow would otherwise fail on that statement). The
 * table is not part of the compared state (project commands exclude the history table).
 * @returns true when the table was created
 */
export async function shadowTracking(db: Db, history: Migration[], table: TrackingTable): Promise<boolean> {
  await loadParser();
  const written = writtenColumns(history, table);
  if (written.length === 0) return false;
  await ensureTrackingTable(db, table, history.map((m) => m.version), written);
  return true;
}

/**
 * Turns PostgreSQL's refusal of a tracking-table write into a MigrationError that names the migration's
 * file and the statement (the runner's own `INSERT`/`UPDATE`/`DELETE` of the history table).
 */
function recordingError(m: Migration, s: Section, e: TrackingWriteError, dir: 'up' | 'down', t: string, outcome: string, before = false): MigrationError {
  const last = s.statements.at(-1);
  const line = before || !last ? s.line : s.line + last.line - 1;
  const what = before ? `writing its row in ${t} before its statements ran`
    : `${dir === 'up' ? 'recording the migration in' : 'deleting its row from'} ${t} after its statements ran`;
  return new MigrationError(m.version, dir, new SqlExecutionError(m.relFile, line, 1, e.pgMessage, e.code, e.sql), `The error came from ${what}. ${outcome}`);
}

/** The state of a run being prepared: table, rows, and what was (or would be) done to the table. */
interface Prepared {
  info: TrackingInfo;
  rows: AppliedRow[];
  tracking: string[];
}

/**
 * Reads (dry run) or creates/adopts (real run, inside the caller's transaction) the tracking table and
 * records missing checksums. Returns the rows as they are (or would be) afterwards.
 */
async function prepare(db: Db, history: Migration[], opts: RunOptions, dry: boolean): Promise<Prepared> {
  await loadParser(); // writtenColumns reads the history's statements with PostgreSQL's parser
  const t = tableSql(opts.table);
  const byKey = index(history);
  const tracking: string[] = [];
  const would = dry ? 'would ' : '';
  let info: TrackingInfo;
  let foreign: boolean;
  if (dry) {
    info = await inspectTracking(db, opts.table);
    foreign = info.exists && !info.adopted;
    if (!info.exists) tracking.push(`would create the tracking table ${t}`);
    else if (info.missing.length > 0) tracking.push(`would adopt ${info.origin} tracking table ${t} in place: add column(s) ${info.missing.join(', ')}`);
  } else {
    let setup;
    try {
      setup = await ensureTrackingTable(db, opts.table, history.map((m) => m.version), writtenColumns(history, opts.table));
    } catch (e: any) {
      if (isPgError(e)) {
        throw new RunnerError('tracking_table',
          `cannot create or adopt the tracking table ${t}: ${e.message} (SQLSTATE ${e.code}). ` +
            (e.code === '42501' ? 'The role needs CREATE on the schema (or ownership of an existing table); a read-only role can only run status and --dry-run. ' : '') +
            'Nothing was changed.');
      }
      throw e;
    }
    info = setup.info;
    foreign = !setup.created && setup.added.includes('error');
    if (setup.created) tracking.push(`created the tracking table ${t}`);
    else if (setup.added.length > 0) tracking.push(`adopted the ${setup.before.origin} tracking table ${t} in place: added column(s) ${setup.added.join(', ')}`);
    if (setup.widened) tracking.push(`widened ${t}.${info.kind === 'goose' ? 'version_id' : 'version'} from integer to bigint so timestamp versions fit`);
  }
  const rows = await readApplied(db, opts.table, info);
  const a = planAdoption(rows, byKey, foreign);
  if (!dry) {
    for (const { row, m } of [...a.backfill, ...a.verified]) {
      try {
        await updateRow(db, info, row.version, { checksum: m.checksum, ...(info.columns.has('name') ? { nameIfMissing: m.name } : {}) });
      } catch (e) {
        if (!(e instanceof TrackingWriteError)) throw e;
        throw new RunnerError('tracking_table', `${m.relFile}: recording its checksum in ${t} failed: ${e.message}. Nothing was changed.`);
      }
    }
  }
  if (a.backfill.length > 0) {
    tracking.push(`${would}record the checksum of ${a.backfill.length} applied migration(s) that had none, from the files as they are now (${a.backfill.map((b) => b.m.version).join(', ')})`);
  }
  if (a.verified.length > 0 && info.kind === 'id') {
    tracking.push(`${would}record schemaplan's checksum of ${a.verified.length} applied migration(s) in schemaplan_checksum, beside the previous tool's (kept), after checking those match the files (${a.verified.map((b) => b.m.version).join(', ')})`);
  } else if (a.verified.length > 0) {
    tracking.push(`${would}re-record ${a.verified.length} checksum(s) written by the previous tool as SHA-256, after checking they match the files (${a.verified.map((b) => b.m.version).join(', ')})`);
  }
  return { info, rows: a.rows, tracking };
}

/**
 * Opens a transaction under the transaction lock (lock.ts `beginLocked`: it waits while another runner
 * holds a live lease), prepares the run and checks it (`check` throws to refuse); commits only when nothing was refused.
 */
async function preparedInTransaction<T>(db: Db, history: Migration[], opts: RunOptions, check: (p: Prepared) => Promise<T>): Promise<{ p: Prepared; plan: T }> {
  await beginLocked(db, opts.table, lockOptions(opts));
  try {
    await applySettings(db, undefined, opts, true);
    const p = await prepare(db, history, opts, false);
    const plan = await check(p);
    await db.exec('COMMIT');
    return { p, plan };
  } catch (e) {
    await db.exec('ROLLBACK').catch(noop);
    throw e;
  }
}

/** The tracking changes a run reports (stdout) once, through `log`. */
function reportTracking(opts: RunOptions, lines: string[]): void {
  for (const l of lines) opts.log?.(l);
}

function resolveHint(version: string): string {
  return `Look at the database and finish or undo the migration by hand, then run "schemaplan resolve ${version} --applied" ` +
    `if its changes are now complete, or "schemaplan resolve ${version} --rolled-back" if they are undone (the next up runs it again).`;
}

/** Refuses while a failed row exists. */
function checkFailed(rows: AppliedRow[], byKey: Map<string, Migration>, table: TrackingTable): void {
  const failed = rows.find((r) => r.error !== null);
  if (!failed) return;
  const m = byKey.get(versionKey(failed.version));
  const file = m?.relFile ?? `version ${failed.version} (file gone)`;
  const at = failed.statementIndex !== null && failed.statementIndex > 0 ? ` at statement ${failed.statementIndex}` : '';
  throw new RunnerError('failed',
    `${file}: migration ${failed.version} is recorded as failed${at} in ${tableSql(table)} (${failed.error}); ` +
      `it ran without a transaction, so the statements before it stay applied, and further runs are blocked until it is resolved. ${resolveHint(m?.version ?? failed.version)}`);
}

/** Applied files whose checksum changed: refuse, or warn with allowModified. */
function checkModified(rows: AppliedRow[], byKey: Map<string, Migration>, opts: RunOptions, warnings: string[]): void {
  const modified = rows
    .filter((r) => r.checksum !== null && r.error === null)
    .map((r) => ({ r, m: byKey.get(versionKey(r.version)) }))
    .filter((x): x is { r: AppliedRow; m: Migration } => x.m !== undefined && x.m.checksum !== x.r.checksum);
  if (modified.length === 0) return;
  const list = modified.map(({ r, m }) => `${m.relFile} (recorded ${r.checksum!.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…)`);
  if (!opts.allowModified) {
    throw new RunnerError('modified',
      `${modified.length} applied migration file(s) changed after they were applied: ${list.join('; ')}. ` +
        `Edits to applied migrations never run; restore the files (e.g. from version control) and put new changes ` +
        `in a new migration, accept a file as it is now with "schemaplan resolve <version> --applied", or run with --allow-modified.`);
  }
  for (const l of list) {
    warnings.push(`modified after it was applied: ${l}`);
    opts.log?.(`warning: modified after it was applied: ${l}`);
  }
}

/** Applied rows whose file is gone: a warning. */
function checkMissing(rows: AppliedRow[], byKey: Map<string, Migration>, opts: RunOptions, warnings: string[]): void {
  for (const r of rows) {
    if (byKey.has(versionKey(r.version))) continue;
    const w = `applied migration ${r.version}${r.name ? `_${r.name}` : ''} has no file any more (missing)`;
    warnings.push(w);
    opts.log?.(`warning: ${w}`);
  }
}

/** The pending migrations of an up run, after the refusal checks. */
function planUp(rows: AppliedRow[], history: Migration[], opts: UpOptions, warnings: string[], only?: string): Migration[] {
  const byKey = index(history);
  checkFailed(rows, byKey, opts.table);
  checkModified(rows, byKey, opts, warnings);
  checkMissing(rows, byKey, opts, warnings);
  const applied = new Set(rows.map((r) => versionKey(r.version)));
  const newest = rows.length > 0 ? rows[rows.length - 1]!.version : undefined;
  const pending = history.filter((m) => !applied.has(versionKey(m.version)) &&
    (only === undefined ? opts.to === undefined || compareVersions(m.version, opts.to) <= 0 : versionKey(m.version) === versionKey(only)));
  const early = newest === undefined ? [] : pending.filter((m) => compareVersions(m.version, newest) < 0);
  if (early.length > 0 && only === undefined) {
    const list = early.map((m) => m.relFile).join(', ');
    if (!opts.allowOutOfOrder) {
      throw new RunnerError('out_of_order',
        `${early.length} pending migration(s) are older than the newest applied migration ${newest}: ${list}. ` +
          `Applying them now runs them out of order (as after merging a branch). Check that they do not conflict with the newer ` +
          `migrations, then run with --allow-out-of-order, or give them new versions (rename the files) so they sort last.`);
    }
    for (const m of early) {
      const w = `${m.relFile} is older than the newest applied migration ${newest}; it is applied out of order`;
      warnings.push(w);
      opts.log?.(`warning: ${w}`);
    }
  }
  return pending;
}

/**
 * Applies one transactional migration: its statements and its tracking row in one transaction, retried
 * after lock timeouts (SQLSTATE 55P03) `lockRetries` times with a doubling delay. The transaction
 * holds the transaction lock and re-reads the tracking table first (pooler.ts `claimMigration`); the
 * run's and the file's settings are set in it.
 * @returns execution time in ms; `null` when another runner applied (reverted) it meanwhile
 */
async function applyTransactional(db: Db, info: TrackingInfo, m: Migration, s: Section, opts: RunOptions, dir: 'up' | 'down', rowVersion = m.version): Promise<number | null> {
  const retries = opts.lockRetries ?? 3;
  const baseDelay = opts.lockRetryDelayMs ?? 2000;
  const t = tableSql(opts.table);
  for (let attempt = 1; ; attempt++) {
    let ms = 0;
    let i = 0;
    const rows = await claimMigration(db, info, opts, dir, rowVersion);
    if (rows === null) return null;
    try {
      checkFailed(rows, index([m]), opts.table);
      await applySettings(db, undefined, opts, true);
      await applySettings(db, m, perFile(m), true);
      const t0 = performance.now();
      for (const st of s.statements) {
        i++;
        await runStatement(db, m, s, st);
      }
      ms = Math.round(performance.now() - t0);
      if (dir === 'up') {
        const how = await recordApplied(db, info, { version: m.version, name: m.name, checksum: m.checksum, originalChecksum: originalChecksum(m), executionMs: ms, error: null, statementIndex: null });
        if (how === 'completed') opts.log?.(`${m.relFile} recorded itself in ${t}; completed its row (name, checksum, applied_at, execution_ms)`);
      } else await deleteRow(db, info, rowVersion);
    } catch (e) {
      await db.exec('ROLLBACK').catch(noop);
      if (e instanceof TrackingWriteError) {
        throw recordingError(m, s, e, dir, t, dir === 'up'
          ? `It was rolled back and not recorded in ${t}; later migrations were not run.`
          : `It was rolled back; the migration stays applied in ${t}.`);
      }
      // After the ROLLBACK above: who holds locks on the relations of the statement that waited.
      const blockers = e instanceof SqlExecutionError && (e.sqlstate === '55P03' || e.sqlstate === '57014')
        ? await blockersSentence(db, e.statement, e.sqlstate === '55P03' ? 'lock_timeout' : 'statement_timeout') : '';
      if (e instanceof SqlExecutionError && e.sqlstate === '55P03' && attempt <= retries) {
        const delayMs = baseDelay * 2 ** (attempt - 1);
        const message = `${m.relFile}:${e.line}: lock timeout (${e.pgMessage}); rolled back, retry ${attempt} of ${retries} in ${delayMs} ms.${blockers}`;
        opts.log?.(message);
        opts.onEvent?.({ type: 'retry', version: m.version, file: m.relFile, attempt, retries, delayMs, message });
        await sleep(delayMs);
        continue;
      }
      if (e instanceof SqlExecutionError) {
        const gaveUp = `${e.sqlstate === '55P03' && retries > 0 ? ` It hit lock_timeout on each of ${attempt} attempt(s); raise --lock-timeout / --lock-retries, or end what holds the lock.` : ''}${blockers}`;
        const outcome = dir === 'up'
          ? `It was rolled back and not recorded in ${t}; later migrations were not run.${gaveUp}`
          : `It was rolled back; the migration stays applied in ${t}.${gaveUp}`;
        throw new MigrationError(m.version, dir, e, outcome, i, s.statements.length);
      }
      if (isConnectionError(e)) {
        throw new RunnerError('connection_lost',
          `${m.relFile}: lost the connection to the database while ${dir === 'up' ? 'applying' : 'reverting'} migration ${m.version} ` +
            `(${(e as Error)?.message ?? e}). Its transaction was not committed, so the server rolled it back: nothing of it is applied or recorded in ${t}. Run again when the database is reachable.`);
      }
      throw e;
    }
    try {
      await db.exec('COMMIT');
    } catch (e) {
      if (isPgError(e) && !isConnectionError(e)) {
        throw new MigrationError(m.version, dir, new SqlExecutionError(m.relFile, s.line, 1, e.message, e.code, 'COMMIT'),
          `It failed at COMMIT (e.g. a deferred constraint) and was rolled back; ${dir === 'up' ? 'it is not recorded' : 'it stays applied'}.`);
      }
      throw new RunnerError('connection_lost',
        `${m.relFile}: lost the connection to the database during COMMIT of migration ${m.version} (${(e as Error)?.message ?? e}); ` +
          `whether it was committed is unknown. Run "schemaplan status" when the database is reachable: the migration and its row are either both there or both absent.`);
    }
    return ms;
  }
}

const UNFINISHED = 'unfinished: the run stopped before this transaction:false migration completed (process killed, connection lost or server restarted)';

/**
 * Applies (or reverts) one `transaction:false` section statement by statement in autocommit. The row
 * is written first, claimed with a lease (pooler.ts `claimLease`; `error` = unfinished and the lease,
 * `statement_index` = the statement reached, updated before each statement) and completed (up) or
 * deleted (down) at the end; on failure it keeps the error. Behind a pooler no session setting is made.
 * @returns execution time in ms; `null` when another runner applied (reverted) it meanwhile
 */
async function applyNonTransactional(db: Db, info: TrackingInfo, m: Migration, s: Section, opts: RunOptions, dir: 'up' | 'down', rowVersion = m.version): Promise<number | null> {
  const t = tableSql(opts.table);
  const version = rowVersion;
  const lease = await claimLease(db, info, opts, dir, version, (rows) => checkFailed(rows, index([m]), opts.table), async (marker) => {
    const error = `${UNFINISHED}${dir === 'up' ? '' : ' (reverting)'} ${marker}`;
    try {
      if (dir === 'up') await insertRow(db, info, { version: m.version, name: m.name, checksum: m.checksum, originalChecksum: originalChecksum(m), executionMs: null, error, statementIndex: 0 });
      else await updateRow(db, info, version, { error, statementIndex: 0 });
    } catch (e) {
      if (!(e instanceof TrackingWriteError)) throw e;
      throw recordingError(m, s, e, dir, t, 'Nothing of the section was run.', true);
    }
    return error;
  });
  if (lease === null) return null;
  const session = !isPooled(db);
  const [saved] = session ? await db.query<{ lt: string; st: string }>(`SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st`) : [];
  let i = 0;
  try {
    if (session) await applySettings(db, m, perFile(m), false);
    const t0 = performance.now();
    for (const st of s.statements) {
      i++;
      await updateRow(db, info, version, { statementIndex: i });
      await runStatement(db, m, s, st);
    }
    const ms = Math.round(performance.now() - t0);
    if (dir === 'up') await updateRow(db, info, version, { executionMs: ms, error: null, statementIndex: null, touchAppliedAt: true });
    else await deleteRow(db, info, version);
    return ms;
  } catch (e) {
    const n = s.statements.length;
    if (e instanceof TrackingWriteError) {
      throw recordingError(m, s, e, dir, t, `The section runs without a transaction: its statements before the error stay applied, and its row in ${t} may say "unfinished". ${resolveHint(m.version)}`);
    }
    if (e instanceof SqlExecutionError) {
      const msg = `${dir} failed at statement ${i} of ${n} (${e.file}:${e.line}:${e.column}): ${e.pgMessage}${e.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}`;
      await updateRow(db, info, version, { error: msg, statementIndex: i }).catch(noop);
      // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind (pg_index.indisvalid = false).
      const invalid = await db.query<{ name: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      ).catch(() => [] as { name: string }[]);
      const blockers = e.sqlstate === '55P03' || e.sqlstate === '57014'
        ? await blockersSentence(db, e.statement, e.sqlstate === '55P03' ? 'lock_timeout' : 'statement_timeout') : '';
      const recover = invalid.length
        ? ` INVALID index(es) left by a failed concurrent build: ${invalid.map((x) => x.name).join(', ')}; drop each with DROP INDEX CONCURRENTLY <name> before running it again.`
        : '';
      throw new MigrationError(m.version, dir, e,
        `The ${dir === 'up' ? 'file' : 'down section'} runs without a transaction, so the statements before this one stay applied; ` +
          `the migration is recorded as failed at statement ${i} of ${n} in ${t} and blocks further runs until resolved.${blockers}${recover} ${resolveHint(m.version)}`,
        i, n);
    }
    if (isConnectionError(e)) {
      throw new RunnerError('connection_lost',
        `${m.relFile}: lost the connection to the database while running statement ${i} of ${n} of the transaction:false migration ${m.version} ` +
          `(${(e as Error)?.message ?? e}). Statements before it stay applied; its row in ${t} says "unfinished" at statement ${i} and blocks further runs. ${resolveHint(m.version)}`);
    }
    throw e;
  } finally {
    await lease.end();
    if (saved) await applySettings(db, undefined, { lockTimeout: saved.lt, statementTimeout: saved.st }, false).catch(noop);
  }
}

/**
 * The look-ahead of the lock-queue guard (blockers.ts `staleHolders`): logs a warning for each
 * session whose transaction is older than the lock_timeout the file runs with and holds a lock on a
 * relation its DDL names. Never fails the run.
 */
async function warnStaleHolders(db: Db, m: Migration, s: Section, opts: RunOptions): Promise<void> {
  if (!opts.log) return;
  let lockTimeout = fileSetting(m, 'lock_timeout') ?? opts.lockTimeout;
  if (lockTimeout === undefined) {
    const [row] = await db.query<{ lt: string }>(`SELECT current_setting('lock_timeout') AS lt`).catch(() => [] as { lt: string }[]);
    lockTimeout = row?.lt ?? '0';
  }
  for (const b of await staleHolders(db, s.statements.map((st) => st.node), lockTimeout)) {
    opts.log(`warning: ${m.relFile}: ${describeBlocker(b)} has had its transaction open longer than lock_timeout (${lockTimeout}); the file's statements on that table will queue behind it`);
  }
}

/** Applies the given pending migrations in order, with progress events and log lines. */
async function applyAll(db: Db, info: TrackingInfo, pending: Array<{ m: Migration; s: Section }>, opts: RunOptions, deferred: Assumption[] = []): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  let k = 0;
  for (const { m, s } of pending) {
    k++;
    const mine = deferred.filter((a) => a.version === m.version);
    if (mine.length) await refuseViolated(db, mine, opts, false, `${out.length} migration(s) before it stay applied; ${m.relFile} and later ones were not run`, true);
    await warnStaleHolders(db, m, s, opts);
    const ev = { direction: 'up' as const, index: k, total: pending.length, version: m.version, name: m.name, file: m.relFile };
    opts.onEvent?.({ type: 'start', ...ev });
    opts.log?.(`applying ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
    const ms = s.transactional ? await applyTransactional(db, info, m, s, opts, 'up') : await applyNonTransactional(db, info, m, s, opts, 'up');
    if (ms === null) {
      opts.log?.(`already applied by another run: ${m.version}_${m.name}`);
      opts.onEvent?.({ type: 'done', ...ev, ms: 0 });
      continue;
    }
    opts.log?.(`applied ${m.version}_${m.name} in ${ms} ms`);
    opts.onEvent?.({ type: 'done', ...ev, ms });
    out.push(record(m, s, ms));
  }
  return out;
}

/** Reverts the given applied migrations in order (newest first). */
async function revertAll(db: Db, info: TrackingInfo, targets: Array<{ m: Migration; s: Section; row: AppliedRow }>, opts: RunOptions): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  let k = 0;
  for (const { m, s, row } of targets) {
    k++;
    const ev = { direction: 'down' as const, index: k, total: targets.length, version: m.version, name: m.name, file: m.relFile };
    opts.onEvent?.({ type: 'start', ...ev });
    opts.log?.(`reverting ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
    const ms = s.transactional
      ? await applyTransactional(db, info, m, s, opts, 'down', row.version)
      : await applyNonTransactional(db, info, m, s, opts, 'down', row.version);
    if (ms === null) {
      opts.log?.(`already reverted by another run: ${m.version}_${m.name}`);
      opts.onEvent?.({ type: 'done', ...ev, ms: 0 });
      continue;
    }
    opts.log?.(`reverted ${m.version}_${m.name} in ${ms} ms`);
    opts.onEvent?.({ type: 'done', ...ev, ms });
    out.push(record(m, s, ms));
  }
  return out;
}

/** A section the data-loss guard looks at. */
type Guarded = { m: Migration; s: Section; dir: 'up' | 'down' };

/**
 * The data-loss guard, before the first migration of a run: counts what `sections` would delete in
 * the database as it is now (every section against the same state: a later file is counted as if
 * the earlier ones had not run). Up sections of files with a `-- DESTRUCTIVE:` header are the
 * reviewed exception and are not counted. With `allowDestructive` (and not a dry run) nothing is
 * counted; in a dry run each loss is logged as `-- would delete …` and nothing is refused.
 * @param inTransaction the refusal transaction is open (a real run), else the counts get their own
 * @returns the losses (empty when none, or not counted)
 * @throws RunnerError `would_lose_data` naming every table or column and its count
 */
async function guardLosses(db: Db, sections: Guarded[], opts: RunOptions, command: 'up' | 'down' | 'redo', inTransaction: boolean): Promise<DataLoss[]> {
  if (opts.allowDestructive && !opts.dryRun) return [];
  const targets = sections
    .filter(({ m, dir }) => dir === 'down' || m.parsed.destructive === undefined)
    .map(({ m, s, dir }) => ({ file: m.relFile, version: m.version, section: dir, statements: s.statements, firstLine: s.line }));
  const losses = await countLosses(db, targets, { inTransaction });
  if (opts.dryRun || losses.length === 0) {
    for (const l of losses) opts.log?.(`-- would delete ${describeLoss(l)}`);
    return losses;
  }
  const verb = command === 'up' ? 'apply' : command === 'down' ? 'revert' : 'redo';
  const ups = losses.some((l) => l.section === 'up')
    ? ' After reviewing an up section that drops data on purpose, mark its file with a "-- DESTRUCTIVE: <what is lost>" header line.'
    : '';
  throw new RunnerError('would_lose_data',
    `${command} would delete ${losses.map(describeLoss).join('; ')}; nothing was run. Rerun with --allow-destructive to ${verb} anyway.${ups}`);
}

/**
 * The data-assumption guard (assumptions.ts): runs the `-- schemaplan:check` queries of `checks` in
 * the database as it is now and refuses when one finds rows or fails. A check whose relation or
 * column does not exist yet (an earlier pending file creates it) is returned, to run again just
 * before its file. In a dry run each finding is logged as `-- would refuse: …` and nothing is refused.
 * @param outcome what the refusal leaves behind, for the message
 * @param last the run just before the check's file: what still does not exist is left to PostgreSQL
 * @returns the deferred checks
 * @throws RunnerError `data_assumption` naming the file and line, the table and columns and the count
 */
async function refuseViolated(db: Db, checks: Assumption[], opts: RunOptions, inTransaction: boolean, outcome: string, last = false): Promise<Assumption[]> {
  const results = await runAssumptions(db, checks, { inTransaction });
  const bad = results.filter((r) => r.outcome === 'violated' || r.outcome === 'failed');
  for (const r of results) {
    if (r.outcome !== 'deferred') continue;
    // Just before its file, what the check reads still does not exist (the file itself creates it):
    // PostgreSQL checks the rows when the statement runs.
    opts.log?.(last ? `${describeAssumption(r)}; not checked: its own file creates what it reads, and PostgreSQL checks the rows when the statement runs`
      : `${describeAssumption(r)}; checked again just before it runs`);
  }
  if (bad.length && opts.dryRun) {
    for (const r of bad) opts.log?.(`-- would refuse: ${describeAssumption(r)}`);
  } else if (bad.length) {
    throw new RunnerError('data_assumption',
      `up refused: what a pending migration assumes about the data does not hold: ${bad.map(describeAssumption).join('; ')}. ${outcome}. ` +
        'Fix those rows first (by hand, or in a migration that runs before that file), then run up again.');
  }
  return results.filter((r) => r.outcome === 'deferred').map((r) => r.a);
}

/** The parsed `-- schemaplan:check` lines of the pending files. @throws RunnerError `bad_check` */
async function assumptionsOf(pending: Array<{ m: Migration }>): Promise<Assumption[]> {
  const out: Assumption[] = [];
  for (const { m } of pending) {
    try {
      out.push(...await readAssumptions(m));
    } catch (e) {
      if (e instanceof AssumptionSyntaxError) throw new RunnerError('bad_check', `${e.message}. Nothing was run.`);
      throw e;
    }
  }
  return out;
}

function logDry(opts: RunOptions, verb: 'apply' | 'revert', m: Migration, s: Section, t: string): void {
  opts.log?.(`-- would ${verb} ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
  opts.log?.(s.text.trim());
  opts.log?.(`-- would ${verb === 'apply' ? 'record' : 'delete the row of'} ${m.version} ${verb === 'apply' ? 'in' : 'from'} ${t}`);
}

/**
 * Applies pending migrations in version order.
 * Under the lock, in one transaction: ensures (or adopts) the tracking table, re-reads the applied
 * rows, records missing checksums, refuses on failed rows, modified files and out-of-order files, and
 * parses every pending section — then runs each pending migration (module doc).
 * @returns what was applied, with `executionMs` (ms) per migration; empty when nothing was pending
 * @throws RunnerError before any SQL runs (`modified`, `failed`, `out_of_order`, `unknown_version`
 *   for `to`, `transaction_control`, `bad_setting`, `tracking_table`, `would_lose_data` when an up
 *   section of a file without a `-- DESTRUCTIVE:` header would delete rows or values and
 *   `allowDestructive` is not set, `bad_check` for a `-- schemaplan:check` line that is not one plain
 *   SELECT, `data_assumption` when such a check finds rows or fails — before any migration, or just
 *   before its file when the check reads what an earlier pending file creates); LockTimeoutError;
 *   MigrationError when a migration's SQL fails (the migrations before it stay applied and recorded;
 *   it is rolled back, or recorded as failed when non-transactional); RunnerError `connection_lost`.
 */
export async function up(db: Db, history: Migration[], opts: UpOptions): Promise<UpResult> {
  const byKey = index(history);
  if (opts.to !== undefined && !byKey.has(versionKey(opts.to))) {
    throw new RunnerError('unknown_version', `--to ${opts.to}: no migration file has this version`);
  }
  const plan = async (rows: AppliedRow[], warnings: string[]) => {
    const pending = planUp(rows, history, opts, warnings);
    const out: Array<{ m: Migration; s: Section }> = [];
    for (const m of pending) out.push({ m, s: await section(m, 'up', opts.table) });
    return out;
  };
  const guarded = (pending: Array<{ m: Migration; s: Section }>) => pending.map(({ m, s }) => ({ m, s, dir: 'up' as const }));
  if (opts.dryRun) {
    const warnings: string[] = [];
    const p = await prepare(db, history, opts, true);
    reportTracking(opts, p.tracking);
    const pending = await plan(p.rows, warnings);
    await opts.beforeApply?.(pending.map(({ m }) => m));
    const losses = await guardLosses(db, guarded(pending), opts, 'up', false);
    await refuseViolated(db, await assumptionsOf(pending), opts, false, 'Nothing was run');
    for (const { m, s } of pending) logDry(opts, 'apply', m, s, tableSql(opts.table));
    return { dryRun: true, applied: pending.map(({ m, s }) => record(m, s, null)), warnings, tracking: p.tracking, losses };
  }
  return locked(db, opts, async () => {
    const warnings: string[] = [];
    const { p, plan: { pending, losses, deferred } } = await preparedInTransaction(db, history, opts, async (pp) => {
      const pending = await plan(pp.rows, warnings);
      const losses = await guardLosses(db, guarded(pending), opts, 'up', true);
      // Before any migration runs: every pending file's data assumptions (-- schemaplan:check).
      const deferred = await refuseViolated(db, await assumptionsOf(pending), opts, true, 'Nothing was run and nothing was recorded');
      return { pending, losses, deferred };
    });
    reportTracking(opts, p.tracking);
    await opts.beforeApply?.(pending.map(({ m }) => m));
    const applied = await applyAll(db, p.info, pending, opts, deferred);
    return { dryRun: false, applied, warnings, tracking: p.tracking, losses };
  });
}

const guardedDown = (targets: Array<{ m: Migration; s: Section }>): Guarded[] => targets.map(({ m, s }) => ({ m, s, dir: 'down' }));

/**
 * Which applied migrations a down run reverts (newest first), with their sections, after the refusal
 * checks (RunnerError `baseline` when they include a baseline, before the other file checks).
 */
async function planDown(rows: AppliedRow[], history: Migration[], opts: DownOptions, warnings: string[]): Promise<Array<{ m: Migration; s: Section; row: AppliedRow }>> {
  const byKey = index(history);
  const steps = opts.steps ?? 1;
  checkFailed(rows, byKey, opts.table);
  if (opts.to !== undefined && !/^0+$/.test(opts.to) && !byKey.has(versionKey(opts.to)) && !rows.some((r) => versionKey(r.version) === versionKey(opts.to!))) {
    throw new RunnerError('unknown_version', `--to ${opts.to}: no migration has this version (use 0 to revert all)`);
  }
  const newestFirst = [...rows].reverse();
  const targets = opts.to !== undefined ? newestFirst.filter((r) => compareVersions(r.version, opts.to!) > 0) : newestFirst.slice(0, steps);
  const chosen = targets.map((row) => {
    const m = byKey.get(versionKey(row.version));
    if (!m) {
      throw new RunnerError('missing_file', `cannot revert migration ${row.version}${row.name ? `_${row.name}` : ''}: it is applied but its file is gone, so there is no down section to run`);
    }
    return { m, row };
  });
  const base = chosen.find(({ m }) => isBaseline(m));
  if (base) {
    const { m } = base;
    const after = chosen.length > 1 ? `; to revert the ${chosen.length - 1} migration(s) after it, run "schemaplan down --to ${m.version}"` : '';
    throw new RunnerError('baseline',
      `${m.relFile}: migration ${m.version} is a baseline (the database as it was when schemaplan adopted it) and a baseline is never reverted: ` +
        `its down section would have to drop everything the database held before, data included. Nothing was run${after}. ` +
        `To rebuild a development database from the history, run "schemaplan fresh --yes" (the only rebuild).`);
  }
  for (const { m } of chosen) {
    if (m.parsed.down === null) throw new RunnerError('no_down', `${m.relFile}: cannot revert migration ${m.version}: the file has no down section`);
  }
  checkModified(chosen.map((c) => c.row), byKey, opts, warnings);
  const out: Array<{ m: Migration; s: Section; row: AppliedRow }> = [];
  for (const { m, row } of chosen) {
    const s = await section(m, 'down', opts.table);
    if (s.statements.length === 0) {
      throw new RunnerError('no_down', `${m.relFile}: cannot revert migration ${m.version}: its down section is empty (the change is not reversible as written)`);
    }
    out.push({ m, s, row });
  }
  return out;
}

/**
 * Reverts applied migrations newest first by running their down sections: `steps` (default 1), or
 * every applied migration newer than `to`. A transactional down section and the deletion of its row
 * commit together; a `transaction:false` one runs in autocommit, marked unfinished meanwhile, and
 * then deletes the row (on failure the row is kept and marked failed).
 * @returns the reverted migrations with `executionMs` (ms)
 * @throws RunnerError before any SQL runs: `bad_option` (steps and to together, steps < 1),
 *   `unknown_version`, `missing_file` (no file to take the down section from), `baseline` (the
 *   migrations to revert include a baseline, which is never reverted), `no_down` (no or an empty down
 *   section), `modified`, `failed`, `would_lose_data` (a down section would delete rows or column
 *   values and `allowDestructive` is not set); LockTimeoutError; MigrationError when the SQL fails.
 */
export async function down(db: Db, history: Migration[], opts: DownOptions): Promise<DownResult> {
  if (opts.steps !== undefined && opts.to !== undefined) throw new RunnerError('bad_option', 'give either a number of steps or --to, not both');
  const steps = opts.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1) throw new RunnerError('bad_option', `steps must be a positive integer, got ${opts.steps}`);
  if (opts.dryRun) {
    const warnings: string[] = [];
    const p = await prepare(db, history, opts, true);
    reportTracking(opts, p.tracking);
    const targets = await planDown(p.rows, history, opts, warnings);
    const losses = await guardLosses(db, guardedDown(targets), opts, 'down', false);
    for (const { m, s } of targets) logDry(opts, 'revert', m, s, tableSql(opts.table));
    return { dryRun: true, reverted: targets.map(({ m, s }) => record(m, s, null)), warnings, tracking: p.tracking, losses };
  }
  return locked(db, opts, async () => {
    const warnings: string[] = [];
    const { p, plan: { targets, losses } } = await preparedInTransaction(db, history, opts, async (pp) => {
      const targets = await planDown(pp.rows, history, opts, warnings);
      return { targets, losses: await guardLosses(db, guardedDown(targets), opts, 'down', true) };
    });
    reportTracking(opts, p.tracking);
    const reverted = await revertAll(db, p.info, targets, opts);
    return { dryRun: false, reverted, warnings, tracking: p.tracking, losses };
  });
}

/** What {@link redo} did. */
export interface RedoResult {
  dryRun: boolean;
  reverted: RunRecord[];
  applied: RunRecord[];
  warnings: string[];
  tracking: string[];
  /** What the down section, and an up section without a `-- DESTRUCTIVE:` header, would delete (see {@link UpResult.losses}). */
  losses: DataLoss[];
}

/**
 * Reverts the newest applied migration and applies it again, under one lock (e.g. after editing a
 * migration that only ran on a development database). Refuses like {@link down} and {@link up};
 * a modified file is allowed here only with `allowModified` as well.
 * @throws as {@link down} and {@link up} (`baseline` when the newest applied migration is a baseline,
 *   `would_lose_data` for its down section or an up section without a `-- DESTRUCTIVE:` header);
 *   RunnerError `refused` when nothing is applied
 */
export async function redo(db: Db, history: Migration[], opts: RunOptions): Promise<RedoResult> {
  const plan = async (rows: AppliedRow[], warnings: string[]) => {
    if (rows.length === 0) throw new RunnerError('refused', `nothing to redo: no migration is applied in ${tableSql(opts.table)}`);
    const targets = await planDown(rows, history, { ...opts, steps: 1 }, warnings);
    const m = targets[0]!.m;
    const s = await section(m, 'up', opts.table);
    return { targets, again: [{ m, s }] };
  };
  const guarded = (pl: Awaited<ReturnType<typeof plan>>) => [...guardedDown(pl.targets), ...pl.again.map(({ m, s }) => ({ m, s, dir: 'up' as const }))];
  if (opts.dryRun) {
    const warnings: string[] = [];
    const p = await prepare(db, history, opts, true);
    reportTracking(opts, p.tracking);
    const pl = await plan(p.rows, warnings);
    const losses = await guardLosses(db, guarded(pl), opts, 'redo', false);
    for (const { m, s } of pl.targets) logDry(opts, 'revert', m, s, tableSql(opts.table));
    for (const { m, s } of pl.again) logDry(opts, 'apply', m, s, tableSql(opts.table));
    return { dryRun: true, reverted: pl.targets.map(({ m, s }) => record(m, s, null)), applied: pl.again.map(({ m, s }) => record(m, s, null)), warnings, tracking: p.tracking, losses };
  }
  return locked(db, opts, async () => {
    const warnings: string[] = [];
    const { p, plan: { pl, losses } } = await preparedInTransaction(db, history, opts, async (pp) => {
      const pl = await plan(pp.rows, warnings);
      return { pl, losses: await guardLosses(db, guarded(pl), opts, 'redo', true) };
    });
    reportTracking(opts, p.tracking);
    const reverted = await revertAll(db, p.info, pl.targets, opts);
    const applied = await applyAll(db, p.info, pl.again, opts);
    return { dryRun: false, reverted, applied, warnings, tracking: p.tracking, losses };
  });
}

/** What {@link baseline} recorded. */
export interface BaselineResult {
  dryRun: boolean;
  /** The version the database is now recorded at. */
  version: string;
  /** Migrations recorded as applied without running them. */
  recorded: Array<{ version: string; name: string; file: string }>;
  tracking: string[];
}

/**
 * Records an existing database as being at `version` (default: the newest file) without running
 * anything: every migration up to and including it that has no row gets one (checksum of the file,
 * `execution_ms` NULL). For adopting a database whose schema was made by other means.
 * @throws RunnerError `unknown_version` (no such file), `refused` (rows newer than the version exist, or
 *   the history is empty), `failed`
 */
export async function baseline(db: Db, history: Migration[], opts: RunOptions & { version?: string }): Promise<BaselineResult> {
  const byKey = index(history);
  if (history.length === 0) throw new RunnerError('refused', 'nothing to baseline: the history has no migration files');
  const version = opts.version ?? history[history.length - 1]!.version;
  const target = byKey.get(versionKey(version));
  if (!target) throw new RunnerError('unknown_version', `--version ${version}: no migration file has this version`);
  const plan = async (rows: AppliedRow[]) => {
    checkFailed(rows, byKey, opts.table);
    const newer = rows.filter((r) => compareVersions(r.version, target.version) > 0);
    if (newer.length > 0) {
      throw new RunnerError('refused', `cannot baseline at ${target.version}: ${tableSql(opts.table)} already records newer migration(s) ${newer.map((r) => r.version).join(', ')}; use down, or baseline at a later version`);
    }
    const have = new Set(rows.map((r) => versionKey(r.version)));
    return history.filter((m) => compareVersions(m.version, target.version) <= 0 && !have.has(versionKey(m.version)));
  };
  const t = tableSql(opts.table);
  const rec = (m: Migration) => ({ version: m.version, name: m.name, file: m.relFile });
  if (opts.dryRun) {
    const p = await prepare(db, history, opts, true);
    reportTracking(opts, p.tracking);
    const todo = await plan(p.rows);
    for (const m of todo) opts.log?.(`-- would record ${m.version} (${m.relFile}) in ${t} as applied, without running it`);
    return { dryRun: true, version: target.version, recorded: todo.map(rec), tracking: p.tracking };
  }
  return locked(db, opts, async () => {
    const { p, plan: todo } = await preparedInTransaction(db, history, opts, async (pp) => {
      const list = await plan(pp.rows);
      for (const m of list) await insertRow(db, pp.info, { version: m.version, name: m.name, checksum: m.checksum, originalChecksum: originalChecksum(m), executionMs: null, error: null, statementIndex: null });
      return list;
    });
    reportTracking(opts, p.tracking);
    for (const m of todo) opts.log?.(`recorded ${m.version}_${m.name} as applied (not run)`);
    return { dryRun: false, version: target.version, recorded: todo.map(rec), tracking: p.tracking };
  });
}

/** What {@link resolve} did. */
export interface ResolveResult {
  dryRun: boolean;
  version: string;
  /** What happened to the row, one sentence. */
  action: string;
  tracking: string[];
}

/**
 * Settles a migration by hand, after the database was inspected and fixed:
 * - `applied`: a failed/unfinished migration counts as applied (error cleared); an applied file that
 *   was modified is accepted as it is now (its checksum re-recorded); a pending one is recorded as
 *   applied without running it;
 * - `rolled-back`: a failed/unfinished migration's row is deleted, so the next `up` runs it again.
 * @throws RunnerError `not_failed` (rolled-back on a migration that did not fail; applied on one that is
 *   applied and unmodified), `not_recorded` (rolled-back without a row), `unknown_version`
 */
export async function resolve(db: Db, history: Migration[], version: string, how: 'applied' | 'rolled-back', opts: RunOptions): Promise<ResolveResult> {
  const byKey = index(history);
  const t = tableSql(opts.table);
  const m = byKey.get(versionKey(version));
  const plan = (rows: AppliedRow[]): { action: string; run: (info: TrackingInfo) => Promise<unknown> } => {
    const row = rows.find((r) => versionKey(r.version) === versionKey(version));
    if (how === 'rolled-back') {
      if (!row) throw new RunnerError('not_recorded', `migration ${version} is not recorded in ${t}, so there is nothing to roll back`);
      if (row.error === null) {
        throw new RunnerError('not_failed', `migration ${version} is applied and did not fail; "resolve --rolled-back" only settles a failed migration — use "schemaplan down" to revert an applied one`);
      }
      return { action: `deleted the failed row of ${row.version} from ${t}; the next up runs it again`, run: (info) => deleteRow(db, info, row.version) };
    }
    if (!m) {
      if (row?.error) {
        return { action: `cleared the failure of ${row.version} in ${t} (its file is gone)`, run: (info) => updateRow(db, info, row.version, { error: null, statementIndex: null }) };
      }
      throw new RunnerError('unknown_version', `no migration file has version ${version}`);
    }
    if (!row) {
      return {
        action: `recorded ${m.version}_${m.name} as applied in ${t} without running it`,
        run: (info) => insertRow(db, info, { version: m.version, name: m.name, checksum: m.checksum, originalChecksum: originalChecksum(m), executionMs: null, error: null, statementIndex: null }),
      };
    }
    if (row.error !== null) {
      return {
        action: `marked ${m.version}_${m.name} as applied in ${t} (failure cleared, checksum of the file as it is now)`,
        run: (info) => updateRow(db, info, row.version, { error: null, statementIndex: null, checksum: m.checksum }),
      };
    }
    if (row.checksum !== null && row.checksum !== m.checksum) {
      return { action: `accepted ${m.relFile} as it is now: re-recorded its checksum in ${t}`, run: (info) => updateRow(db, info, row.version, { checksum: m.checksum }) };
    }
    throw new RunnerError('not_failed', `migration ${m.version} is already applied and unmodified; nothing to resolve`);
  };
  if (opts.dryRun) {
    const p = await prepare(db, history, opts, true);
    reportTracking(opts, p.tracking);
    const pl = plan(p.rows);
    opts.log?.(`-- would have ${pl.action}`);
    return { dryRun: true, version, action: `would have ${pl.action}`, tracking: p.tracking };
  }
  return locked(db, opts, async () => {
    const { p, plan: action } = await preparedInTransaction(db, history, opts, async (pp) => {
      const pl = plan(pp.rows);
      await pl.run(pp.info);
      return pl.action;
    });
    reportTracking(opts, p.tracking);
    opts.log?.(action);
    return { dryRun: false, version, action, tracking: p.tracking };
  });
}

/** What {@link fresh} did. */
export interface FreshResult {
  dryRun: boolean;
  /** Schemas dropped (with everything in them, the tracking table included). */
  dropped: string[];
  applied: RunRecord[];
  warnings: string[];
  tracking: string[];
}

/**
 * Rebuilds a development database from the history: under the lock, drops every schema except
 * PostgreSQL's own (`pg_*`, `information_schema`) with CASCADE — the tracking table with them —,
 * re-creates `public` with its owner, privileges and comment, then applies every migration. DESTRUCTIVE:
 * the caller (the CLI) must have checked the database is not production and the user confirmed.
 * @throws PostgreSQL's error when a schema cannot be dropped (nothing is dropped then: one transaction);
 *   as {@link up} afterwards
 */
export async function fresh(db: Db, history: Migration[], opts: RunOptions): Promise<FreshResult> {
  const schemasSql = `SELECT n.nspname AS name FROM pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1`;
  const dropSql = (names: string[]) => names.map((n) => `DROP SCHEMA ${quoteIdent(n)} CASCADE`);
  if (opts.dryRun) {
    const names = (await db.query<{ name: string }>(schemasSql)).map((r) => r.name);
    for (const s of dropSql(names)) opts.log?.(`-- would run: ${s};`);
    if (names.includes('public')) opts.log?.('-- would re-create schema public with its owner, privileges and comment');
    opts.log?.(`-- would create the tracking table ${tableSql(opts.table)}`);
    const applied: RunRecord[] = [];
    for (const m of history) {
      const s = await section(m, 'up', opts.table);
      logDry(opts, 'apply', m, s, tableSql(opts.table));
      applied.push(record(m, s, null));
    }
    return { dryRun: true, dropped: names, applied, warnings: [], tracking: [`would create the tracking table ${tableSql(opts.table)}`] };
  }
  return locked(db, opts, async () => {
    // Parse everything first: a broken file must not leave an emptied database behind.
    const sections = new Map<Migration, Section>();
    for (const m of history) sections.set(m, await section(m, 'up', opts.table));
    await db.exec('BEGIN');
    let names: string[];
    try {
      names = (await db.query<{ name: string }>(schemasSql)).map((r) => r.name);
      const pub = (await db.query<{ owner: string; comment: string | null }>(
        `SELECT nspowner::regrole::text AS owner, obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = 'public'`,
      ))[0];
      const grants = pub
        ? await db.query<{ grantee: string; priv: string; grantable: boolean }>(
          `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee, a.privilege_type AS priv, a.is_grantable AS grantable
             FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee <> n.nspowner`,
        )
        : [];
      for (const s of dropSql(names)) {
        opts.log?.(`${s};`);
        await db.exec(s);
      }
      if (pub) {
        // regrole::text is already quoted as an identifier where needed.
        await db.exec(`CREATE SCHEMA public AUTHORIZATION ${pub.owner}`);
        for (const g of grants) {
          await db.exec(`GRANT ${g.priv} ON SCHEMA public TO ${g.grantee === 'PUBLIC' ? 'PUBLIC' : g.grantee}${g.grantable ? ' WITH GRANT OPTION' : ''}`);
        }
        if (pub.comment !== null) await db.exec(`COMMENT ON SCHEMA public IS ${quoteLiteral(pub.comment)}`);
      }
      await db.exec('COMMIT');
    } catch (e) {
      await db.exec('ROLLBACK').catch(noop);
      if (isPgError(e)) {
        throw new RunnerError('refused', `fresh: could not empty the database ${db.label}: ${e.message} (SQLSTATE ${e.code}); nothing was dropped.`);
      }
      throw e;
    }
    const warnings: string[] = [];
    const { p, plan: pending } = await preparedInTransaction(db, history, opts, async (pp) => planUp(pp.rows, history, opts, warnings).map((m) => ({ m, s: sections.get(m)! })));
    reportTracking(opts, p.tracking);
    const applied = await applyAll(db, p.info, pending, opts);
    return { dryRun: false, dropped: names, applied, warnings, tracking: p.tracking };
  });
}

/**
 * The state of every migration: each file of `history` and each tracking row without a file, in
 * version order. Reads only (no lock; a missing tracking table means everything is pending).
 */
export async function status(db: Db, history: Migration[], table: TrackingTable): Promise<StatusEntry[]> {
  return (await statusReport(db, history, table)).entries;
}

/**
 * {@link status} with explanations: the tracking table's shape (and what adopting it will add),
 * whether a run holds the lock now, and one paragraph per problem saying what to do. Reads only.
 */
export async function statusReport(db: Db, history: Migration[], table: TrackingTable): Promise<StatusReport> {
  const info = await inspectTracking(db, table);
  const byKey = index(history);
  const raw = await readApplied(db, table, info);
  const adoption = planAdoption(raw, byKey, info.exists && !info.adopted);
  const rows = adoption.rows;
  const pendingNote = new Set([...adoption.backfill, ...adoption.verified].map((x) => versionKey(x.row.version)));
  const byRow = new Map(rows.map((r) => [versionKey(r.version), r]));
  const newest = rows.filter((r) => r.error === null).at(-1)?.version;
  const out: StatusEntry[] = [];
  await loadParser();
  for (const m of history) {
    const r = byRow.get(versionKey(m.version));
    if (!r) {
      const e: StatusEntry = { version: m.version, name: m.name, state: 'pending', file: m.relFile, checksum: m.checksum };
      if (newest !== undefined && compareVersions(m.version, newest) < 0) {
        e.outOfOrder = true;
        e.note = `older than the newest applied migration ${newest}: out of order; up applies it only with --allow-out-of-order`;
      }
      out.push(e);
      continue;
    }
    const state: MigrationState = r.error !== null ? 'failed' : r.checksum !== null && r.checksum !== m.checksum ? 'modified' : 'applied';
    const e = entry(r, state, m.version, m.name, m.relFile, m.checksum);
    if (state === 'failed') {
      try {
        e.statements = splitStatements(m.parsed.up).length;
      } catch {
        // a syntax error is reported by up itself
      }
    }
    if (state === 'applied' && pendingNote.has(versionKey(m.version))) e.note = 'checksum not recorded yet: the next up records the file\'s';
    if (state === 'modified') e.note = 'the file changed after it was applied';
    out.push(e);
  }
  for (const r of rows) {
    if (!byKey.has(versionKey(r.version))) {
      const e = entry(r, r.error !== null ? 'failed' : 'missing', r.version, r.name ?? '', undefined, undefined);
      if (e.state === 'missing') e.note = 'applied, but its file is gone';
      out.push(e);
    }
  }
  out.sort((a, b) => compareVersions(a.version, b.version));
  const running = await lockHolder(db, table);
  const notes: string[] = [];
  const t = tableSql(table);
  for (const e of out.filter((x) => x.state === 'failed')) {
    const at = e.statementIndex ? ` It stopped at statement ${e.statementIndex}${e.statements ? ` of ${e.statements}` : ''}` : '';
    notes.push(
      `${e.file ?? e.version}: migration ${e.version} failed or did not finish (${e.error}).${at}; it ran without a transaction, so the statements ` +
        `before that stay applied. ${running ? `A run is in progress right now (${running}); wait for it before acting.` : 'No run is in progress, so it will not finish by itself.'} ` +
        `Every up, down and redo refuses until it is resolved. ${resolveHint(e.version)}`,
    );
  }
  const modified = out.filter((x) => x.state === 'modified');
  if (modified.length) {
    notes.push(`${modified.map((x) => x.file).join(', ')}: changed after being applied; up refuses until the file is restored, accepted with "schemaplan resolve <version> --applied", or run with --allow-modified.`);
  }
  const missing = out.filter((x) => x.state === 'missing');
  if (missing.length) notes.push(`${missing.map((x) => x.version).join(', ')}: recorded as applied in ${t}, but the file is gone (restore it from version control).`);
  const ooo = out.filter((x) => x.outOfOrder);
  if (ooo.length) notes.push(`${ooo.map((x) => x.file).join(', ')}: pending but older than the newest applied migration (out of order, e.g. after a merge); up applies them only with --allow-out-of-order.`);
  if (info.exists && info.missing.length > 0) {
    notes.push(`${t} is a ${info.origin} tracking table; the next up adopts it in place by adding column(s) ${info.missing.join(', ')}${adoption.backfill.length + adoption.verified.length ? ` and recording the checksums of ${adoption.backfill.length + adoption.verified.length} applied migration(s) from the files as they are now` : ''}.`);
  }
  const invalid = await invalidIndexes(db);
  for (const i of invalid) notes.push(describeInvalidIndex(i));
  const clean = out.every((x) => x.state === 'applied');
  const report: StatusReport = {
    invalidIndexes: invalid,
    database: db.label,
    table: t,
    tracking: { exists: info.exists, origin: info.origin, adopted: info.adopted, missingColumns: info.missing },
    entries: out,
    clean,
    notes,
  };
  if (running) report.runInProgress = running;
  return report;
}

function entry(r: AppliedRow, state: MigrationState, version: string, name: string, file: string | undefined, checksum: string | undefined): StatusEntry {
  const e: StatusEntry = { version, name, state };
  if (file !== undefined) e.file = file;
  if (r.appliedAt) e.appliedAt = r.appliedAt;
  if (r.executionMs !== null) e.executionMs = r.executionMs;
  if (r.checksum !== null) e.appliedChecksum = r.checksum;
  if (checksum !== undefined) e.checksum = checksum;
  if (r.error !== null) e.error = r.error;
  if (r.statementIndex !== null && r.error !== null) e.statementIndex = r.statementIndex;
  return e;
}

/**
 * Executes every migration's up section in version order (up to and including `to`), statement by
 * statement, without transactions or tracking: builds the "current state" from the history in a shadow.
 * `onEvent` receives start/done events (direction `up`) for a progress display. With `table`, the
 * tracking table is created first when a migration inserts its own row into it ({@link shadowTracking}).
 * @throws MigrationError (phase `replay`) naming file:line:column, PostgreSQL's message and SQLSTATE.
 */
export async function replay(
  db: Db,
  history: Migration[],
  opts: { to?: string; log?: (line: string) => void; onEvent?: (e: RunEvent) => void; table?: TrackingTable } = {},
): Promise<void> {
  const todo = history.filter((m) => opts.to === undefined || compareVersions(m.version, opts.to) <= 0);
  if (opts.table) await shadowTracking(db, todo, opts.table);
  let k = 0;
  for (const m of todo) {
    k++;
    const ev = { direction: 'up' as const, index: k, total: todo.length, version: m.version, name: m.name, file: m.relFile };
    opts.onEvent?.({ type: 'start', ...ev });
    opts.log?.(`replaying ${m.relFile}`);
    const t0 = performance.now();
    try {
      await executeScript(db, m.parsed.up, m.relFile, m.parsed.upLine - 1);
    } catch (e) {
      if (e instanceof SqlExecutionError) throw new MigrationError(m.version, 'replay', e, '');
      throw e;
    }
    opts.onEvent?.({ type: 'done', ...ev, ms: Math.round(performance.now() - t0) });
  }
}
