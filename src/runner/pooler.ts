/**
 * Running behind a connection pooler in transaction mode (PgBouncer `pool_mode = transaction`,
 * Supavisor, RDS Proxy): between transactions the proxy may hand the runner's statements to any
 * server connection of its pool, so nothing that lives in a session can be relied on — a session
 * advisory lock stays with the server connection that took it, a session-level `SET` applies to
 * whoever gets that connection next.
 *
 * A run therefore (lock.ts, lease.ts):
 * - detects a proxy ({@link detectPooler}) and says on stderr, in one line, what it does about it;
 * - takes the session-level run lock only on a direct connection, as an extra;
 * - takes the transaction lock in every transaction that applies or records a migration and re-reads
 *   the tracking table in it: a migration another runner recorded meanwhile is skipped as done
 *   ({@link claimMigration});
 * - claims a `transaction:false` migration with a lease in its tracking row ({@link claimLease});
 * - behind a proxy makes no session-level setting: the run's `lock_timeout`/`statement_timeout` are
 *   set with `SET LOCAL` semantics in each transaction, and not at all for `transaction:false`
 *   statements (which run in autocommit, each possibly on another server connection).
 */
import type { Db } from '../db/types.js';
import { versionKey } from '../migrations/names.js';
import { acquireMigrationLock, beginLocked } from './lock.js';
import { leaseMarker, startHeartbeat } from './lease.js';
import { readApplied, type AppliedRow, type TrackingInfo, type TrackingTable } from './tracking.js';

/** What {@link detectPooler} found. */
export interface PoolerDetection {
  pooled: boolean;
  /** Why it is taken to be pooled (one clause), when it is. */
  reason?: string;
}

/**
 * Whether `db` reaches PostgreSQL through a proxy that may move its statements between server
 * connections. Two signs, either suffices:
 * - the process ID of the start-up's BackendKeyData differs from `pg_backend_pid()`: a proxy
 *   answered the start-up with a cancel key of its own (PgBouncer does so in every pool mode);
 * - two consecutive statements outside a transaction ran in different server processes.
 * Measured with PgBouncer 1.18 (`pool_mode = transaction`, pool of 4): the first sign always shows;
 * the second rarely does (PgBouncer hands an idle client the server connection it used last), and
 * `SHOW pool_mode` is answered by PostgreSQL ("unrecognized configuration parameter"), so it cannot
 * be asked. A proxy in session mode is detected as well, and treated alike (nothing is lost).
 * PGlite and other non-`pg` drivers are never pooled.
 */
export async function detectPooler(db: Db): Promise<PoolerDetection> {
  if (db.driver !== 'pg') return { pooled: false };
  const pid = async () => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
  const first = await pid();
  if (db.backendKeyPid !== undefined && db.backendKeyPid !== first) {
    return { pooled: true, reason: `the server process running its statements (${first}) is not the one announced at connection (${db.backendKeyPid})` };
  }
  const second = await pid();
  if (second !== first) return { pooled: true, reason: `two consecutive statements ran in server processes ${first} and ${second}` };
  return { pooled: false };
}

/** The state of the run on a connection, between {@link openRun} and its `close`. */
interface RunState {
  pooled: boolean;
  table: TrackingTable;
  waitMs?: number;
  log: (line: string) => void;
}

const runs = new WeakMap<Db, RunState>();

/** Whether the run on `db` goes through a pooler (false outside a run). */
export function isPooled(db: Db): boolean {
  return runs.get(db)?.pooled ?? false;
}

/**
 * Starts a run on `db`: detects a pooler (and says so through `opts.log`, as one `warning:` line,
 * which the CLI prints on stderr), and on a direct connection sets `client_connection_check_interval`
 * (so the server notices a killed runner during a long statement; PostgreSQL ≥ 14) and takes the
 * session-level run lock (lock.ts).
 * @returns whether the connection is pooled, and `close` to end the run (releases the run lock; never throws)
 * @throws LockTimeoutError when the run lock is not free within `opts.waitMs` ms
 */
