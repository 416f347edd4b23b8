/**
 * Project-level entry points: what the CLI commands do, as functions over a loaded configuration
 * (`loadConfig(dir)`). They share the CLI's implementation: `diffSources` is `schemaplan diff`,
 * `upProject` passes the same checksum-file gate as `schemaplan up`, `checkProject` is
 * `schemaplan check`, `lintProject` is `schemaplan lint`.
 */
import type { Config } from './config/config.js';
import { connect } from './db/connect.js';
import { databaseTarget } from './db/options.js';
import type { Db } from './db/types.js';
import { lintPaths, type LintResult } from './lint/index.js';
import { loadHistory } from './migrations/index.js';
import { lintOptions, runCheck, type CheckOptions, type CheckProblem } from './project/check.js';
import { shadowFor } from './project/states.js';
import { assertSumAgrees } from './project/sum-gate.js';
import { down, status, up, type DownOptions, type DownResult, type StatusEntry, type UpOptions, type UpResult } from './runner/index.js';

export { diffSources, type DiffSourcesOptions, type DiffSourcesResult } from './project/diff-sources.js';
export { assertSumAgrees } from './project/sum-gate.js';

/** Options shared by the project runner functions. */
export interface ProjectRunOptions {
  /** The database (default: `config.databaseUrl`, i.e. `DATABASE_URL` or `database.url`, else the libpq PG* variables). */
  url?: string;
  /** Skip the `migrations/schemaplan.sum` gate (the CLI's `--no-sum-check`). */
  sumCheck?: boolean;
}

/** Opens the project's database, runs `work`, closes it. */
async function withProjectDb<T>(config: Config, url: string | undefined, command: string, work: (db: Db) => Promise<T>): Promise<T> {
  const target = databaseTarget(url ?? config.databaseUrl); // the CLI's rule: URL, else the libpq environment
  const db = await connect(target, { applicationName: `schemaplan ${command}` });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/**
 * `schemaplan up`: applies the project's pending migrations. Like the CLI, refuses before connecting
 * while `migrations/schemaplan.sum` disagrees with the files (unless `sumCheck: false`). The CLI's
 * plan-drift check (`--allow-drift`) is not part of it: pass `beforeApply` in `opts` for your own.
 */
export async function upProject(config: Config, opts: ProjectRunOptions & Partial<UpOptions> = {}): Promise<UpResult> {
  const history = loadHistory(config.migrationsDir, { root: config.root });
  if (opts.sumCheck !== false) assertSumAgrees(config);
  const { url: _url, sumCheck: _sum, ...run } = opts;
  return withProjectDb(config, opts.url, 'up', (db) => up(db, history, { table: config.table, ...run }));
}

/** `schemaplan down`: reverts applied migrations (default: the newest), behind the same sum-file gate as `upProject`. */
export async function downProject(config: Config, opts: ProjectRunOptions & Partial<DownOptions> = {}): Promise<DownResult> {
  const history = loadHistory(config.migrationsDir, { root: config.root });
  if (opts.sumCheck !== false) assertSumAgrees(config);
  const { url: _url, sumCheck: _sum, ...run } = opts;
  return withProjectDb(config, opts.url, 'down', (db) => down(db, history, { table: config.table, ...run } as DownOptions));
}

/** `schemaplan status`: each migration's state (`applied`, `pending`, `missing`, `modified`, `failed`). Reads only. */
export async function statusProject(config: Config, opts: { url?: string } = {}): Promise<StatusEntry[]> {
  const history = loadHistory(config.migrationsDir, { root: config.root });
  return withProjectDb(config, opts.url, 'status', (db) => status(db, history, config.table));
}

/** `schemaplan check`: the CI gate's problems (empty = clean), in the shadow the CLI would use. Writes nothing. */
export async function checkProject(config: Config, opts: CheckOptions = {}): Promise<CheckProblem[]> {
  return runCheck(config, shadowFor(config, opts.url, opts.report ? { report: opts.report } : {}), opts);
}

/** `schemaplan lint`: findings of the project's migration files (from `lint.start_after` on), or of `files`. */
export async function lintProject(config: Config, files?: string[]): Promise<LintResult> {
  const explicit = !!files?.length;
  return lintPaths(explicit ? files! : [config.migrationsDir], {
    ...lintOptions(config), root: config.root, ...(explicit ? {} : { startAfter: config.lint?.startAfter }),
  });
}
