/**
 * The two sides of every comparison, as catalogs: the desired state (schema files executed in a
 * shadow), the migration history (replayed in a shadow) and a live database. This is the I/O edge
 * of the pipeline; everything after it works on plain `Catalog` data.
 */
import type { Catalog } from '../catalog/model.js';
import { introspect } from '../catalog/introspect.js';
import { listSchemaFiles, loadSchema } from '../catalog/load.js';
import type { Config } from '../config/config.js';
import { connect } from '../db/connect.js';
import { ConnectError } from '../db/pg.js';
import { redactUrl } from '../db/redact.js';
import { openShadow, serverShadow, type Shadow } from '../db/shadow.js';
import type { Db } from '../db/types.js';
import { loadHistory, type Migration } from '../migrations/index.js';
import { createProgress, replay } from '../runner/index.js';

/** Introspection options of a project: its schemas, its exclude patterns and the history table. */
export function introspectOptions(config: Config): { schemas: string[]; exclude: string[] } {
  return { schemas: config.schemas, exclude: [...config.exclude, `table:${config.table.schema}.${config.table.name}`] };
}

/**
 * Where shadows come from: the configured `shadow` (PGlite by default), or — when the other side is
 * a live server and no shadow URL is configured — temporary databases on that server, so both sides
 * are the same PostgreSQL major (DESIGN.md).
 */
export function shadowFor(config: Config, liveUrl?: string): () => Promise<Shadow> {
  const explain = (url: string) => (e: any): never => {
    throw new Error(`cannot create a shadow database on ${redactUrl(url)}: ${e?.message ?? e}`, { cause: e });
  };
  if (liveUrl && (config.shadow === 'pglite' || !config.shadow) && !liveUrl.startsWith('pglite:')) {
    return () => serverShadow(liveUrl).catch(explain(liveUrl));
  }
  const spec = config.shadow;
  if (spec && spec !== 'pglite') return () => openShadow(spec).catch(explain(spec));
  return () => openShadow(spec);
}

async function inShadow<T>(open: () => Promise<Shadow>, work: (db: Db) => Promise<T>): Promise<T> {
  const shadow = await open();
  try {
    return await work(shadow.db);
  } finally {
    await shadow.dispose();
  }
}

/**
 * The desired state: `config.schema` files executed statement by statement in a fresh shadow.
 * @throws SqlExecutionError naming file:line:column of the failing statement
 */
export async function desiredCatalog(config: Config, open: () => Promise<Shadow>): Promise<Catalog> {
  const files = listSchemaFiles(config.schema);
  return inShadow(open, async (db) => {
    await loadSchema(db, files, config.root);
    return introspect(db, introspectOptions(config));
  });
}

/**
 * The history's state: every migration's up section replayed in a fresh shadow.
 * @throws MigrationError naming file:line when a migration fails to replay
 */
export async function historyCatalog(config: Config, open: () => Promise<Shadow>, history?: Migration[]): Promise<Catalog> {
  const h = history ?? loadHistory(config.migrationsDir, { root: config.root });
  return inShadow(open, async (db) => {
    // On a terminal, a progress line (counter, current file, elapsed time) while the history replays.
    const progress = createProgress({ tty: !!process.stderr.isTTY, write: (t) => process.stderr.write(t), print: () => undefined, verb: 'replaying' });
    try {
      await replay(db, h, { onEvent: progress.onEvent });
    } finally {
      progress.finish();
    }
    return introspect(db, introspectOptions(config));
  });
}

/**
 * Connects to a live database named by the user; a failure names the (password-redacted) URL, so
 * `diff --from A --to B` says which side is unreachable.
 */
export async function connectLive(url: string): Promise<Db> {
  try {
    return await connect(url);
  } catch (e: any) {
    if (e instanceof ConnectError) throw e; // already names the (redacted) target
    const msg = e?.message ? String(e.message) : String(e);
    throw new Error(`cannot connect to ${redactUrl(url)}: ${msg}`, { cause: e });
  }
}

/** The live database's state (read only). */
export async function liveCatalog(config: Config, url: string): Promise<Catalog> {
  const db = await connectLive(url);
  try {
    return await introspect(db, introspectOptions(config));
  } finally {
    await db.close();
  }
}

/**
 * The state behind a `diff` source: a `postgres://`/`pglite:` URL (read only) or a `.sql` file or
 * folder of them (executed in a shadow).
 */
export async function sourceCatalog(config: Config, source: string, open: () => Promise<Shadow>): Promise<Catalog> {
  if (/^(postgres(ql)?|pglite):/i.test(source)) return liveCatalog(config, source);
  return desiredCatalog({ ...config, schema: [source] }, open);
}