export async function openRun(
  db: Db,
  opts: { table: TrackingTable; waitMs?: number; log?: (line: string) => void },
): Promise<{ pooled: boolean; close: () => Promise<void> }> {
  const log = opts.log ?? (() => undefined);
  const found = await detectPooler(db);
  const state: RunState = { pooled: found.pooled, table: opts.table, log, ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}) };
  let release = async () => undefined as void;
  if (found.pooled) {
    log(`warning: ${db.label} is reached through a connection pooler (${found.reason}): schemaplan takes its migration lock in each ` +
      'transaction, claims transaction:false migrations with an expiring lease, and makes no session-level setting');
  } else {
    await db.query(`SELECT set_config('client_connection_check_interval', '1s', false)`).catch(() => undefined);
    release = await acquireMigrationLock(db, opts.table, { ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}), log });
  }
  runs.set(db, state);
  return {
    pooled: found.pooled,
    async close() {
      runs.delete(db);
      await release();
    },
  };
}

/** Options of the claims: the run's tracking table, wait bound (ms) and log. */
interface ClaimOptions {
  table: TrackingTable;
  lockWaitMs?: number;
  log?: (line: string) => void;
}

/** The options of lock.ts `beginLocked` for a run. */
export function lockOptions(opts: ClaimOptions, info?: TrackingInfo): { waitMs?: number; log?: (line: string) => void; info?: TrackingInfo } {
  return { ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}), ...(opts.log ? { log: opts.log } : {}), ...(info ? { info } : {}) };
}

/** Whether `rows` already show the migration of `version` as done in direction `dir` (applied for up, gone for down). */
function done(rows: AppliedRow[], dir: 'up' | 'down', version: string): boolean {
  const row = rows.find((r) => versionKey(r.version) === versionKey(version));
  return dir === 'up' ? row !== undefined && row.error === null : row === undefined;
}

/**
 * Opens the transaction that applies (up) or reverts (down) one migration: {@link beginLocked}, then
 * re-reads the tracking table. When another runner already did it (up: the version has a completed
 * row; down: it has none), rolls back and returns `null` — the migration counts as done. Otherwise
 * returns the rows, inside the open transaction, for the caller's refusal checks.
 * @param version the version as stored (down) or the file's (up)
 * @throws as {@link beginLocked}
 */
export async function claimMigration(db: Db, info: TrackingInfo, opts: ClaimOptions, dir: 'up' | 'down', version: string): Promise<AppliedRow[] | null> {
  await beginLocked(db, opts.table, lockOptions(opts, info));
  try {
    const rows = await readApplied(db, opts.table, info);
    if (!done(rows, dir, version)) return rows;
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
  await db.exec('ROLLBACK');
  return null;
}

/** A claimed `transaction:false` migration. */
export interface Lease {
  /** Stops renewing the lease (pooled runs; never throws). Call once the row is completed or failed. */
  end(): Promise<void>;
}

/**
 * Claims a `transaction:false` migration: in one short transaction ({@link claimMigration}),
 * `check` (refusals, on the re-read rows) and `write` (the unfinished row, whose `error` must end
 * with the lease marker it is given) run, and the claim commits. On a direct connection the lease
 * names the connection's server process; behind a pooler it is renewed on a second connection
 * (lease.ts) until {@link Lease.end}.
 * @returns `null` when another runner already did it (nothing written), else the lease
 * @throws as {@link claimMigration}, and what `check` or `write` throw (rolled back)
 */
export async function claimLease(
  db: Db,
  info: TrackingInfo,
  opts: ClaimOptions,
  dir: 'up' | 'down',
  version: string,
  check: (rows: AppliedRow[]) => void,
  write: (marker: string) => Promise<string>,
): Promise<Lease | null> {
  const rows = await claimMigration(db, info, opts, dir, version);
  if (rows === null) return null;
  const pooled = isPooled(db);
  let error: string;
  try {
    check(rows);
    const pid = pooled ? undefined : (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
    error = await write(leaseMarker(pid));
    await db.exec('COMMIT');
  } catch (e) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
  const beat = pooled ? await startHeartbeat(db, info, version, error) : undefined;
  return { end: async () => beat?.stop() };
}
