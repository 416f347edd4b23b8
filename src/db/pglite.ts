import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Extensions, PGlite } from '@electric-sql/pglite';

/**
 * PGlite's module, loaded on first use: about 1 MB of JavaScript that a command working only with
 * servers (`diff --from URL --to URL`, `up`, `status`) does not parse at start-up.
 */
const pgliteModule = () => import('@electric-sql/pglite');
import type { Db, Row } from './types.js';

/**
 * The contrib extensions PGlite ships (module name under `@electric-sql/pglite/contrib/`). They are
 * all registered at start-up: registering costs nothing measurable (≈2.5 s either way)
 * and it lets `CREATE EXTENSION` in a schema file work without configuration.
 */
const CONTRIB = [
  'amcheck', 'bloom', 'btree_gin', 'btree_gist', 'citext', 'cube', 'dict_int', 'dict_xsyn', 'earthdistance',
  'fuzzystrmatch', 'hstore', 'intarray', 'isn', 'lo', 'ltree', 'moddatetime', 'pg_trgm', 'pgcrypto', 'seg',
  'tablefunc', 'tcn', 'tsm_system_rows', 'tsm_system_time', 'unaccent', 'uuid_ossp', 'pg_stat_statements',
] as const;

let contribCache: Extensions | undefined;
async function contribExtensions(): Promise<Extensions> {
  if (contribCache) return contribCache;
  const out: Extensions = {};
  for (const name of CONTRIB) {
    const mod = (await import(`@electric-sql/pglite/contrib/${name}`)) as Record<string, unknown>;
    out[name] = mod[name] as Extensions[string];
  }
  contribCache = out;
  return out;
}

/**
 * Parses a `pglite:` database URL: `pglite:memory` (or `pglite:`) for a throw-away in-memory
 * database, `pglite:<path>` for one persisted in a data directory (relative to the working directory).
 * Returns `undefined` for any other URL.
 */
export function parsePgliteUrl(url: string): { dataDir?: string } | undefined {
  const m = /^pglite:(?:\/\/)?(.*)$/i.exec(url);
  if (!m) return undefined;
  const rest = m[1]!;
  return rest === '' || rest === 'memory' ? {} : { dataDir: rest };
}

/** The installed PGlite's version (its package.json), which keys the cached data directory. */
export function pgliteVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite')));
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite') return pkg.version ?? 'unknown';
  }
  return 'unknown';
}

/**
 * Where the data directory of a freshly initialised in-memory PGlite is cached (a gzipped tarball
 * from `dumpDataDir`): `$XDG_CACHE_HOME/schemaplan` or `~/.cache/schemaplan`, one file per PGlite
 * version. `SCHEMAPLAN_CACHE=off` turns the cache off.
 */
export function pgliteTemplatePath(): string | undefined {
  if (process.env.SCHEMAPLAN_CACHE === 'off') return undefined;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'schemaplan', `pglite-${pgliteVersion()}-datadir.tar.gz`);
}

/**
 * A fresh in-memory PGlite: started from the cached initialised data directory when there is one
 * (≈0.8 s instead of ≈2.5 s for initdb on 2 cores), else initialised and then cached for the next
 * command. The cache is disposable: one that does not load is removed and rebuilt, never trusted;
 * one that cannot be written is skipped.
 */
async function freshPglite(extensions: Extensions): Promise<PGlite> {
  const { PGlite } = await pgliteModule();
  const template = pgliteTemplatePath();
  if (template && fs.existsSync(template)) {
    try {
      return await PGlite.create({ extensions, loadDataDir: new Blob([fs.readFileSync(template)]) });
    } catch {
      fs.rmSync(template, { force: true });
    }
  }
  const db = await PGlite.create({ extensions });
  if (template) {
    const tmp = `${template}.tmp-${process.pid}`;
    try {
      const dump = await db.dumpDataDir('gzip');
      fs.mkdirSync(path.dirname(template), { recursive: true });
      fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(tmp, template); // whole or not at all, also with concurrent commands
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
  return db;
}

/**
 * Starts an embedded PostgreSQL (PGlite, PostgreSQL 18) in this process and returns it as a `Db`.
 * In memory, it starts from a cached initialised data directory ({@link pgliteTemplatePath}); a
 * first start takes ≈1–3 s, and each instance ≈0.2–0.7 GB of memory.
 * @param dataDir persist to this directory; in memory when omitted.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const extensions = await contribExtensions();
  const db = dataDir ? await (await pgliteModule()).PGlite.create({ dataDir, extensions }) : await freshPglite(extensions);
  let closed = false;
  return {
    driver: 'pglite',
    label: dataDir ? `pglite:${dataDir}` : 'pglite:memory',
    async query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]> {
      const res = await db.query<R>(sql, params as any[]);
      return res.rows;
    },
    async exec(sql: string): Promise<Row[][]> {
      const res = await db.exec(sql);
      return res.filter((r) => r.fields.length > 0).map((r) => r.rows as Row[]);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
