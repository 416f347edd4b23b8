/**
 * Applies and reverts migrations on a database and reports their status (DESIGN.md "Runner guarantees"):
 * - one runner at a time: a session advisory lock around the run (bounded wait), applied versions
 *   re-read after taking it, so concurrent runs apply each migration exactly once and all succeed;
 * - a transactional migration and its tracking row commit together or not at all;
 * - a `transaction:false` migration runs statement by statement in autocommit; its row is written
 *   first as unfinished and completed afterwards, so a failure (or a crash) leaves it recorded as
 *   failed, which blocks further runs until resolved;
 * - applied files whose checksum changed are reported and stop the run (unless `allowModified`);
 * - `lock_timeout` / `statement_timeout` per run (options) and per file (`-- lock_timeout: 5s` header lines).
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/types.js';
import { isPgError } from '../db/types.js';
import { quoteLiteral } from '../db/quote.js';
import type { Migration } from '../migrations/history.js';
import { compareVersions } from '../migrations/names.js';
import { executeScript, SqlExecutionError } from '../sql/execute.js';
import { loadParser, splitStatements, SqlSyntaxError, statementType, type Statement } from '../sql/split.js';
import { acquireMigrationLock } from './lock.js';
import { ensureTrackingTable, readApplied, tableSql, type AppliedRow, type TrackingTable } from './tracking.js';

/** Options shared by {@link up} and {@link down}. */
export interface RunOptions {
  /** The tracking table (`Config.table`). */
  table: TrackingTable;
  /** Print what would run (through `log`) and return it; change nothing (no lock, no tracking table). */
  dryRun?: boolean;
  /** Run even though applied files changed since they were applied (each is reported through `log`). */
  allowModified?: boolean;
  /** Bound on waiting for the migration lock, in ms (default 60 000). */
  lockWaitMs?: number;
  /** PostgreSQL `lock_timeout` for the run, interval text such as `'5s'` (a file's `-- lock_timeout:` header wins). */
  lockTimeout?: string;
  /** PostgreSQL `statement_timeout` for the run, interval text such as `'15min'` (a file's header wins). */
  statementTimeout?: string;
  /** Receives one human-readable line per event (and, in a dry run, the SQL that would run). */
  log?: (line: string) => void;
}

/** Options of {@link up}. */
export interface UpOptions extends RunOptions {
  /** Apply pending migrations up to and including this version only. */
  to?: string;
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
  /** Non-fatal findings: applied files gone, out-of-order pending files, modified files let through, adopted rows. */
  warnings: string[];
}

/** What {@link down} did. */
export interface DownResult {
  dryRun: boolean;
  /** Reverted migrations, newest first (in a dry run: those that would be reverted). */
  reverted: RunRecord[];
  warnings: string[];
}

/** The state of one migration, by {@link status}. */
export type MigrationState = 'applied' | 'pending' | 'missing' | 'modified' | 'failed';

