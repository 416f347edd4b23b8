/**
 * The replayed history's catalog, cached in `.schemaplan/cache/` of the project so that a `plan`
 * whose history has not changed does not replay it again in a shadow.
 *
 * The key is a SHA-256 over everything the catalog depends on: schemaplan's version, the shadow
 * (its kind and PostgreSQL major print catalogs differently), the scope, the tracking table, and
 * every migration file's name and checksum. A changed, added or removed file changes the key.
 *
 * The cache is disposable: an entry that does not parse or does not carry its own key is removed
 * and the history replayed, never trusted; one that cannot be written is skipped. Entries are
 * written whole (a temporary file renamed into place) and only the newest few are kept.
 * `SCHEMAPLAN_CACHE=off` turns it off.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../catalog/model.js';
import type { Migration } from '../migrations/history.js';

/** What the replayed catalog depends on, besides the migration files. */
export interface HistoryCacheContext {
  /** schemaplan's version (a new reader may read the same database differently). */
  version: string;
  /** The shadow the history replays in, e.g. `PGlite (PostgreSQL 18, in process)`. */
  shadow: string;
  /** The scope and exclusions the catalog is read with (any JSON value). */
  scope: unknown;
  /** The tracking table, as configured. */
  table: string;
}

/** Entries kept per project (older ones are removed when a new one is written). */
const KEEP = 4;

/** The cache folder of a project root: `<root>/.schemaplan/cache`; undefined when turned off. */
export function historyCacheDir(root: string): string | undefined {
  return process.env.SCHEMAPLAN_CACHE === 'off' ? undefined : path.join(root, '.schemaplan', 'cache');
}

/** The cache key (SHA-256 hex) of a history replayed in a context. Pure. */
export function historyCacheKey(history: readonly Migration[], context: HistoryCacheContext): string {
  const files = history.map((m) => [m.version, m.name, m.checksum]);
  return createHash('sha256').update(JSON.stringify({ context, files })).digest('hex');
}

const entryPath = (dir: string, key: string) => path.join(dir, `history-${key.slice(0, 32)}.json`);

/**
 * The cached catalog for `key`, or undefined on a miss. A corrupt or foreign entry is removed.
 * Never throws.
 */
export function readHistoryCache(dir: string | undefined, key: string): Catalog | undefined {
  if (!dir) return undefined;
  const file = entryPath(dir, key);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as { key?: unknown; catalog?: Catalog };
    const c = entry.catalog;
    if (entry.key === key && c && typeof c === 'object' && c.objects && typeof c.objects === 'object' && Array.isArray(c.schemas)) {
      fs.utimesSync(file, new Date(), new Date()); // recently used: kept by the pruning below
      return c;
    }
  } catch {
    // not JSON: rebuilt below
  }
  fs.rmSync(file, { force: true });
  return undefined;
}

/** Stores `catalog` under `key`, whole or not at all, and keeps the newest entries. Never throws. */
export function writeHistoryCache(dir: string | undefined, key: string, catalog: Catalog): void {
  if (!dir) return;
  const file = entryPath(dir, key);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    // The folder ignores itself, so the cache is never committed (as pytest's cache does).
    const ignore = path.join(dir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# written by schemaplan: a disposable cache\n*\n');
    fs.writeFileSync(tmp, JSON.stringify({ key, catalog }));
    fs.renameSync(tmp, file);
    const entries = fs.readdirSync(dir)
      .filter((f) => f.startsWith('history-') && f.endsWith('.json'))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of entries.slice(KEEP)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}
