/**
 * The two sides of every comparison, as catalogs: the desired state (schema files executed in a
 * shadow), the migration history (replayed in a shadow) and a live database. This is the I/O edge
 * of the pipeline; everything after it works on plain `Catalog` data.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/model.js';
import { introspect } from '../catalog/introspect.js';
import { executeSchema, listSchemaFiles, readSchema } from '../catalog/load.js';
import type { Config } from '../config/config.js';
import { redactUrl } from '../db/redact.js';
import { embeddedShadow, openShadow, pgliteShadow, serverShadow, type Shadow } from '../db/shadow.js';
import { embeddedInstalled } from '../db/embedded.js';
import { isPgError } from '../db/types.js';
import { SqlExecutionError } from '../sql/execute.js';
import { introspectOptions, type ScopeOptions } from './scope.js';
import { connectLive, liveCatalog } from './live.js';
import { statusLine } from '../runner/status-line.js';
import type { Db } from '../db/types.js';
import { loadHistory, type Migration } from '../migrations/index.js';
import { replay, replayProgress } from '../runner/index.js';
import { packageVersion } from '../version.js';
import { readerBuild } from '../catalog/reader-build.js';
import { pgliteVersion } from '../db/pglite.js';
import { desiredCacheKey, historyCacheKey, readCachedCatalog, stateCacheDir, writeCachedCatalog, type HistoryCacheContext, type StateCacheContext } from './state-cache.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { preamble } from '../plan/document.js';
import { impliedRenames, resolveRenames, type Rename } from '../plan/hinted-renames.js';
import { mentionsRenameHints, renameHints, type RenameHint } from '../sql/hints.js';
import { loadParser, splitStatements } from '../sql/split.js';


/**
 * A shadow provider: each call opens a fresh shadow. `alternative`, when set, is where the work
 * moves when this provider's shadow lacks an extension the schema creates (see `inShadow`).
 */
export interface ShadowOpener {
  (): Promise<Shadow>;
  alternative?: { open: () => Promise<Shadow>; description: string; chosen?: boolean };
  /** Receives the `shadow: …` line when the work moves to `alternative`. */
  report?: (line: string) => void;
}

/** Options of `shadowFor`. */
export interface ShadowForOptions {
  /** Receives the one line saying which shadow replaced another (`shadow: …`), once per server and process. */
  report?: (line: string) => void;
}

/** What replaces temporary databases on a live server whose role may not create databases. */
interface Fallback {
  open: () => Promise<Shadow>;
  description: string;
}

/** Per process: live URL → the fallback chosen when CREATE DATABASE was refused there (asked once). */
const fallbacks = new Map<string, Promise<Fallback>>();
/** Per process: live URL → the description of the fallback in use, once chosen. */
const fallbackUsed = new Map<string, string>();
/** Per process: how many times work moved from the shadow first named to another (fallback or alternative). */
let shadowMoves = 0;

/** The PostgreSQL major of the server behind `url` (e.g. 15). @throws on connection failure */
async function serverMajor(url: string): Promise<number> {
  const db = await connectLive(url);
  try {
    const [row] = await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    return Math.floor(Number(row!.v) / 10000);
  } finally {
    await db.close();
  }
}

/**
 * The shadow used when the role behind `url` may not CREATE DATABASE: an embedded PostgreSQL of
 * the live server's major when one is installed, else PGlite (its catalog is compared with the
 * cross-major normalisation of catalog/normalize.ts).
 */
async function chooseFallback(url: string, report?: (line: string) => void): Promise<Fallback> {
  const major = await serverMajor(url);
  const why = `the role may not CREATE DATABASE on ${redactUrl(url)}`;
  const fallback: Fallback = embeddedInstalled(major)
    ? { open: () => embeddedShadow(major), description: `an embedded PostgreSQL ${major}` }
    : { open: pgliteShadow, description: 'PGlite (PostgreSQL 18, in process)' };
  const note = embeddedInstalled(major) ? '' : `; no embedded PostgreSQL ${major} is installed`;
  fallbackUsed.set(url, fallback.description);
  shadowMoves++;
  report?.(`shadow: ${fallback.description} (${why}${note})`);
  return fallback;
}