/** One line of {@link status}: a file of the history and/or a row of the tracking table. */
export interface StatusEntry {
  version: string;
  name: string;
  /**
   * `applied`: row and file agree (or the row has no checksum); `pending`: file without row;
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
}

/** A refusal before any SQL of a migration ran (modified files, failed rows, unknown versions …). `code` says which. */
export class RunnerError extends Error {
  constructor(
    readonly code: 'modified' | 'failed' | 'unknown_version' | 'missing_file' | 'no_down' | 'bad_option' | 'bad_setting' | 'transaction_control',
    message: string,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}

/**
 * A migration's SQL failed. Extends SqlExecutionError (`file`, `line`, `column`, `pgMessage`, `sqlstate`,
 * `statement`); the message is one paragraph: where, PostgreSQL's message and SQLSTATE, the statement,
 * and what state the database and tracking table were left in.
 */
export class MigrationError extends SqlExecutionError {
  constructor(
    readonly version: string,
    readonly phase: 'up' | 'down' | 'replay',
    cause: SqlExecutionError,
    outcome: string,
  ) {
    super(cause.file, cause.line, cause.column, cause.pgMessage, cause.sqlstate, cause.statement);
    this.name = 'MigrationError';
    const first = cause.statement.split('\n')[0]!.trim();
    const excerpt = first.length > 100 ? first.slice(0, 97) + '...' : first;
    const hint = cause.sqlstate === '25001'
      ? ' Hint: this statement cannot run inside a transaction block; put it in a file of its own marked "-- migrate:up transaction:false".'
      : '';
    const what = phase === 'down' ? 'reverting' : phase === 'replay' ? 'replaying' : 'applying';
    this.message =
      `${cause.file}:${cause.line}:${cause.column}: ${what} migration ${version} failed: ${cause.pgMessage}` +
      `${cause.sqlstate ? ` (SQLSTATE ${cause.sqlstate})` : ''}${excerpt ? ` in statement "${excerpt}"` : ''}.` +
      `${outcome ? ' ' + outcome : ''}${hint}`;
  }
}

const noop = () => undefined;

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

/** Sets lock_timeout/statement_timeout (`local` = until the end of the current transaction). */
async function applySettings(db: Db, m: Migration | undefined, values: { lockTimeout?: string; statementTimeout?: string }, local: boolean): Promise<void> {
  for (const [guc, value] of [['lock_timeout', values.lockTimeout], ['statement_timeout', values.statementTimeout]] as const) {
    if (value === undefined) continue;
    try {
      await db.query(`SELECT set_config($1, $2, $3)`, [guc, value, local]);
    } catch (e) {
      if (!isPgError(e)) throw e;
      const where = m ? `${m.relFile}: header "-- ${guc}: ${value}"` : `${guc} = ${quoteLiteral(value)}`;
      throw new RunnerError('bad_setting', `${where}: ${e.message} (SQLSTATE ${e.code})`);
    }
  }
}

function perFile(m: Migration): { lockTimeout?: string; statementTimeout?: string } {
  const lockTimeout = fileSetting(m, 'lock_timeout');
  const statementTimeout = fileSetting(m, 'statement_timeout');
  return { ...(lockTimeout !== undefined ? { lockTimeout } : {}), ...(statementTimeout !== undefined ? { statementTimeout } : {}) };
}

/** Runs a whole up/down operation under the lock with run-level settings, restoring the session's settings afterwards. */
async function locked<T>(db: Db, opts: RunOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireMigrationLock(db, opts.table, { ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}), log: opts.log ?? noop });
  try {
    const [saved] = await db.query<{ lt: string; st: string }>(
      `SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st`,
    );
    try {
      await applySettings(db, undefined, opts, false);
      await ensureTrackingTable(db, opts.table);
      return await fn();
    } finally {
      await applySettings(db, undefined, { lockTimeout: saved!.lt, statementTimeout: saved!.st }, false).catch(noop);
    }
  } finally {
    await release();
  }
}

function resolveHint(table: TrackingTable, version: string): string {
  const t = tableSql(table);
  const v = quoteLiteral(version);
  return `Fix the database by hand, then either run "DELETE FROM ${t} WHERE version = ${v}" to run it again, ` +
    `or "UPDATE ${t} SET error = NULL WHERE version = ${v}" to accept it as applied.`;
}

/** Refuses while a failed row exists. */
function checkFailed(rows: AppliedRow[], history: Migration[], table: TrackingTable): void {
  const failed = rows.find((r) => r.error !== null);
  if (!failed) return;
  const file = history.find((m) => m.version === failed.version)?.relFile ?? `version ${failed.version} (file gone)`;
  throw new RunnerError('failed',
    `${file}: migration ${failed.version} is recorded as failed in ${tableSql(table)} (${failed.error}); ` +
      `further runs are blocked until it is resolved. ${resolveHint(table, failed.version)}`);
}

