/**
 * The migration locks:
 * - the run lock: a session-level PostgreSQL advisory lock (`pg_advisory_lock` family) held around a
 *   whole `up`/`down` run on a direct connection, so that one runner at a time changes a database.
 *   Waiting is bounded: the lock is polled with `pg_try_advisory_lock` and a growing delay until a
 *   deadline. It is an extra: behind a transaction-pooling proxy a session lock stays with whichever
 *   server connection took it, so it neither excludes other runners nor goes away with the runner.
 * - the transaction lock: `pg_advisory_xact_lock` on a second key, taken by every transaction that
 *   applies or records a migration ({@link beginLocked}); PostgreSQL releases it at COMMIT or
 *   ROLLBACK, on whatever server connection the transaction ran. Correctness rests on it (and on the
 *   leases of `transaction:false` migrations, lease.ts): each such transaction re-reads the tracking
 *   table under it. Its key differs from the run lock's so that a session lock stranded on a pooled
 *   server connection can never block it.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/types.js';
import { liveLeases, type LiveLease } from './lease.js';
import type { TrackingInfo, TrackingTable } from './tracking.js';
import { inspectTracking, tableSql } from './tracking.js';

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

/**
 * The transaction lock key of a tracking table: as {@link lockKey}, of `schemaplan-transaction:<schema>.<name>`.
 */
export function transactionLockKey(table: TrackingTable): bigint {
  return createHash('sha256').update(`schemaplan-transaction:${table.schema}.${table.name}`).digest().readBigInt64BE(0);
}

/**
 * A session holding the run lock that has been idle (not in a transaction) this long, 10 000 ms, is
 * taken to be stranded on a pooled server connection: a live runner is idle only between statements
 * and during lock-retry delays.
 */
export const STRANDED_IDLE_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Who holds the migration lock of `table` in this database (advisory locks are per database), from
 * pg_locks and pg_stat_activity, as one phrase for
 * messages: pid, application_name, role, client address (or "local socket"), when its session
 * started and what it is running; `undefined` when nobody holds it (or it cannot be seen).
 */
export async function lockHolder(db: Db, table: TrackingTable): Promise<string | undefined> {
  const locked = (await holder(db, lockKey(table))) ?? (await holder(db, transactionLockKey(table)));
  if (locked) return locked;
  const info = await inspectTracking(db, table).catch(() => undefined);
  const lease = info ? (await liveLeases(db, info).catch(() => []))[0] : undefined;
  return lease ? leasePhrase(lease) : undefined;
}

function leasePhrase(l: LiveLease): string {
  return `a run applying the transaction:false migration ${l.version} (lease: ${l.holder}${l.since ? `, claimed or renewed at ${l.since.toISOString()}` : ''})`;
}

async function holder(db: Db, key: bigint): Promise<string | undefined> {
  return (await holderInfo(db, key))?.text;
}

