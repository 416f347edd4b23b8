/**
 * `schemaplan check`, the CI gate: the history's files are well-formed and match
 * `migrations/schemaplan.sum`; no file has a lint finding of severity error; the rename hints of the
 * schema files are well-formed and placed on something they can rename; replaying the history
 * gives the catalog `schema/` describes (no drift); every down section restores the state before its up section; and, with a live database,
 * the database has every migration applied and its catalog matches the history.
 */
import path from 'node:path';
import type { Catalog } from '../catalog/model.js';
import { introspect } from '../catalog/introspect.js';
import type { Config } from '../config/config.js';
import type { Shadow } from '../db/shadow.js';
import { diff } from '../diff/index.js';
import type { Change } from '../diff/change.js';
import { isBaseline, loadHistory, SUM_FILE, verifySum, type Migration } from '../migrations/index.js';
import { executeScript, executeSection, IN_TRANSACTION_BLOCK_SQLSTATE, SqlExecutionError } from '../sql/execute.js';
import { loadParser, splitStatements, SqlSyntaxError } from '../sql/split.js';
import { replayProgress, shadowTracking, status, type RunEvent } from '../runner/index.js';
import { lintPaths, type LintOptions } from '../lint/index.js';
import { cacheable, selfContainedShadow, currentStateName, desiredCatalog, desiredStateName, historyCacheContext, inShadow, schemaHints } from './states.js';
import { connectLive, liveCatalog } from './live.js';
import { introspectOptions } from './scope.js';
import { historyCacheKey, historyPrefixKeys, readCachedCatalog, readProofs, recordProofs, stateCacheDir, writeCachedCatalog } from './state-cache.js';
import { assertNamedSchemasExist, comparedLine } from '../catalog/scope.js';
import { HintError } from '../sql/hints.js';
import { describeInvalidIndex, invalidIndexes } from '../runner/health.js';

/** One reason `check` fails. */
export interface CheckProblem {
  /** `sum`, `files`, `lint`, `hints`, `drift`, `down`, `live`, `invalid_index`, `unmodelled`. */
  kind: string;
  message: string;
  /** Readable difference lines, when the problem is a difference between catalogs. */
  details?: string[];
  /** The file the problem is in, relative to the project root (`/`-separated), when it has one. */
  file?: string;
  /** 1-based position in `file`, when known (lint findings). */
  line?: number;
  column?: number;
  /** The lint rule, for `lint` problems. */
  rule?: string;
}

/** `+ create …`, `- drop …`, `~ alter …` lines naming each object of a difference. */
export function describeChanges(changes: Change[]): string[] {
  const sign: Record<string, string> = { create: '+', drop: '-', alter: '~', replace: '~', comment: '~' };
  return changes.map((c) => `${sign[c.op] ?? '~'} ${c.description}`);
}

export interface CheckOptions {
  /** Also compare this live database with the history. */
  url?: string;
  /** Unmodelled objects fail the check. */
  strict?: boolean;
  /** Skip the down-section round trip (faster). */
  skipDown?: boolean;
  /** Skip lint of the migration files. */
  skipLint?: boolean;
  /** Receives the line naming what was compared (states and scope), once both states are read. */
  report?: (line: string) => void;
  /**
   * The shadow `openShadow` opens, as `describeShadow(config, url)` names it. When given and
   * self-contained (`selfContainedShadow`: PGlite, an embedded PostgreSQL), the states
   * check computes (the desired state, the replayed history) and the down sections it proved are
   * cached in the project (project/state-cache.ts), and what is cached is not computed again; when
   * absent, nothing is cached.
   */
  shadow?: string;
}

/** The lint options of a project (schemaplan.yaml `lint:`). */
export function lintOptions(config: Config): LintOptions {
  const l = config.lint;
  return { disable: l?.disable ?? [], warn: l?.warn ?? [], ...(l?.postgres ? { postgres: l.postgres } : {}) };
}

/**
 * Runs every check and returns the problems found (empty = clean). Never writes a file.
 * @throws only for failures to run at all (unreachable database, schema.sql that does not load —
 *   reported as SqlExecutionError with file:line:column; ScopeError for a named schema that exists
 *   nowhere)
 */