/** Applied files whose checksum changed: refuse, or warn with allowModified. */
function checkModified(rows: AppliedRow[], byVersion: Map<string, Migration>, opts: RunOptions, warnings: string[]): void {
  const modified = rows
    .filter((r) => r.checksum !== null && r.error === null)
    .map((r) => ({ r, m: byVersion.get(r.version) }))
    .filter((x): x is { r: AppliedRow; m: Migration } => x.m !== undefined && x.m.checksum !== x.r.checksum);
  if (modified.length === 0) return;
  const list = modified.map(({ r, m }) => `${m.relFile} (recorded ${r.checksum!.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…)`);
  if (!opts.allowModified) {
    throw new RunnerError('modified',
      `${modified.length} applied migration file(s) changed after they were applied: ${list.join('; ')}. ` +
        `Edits to applied migrations never run; restore the files (e.g. from version control) and put new changes ` +
        `in a new migration, or allow modified files explicitly.`);
  }
  for (const l of list) {
    warnings.push(`modified after it was applied: ${l}`);
    opts.log?.(`warning: modified after it was applied: ${l}`);
  }
}

function index(history: Migration[]): Map<string, Migration> {
  return new Map(history.map((m) => [m.version, m]));
}

function record(m: Migration, s: Section, executionMs: number | null): RunRecord {
  return { version: m.version, name: m.name, file: m.relFile, transactional: s.transactional, statements: s.statements.length, executionMs, sql: s.text };
}

/**
 * Applies pending migrations in version order.
 * Under the lock: ensures (or adopts) the tracking table, re-reads the applied rows, records the
 * checksum of adopted rows that have none, refuses on failed rows and modified files, then runs
 * each pending migration (see the module doc for transactional and `transaction:false` files).
 * @returns what was applied, with `executionMs` (ms) per migration; empty when nothing was pending
 * @throws RunnerError before any SQL runs (`modified`, `failed`, `unknown_version` for `to`,
 *   `transaction_control`, `bad_setting`); LockTimeoutError; MigrationError when a migration's SQL
 *   fails (the migrations before it stay applied and recorded; it is rolled back, or recorded as
 *   failed when non-transactional); PostgreSQL errors of the tracking table itself.
 */
export async function up(db: Db, history: Migration[], opts: UpOptions): Promise<UpResult> {
  const log = opts.log ?? noop;
  const byVersion = index(history);
  if (opts.to !== undefined && !byVersion.has(opts.to)) {
    throw new RunnerError('unknown_version', `--to ${opts.to}: no migration file has this version`);
  }
  const plan = async (rows: AppliedRow[], warnings: string[]): Promise<Migration[]> => {
    checkFailed(rows, history, opts.table);
    checkModified(rows, byVersion, opts, warnings);
    const applied = new Set(rows.map((r) => r.version));
    for (const r of rows) {
      if (!byVersion.has(r.version)) {
        warnings.push(`applied migration ${r.version}${r.name ? `_${r.name}` : ''} has no file any more`);
        log(`warning: applied migration ${r.version}${r.name ? `_${r.name}` : ''} has no file any more`);
      }
    }
    const newest = rows.length > 0 ? rows[rows.length - 1]!.version : undefined;
    const pending = history.filter((m) => !applied.has(m.version) && (opts.to === undefined || compareVersions(m.version, opts.to) <= 0));
    for (const m of pending) {
      if (newest !== undefined && compareVersions(m.version, newest) < 0) {
        const w = `${m.relFile} is older than the newest applied migration ${newest}; it is applied out of order`;
        warnings.push(w);
        log(`warning: ${w}`);
      }
    }
    return pending;
  };

  if (opts.dryRun) {
    const warnings: string[] = [];
    const pending = await plan(await readApplied(db, opts.table), warnings);
    const out: RunRecord[] = [];
    for (const m of pending) {
      const s = await section(m, 'up', opts.table);
      log(`-- would apply ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
      log(s.text.trim());
      out.push(record(m, s, null));
    }
    if (pending.length === 0) log('nothing to apply');
    return { dryRun: true, applied: out, warnings };
  }

  return locked(db, opts, async () => {
    const warnings: string[] = [];
    const t = tableSql(opts.table);
    let rows = await readApplied(db, opts.table);
    const adopt = rows.filter((r) => r.checksum === null && r.error === null && byVersion.has(r.version));
    for (const r of adopt) {
      const m = byVersion.get(r.version)!;
      await db.query(`UPDATE ${t} SET checksum = $2, name = COALESCE(name, $3) WHERE version = $1 AND checksum IS NULL`, [r.version, m.checksum, m.name]);
    }
    if (adopt.length > 0) {
      const w = `recorded the checksum of ${adopt.length} migration(s) applied before without one (adopted history)`;
      warnings.push(w);
      log(w);
      rows = await readApplied(db, opts.table);
    }
    const pending = await plan(rows, warnings);
    const sections = new Map<string, Section>();
    for (const m of pending) sections.set(m.version, await section(m, 'up', opts.table));
    const out: RunRecord[] = [];
    for (const m of pending) {
      const s = sections.get(m.version)!;
      log(`applying ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
      const ms = s.transactional ? await applyTransactional(db, m, s, opts) : await applyNonTransactional(db, m, s, opts);
      log(`applied ${m.version}_${m.name} in ${ms} ms`);
      out.push(record(m, s, ms));
    }
    if (pending.length === 0) log('nothing to apply');
    return { dryRun: false, applied: out, warnings };
  });
}

