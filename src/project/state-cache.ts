/**
 * States a command has already computed, cached in `.schemaplan/cache/` of the project so that a
 * command whose inputs have not changed does not start a shadow to compute them again:
 * - `history`: the replayed history's catalog (a `plan` whose history is unchanged does not replay it);
 * - `desired`: the schema files' catalog (a `plan` or `check` whose schema files are unchanged does
 *   not load them in a shadow);
 * - proofs: the history prefixes whose newest file's down section `check` proved to restore the state
 *   before it, and every down section below it down to where the round trip ends.
 *
 * Every key is a SHA-256 over everything the cached value depends on: schemaplan's version, the
 * shadow (its kind and PostgreSQL major print catalogs differently), the scope, and the files — the
 * migration files' names and checksums, or the schema files' paths and bytes. A changed, added or
 * removed file changes the key, so a stale entry is never found rather than detected.
 *
 * The cache is disposable: an entry that does not parse or does not carry its own key is removed and
 * the state computed again, never trusted; one that cannot be written is skipped. Entries are
 * written whole (a temporary file renamed into place) and only the newest few of each kind are kept.
 * `SCHEMAPLAN_CACHE=off` turns it off.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/model.js';
import type { Migration } from '../migrations/history.js';

/** What a cached state depends on, besides its files. */
export interface StateCacheContext {
  /**
   * schemaplan's version and the catalog reader's build, e.g. `0.1.0+3f2a…` (a new reader may read
   * the same database differently, also without a new version).
   */
  version: string;
  /** The shadow the state is computed in, e.g. `PGlite (PostgreSQL 18, in process) 0.3.14`. */
  shadow: string;
  /** The scope and exclusions the catalog is read with (any JSON value). */
  scope: unknown;
}

/** What the replayed catalog depends on, besides the migration files. */
export interface HistoryCacheContext extends StateCacheContext {
  /** The tracking table, as configured. */
  table: string;
}

/** The kinds of cached catalogs (the prefix of their file names). */
export type StateKind = 'history' | 'desired';

/** Entries kept per kind (older ones are removed when a new one is written). */
const KEEP = 4;
/** Proven prefixes kept (the most recently proven ones). */
const KEEP_PROOFS = 2000;
const PROOFS_FILE = 'proofs.json';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The cache folder of a project root: `<root>/.schemaplan/cache`; undefined when turned off. */
export function stateCacheDir(root: string): string | undefined {
  return process.env.SCHEMAPLAN_CACHE === 'off' ? undefined : path.join(root, '.schemaplan', 'cache');
}

/** The cache key (SHA-256 hex) of a history replayed in a context. Pure. */
export function historyCacheKey(history: readonly Migration[], context: HistoryCacheContext): string {
  const files = history.map((m) => [m.version, m.name, m.checksum]);
  return sha256(JSON.stringify({ context, files }));
}

/**
 * The keys (SHA-256 hex) of every prefix of a history in a context: element i stands for files
 * 0..i (their versions, names and checksums, chained), so editing a file changes its key and the
 * key of every file after it. Pure; linear in the history's length.
 */
export function historyPrefixKeys(history: readonly Migration[], context: HistoryCacheContext): string[] {
  let key = sha256(JSON.stringify({ proof: context }));
  return history.map((m) => (key = sha256(JSON.stringify([key, m.version, m.name, m.checksum]))));
}

/** A schema file as the desired state's key sees it: its path relative to the project root, its bytes. */
export interface SchemaFileBytes {
  path: string;
  bytes: Uint8Array;
}

/** The cache key (SHA-256 hex) of schema files, in load order, loaded in a context. Pure. */
export function desiredCacheKey(files: readonly SchemaFileBytes[], context: StateCacheContext): string {
  return sha256(JSON.stringify({ context, files: files.map((f) => [f.path, sha256(f.bytes)]) }));
}

const entryPath = (dir: string, kind: StateKind, key: string) => path.join(dir, `${kind}-${key.slice(0, 32)}.json`);

/** Reads a JSON entry; undefined when missing. A file that is not JSON is removed. Never throws. */
function readEntry(file: string): { key?: unknown; [k: string]: unknown } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text);
    if (entry && typeof entry === 'object') return entry;
  } catch {
    // not JSON: removed below
  }
  fs.rmSync(file, { force: true });
  return undefined;
}

/** Writes `value` as JSON to `file` whole (a temporary file renamed into place), in a git-ignored folder. */
function writeEntry(dir: string, file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    // The folder ignores itself, so the cache is never committed (as pytest's cache does).
    const ignore = path.join(dir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# written by schemaplan: a disposable cache\n*\n');
    fs.writeFileSync(tmp, JSON.stringify(value));
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * The cached catalog of `kind` for `key`, or undefined on a miss. A corrupt or foreign entry is
 * removed. Never throws.
 */
export function readCachedCatalog(dir: string | undefined, kind: StateKind, key: string): Catalog | undefined {
  if (!dir) return undefined;
  const file = entryPath(dir, kind, key);
  const entry = readEntry(file);
  if (!entry) return undefined;
  const c = entry.catalog as Catalog | undefined;
  if (entry.key === key && c && typeof c === 'object' && c.objects && typeof c.objects === 'object' && Array.isArray(c.schemas)) {
    try {
      fs.utimesSync(file, new Date(), new Date()); // recently used: kept by the pruning below
    } catch {
      // read only: still a hit
    }
    return c;
  }
  fs.rmSync(file, { force: true });
  return undefined;
}

/** Stores `catalog` of `kind` under `key`, whole or not at all, and keeps the newest entries of that kind. Never throws. */
export function writeCachedCatalog(dir: string | undefined, kind: StateKind, key: string, catalog: Catalog): void {
  if (!dir) return;
  writeEntry(dir, entryPath(dir, kind, key), { key, catalog });
  try {
    const entries = fs.readdirSync(dir)
      .filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json'))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of entries.slice(KEEP)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // pruning is best effort
  }
}

/** The proven history prefixes (keys of `historyPrefixKeys`); empty when none or unreadable. Never throws. */
export function readProofs(dir: string | undefined): Set<string> {
  if (!dir) return new Set();
  const file = path.join(dir, PROOFS_FILE);
  const entry = readEntry(file);
  if (!entry) return new Set();
  if (Array.isArray(entry.proven) && entry.proven.every((k) => typeof k === 'string')) return new Set(entry.proven as string[]);
  fs.rmSync(file, { force: true });
  return new Set();
}

/**
 * Adds proven history prefixes to the record (the newest `KEEP_PROOFS` are kept). Only a prefix whose
 * newest down section and every one below it, down to where the round trip ends, restored the state
 * before them may be recorded. Never throws.
 */
export function recordProofs(dir: string | undefined, keys: readonly string[]): void {
  if (!dir || !keys.length) return;
  const added = new Set(keys);
  const known = [...readProofs(dir)].filter((k) => !added.has(k));
  writeEntry(dir, path.join(dir, PROOFS_FILE), { proven: [...known, ...keys].slice(-KEEP_PROOFS) });
}