/** True for PostgreSQL's "permission denied" (SQLSTATE 42501, insufficient_privilege). */
function permissionDenied(e: unknown): boolean {
  return isPgError(e) && e.code === '42501';
}

/**
 * Where shadows come from, in order:
 * - a configured `shadow:` (`pglite`, `embedded:<major>`, or a server URL on which temporary
 *   databases are created) — except that `pglite`, the default, yields to a live server;
 * - when the other side is a live server: temporary databases on that server, so both sides are the
 *   same PostgreSQL major;
 * - when the role may not create databases there (SQLSTATE 42501): an embedded PostgreSQL of the
 *   server's major when one is installed, else PGlite; chosen once per process and server, and said
 *   in one `shadow: …` line through `options.report`;
 * - without a live server: PGlite. When the project configures a database URL (`database.url`,
 *   `DATABASE_URL`), a schema that creates an extension PGlite lacks moves to temporary databases
 *   on that server (`ShadowOpener.alternative`).
 */
export function shadowFor(config: Config, liveUrl?: string, options: ShadowForOptions = {}): ShadowOpener {
  const explain = (url: string) => (e: any): never => {
    throw new Error(`cannot create a shadow database on ${redactUrl(url)}: ${e?.message ?? e}`, { cause: e });
  };
  if (liveUrl && (config.shadow === 'pglite' || !config.shadow) && !liveUrl.startsWith('pglite:')) {
    return liveServerShadow(liveUrl, options, explain(liveUrl));
  }
  const spec = config.shadow;
  if (spec && spec !== 'pglite') return () => openShadow(spec).catch(explain(spec));
  const opener: ShadowOpener = () => openShadow(spec);
  const db = config.databaseUrl;
  if (!liveUrl && db && /^postgres(ql)?:/i.test(db)) {
    opener.alternative = { open: liveServerShadow(db, options, explain(db)), description: `temporary databases on ${redactUrl(db)}` };
    opener.report = options.report;
  }
  return opener;
}

/** Temporary databases on the server of `url`, with the fallback of `shadowFor` on permission denied. */
function liveServerShadow(url: string, options: ShadowForOptions, explain: (e: unknown) => never): () => Promise<Shadow> {
  return async () => {
    const known = fallbacks.get(url);
    if (known) return (await known).open();
    try {
      return await serverShadow(url);
    } catch (e) {
      if (!permissionDenied(e)) return explain(e);
      let chosen = fallbacks.get(url);
      if (!chosen) {
        chosen = chooseFallback(url, options.report);
        fallbacks.set(url, chosen);
        chosen.catch(() => fallbacks.delete(url));
      }
      return (await chosen).open();
    }
  };
}

/**
 * Names the shadow `shadowFor(config, liveUrl)` opens, for the line that says what a command
 * compared: `PGlite (PostgreSQL 18, in process)`, `an embedded PostgreSQL 15`, or temporary
 * databases on a (password-hidden) server — or the fallback used instead of that server when the
 * role may not create databases there.
 */
export function describeShadow(config: Config, liveUrl?: string): string {
  if (liveUrl && (config.shadow === 'pglite' || !config.shadow) && !liveUrl.startsWith('pglite:')) {
    return fallbackUsed.get(liveUrl) ?? `temporary databases on ${redactUrl(liveUrl)}`;
  }
  const spec = config.shadow;
  if (!spec || spec === 'pglite') return 'PGlite (PostgreSQL 18, in process)';
  const m = /^embedded:(\d+)$/.exec(spec);
  if (m) return `an embedded PostgreSQL ${m[1]}`;
  return `temporary databases on ${redactUrl(spec)}`;
}

/**
 * The extension a failed `CREATE EXTENSION` names when the shadow does not have it (SQLSTATE 0A000
 * "is not available", or 58P01 when its control file is missing); undefined for any other error.
 */