async function applyTransactional(db: Db, m: Migration, s: Section, opts: RunOptions): Promise<number> {
  await db.exec('BEGIN');
  try {
    await applySettings(db, m, perFile(m), true);
    const t0 = performance.now();
    await executeScript(db, s.text, m.relFile, s.line - 1);
    const ms = Math.round(performance.now() - t0);
    await db.query(
      `INSERT INTO ${tableSql(opts.table)} (version, name, checksum, applied_at, execution_ms, error) VALUES ($1, $2, $3, clock_timestamp(), $4, NULL)`,
      [m.version, m.name, m.checksum, ms],
    );
    await db.exec('COMMIT');
    return ms;
  } catch (e) {
    await db.exec('ROLLBACK').catch(noop);
    if (e instanceof SqlExecutionError) {
      throw new MigrationError(m.version, 'up', e,
        `It was rolled back and not recorded in ${tableSql(opts.table)}; later migrations were not run.`);
    }
    throw e;
  }
}

async function applyNonTransactional(db: Db, m: Migration, s: Section, opts: RunOptions): Promise<number> {
  const t = tableSql(opts.table);
  await db.query(
    `INSERT INTO ${t} (version, name, checksum, applied_at, execution_ms, error) VALUES ($1, $2, $3, clock_timestamp(), NULL, $4)`,
    [m.version, m.name, m.checksum, 'unfinished: the run stopped before this transaction:false migration completed'],
  );
  const [saved] = await db.query<{ lt: string; st: string }>(`SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st`);
  try {
    await applySettings(db, m, perFile(m), false);
    const t0 = performance.now();
    await executeScript(db, s.text, m.relFile, s.line - 1);
    const ms = Math.round(performance.now() - t0);
    await db.query(`UPDATE ${t} SET applied_at = clock_timestamp(), execution_ms = $2, error = NULL WHERE version = $1`, [m.version, ms]);
    return ms;
  } catch (e) {
    const msg = e instanceof SqlExecutionError ? `${e.file}:${e.line}: ${e.pgMessage}${e.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}` : String((e as Error)?.message ?? e);
    await db.query(`UPDATE ${t} SET error = $2 WHERE version = $1`, [m.version, `up failed: ${msg}`]).catch(noop);
    if (e instanceof SqlExecutionError) {
      throw new MigrationError(m.version, 'up', e,
        `The file runs without a transaction, so statements before this one stay applied; it is recorded as failed in ${t} ` +
          `and blocks further runs until resolved. ${resolveHint(opts.table, m.version)}`);
    }
    throw e;
  } finally {
    await applySettings(db, undefined, { lockTimeout: saved!.lt, statementTimeout: saved!.st }, false).catch(noop);
  }
}

