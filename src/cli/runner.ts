/**
 * The tracked runner on the configured database: `up`, `down`, `redo`, `status`, `baseline`,
 * `resolve`, `fresh`. Every command takes `--url`, `--dry-run` (print the SQL and the tracking changes,
 * touch nothing; `status` only reads anyway) and `--format text|json` (json: one object on stdout,
 * progress and log lines on stderr).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { connect } from '../db/connect.js';
import { databaseTarget, ENV_TARGET, targetLabel } from '../db/options.js';
import { redactUrl } from '../db/redact.js';
import type { Db } from '../db/types.js';
import { differingObjects, fingerprint } from '../catalog/fingerprint.js';
import { idKind, idName } from '../catalog/identity.js';
import { introspect } from '../catalog/introspect.js';
import { loadHistory, SUM_FILE, type Migration } from '../migrations/index.js';
import { assertSumAgrees } from '../project/sum-gate.js';
import { parsePlanDocument } from '../plan/document.js';
import { describeUnmet, unmetRequirements } from '../project/requirements.js';
import { introspectOptions } from '../project/scope.js';
import {
  baseline, createProgress, down, fresh, MigrationError, redo, resolve, RunnerError, statusReport, up,
  type RunOptions, type RunRecord,
} from '../runner/index.js';
import { action, config, EXIT, out, err } from './common.js';

/** Flags shared by the runner commands. */
interface RunFlags {
  url?: string;
  dryRun?: boolean;
  format: string;
  lockTimeout?: string;
  statementTimeout?: string;
  lockWait?: string;
  lockRetries?: string;
  lockRetryDelay?: string;
  allowModified?: boolean;
  allowOutOfOrder?: boolean;
  allowDestructive?: boolean;
  /** `--no-sum-check` sets it false. */
  sumCheck?: boolean;
}

/**
 * A duration flag in ms: a plain number is milliseconds; `500ms`, `5s`, `2min`/`2m`, `1h` are accepted.
 * @throws Error naming the flag for anything else
 */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i.exec(text);
  if (!m) throw new Error(`${flag} ${JSON.stringify(text)}: expected a duration such as 500ms, 5s or 2min`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const f = unit === 'ms' ? 1 : unit === 's' || unit === 'sec' ? 1000 : unit === 'h' ? 3_600_000 : 60_000;
  return Math.round(n * f);
}

function common(cmd: Command, opts: { run?: boolean; integrity?: boolean; sum?: boolean } = {}): Command {
  cmd
    .option('--url <url>', 'database URL (else DATABASE_URL, else database.url, else the PG* environment)')
    .option('--dry-run', 'print the SQL and the tracking table changes, change nothing')
    .option('--format <format>', 'text | json', 'text');
  if (opts.run !== false) {
    cmd
      .option('--lock-timeout <interval>', 'PostgreSQL lock_timeout for the run, e.g. 5s (a file\'s -- lock_timeout: header wins)')
      .option('--statement-timeout <interval>', 'PostgreSQL statement_timeout for the run, e.g. 15min')
      .option('--lock-wait <duration>', 'how long to wait for another run\'s migration lock (default 60s)')
      .option('--lock-retries <n>', 'retries of a transactional migration after a lock timeout (SQLSTATE 55P03), default 3')
      .option('--lock-retry-delay <duration>', 'delay before the first such retry, doubled each time (default 2s)');
  }
  if (opts.integrity) {
    cmd
      .option('--allow-modified', 'run although applied files were edited')
      .option('--allow-out-of-order', 'apply pending files older than the newest applied one')
      .option('--allow-destructive', 'run down sections (and up sections without a -- DESTRUCTIVE: header) that would delete rows or column values');
  }
  if (opts.integrity || opts.sum) cmd.option('--no-sum-check', `run although ${SUM_FILE} disagrees with the files`);
  return cmd;
}

