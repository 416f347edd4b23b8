/**
 * Writing a plan to disk: one migration file per run of transactional / non-transactional changes
 * ("a plan that needs both kinds is written as consecutive files"), the plan document,
 * and the refreshed `migrations/schemaplan.sum`. Files are written to temporary names first and
 * renamed into place only when all of them were written, so a failure leaves nothing half-way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ONLINE_DEFAULTS, type Config } from '../config/config.js';
import { compareVersions, migrationFiles, newVersion, renderMigration, sha256Hex, slugify, tryParseMigrationFileName, writeSum } from '../migrations/index.js';
import type { Plan, PlannedChange } from '../plan/plan.js';
import { planDocument, preamble, renderYaml } from '../plan/document.js';
import { checksByFile } from '../plan/data-checks.js';

/** What `writePlan` wrote (paths relative to the project root). */
export interface WrittenPlan {
  version: string;
  name: string;
  migrations: string[];
  plan: string;
}

/** Adds `seconds` to a `YYYYMMDDHHMMSS` version. */
function bumpVersion(version: string, seconds: number): string {
  const d = new Date(Date.UTC(+version.slice(0, 4), +version.slice(4, 6) - 1, +version.slice(6, 8), +version.slice(8, 10), +version.slice(10, 12), +version.slice(12, 14)));
  return newVersion(new Date(d.getTime() + seconds * 1000));
}

/**
 * The version of a new migration: `now` as UTC `YYYYMMDDHHMMSS`, or one second after the newest
 * timestamp version in `migrationsDir` when that is not earlier (a clock behind a teammate's, or
 * two plans within one second), so a new file always sorts last and is never applied out of order.
 */
export function nextVersion(migrationsDir: string, now: Date = new Date()): string {
  let version = newVersion(now);
  for (const f of migrationFiles(migrationsDir)) {
    const n = tryParseMigrationFileName(f);
    if ('error' in n || n.style !== 'timestamp') continue;
    if (compareVersions(n.version, version) >= 0) version = bumpVersion(n.version, 1);
  }
  return version;
}

/**
 * Splits ordered changes into consecutive runs of the same transactionality and segment (the online
 * strategies put steps that must commit before the next one in separate segments).
 */
function runs(changes: PlannedChange[]): PlannedChange[][] {
  const out: PlannedChange[][] = [];
  for (const c of changes) {
    const last = out[out.length - 1];
    if (last && last[0]!.transactional === c.transactional && last[0]!.segment === c.segment) last.push(c);
    else out.push([c]);
  }
  return out;
}

/**
 * True for a change that scans or builds for long: an index build or a constraint validation (read
 * from its typed steps; an untyped change creating an index counts too).
 */
function isLong(c: PlannedChange): boolean {
  if (c.steps) return c.steps.some((s) => s.verb === 'create_index' || s.verb === 'validate_constraint');
  return c.kind === 'index' && (c.op === 'create' || c.op === 'replace');
}

/**
 * The timeouts of one generated file: header lines (read by the runner, which restores the session
 * afterwards) and the same settings as SET statements at the top of the up section, so the file is
 * bounded under dbmate too: SET LOCAL in a transactional file (ends with its transaction), SET in a
 * `transaction:false` file (the session's setting; the runner restores it, dbmate keeps it for the
 * files after it on the same connection).
 */
function timeouts(config: Config, group: PlannedChange[]): { header: string[]; up: string[] } {
  const o = config.online ?? ONLINE_DEFAULTS;
  const long = group.some(isLong);
  const st = long ? o.indexStatementTimeout : o.statementTimeout;
  const set = group[0]!.transactional ? 'SET LOCAL' : 'SET';
  const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
  return {
    header: [`lock_timeout: ${o.lockTimeout}`, `statement_timeout: ${st}`],
    up: [`${set} lock_timeout = ${lit(o.lockTimeout)}`, `${set} statement_timeout = ${lit(st)}`],
  };
}

/**
 * Writes the migration file(s), the plan document and the sum file for `plan`.
 * @param now the clock (UTC version); later files of a split plan get +1 s each
 * @param options.baseline write the files as a baseline (`-- schemaplan:baseline`, a down section
 *   holding only a comment: a baseline is never reverted); `init --from-url` sets it
 * @throws Error when a target file already exists (nothing is written then)
 */
export function writePlan(config: Config, rawName: string, plan: Plan, now: Date = new Date(), options: { baseline?: boolean } = {}): WrittenPlan {
  return writeRendered(config, renderPlan(config, rawName, plan, now, options));
}

/** One file of a rendered plan: where it goes and its text. */
export interface RenderedFile {
  /** Absolute path. */
  path: string;
  text: string;
  transactional: boolean;
}