/**
 * Reverts applied migrations newest first by running their down sections: `steps` (default 1), or
 * every applied migration newer than `to`. A transactional down section and the deletion of its row
 * commit together; a `transaction:false` one runs in autocommit and then deletes the row (on failure
 * the row is kept and marked failed).
 * @returns the reverted migrations with `executionMs` (ms)
 * @throws RunnerError before any SQL runs: `bad_option` (steps and to together, steps < 1),
 *   `unknown_version`, `missing_file` (no file to take the down section from), `no_down` (no or an
 *   empty down section), `modified`, `failed`; LockTimeoutError; MigrationError when the SQL fails.
 */
export async function down(db: Db, history: Migration[], opts: DownOptions): Promise<DownResult> {
  const log = opts.log ?? noop;
  if (opts.steps !== undefined && opts.to !== undefined) throw new RunnerError('bad_option', 'give either a number of steps or --to, not both');
  const steps = opts.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1) throw new RunnerError('bad_option', `steps must be a positive integer, got ${opts.steps}`);
  const byVersion = index(history);

  const plan = async (rows: AppliedRow[], warnings: string[]): Promise<Array<{ m: Migration; s: Section }>> => {
    checkFailed(rows, history, opts.table);
    if (opts.to !== undefined && !/^0+$/.test(opts.to) && !byVersion.has(opts.to) && !rows.some((r) => r.version === opts.to)) {
      throw new RunnerError('unknown_version', `--to ${opts.to}: no migration has this version (use 0 to revert all)`);
    }
    const newestFirst = [...rows].reverse();
    const targets = opts.to !== undefined ? newestFirst.filter((r) => compareVersions(r.version, opts.to!) > 0) : newestFirst.slice(0, steps);
    const chosen = targets.map((r) => {
      const m = byVersion.get(r.version);
      if (!m) {
        throw new RunnerError('missing_file', `cannot revert migration ${r.version}${r.name ? `_${r.name}` : ''}: it is applied but its file is gone, so there is no down section to run`);
      }
      if (m.parsed.down === null) throw new RunnerError('no_down', `${m.relFile}: cannot revert migration ${m.version}: the file has no down section`);
      return { m, r };
    });
    checkModified(chosen.map((c) => c.r), byVersion, opts, warnings);
    const out: Array<{ m: Migration; s: Section }> = [];
    for (const { m } of chosen) {
      const s = await section(m, 'down', opts.table);
      if (s.statements.length === 0) {
        throw new RunnerError('no_down', `${m.relFile}: cannot revert migration ${m.version}: its down section is empty (the change is not reversible as written)`);
      }
      out.push({ m, s });
    }
    return out;
  };

  if (opts.dryRun) {
    const warnings: string[] = [];
    const targets = await plan(await readApplied(db, opts.table), warnings);
    for (const { m, s } of targets) {
      log(`-- would revert ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
      log(s.text.trim());
    }
    if (targets.length === 0) log('nothing to revert');
    return { dryRun: true, reverted: targets.map(({ m, s }) => record(m, s, null)), warnings };
  }

  return locked(db, opts, async () => {
    const warnings: string[] = [];
    const targets = await plan(await readApplied(db, opts.table), warnings);
    const t = tableSql(opts.table);
    const out: RunRecord[] = [];
    for (const { m, s } of targets) {
      log(`reverting ${m.relFile}${s.transactional ? '' : ' (transaction:false)'}`);
      const t0 = performance.now();
      if (s.transactional) {
        await db.exec('BEGIN');
        try {
          await applySettings(db, m, perFile(m), true);
          await executeScript(db, s.text, m.relFile, s.line - 1);
          await db.query(`DELETE FROM ${t} WHERE version = $1`, [m.version]);
          await db.exec('COMMIT');
        } catch (e) {
          await db.exec('ROLLBACK').catch(noop);
          if (e instanceof SqlExecutionError) {
            throw new MigrationError(m.version, 'down', e, `It was rolled back; the migration stays applied in ${t}.`);
          }
          throw e;
        }
      } else {
        const [saved] = await db.query<{ lt: string; st: string }>(`SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st`);
        try {
          await applySettings(db, m, perFile(m), false);
          await executeScript(db, s.text, m.relFile, s.line - 1);
          await db.query(`DELETE FROM ${t} WHERE version = $1`, [m.version]);
        } catch (e) {
          if (e instanceof SqlExecutionError) {
            const msg = `${e.file}:${e.line}: ${e.pgMessage}${e.sqlstate ? ` (SQLSTATE ${e.sqlstate})` : ''}`;
            await db.query(`UPDATE ${t} SET error = $2 WHERE version = $1`, [m.version, `down failed: ${msg}`]).catch(noop);
            throw new MigrationError(m.version, 'down', e,
              `The down section runs without a transaction, so statements before this one stay applied; the migration is ` +
                `recorded as failed in ${t} and blocks further runs until resolved. Fix the database by hand, then either ` +
                `run "DELETE FROM ${t} WHERE version = ${quoteLiteral(m.version)}" if it is fully reverted, or ` +
                `"UPDATE ${t} SET error = NULL WHERE version = ${quoteLiteral(m.version)}" if it is still applied.`);
          }
          throw e;
        } finally {
          await applySettings(db, undefined, { lockTimeout: saved!.lt, statementTimeout: saved!.st }, false).catch(noop);
        }
      }
      const ms = Math.round(performance.now() - t0);
      log(`reverted ${m.version}_${m.name} in ${ms} ms`);
      out.push(record(m, s, ms));
    }
    if (targets.length === 0) log('nothing to revert');
    return { dryRun: false, reverted: out, warnings };
  });
}

/**
 * The state of every migration: each file of `history` and each tracking row without a file, in
 * version order. Reads only (no lock; a missing tracking table means everything is pending).
 */
export async function status(db: Db, history: Migration[], table: TrackingTable): Promise<StatusEntry[]> {
  const rows = await readApplied(db, table);
  const byRow = new Map(rows.map((r) => [r.version, r]));
  const out: StatusEntry[] = [];
  for (const m of history) {
    const r = byRow.get(m.version);
    if (!r) {
      out.push({ version: m.version, name: m.name, state: 'pending', file: m.relFile, checksum: m.checksum });
      continue;
    }
    const state: MigrationState = r.error !== null ? 'failed' : r.checksum !== null && r.checksum !== m.checksum ? 'modified' : 'applied';
    out.push(entry(r, state, m.name, m.relFile, m.checksum));
  }
  const files = index(history);
  for (const r of rows) {
    if (!files.has(r.version)) out.push(entry(r, r.error !== null ? 'failed' : 'missing', r.name ?? '', undefined, undefined));
  }
  return out.sort((a, b) => compareVersions(a.version, b.version));
}

function entry(r: AppliedRow, state: MigrationState, name: string, file: string | undefined, checksum: string | undefined): StatusEntry {
  const e: StatusEntry = { version: r.version, name, state };
  if (file !== undefined) e.file = file;
  if (r.appliedAt) e.appliedAt = r.appliedAt;
  if (r.executionMs !== null) e.executionMs = r.executionMs;
  if (r.checksum !== null) e.appliedChecksum = r.checksum;
  if (checksum !== undefined) e.checksum = checksum;
  if (r.error !== null) e.error = r.error;
  return e;
}

/**
 * Executes every migration's up section in version order (up to and including `to`), statement by
 * statement, without transactions or tracking: builds the "current state" from the history in a shadow.
 * @throws MigrationError (phase `replay`) naming file:line:column, PostgreSQL's message and SQLSTATE.
 */
export async function replay(db: Db, history: Migration[], opts: { to?: string; log?: (line: string) => void } = {}): Promise<void> {
  for (const m of history) {
    if (opts.to !== undefined && compareVersions(m.version, opts.to) > 0) break;
    opts.log?.(`replaying ${m.relFile}`);
    try {
      await executeScript(db, m.parsed.up, m.relFile, m.parsed.upLine - 1);
    } catch (e) {
      if (e instanceof SqlExecutionError) throw new MigrationError(m.version, 'replay', e, '');
      throw e;
    }
  }
}