function checkFormat(flags: RunFlags): void {
  if (!['text', 'json'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use text or json`);
}

/** The runner options from configuration and flags, with a log that goes through the progress display. */
function runOptions(cfg: Config, flags: RunFlags, output: Output): RunOptions {
  const o: RunOptions = {
    table: cfg.table, dryRun: !!flags.dryRun, allowModified: !!flags.allowModified, allowOutOfOrder: !!flags.allowOutOfOrder,
    allowDestructive: !!flags.allowDestructive, log: output.log, onEvent: output.progress.onEvent,
  };
  const lockTimeout = flags.lockTimeout ?? cfg.lockTimeout;
  const statementTimeout = flags.statementTimeout ?? cfg.statementTimeout;
  if (lockTimeout !== undefined) o.lockTimeout = lockTimeout;
  if (statementTimeout !== undefined) o.statementTimeout = statementTimeout;
  if (flags.lockWait !== undefined) o.lockWaitMs = parseDuration(flags.lockWait, '--lock-wait');
  if (flags.lockRetries !== undefined) {
    if (!/^\d+$/.test(flags.lockRetries)) throw new Error(`--lock-retries ${JSON.stringify(flags.lockRetries)}: expected a whole number`);
    o.lockRetries = Number(flags.lockRetries);
  }
  if (flags.lockRetryDelay !== undefined) o.lockRetryDelayMs = parseDuration(flags.lockRetryDelay, '--lock-retry-delay');
  return o;
}

/** Where a command's lines go: text → stdout (warnings stderr); json → everything on stderr, the result object on stdout. */
interface Output {
  log: (line: string) => void;
  progress: ReturnType<typeof createProgress>;
  warn: (w: string) => void;
  json: boolean;
  finish(): void;
}

function output(flags: RunFlags): Output {
  const json = flags.format === 'json';
  const seen = new Set<string>();
  const print = (line: string) => {
    if (line.startsWith('warning: ')) {
      seen.add(line.slice('warning: '.length));
      err(line);
    } else if (json) err(line);
    else out(line);
  };
  const progress = createProgress({
    tty: !!process.stderr.isTTY && !flags.dryRun,
    write: (s) => process.stderr.write(s),
    print,
    ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
  });
  return {
    json,
    progress,
    log: (line) => progress.line(line),
    warn(w) {
      if (!seen.has(w)) err(`warning: ${w}`);
    },
    finish: () => progress.finish(),
  };
}

/** Opens the configured database (libpq conventions), naming this command in pg_stat_activity. */
async function withDb<T>(cfg: Config, command: string, work: (db: Db) => Promise<T>): Promise<T> {
  const url = databaseTarget(cfg.databaseUrl);
  const db = await connect(url, { applicationName: `schemaplan ${command}` });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

function history(cfg: Config): Migration[] {
  return loadHistory(cfg.migrationsDir, { root: cfg.root });
}

/** The sum-file gate (`assertSumAgrees`), unless `--no-sum-check`. */
function checkSumFile(cfg: Config, flags: RunFlags): void {
  if (flags.sumCheck !== false) assertSumAgrees(cfg);
}

/**
 * The drift check of `up`: when the first migration `up` applies (`m`, from the
 * runner, under its migration lock) is the first file of a generated plan whose plan document is
 * readable, the database must still be the catalog the plan was made from (`from_fingerprint`).
 * Returns the paragraph describing the mismatch (naming up to 20 differing objects when the plan
 * records `from_objects`, else only the plan), or null when the database matches or there is
 * nothing to check (hand-written file, no plan document). Reads only.
 */
async function planDrift(db: Db, cfg: Config, m: Migration | undefined): Promise<string | null> {
  const planFile = m?.parsed.header['Plan'];
  if (!m || !planFile) return null;
  let doc;
  try {
    doc = parsePlanDocument(fs.readFileSync(path.resolve(cfg.root, planFile), 'utf8'), planFile);
  } catch {
    return null;
  }
  if (typeof doc.from_fingerprint !== 'string') return null;
  // Only the first file of a split plan starts from the plan's from-catalog.
  if (doc.migrations?.length ? doc.migrations[0]!.file !== m.relFile : doc.version !== undefined && doc.version !== m.version) return null;
  const cat = await introspect(db, introspectOptions(cfg));
  const now = fingerprint(cat);
  if (now === doc.from_fingerprint) return null;
  const head = `the database is not the catalog ${planFile} was planned from (fingerprint ${doc.from_fingerprint}, the database has ${now}), so ${m.relFile} may not apply as reviewed`;
  const tail = 'Re-plan against this database, or pass --allow-drift to apply anyway.';
  if (!doc.from_objects || typeof doc.from_objects !== 'object') return `${head}; the plan records no per-object hashes (an older plan), so the differing objects cannot be named. ${tail}`;
  const diffs = differingObjects(doc.from_objects, cat);
  const shown = diffs.slice(0, 20).map((d) => `${idKind(d.id)} ${idName(d.id)} (${d.how === 'extra' ? 'not in the plan\'s catalog' : d.how === 'missing' ? 'missing from the database' : 'changed'})`);
  const more = diffs.length > 20 ? ` and ${diffs.length - 20} more` : '';
  return `${head}; differing objects: ${shown.join(', ')}${more}. ${tail}`;
}

const brief = (r: RunRecord) => ({ version: r.version, name: r.name, file: r.file, transactional: r.transactional, statements: r.statements, executionMs: r.executionMs });

/**
 * Runs a command body with the JSON error convention: in json mode a failure also prints
 * `{"ok": false, "error": {...}}` on stdout; the error paragraph always goes to stderr (exit 1).
 */
function jsonAware(flags: RunFlags, o: Output, body: () => Promise<number>): Promise<number> {
  return body().then(
    (code) => {
      o.finish();
      return code;
    },
    (e: any) => {
      o.finish();
      if (o.json) {
        const error: Record<string, unknown> = { message: String(e?.message ?? e), kind: e?.name ?? 'Error' };
        if (e instanceof RunnerError) error.code = e.code;
        if (e instanceof MigrationError) Object.assign(error, { version: e.version, file: e.file, line: e.line, column: e.column, sqlstate: e.sqlstate, statement: e.statement });
        else if (e?.code) error.code = e.code;
        out(JSON.stringify({ ok: false, error }, null, 2));
      }
      throw e;
    },
  );
}

/**
 * The common start of a command that runs migrations: checks `--format`, loads the configuration and
 * the history, refuses when schemaplan.sum disagrees with the files, and sets up progress output.
 * @throws on an unknown format, a bad configuration, a malformed history or a sum-file mismatch
 */
function prepare(program: Command, flags: RunFlags) {
  checkFormat(flags);
  const cfg = config({ ...program.opts(), ...flags });
  const h = history(cfg);
  checkSumFile(cfg, flags);
  return { cfg, h, o: output(flags) };
}

export function register(program: Command): void {
  common(program.command('up').description('apply pending migrations in version order'), { integrity: true })
    .option('--to <version>', 'stop after this version')
    .option('--allow-drift', 'apply a generated plan although the database is not the catalog it was planned from')
    .action(action(async (flags: RunFlags & { to?: string; allowDrift?: boolean }) => {
      const { cfg, h, o } = prepare(program, flags);
      return jsonAware(flags, o, async () => {
        const res = await withDb(cfg, 'up', async (db) => {
          // Checked under the migration lock, so a concurrent `up` cannot change the database in between.
          const beforeApply = async (pending: Migration[]) => {
            // Objects outside the scope that the plans rely on: checked always, before anything runs.
            const unmet = await unmetRequirements(db, cfg, pending);
            if (unmet.length && !flags.dryRun) throw new Error(`${describeUnmet(unmet)}. Create them first (or bring their schema into scope and re-plan). Nothing was applied.`);
            if (unmet.length) o.warn(describeUnmet(unmet));
            const drift = flags.allowDrift ? null : await planDrift(db, cfg, pending[0]);
            if (drift && !flags.dryRun) throw new Error(`${drift} Nothing was applied.`);
            if (drift) o.warn(drift);
          };
          return up(db, h, {
            ...runOptions(cfg, flags, o), ...(flags.to !== undefined ? { to: flags.to } : {}), beforeApply,
          });
        });
        o.finish();
        if (o.json) {
          out(JSON.stringify({ ok: true, command: 'up', dryRun: res.dryRun, database: targetLabel(databaseTarget(cfg.databaseUrl)), applied: res.dryRun ? res.applied : res.applied.map(brief), tracking: res.tracking, warnings: res.warnings, losses: res.losses }, null, 2));
          return EXIT.ok;
        }
        for (const w of res.warnings) o.warn(w);
        if (res.applied.length === 0) out(res.dryRun ? 'Nothing to apply.' : 'Nothing to apply: the database is up to date.');
        else out(`${res.dryRun ? 'would apply' : 'applied'} ${res.applied.length} migration(s)`);
        return EXIT.ok;
      });
    }));

  common(program.command('down').description('run down sections, newest first (default: 1 migration)'), { integrity: true })
    .argument('[n]', 'how many migrations to revert')
    .option('--to <version>', 'revert every migration newer than this version (0: all)')
    .action(action(async (n: string | undefined, flags: RunFlags & { to?: string }) => {
      if (n !== undefined && !/^\d+$/.test(n)) throw new Error(`down takes a number of migrations, got "${n}"`);
      const { cfg, h, o } = prepare(program, flags);
      return jsonAware(flags, o, async () => {
        const res = await withDb(cfg, 'down', (db) => down(db, h, {
          ...runOptions(cfg, flags, o), ...(n !== undefined ? { steps: Number(n) } : {}), ...(flags.to !== undefined ? { to: flags.to } : {}),
        }));
        o.finish();
        if (o.json) {
          out(JSON.stringify({ ok: true, command: 'down', dryRun: res.dryRun, reverted: res.dryRun ? res.reverted : res.reverted.map(brief), tracking: res.tracking, warnings: res.warnings, losses: res.losses }, null, 2));
          return EXIT.ok;
        }
        for (const w of res.warnings) o.warn(w);
        if (res.reverted.length === 0) out('Nothing to revert.');
        else out(`${res.dryRun ? 'would revert' : 'reverted'} ${res.reverted.length} migration(s)`);
        return EXIT.ok;
      });
    }));

  common(program.command('redo').description('revert the newest applied migration and apply it again'), { integrity: true })
    .action(action(async (flags: RunFlags) => {
      const { cfg, h, o } = prepare(program, flags);
      return jsonAware(flags, o, async () => {
        const res = await withDb(cfg, 'redo', (db) => redo(db, h, runOptions(cfg, flags, o)));
        o.finish();
        if (o.json) {
          out(JSON.stringify({ ok: true, command: 'redo', dryRun: res.dryRun, reverted: res.reverted.map(brief), applied: res.applied.map(brief), tracking: res.tracking, warnings: res.warnings, losses: res.losses }, null, 2));
          return EXIT.ok;
        }
        for (const w of res.warnings) o.warn(w);
        out(`${res.dryRun ? 'would redo' : 'redid'} ${res.applied.map((r) => `${r.version}_${r.name}`).join(', ')}`);
        return EXIT.ok;
      });
    }));

  common(program.command('status').description('applied / pending / missing / modified / failed, per migration, with what to do'), { run: false })
    .option('--exit-code', 'exit 1 unless every migration is applied, unmodified and none failed or is missing')
    .action(action(async (flags: RunFlags & { exitCode?: boolean }) => {
      checkFormat(flags);
      const cfg = config({ ...program.opts(), ...flags });
      const h = history(cfg);
      const report = await withDb(cfg, 'status', (db) => statusReport(db, h, cfg.table));
      if (flags.format === 'json') out(JSON.stringify(report, null, 2));
      else {
        const rows = report.entries;
        if (rows.length === 0) out('No migrations.');
        for (const r of rows) {
          const when = r.appliedAt ? ` applied ${r.appliedAt.toISOString()}${r.executionMs !== undefined ? ` (${r.executionMs} ms)` : ''}` : '';
          const at = r.state === 'failed' && r.statementIndex ? ` at statement ${r.statementIndex}${r.statements ? ` of ${r.statements}` : ''}` : '';
          const extra = r.state === 'pending' && r.outOfOrder ? ' (out of order)' : '';
          out(`${r.state.padEnd(8)} ${r.version}_${r.name}${when}${extra}${r.error ? ` — failed${at}: ${r.error}` : ''}`);
        }
        const counts = ['applied', 'pending', 'missing', 'modified', 'failed'].map((s) => [s, rows.filter((r) => r.state === s).length] as const).filter(([, c]) => c > 0);
        if (counts.length) out(counts.map(([s, c]) => `${c} ${s}`).join(', '));
        if (report.runInProgress) out(`A migration run is in progress: ${report.runInProgress}.`);
        for (const n of report.notes) out(`\n${n}`);
      }
      return flags.exitCode && !report.clean ? EXIT.error : EXIT.ok;
    }));

  common(program.command('baseline').description('record an existing database as being at a version, without running anything'), { sum: true })
    .option('--version <version>', 'the version the database is at (default: the newest file)')
    .action(action(async (flags: RunFlags & { version?: string }) => {
      const { cfg, h, o } = prepare(program, flags);
      return jsonAware(flags, o, async () => {
        const res = await withDb(cfg, 'baseline', (db) => baseline(db, h, { ...runOptions(cfg, flags, o), ...(flags.version !== undefined ? { version: flags.version } : {}) }));
        if (o.json) {
          out(JSON.stringify({ ok: true, command: 'baseline', ...res }, null, 2));
          return EXIT.ok;
        }
        out(res.recorded.length === 0
          ? `Nothing to record: every migration up to ${res.version} is already recorded.`
          : `${res.dryRun ? 'would record' : 'recorded'} ${res.recorded.length} migration(s) up to ${res.version} as applied, without running them`);
        return EXIT.ok;
      });
    }));

  common(program.command('resolve').description('settle a failed migration after fixing the database by hand: --applied or --rolled-back'))
    .argument('<version>', 'the migration\'s version')
    .option('--applied', 'count it as applied (a failed one: its changes are complete; a modified one: accept the file as it is now; a pending one: record without running)')
    .option('--rolled-back', 'a failed one: its changes are undone; delete its row so the next up runs it again')
    .action(action(async (version: string, flags: RunFlags & { applied?: boolean; rolledBack?: boolean }) => {
      checkFormat(flags);
      if (!!flags.applied === !!flags.rolledBack) throw new Error('resolve needs exactly one of --applied or --rolled-back');
      const cfg = config({ ...program.opts(), ...flags });
      const h = history(cfg);
      const o = output(flags);
      return jsonAware(flags, o, async () => {
        const res = await withDb(cfg, 'resolve', (db) => resolve(db, h, version, flags.applied ? 'applied' : 'rolled-back', runOptions(cfg, flags, o)));
        if (o.json) out(JSON.stringify({ ok: true, command: 'resolve', ...res }, null, 2));
        return EXIT.ok;
      });
    }));

  common(program.command('fresh').description('DESTRUCTIVE: drop every schema of a development database and rebuild it from the history'), { sum: true })
    .option('--yes', 'confirm that everything in the database may be dropped')
    .action(action(async (flags: RunFlags & { yes?: boolean }) => {
      checkFormat(flags);
      const cfg = config({ ...program.opts(), ...flags });
      const url = databaseTarget(cfg.databaseUrl);
      const label = targetLabel(url);
      if (cfg.production) {
        throw new Error(`fresh refuses to run: schemaplan.yaml marks this project's database as production (database.production: true), and fresh drops everything in ${label}. Use a development configuration.`);
      }
      const pattern = cfg.productionUrls.find((p) => globMatch(p, url === ENV_TARGET ? label : redactUrl(url)));
      if (pattern !== undefined) {
        throw new Error(`fresh refuses to run: ${label} matches the production pattern "${pattern}" (database.production_urls in schemaplan.yaml), and fresh drops everything in it.`);
      }
      if (!flags.yes && !flags.dryRun) {
        throw new Error(`fresh drops every schema of ${label} (all tables and data) and rebuilds it from the migration history; nothing was done. Re-run with --yes to confirm, or --dry-run to see what it would do.`);
      }
      const h = history(cfg);
      checkSumFile(cfg, flags);
      const o = output(flags);
      return jsonAware(flags, o, async () => {
        const res = await withDb(cfg, 'fresh', (db) => fresh(db, h, runOptions(cfg, flags, o)));
        o.finish();
        if (o.json) {
          out(JSON.stringify({ ok: true, command: 'fresh', dryRun: res.dryRun, dropped: res.dropped, applied: res.dryRun ? res.applied : res.applied.map(brief), tracking: res.tracking, warnings: res.warnings }, null, 2));
          return EXIT.ok;
        }
        for (const w of res.warnings) o.warn(w);
        out(`${res.dryRun ? 'would drop' : 'dropped'} ${res.dropped.length} schema(s) (${res.dropped.join(', ') || 'none'}) and ${res.dryRun ? 'apply' : 'applied'} ${res.applied.length} migration(s)`);
        return EXIT.ok;
      });
    }));
}

/** `*`-wildcard match of a whole string (case-insensitive). */
function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(text);
}