export async function runCheck(config: Config, openShadow: () => Promise<Shadow>, opts: CheckOptions = {}): Promise<CheckProblem[]> {
  await loadParser(); // the history's sections are read with PostgreSQL's parser
  const problems: CheckProblem[] = [];
  const sumFile = path.relative(config.root, path.join(config.migrationsDir, SUM_FILE)).split(path.sep).join('/');
  for (const p of verifySum(config.migrationsDir)) problems.push({ kind: 'sum', message: p.message, file: sumFile });
  let history: Migration[];
  try {
    history = loadHistory(config.migrationsDir, { root: config.root });
  } catch (e: any) {
    problems.push({ kind: 'files', message: e.message });
    return problems;
  }
  // Lint (no database): findings of severity error fail the check; warnings are for `schemaplan lint`.
  if (!opts.skipLint) {
    const lint = await lintPaths([config.migrationsDir], { ...lintOptions(config), root: config.root, ...(config.lint?.startAfter ? { startAfter: config.lint.startAfter } : {}) });
    for (const f of lint.findings) {
      if (f.severity === 'error') {
        problems.push({ kind: 'lint', message: `${f.file}:${f.line}:${f.column}: [${f.rule}] ${f.message}`, details: [`fix: ${f.fix}`], file: f.file, line: f.line, column: f.column, rule: f.rule });
      }
    }
  }
  // The live database's history first: it is quick, and an unreachable database fails before the
  // slower shadow work.
  if (opts.url) {
    const db = await connectLive(opts.url);
    try {
      const st = await status(db, history, config.table);
      for (const s of st) if (s.state !== 'applied') problems.push({ kind: 'live', message: `${s.version}_${s.name}: ${s.state} on the live database` });
    } finally {
      await db.close();
    }
  }
  // Rename hints are read (not applied: the history already holds every planned rename), so a
  // malformed or misplaced one fails in CI, not at the next `plan`.
  try {
    await schemaHints(config);
  } catch (e) {
    if (!(e instanceof HintError)) throw e;
    problems.push({ kind: 'hints', message: e.message });
  }
  const desired = await desiredCatalog(config, openShadow, undefined, opts.shadow ? { shadow: opts.shadow } : {});
  const replayed = await replayAndRoundTrip(config, openShadow, history, !opts.skipDown, problems, opts.shadow);
  const live = opts.url ? await liveCatalog(config, opts.url) : undefined;
  const sides = live ? [replayed, desired, live] : [replayed, desired];
  assertNamedSchemasExist(sides);
  const current = currentStateName(config, history.length, undefined, opts.url) + (opts.url ? ` and ${currentStateName(config, history.length, opts.url)}` : '');
  opts.report?.(comparedLine(current, desiredStateName(config, opts.url), sides));
  const drift = diff(replayed, desired);
  if (drift.length) {
    problems.push({
      kind: 'drift',
      message: `schema/ and the migration history disagree (${drift.length} difference(s)). Below, + is in schema/ but not in the history, - is in the history but not in schema/, ~ differs between them. ` +
        `If schema/ is what you want, run \`schemaplan plan <name>\` to write the missing migration; if the history is right (a hand-written migration, a reverted edit), edit schema/ to match it`,
      details: describeChanges(drift),
    });
  }
  if (opts.strict) {
    for (const u of desired.unmodelled) problems.push({ kind: 'unmodelled', message: `not modelled: ${u.kind} ${u.name}` });
  }
  if (live) {
    const db = await connectLive(opts.url!);
    try {
      for (const i of await invalidIndexes(db)) problems.push({ kind: 'invalid_index', message: describeInvalidIndex(i) });
    } finally {
      await db.close();
    }
    const liveDrift = diff(replayed, live);
    if (liveDrift.length) problems.push({
        kind: 'live',
        message: `the live database has drifted from the migration history (${liveDrift.length} difference(s)). Below, + is in the database but not in the history, - is in the history but not in the database, ~ differs between them`,
        details: describeChanges(liveDrift),
      });
  }
  return problems;
}

/** Whether a section holds no statement (comments and white space only); a section that does not parse is not empty. */
function isEmptySection(text: string): boolean {
  try {
    return splitStatements(text).length === 0;
  } catch (e) {
    if (!(e instanceof SqlSyntaxError)) throw e;
    return false;
  }
}

/** Where the round trip of `check` ends below a migration: an up-only file, an empty down section, a baseline. */
function endsRoundTrip(m: Migration): boolean {
  // An up-only migration ends the round trip, as does an empty down section (an imported up-only
  // file): `down` refuses both, so there is no earlier state to restore. A baseline is never
  // reverted (the runner refuses it): its down section is empty on purpose, so there is no previous
  // state to restore, and nothing before it is reverted either.
  return m.parsed.down === null || isEmptySection(m.parsed.down) || isBaseline(m);
}

