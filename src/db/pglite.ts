import fs from 'node:fs';
import path from 'node:path';
import { PGlite, type Extensions } from '@electric-sql/pglite';
import type { Db, Row } from './types.js';

/**
 * The contrib extensions PGlite ships (module name under `@electric-sql/pglite/contrib/`). They are
 * all registered at start-up: registering costs nothing measurable (FACTS.md, ≈2.5 s either way)
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

/**
 * Starts an embedded PostgreSQL (PGlite, PostgreSQL 18) in this process and returns it as a `Db`.
 * Start-up takes ≈1–3 s and ≈0.2–0.7 GB of memory (FACTS.md).
 * @param dataDir persist to this directory; in memory when omitted.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: await contribExtensions() });
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
