import type { Db } from './types.js';
import { connectPg } from './pg.js';
import { openPglite, parsePgliteUrl } from './pglite.js';

/**
 * Opens a connection for a database URL: `postgres://`/`postgresql://` (libpq URI, see PostgreSQL
 * docs "Connection URIs") through node-postgres, or `pglite:memory` / `pglite:<dir>` for the
 * embedded PGlite.
 * `opts.applicationName` names the session in pg_stat_activity (node-postgres only).
 * @throws Error for an unsupported scheme; ConnectError (one paragraph, no password) when the connection fails.
 */
export async function connect(url: string, opts: { applicationName?: string } = {}): Promise<Db> {
  const lite = parsePgliteUrl(url);
  if (lite) return openPglite(lite.dataDir);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error(`unsupported database URL scheme (expected postgres://, postgresql:// or pglite:): ${url.split(':')[0]}:`);
  }
  return connectPg(url, opts);
}