export async function unavailableExtension(e: unknown): Promise<string | undefined> {
  if (!(e instanceof SqlExecutionError) || !e.statement) return undefined;
  if (e.sqlstate !== '0A000' && e.sqlstate !== '58P01') return undefined;
  await loadParser();
  try {
    const [stmt] = splitStatements(e.statement);
    const name = stmt?.node.CreateExtensionStmt?.extname;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error a shadow's missing extension becomes: PostgreSQL's position and message, which shadow
 * lacks the extension, and the ways to a shadow that has it.
 */
function missingExtensionError(e: SqlExecutionError, extension: string, shadow: string): Error {
  return new Error(`${e.message}: the shadow (${shadow}) has no extension "${extension}". Use a shadow that has it: ` +
    `\`shadow: postgres://…\` in schemaplan.yaml (a server with "${extension}" installed, on which schemaplan creates temporary databases), ` +
    `or \`plan --url\` / \`check --url\` with the database, which shadow on its server`, { cause: e });
}

/**
 * Names a project's current state for the compared line: the live database (password hidden, with
 * where its URL came from) or the history replayed in its shadow (`shadowLiveUrl`: the live server
 * whose shadow replays it, as `shadowFor(config, shadowLiveUrl)` chose).
 */
export function currentStateName(config: Config, migrations: number, url?: string, shadowLiveUrl?: string): string {
  if (url) return `${redactUrl(url)}${config.databaseUrlSource && url === config.databaseUrl ? ` (from ${config.databaseUrlSource})` : ''}`;
  return `the history (${migrations} migration${migrations === 1 ? '' : 's'}) replayed in ${describeShadow(config, shadowLiveUrl)}`;
}

/** Names a project's desired state for the compared line: its schema sources and the shadow they load in. */
export function desiredStateName(config: Config, liveUrl?: string): string {
  const rel = config.schema.map((s) => path.relative(config.root, s) || s).join(', ');
  return `${rel} loaded in ${describeShadow(config, liveUrl)}`;
}

/**
 * Runs `work` on a fresh shadow and disposes of it afterwards, also when `work` fails. When the
 * shadow lacks an extension a statement creates, the work runs again in `open.alternative` (said
 * through `open.report`) when there is one; otherwise the error names the extension and the remedies.
 * @throws what `work` throws; Error naming the missing extension (its cause the SqlExecutionError)
 */
export async function inShadow<T>(open: () => Promise<Shadow>, work: (db: Db) => Promise<T>): Promise<T> {
  const opener = open as ShadowOpener;
  if (opener.alternative?.chosen) return inShadow(opener.alternative.open, work);
  const shadow = await open();
  let extension: string | undefined;
  try {
    return await work(shadow.db);
  } catch (e) {
    extension = await unavailableExtension(e);
    if (!extension) throw e;
    if (!opener.alternative) throw missingExtensionError(e as SqlExecutionError, extension, shadow.description ?? 'the shadow database');
  } finally {
    await shadow.dispose();
  }
  // Once moved, the command's later shadows go to the alternative directly (one `shadow:` line).
  opener.report?.(`shadow: ${opener.alternative.description} (${shadow.description ?? 'the shadow'} has no extension "${extension}")`);
  opener.alternative.chosen = true;
  shadowMoves++;
  return inShadow(opener.alternative.open, work);
}

/**
 * Call before work through `open`; the function returned says whether that work ran in the shadow
 * its cache key names: not when it moved to the opener's alternative (a missing extension) or to a
 * fallback (a role that may not create databases) — the key names the shadow before the move, so
 * such a state is computed again rather than cached under the wrong shadow.
 */
export function cacheable(open: () => Promise<Shadow>): () => boolean {
  const moves = shadowMoves;
  return () => moves === shadowMoves && !(open as ShadowOpener).alternative?.chosen;
}

/**
 * What a cached state depends on besides its files (see project/state-cache.ts): schemaplan's
 * version with the catalog reader's build (`readerBuild`), the shadow (`describeShadow`'s words, with
 * the PGlite version when it is PGlite) and the scope. Pure but for reading PGlite's package version
 * and the reader's files.
 */
export function stateCacheContext(shadow: string, scope: ScopeOptions): StateCacheContext {
  return { version: `${packageVersion()}+${readerBuild().slice(0, 16)}`, shadow: shadow.startsWith('PGlite') ? `${shadow} ${pgliteVersion()}` : shadow, scope };
}

/**
 * Whether states computed in the shadow `describeShadow` names may be cached: PGlite and an embedded
 * PostgreSQL, whose catalogs depend on nothing but their versions (in the key). Temporary databases
 * on a server are not: the server's major, roles and installed extensions, which the catalog of a
 * loaded schema can depend on, may change behind the same URL.
 */
export function selfContainedShadow(shadow: string): boolean {
  return shadow.startsWith('PGlite') || shadow.startsWith('an embedded PostgreSQL');
}

/** The context of the replayed history's cache key: `stateCacheContext` and the tracking table. */
export function historyCacheContext(config: Config, shadow: string, scope: ScopeOptions = introspectOptions(config)): HistoryCacheContext {
  return { ...stateCacheContext(shadow, scope), table: `${config.table.schema}.${config.table.name}` };
}

/** The paths (relative to `root`, `/`-separated) and bytes of `files`; undefined when one cannot be read. */
function schemaBytes(files: readonly string[], root: string): { path: string; bytes: Uint8Array }[] | undefined {
  try {
    return files.map((f) => ({ path: path.relative(root, f).split(path.sep).join('/') || f, bytes: fs.readFileSync(f) }));
  } catch {
    return undefined;
  }
}

/** Options of `desiredCatalog`. */
export interface DesiredOptions {
  /**
   * The shadow `open` opens, as `describeShadow(config, liveUrl)` names it. When given and
   * self-contained (`selfContainedShadow`: PGlite, an embedded PostgreSQL), the catalog is cached in
   * the project (project/state-cache.ts) and a cached one is returned without opening a shadow;
   * otherwise nothing is cached.
   */
  shadow?: string;
}

/**
 * The desired state: `config.schema` files executed statement by statement in a fresh shadow; with
 * `options.shadow`, read from the project's cache when the schema files' bytes, the shadow, the scope
 * and schemaplan's version are those of a cached catalog (the files are parsed first all the same).
 * @throws SqlSyntaxError naming file:line:column (before any shadow or cache); SqlExecutionError
 *   naming file:line:column of the failing statement (never cached)
 */
export async function desiredCatalog(config: Config, open: () => Promise<Shadow>, scope: ScopeOptions = introspectOptions(config), options: DesiredOptions = {}): Promise<Catalog> {
  const files = listSchemaFiles(config.schema);
  const dir = options.shadow && selfContainedShadow(options.shadow) ? stateCacheDir(config.root) : undefined;
  const before = dir ? schemaBytes(files, config.root) : undefined;
  // Parsed before the shadow starts (and before the cache): a syntax error costs no shadow start-up.
  const statements = await readSchema(files, config.root);
  // The key is taken from the bytes read before parsing; a file changed while it was read is not cached.
  const context = stateCacheContext(options.shadow ?? '', scope);
  const key = before && desiredCacheKey(before, context);
  const after = key ? schemaBytes(files, config.root) : undefined;
  const cacheKey = key && after && desiredCacheKey(after, context) === key ? key : undefined;
  const cached = cacheKey ? readCachedCatalog(dir, 'desired', cacheKey) : undefined;
  if (cached) return cached;
  const stayed = cacheable(open);
  // On a terminal, a status line while the shadow starts, the schema loads and its catalog is read.
  const status = statusLine.start(`loading ${files.length === 1 ? path.relative(config.root, files[0]!) || files[0] : `${files.length} schema files`}`);
  try {
    status.stage('starting the shadow');
    return await inShadow(open, async (db) => {
      status.stage(`executing ${statements.length} statements`);
      await executeSchema(db, statements);
      const catalog = await introspect(db, { ...scope, onStage: (s) => status.stage(`reading the catalog: ${s}`) });
      if (cacheKey && stayed()) writeCachedCatalog(dir, 'desired', cacheKey, catalog);
      return catalog;
    });
  } finally {
    status.done();
  }
}

/**
 * The current state, and the same state with the hinted renames applied: the
 * renames run in a shadow holding the current state, so PostgreSQL rewrites every definition that
 * uses the old names, and the plan is the diff from `renamed`.
 */
export interface CurrentState {
  /** The current state as it is (the plan's starting fingerprint). */
  original: Catalog;
  /** `original` with `renames` applied; `original` itself when there are none. */
  renamed: Catalog;
  /** Hinted renames, then the names PostgreSQL derived from them (`impliedRenames`), in order. */
  renames: Rename[];
  /** Hints whose old object is not in the current state, one line each. */
  warnings: string[];
}

/**
 * The rename hints of the schema files (`-- schemaplan:renamed-from`), positions relative to the
 * project root.
 * @throws HintError naming file:line:column of a malformed or misplaced hint
 */
export async function schemaHints(config: Config): Promise<RenameHint[]> {
  const out: RenameHint[] = [];
  for (const f of listSchemaFiles(config.schema)) {
    const text = fs.readFileSync(f, 'utf8');
    if (!mentionsRenameHints(text)) continue;
    await loadParser();
    out.push(...renameHints(text, path.relative(config.root, f) || f));
  }
  return out;
}

/**
 * Applies the hints to the state held by `db` (introspected as `current`): executes the renames,
 * then the implied ones, introspecting after each round. `db` is a shadow: it is changed.
 * @throws HintError for a hint that does not resolve (see `resolveRenames`); Error naming the hint
 *   when PostgreSQL rejects its rename
 */
export async function applyRenames(db: Db, current: Catalog, desired: Catalog, hints: RenameHint[], options: ScopeOptions): Promise<CurrentState> {
  const { renames, warnings } = resolveRenames(hints, current, desired);
  if (!renames.length) return { original: current, renamed: current, renames: [], warnings };
  const run = async (list: Rename[]) => {
    for (const r of list) await execEach(db, r.up, (sql) => `${r.source}: ${r.description}: ${sql}`);
  };
  await run(renames);
  const mid = await introspect(db, options);
  const implied = impliedRenames(renames, mid, desired);
  if (!implied.length) return { original: current, renamed: mid, renames, warnings };
  await run(implied);
  return { original: current, renamed: await introspect(db, options), renames: [...renames, ...implied], warnings };
}

/** The plan that creates `target` in the empty database `db` (plain forms, everything emitted). */
export async function creationPlan(db: Db, target: Catalog, options: ScopeOptions): Promise<Plan> {
  await loadParser();
  return buildPlan(await introspect(db, options), target, { allowDestructive: true, online: false });
}

/**
 * Creates `catalog`'s objects in the empty database `db` (a shadow): the plan from its empty state,
 * in plain forms, statement by statement. Used to rename a live database's state without touching it.
 * @throws Error naming the statement PostgreSQL rejected
 */
export async function materialize(db: Db, catalog: Catalog, options: ScopeOptions): Promise<void> {
  const plan = await creationPlan(db, catalog, options);
  await execEach(db, [...preamble(plan.up), ...plan.up.flatMap((c) => c.sql)], (sql) => `cannot copy the current state into a shadow to apply rename hints: ${sql}`);
}

/** Runs generated statements in order; a failure becomes an Error `<context(sql)>: <PostgreSQL's message>`. */
async function execEach(db: Db, statements: string[], context: (sql: string) => string): Promise<void> {
  for (const sql of statements) {
    try {
      await db.exec(sql);
    } catch (e: any) {
      throw new Error(`${context(sql)}: ${e?.message ?? e}`, { cause: e });
    }
  }
}

/**
 * The history's state: every migration's up section replayed in a fresh shadow; with `hints` (and
 * the `desired` state they point into), also the state with the hinted renames applied.
 * @throws MigrationError naming file:line when a migration fails to replay; HintError
 */
export async function historyState(config: Config, open: () => Promise<Shadow>, history?: Migration[], renames?: { hints: RenameHint[]; desired: Catalog }): Promise<CurrentState> {
  const h = history ?? loadHistory(config.migrationsDir, { root: config.root });
  // An unchanged history is not replayed again: its catalog is cached (project/state-cache.ts).
  const scope = introspectOptions(config);
  const cacheDir = stateCacheDir(config.root);
  const key = historyCacheKey(h, historyCacheContext(config, describeShadow(config), scope));
  const cached = readCachedCatalog(cacheDir, 'history', key);
  if (cached) {
    // Renames run in a shadow holding the replayed history itself, never a copy rebuilt from the cache.
    const resolved = renames?.hints.length ? resolveRenames(renames.hints, cached, renames.desired) : { renames: [], warnings: [] };
    if (!resolved.renames.length) return { original: cached, renamed: cached, renames: [], warnings: resolved.warnings };
  }
  const stayed = cacheable(open);
  return inShadow(open, async (db) => {
    // On a terminal, a progress line (counter, current file, elapsed time) while the history replays.
    const progress = replayProgress();
    try {
      await replay(db, h, { onEvent: progress.onEvent, table: config.table });
    } finally {
      progress.finish();
    }
    const current = await introspect(db, scope);
    if (stayed()) writeCachedCatalog(cacheDir, 'history', key, current);
    if (!renames?.hints.length) return { original: current, renamed: current, renames: [], warnings: [] };
    return applyRenames(db, current, renames.desired, renames.hints, scope);
  });
}

/**
 * The history's state: every migration's up section replayed in a fresh shadow.
 * @throws MigrationError naming file:line when a migration fails to replay
 */
export async function historyCatalog(config: Config, open: () => Promise<Shadow>, history?: Migration[]): Promise<Catalog> {
  return (await historyState(config, open, history)).original;
}

/**
 * A live database's state (read only); with hints that rename parts of it, the state is copied into
 * a shadow (`materialize`) and renamed there — the live database is never changed.
 */
export async function liveState(config: Config, url: string, open: () => Promise<Shadow>, renames?: { hints: RenameHint[]; desired: Catalog }): Promise<CurrentState> {
  const current = await liveCatalog(config, url);
  return renamedCopy(config, current, open, renames);
}

/** `current` renamed by the hints in a shadow copy of it; `current` itself when no hint applies. */
export async function renamedCopy(config: Config, current: Catalog, open: () => Promise<Shadow>, renames?: { hints: RenameHint[]; desired: Catalog }, scope: ScopeOptions = introspectOptions(config)): Promise<CurrentState> {
  const none = (warnings: string[]): CurrentState => ({ original: current, renamed: current, renames: [], warnings });
  if (!renames?.hints.length) return none([]);
  const first = resolveRenames(renames.hints, current, renames.desired);
  if (!first.renames.length) return none(first.warnings);
  return inShadow(open, async (db) => {
    // The copy holds `current`: the hints resolve against it as they are.
    await materialize(db, current, scope);
    return applyRenames(db, current, renames.desired, renames.hints, scope);
  });
}

/**
 * The state behind a `diff` source: a `postgres://`/`pglite:` URL (read only) or a `.sql` file or
 * folder of them (executed in a shadow).
 */
export async function sourceCatalog(config: Config, source: string, open: () => Promise<Shadow>, scope: ScopeOptions = introspectOptions(config), options: DesiredOptions = {}): Promise<Catalog> {
  if (/^(postgres(ql)?|pglite):/i.test(source)) return liveCatalog(config, source, scope);
  return desiredCatalog({ ...config, schema: [source] }, open, scope, options);
}

/**
 * A `diff --from` source as the current state, renamed by the hints of the `--to` files (see
 * `CurrentState`).
 */
export async function sourceState(config: Config, source: string, open: () => Promise<Shadow>, renames?: { hints: RenameHint[]; desired: Catalog }, scope: ScopeOptions = introspectOptions(config)): Promise<CurrentState> {
  return renamedCopy(config, await sourceCatalog(config, source, open, scope), open, renames, scope);
}