/** The holder of an advisory lock key: its description, and for how many ms it has been idle outside a transaction (0 otherwise). */
async function holderInfo(db: Db, key: bigint): Promise<{ text: string; idleMs: number } | undefined> {
  const u = BigInt.asUintN(64, key);
  try {
    const rows = await db.query<{ pid: number; app: string | null; usename: string | null; client: string | null; started: Date | null; state: string | null; since: Date | null; query: string | null; me: boolean; idle_ms: number | null }>(
      `SELECT l.pid, a.application_name AS app, a.usename::text AS usename,
              CASE WHEN a.state = 'idle' THEN (extract(epoch FROM clock_timestamp() - a.state_change) * 1000)::float8 END AS idle_ms,
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
    return { text: `backend pid ${r.pid}${parts.length ? ` (${parts.join(', ')})` : ''}`, idleMs: r.idle_ms === null ? 0 : Number(r.idle_ms) };
  } catch {
    return undefined;
  }
}

/** The error of a lock not taken within `waitMs` ms, naming the holder of `key` when visible. */
async function lockTimeout(db: Db, table: TrackingTable, key: bigint, waitMs: number): Promise<LockTimeoutError> {
  const who = await holder(db, key);
  return new LockTimeoutError(
    `could not take the migration lock of ${tableSql(table)} on ${db.label} within ${waitMs} ms: another migration run is in progress` +
      `${who ? ` (${who})` : ''}. Wait for it to finish and run again, or stop it if it is stuck.`,
  );
}

/**
 * Takes the migration lock of `table` on this session, waiting at most `opts.waitMs` (ms, default 60 000;
 * 0 = try once). Polls every 50 ms, growing ×1.5 up to 1 s. A holder idle outside a transaction for
 * {@link STRANDED_IDLE_MS} or longer is taken to be a lock stranded on a pooled server connection:
 * the run goes on without the session lock (the transaction lock keeps it correct) and says so
 * through `opts.log` (a `warning:` line).
 * @returns a function that releases the lock (never throws); it reports through `opts.log` when the
 *   lock was no longer held by this session (a transaction-pooling proxy moved it to another server connection)
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
    const stranded = await holderInfo(db, key);
    if (stranded && stranded.idleMs >= STRANDED_IDLE_MS) {
      opts.log?.(`warning: the migration lock of ${tableSql(table)} is held by ${stranded.text}, idle for ${Math.round(stranded.idleMs / 1000)} s: ` +
        'taken to be stranded on a pooled server connection; this run goes on without it, under the per-transaction lock');
      return async () => undefined;
    }
    if (!told) {
      told = true;
      const who = stranded?.text;
      opts.log?.(`waiting for the migration lock of ${tableSql(table)}${who ? `, held by ${who}` : ''} (up to ${Math.round(waitMs / 1000)} s)`);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw await lockTimeout(db, table, key, waitMs);
    }
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 1.5, 1000);
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const [row] = await db.query<{ ok: boolean }>(`SELECT pg_advisory_unlock($1::bigint) AS ok`, [key.toString()]).catch(() => [{ ok: true }]);
    if (row && !row.ok) {
      opts.log?.(`warning: the migration lock of ${tableSql(table)} was no longer held by this connection at the end of the run: ` +
        'a transaction-pooling proxy between schemaplan and the database may have left it on another server connection');
    }
  };
}

/** Which runs already said that they wait for the transaction lock (said once per connection). */
const toldWaiting = new WeakSet<Db>();

/**
 * Opens a transaction that may apply or record migrations: `BEGIN ISOLATION LEVEL READ COMMITTED`
 * (each later statement sees what other runners committed before the lock was granted), then the
 * transaction lock of `table` (`pg_advisory_xact_lock`, waited for with `lock_timeout` set to the
 * wait bound and `statement_timeout` 0 for that statement only; PostgreSQL grants it in request order),
 * then, while another runner holds a live lease on a `transaction:false` migration (lease.ts), rolls
 * back, waits (polling every 250 ms, growing to 1 s) and starts again. Returns inside the transaction
 * with the lock held, `lock_timeout`/`statement_timeout` as they were before.
 * @param opts.waitMs bound in ms on each wait, for the lock and for a lease (default 60 000)
 * @param opts.info the tracking table's shape when known (read otherwise)
 * @throws LockTimeoutError naming the holder (lock) or the migration and its lease; PostgreSQL's errors
 *   (the transaction is rolled back before any of these propagates)
 */
export async function beginLocked(
  db: Db,
  table: TrackingTable,
  opts: { waitMs?: number; log?: (line: string) => void; info?: TrackingInfo } = {},
): Promise<void> {
  const key = transactionLockKey(table).toString();
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  let leaseDeadline: number | undefined;
  let delay = 250;
  for (;;) {
    await db.exec('BEGIN ISOLATION LEVEL READ COMMITTED');
    let leases: LiveLease[];
    try {
      const [free] = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS ok`, [key]);
      if (!free?.ok) {
        if (!toldWaiting.has(db)) {
          toldWaiting.add(db);
          const who = await holder(db, BigInt(key));
          opts.log?.(`waiting for the migration lock of ${tableSql(table)}${who ? `, held by ${who}` : ''} (up to ${Math.round(waitMs / 1000)} s per transaction)`);
        }
        const [saved] = await db.query<{ lt: string; st: string }>(`SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st`);
        await db.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', '0', true)`, [`${Math.max(1, waitMs)}ms`]);
        try {
          await db.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [key]);
        } catch (e) {
          if ((e as { code?: string }).code !== '55P03') throw e;
          await db.exec('ROLLBACK').catch(() => undefined);
          throw await lockTimeout(db, table, BigInt(key), waitMs);
        }
        await db.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [saved!.lt, saved!.st]);
      }
      leases = await liveLeases(db, opts.info ?? (await inspectTracking(db, table)));
    } catch (e) {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
    if (leases.length === 0) return;
    await db.exec('ROLLBACK');
    const now = Date.now();
    if (leaseDeadline === undefined) {
      leaseDeadline = now + waitMs;
      opts.log?.(`waiting for ${leasePhrase(leases[0]!)} to finish (up to ${Math.round(waitMs / 1000)} s)`);
    }
    if (now >= leaseDeadline) {
      throw new LockTimeoutError(
        `could not apply or record migrations in ${tableSql(table)} on ${db.label} within ${waitMs} ms: ${leasePhrase(leases[0]!)} is still running. ` +
          'Wait for it to finish and run again; if its runner is gone, its lease expires and the migration shows as failed in status.',
      );
    }
    await sleep(Math.min(delay, leaseDeadline - now));
    delay = Math.min(delay * 1.5, 1000);
  }
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