/** A plan rendered as files, not written yet (`renderPlan`). */
export interface RenderedPlan {
  version: string;
  name: string;
  /** The migration files, in version order. */
  migrations: RenderedFile[];
  /** The plan document. */
  plan: RenderedFile;
}

/** The path of `p` relative to the project root, with `/` separators. */
function relPath(config: Config, p: string): string {
  return path.relative(config.root, p).split(path.sep).join('/');
}

/**
 * Renders the migration file(s) and the plan document of `plan` without writing anything (pure but
 * for reading the migrations folder to choose the version). Options and clock as {@link writePlan}.
 */
export function renderPlan(config: Config, rawName: string, plan: Plan, now: Date = new Date(), options: { baseline?: boolean } = {}): RenderedPlan {
  const name = slugify(rawName);
  const version = nextVersion(config.migrationsDir, now);
  const rel = (p: string) => relPath(config, p);
  const planPath = path.join(config.plansDir, `${version}_${name}.yaml`);
  const groups = runs(plan.up);
  const checks = checksByFile(plan.dataChecks ?? [], groups);
  const files: { path: string; text: string; transactional: boolean }[] = [];
  // Down sections: with one file it takes the whole down. With several, each down change goes to
  // the file whose up touched the same object (else to the last file, whose down runs first), in
  // the down order; a down section is transactional only when all of its changes are.
  const downGroups: PlannedChange[][] = groups.map(() => []);
  // A down step of the online strategies goes to the file of its segment.
  for (const d of options.baseline ? [] : plan.down) {
    let k = d.segment !== undefined ? groups.findIndex((g) => g[0]!.segment === d.segment) : -1;
    if (k < 0) {
      k = groups.length - 1;
      for (let i = groups.length - 1; i >= 0; i--) if (groups[i]!.some((c) => c.id === d.id)) { k = i; break; }
    }
    downGroups[k]!.push(d);
  }
  groups.forEach((group, i) => {
    const v = i === 0 ? version : bumpVersion(version, i);
    const destructive = group.filter((c) => c.destructive).map((c) => c.destructive!);
    const t = timeouts(config, group);
    // Renames were asked for by hints in schema.sql: the lint rule against renaming is off for this file.
    const renames = group.some((c) => c.op === 'rename')
      ? ['renames declared with -- schemaplan:renamed-from in schema.sql: deploy code using the new names with this file', 'schemaplan:disable renaming']
      : [];
    const text = renderMigration({
      version: v, name, planFile: rel(planPath), headerComment: [...t.header, ...renames, ...checks[i]!].join('\n'),
      up: [...t.up, ...preamble(group), ...group.flatMap((c) => c.sql)],
      down: [...preamble(downGroups[i]!), ...downGroups[i]!.flatMap((c) => c.sql)],
      transactional: group[0]!.transactional,
      downTransactional: downGroups[i]!.every((c) => c.transactional),
      ...(destructive.length ? { destructive: destructive.join('; ') } : {}),
      ...(options.baseline ? { baseline: true } : {}),
    });
    files.push({ path: path.join(config.migrationsDir, `${v}_${name}.sql`), text, transactional: group[0]!.transactional });
  });
  const doc = planDocument(plan, { version, name, files: files.map((f) => ({ file: rel(f.path), checksum: `sha256:${sha256Hex(f.text)}`, transactional: f.transactional })) });
  return { version, name, migrations: files, plan: { path: planPath, text: renderYaml(doc), transactional: true } };
}

/**
 * Writes a rendered plan and refreshes the sum file: every file under a temporary name first, then
 * renamed into place, so a failure leaves nothing half-way.
 * @throws Error when a target file already exists (nothing is written then)
 */
export function writeRendered(config: Config, rendered: RenderedPlan): WrittenPlan {
  const rel = (p: string) => relPath(config, p);
  const all = [...rendered.migrations, rendered.plan];
  for (const f of all) if (fs.existsSync(f.path)) throw new Error(`${rel(f.path)} already exists; nothing was written`);
  fs.mkdirSync(config.migrationsDir, { recursive: true });
  fs.mkdirSync(config.plansDir, { recursive: true });
  const tmp = all.map((f) => ({ ...f, tmp: `${f.path}.tmp-${process.pid}` }));
  try {
    for (const f of tmp) fs.writeFileSync(f.tmp, f.text);
    for (const f of tmp) fs.renameSync(f.tmp, f.path);
  } catch (e) {
    for (const f of tmp) fs.rmSync(f.tmp, { force: true });
    throw e;
  }
  writeSum(config.migrationsDir);
  return { version: rendered.version, name: rendered.name, migrations: rendered.migrations.map((f) => rel(f.path)), plan: rel(rendered.plan.path) };
}
