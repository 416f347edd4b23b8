/**
 * The migration lock: a session-level PostgreSQL advisory lock (`pg_advisory_lock` family) held around
 * a whole `up`/`down` run, so that one runner at a time changes a database. Waiting is bounded: the lock
 * is polled with `pg_try_advisory_lock` and a growing delay until a deadline.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/types.js';
import type { TrackingTable } from './tracking.js';
import { tableSql } from './tracking.js';

/** Default bound on waiting for the lock: 60 000 ms. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;

/** Thrown when the lock was not acquired within the wait bound. */
export class LockTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockTimeoutError';
  }
}

/**
 * The advisory lock key of a tracking table: the first 8 bytes of SHA-256 of
 * `schemaplan:<schema>.<name>` as a signed 64-bit integer (stable across processes and versions).
 */
export function lockKey(table: TrackingTable): bigint {
  return createHash('sha256').update(`schemaplan:${table.schema}.${table.name}`).digest().readBigInt64BE(0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Who holds the migration lock of `table` in this database (advisory locks are per database), from
 * pg_locks and pg_stat_activity, as one phrase for
 * messages: pid, application_name, role, client address (or "local socket"), when its session
 * started and what it is running; `undefined` when nobody holds it (or it cannot be seen).
 */
export async function lockHolder(db: Db, table: TrackingTable): Promise<string | undefined> {
  return holder(db, lockKey(table));
}

async function holder(db: Db, key: bigint): Promise<string | undefined> {
  const u = BigInt.asUintN(64, key);
  try {
    const rows = await db.query<{ pid: number; app: string | null; usename: string | null; client: string | null; started: Date | null; state: string | null; since: Date | null; query: string | null; me: boolean }>(
      `SELECT l.pid, a.application_name AS app, a.usename::text AS usename,
              CASE WHEN a.client_addr IS NULL THEN NULL ELSE host(a.client_addr) || COALESCE(':' || a.client_port, '') END AS client,
              a.backend_start AS started, a.state, COALESCE(a.query_start, a.state_change) AS since, a.query, l.pid = pg_backend_pid() AS me
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = $1::bigint AND l.objid::bigint = $2::bigint
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [String(u >> 32n), String(u & 0xffffffffn)],
    );
    if (rows.length === 0) return undefined;
    const r = rows[0]!;
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined);
    const q = r.query ? r.query.replace(/\s+/g, ' ').trim() : '';
    const parts = [
      r.app ? `application "${r.app}"` : undefined,
      r.usename ? `role ${r.usename}` : undefined,
      r.client ? `client ${r.client}` : r.app !== null || r.usename !== null ? 'client on the local socket' : undefined,
      iso(r.started) ? `connected since ${iso(r.started)}` : undefined,
      r.state ? `${r.state}${iso(r.since) ? ` since ${iso(r.since)}` : ''}${q && r.state === 'active' ? `: ${q.length > 80 ? q.slice(0, 77) + '...' : q}` : ''}` : undefined,
    ].filter(Boolean);
    return `backend pid ${r.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`;
  } catch {
    return undefined;
  }
}

/**
 * Takes the migration lock of `table` on this session, waiting at most `opts.waitMs` (ms, default 60 000;
 * 0 = try once). Polls every 50 ms, growing ×1.5 up to 1 s.
 * @returns a function that releases the lock (never throws)
 * @throws LockTimeoutError naming the table and, when visible, the backend holding the lock.
 */
export async function acquireMigrationLock(
  db: Db,
  table: TrackingTable,
  opts: { waitMs?: number; log?: (line: string) => void } = {},
): Promise<() => Promise<void>> {
  const key = lockKey(table);
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const deadline = Date.now() + waitMs;
  let delay = 50;
  let told = false;
  for (;;) {
    const [row] = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1::bigint) AS ok`, [key.toString()]);
    if (row?.ok) break;
    if (!told) {
      told = true;
      const who = await holder(db, key);
      opts.log?.(`waiting for the migration lock of ${tableSql(table)}${who ? `, held by ${who}` : ''} (up to ${Math.round(waitMs / 1000)} s)`);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const who = await holder(db, key);
      throw new LockTimeoutError(
        `could not take the migration lock of ${tableSql(table)} on ${db.label} within ${waitMs} ms: another migration run is in progress` +
          `${who ? ` (${who})` : ''}. Wait for it to finish and run again, or stop it if it is stuck.`,
      );
    }
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 1.5, 1000);
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await db.query(`SELECT pg_advisory_unlock($1::bigint)`, [key.toString()]).catch(() => undefined);
  };
}

/**
 * Runs `fn` while holding the migration lock of `table`; the lock is released afterwards, also when `fn` throws.
 * @throws LockTimeoutError (see {@link acquireMigrationLock}) or whatever `fn` throws.
 */
export async function withMigrationLock<T>(
  db: Db,
  table: TrackingTable,
  opts: { waitMs?: number; log?: (line: string) => void },
  fn: () => Promise<T>,
): Promise<T> {
  const release = await acquireMigrationLock(db, table, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}