/**
 * Replays the history in one shadow, introspecting after each migration whose following file's
 * down section is to be proven; then, newest first, runs each down section still to prove and
 * checks it restores the catalog from before that migration's up. Returns the catalog after the
 * whole history.
 *
 * With `shadow` (the description of the shadow `openShadow` opens), work already done is reused from
 * the project's cache (project/state-cache.ts): the state after the whole history (the entry `plan`
 * reads too), and the history prefixes whose down sections were proven — the walk down stops at the
 * newest proven file, since a prefix is recorded only when its file and every down section below
 * it, down to where the round trip ends, restored their states. When nothing is left to prove and
 * the final state is cached, no shadow is opened. A failing down section is never recorded.
 */
async function replayAndRoundTrip(config: Config, openShadow: () => Promise<Shadow>, history: Migration[], roundTrip: boolean, problems: CheckProblem[], shadow?: string): Promise<Catalog> {
  const opts = introspectOptions(config);
  const dir = shadow && selfContainedShadow(shadow) ? stateCacheDir(config.root) : undefined;
  const context = historyCacheContext(config, shadow ?? '', opts);
  const finalKey = historyCacheKey(history, context);
  const prefixKeys = dir && roundTrip ? historyPrefixKeys(history, context) : [];
  const proven = roundTrip ? readProofs(dir) : new Set<string>();
  // The files whose down sections are to be proven, newest first (a contiguous run from the newest).
  const toProve: number[] = [];
  if (roundTrip) {
    for (let i = history.length - 1; i >= 0; i--) {
      if (endsRoundTrip(history[i]!) || (dir && proven.has(prefixKeys[i]!))) break;
      toProve.push(i);
    }
  }
  const cached = readCachedCatalog(dir, 'history', finalKey);
  if (cached && !toProve.length) return cached;
  const oldest = toProve.length ? toProve[toProve.length - 1]! : history.length;
  const stayed = cacheable(openShadow);
  // inShadow: a shadow that lacks an extension of the history moves to the configured alternative or names the remedy.
  return inShadow(openShadow, async (db) => {
    // On a terminal, a progress line (counter, current file, elapsed time) while the history replays and reverts.
    const progress = replayProgress();
    try {
      // before[i]: the catalog before migration i, for the files being proven only.
      const before = new Map<number, Catalog>();
      if (toProve.length && oldest === 0) before.set(0, await introspect(db, opts));
      await shadowTracking(db, history, config.table); // files that record themselves need the history table
      const step = async (direction: 'up' | 'down', index: number, total: number, m: Migration, work: () => Promise<void>) => {
        const ev = { direction, index, total, version: m.version, name: m.name, file: m.relFile };
        progress.onEvent({ type: 'start', ...ev } as RunEvent);
        const t0 = performance.now();
        await work();
        progress.onEvent({ type: 'done', ...ev, ms: performance.now() - t0 } as RunEvent);
      };
      for (const [i, m] of history.entries()) {
        await step('up', i + 1, history.length, m, async () => {
          await executeScript(db, m.parsed.up, m.relFile, m.parsed.upLine - 1);
          if (i + 1 >= oldest && i + 1 < history.length) before.set(i + 1, await introspect(db, opts));
        });
      }
      const final = await introspect(db, opts);
      if (stayed()) writeCachedCatalog(dir, 'history', finalKey, final);
      let failed = false;
      for (const [k, i] of toProve.entries()) {
        const m = history[i]!;
        let after: Catalog | undefined;
        await step('down', k + 1, toProve.length, m, async () => {
          try {
            // In its transaction mode, as `down` runs it: a CONCURRENTLY statement in a transactional
            // down section fails here as it would there.
            await executeSection(db, m.parsed.down!, m.relFile, (m.parsed.downLine ?? 1) - 1, m.parsed.downTransactional);
          } catch (e: any) {
            const hint = e instanceof SqlExecutionError && e.sqlstate === IN_TRANSACTION_BLOCK_SQLSTATE && m.parsed.downTransactional
              ? ' (the down section runs in a transaction: mark it `-- migrate:down transaction:false`)'
              : '';
            problems.push({ kind: 'down', message: `down section of ${m.relFile} fails: ${e.message}${hint}`, file: m.relFile });
            return;
          }
          after = await introspect(db, opts);
        });
        if (!after) {
          failed = true;
          break;
        }
        const d = diff(after, before.get(i)!);
        if (d.length) {
          problems.push({ kind: 'down', message: `down section of ${m.relFile} does not restore the state before it`, details: describeChanges(d), file: m.relFile });
          failed = true;
          break;
        }
      }
      // Every file proven here, and everything below the oldest of them (proven before, or the end of
      // the round trip): recorded together, or not at all.
      if (!failed && stayed()) recordProofs(dir, toProve.map((i) => prefixKeys[i]!));
      return final;
    } finally {
      progress.finish();
    }
  });
}
