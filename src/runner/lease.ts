/**
 * Leases of `transaction:false` migrations. Such a migration cannot hold a transaction-scoped lock
 * while it runs (CREATE INDEX CONCURRENTLY refuses a transaction block), and a session-level lock is
 * no exclusion behind a transaction-pooling proxy (it stays with whichever server connection took it).
 * So the runner claims the migration in its tracking row: the row it already writes first as
 * unfinished (tracking.ts, `error` column) carries a lease marker, written in a short transaction
 * under the transaction lock (lock.ts). Other runners wait while the lease is live and treat the row
 * as the failed/unfinished row it is (blocking until `resolve`) once it has expired.
 *
 * Two kinds of lease:
 * - `[lease: backend <pid>]` on a direct connection: live while that server process exists and was
 *   started before the claim (`pg_stat_activity.backend_start`, so a reused pid does not count). It
 *   ends with the runner's session — the server notices a killed runner (client_connection_check_interval).
 * - `[lease: run <id>]` behind a pooler, where no server process belongs to the runner: live while
 *   the row's `applied_at` (goose: `tstamp`), renewed by a second connection every
 *   {@link LEASE_RENEW_MS}, is younger than {@link LEASE_TTL_MS} by the database's clock.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/types.js';
import { quoteIdent } from '../db/quote.js';
import { versionKey } from '../migrations/names.js';
import { appliedAtColumn, tableSql, versionSql, type TrackingInfo } from './tracking.js';

/** How often a pooled runner renews its lease: every 5 000 ms. */
export const LEASE_RENEW_MS = 5_000;
/** A pooled runner's lease expires 30 000 ms after its last renewal (database clock). */
export const LEASE_TTL_MS = 30_000;

/** A live lease: a `transaction:false` migration another runner is applying (or reverting) right now. */
export interface LiveLease {
  /** The version as stored. */
  version: string;
  /** `backend <pid>` or `run <id>, renewed …`. */
  holder: string;
  /** When the lease was claimed or last renewed (database clock). */
  since: Date | null;
}

/** The column renewed as the heartbeat: `applied_at`, or goose's `tstamp`; `undefined` when the table has neither. */
function stampColumn(info: TrackingInfo): string | undefined {
  return appliedAtColumn(info);
}

/**
 * The lease marker appended to the unfinished row's `error`: `[lease: backend <pid>]` for a runner
 * whose statements run in server process `pid`, else `[lease: run <random id>, renewed every 5 s]`.
 */
export function leaseMarker(backendPid: number | undefined): string {
  return backendPid !== undefined
    ? `[lease: backend ${backendPid}]`
    : `[lease: run ${randomBytes(6).toString('hex')}, renewed every ${LEASE_RENEW_MS / 1000} s]`;
}

/**
 * The live leases in the tracking table (none when it does not exist or has no `error` column).
 * One query; liveness is decided by the database (module doc), so runner clocks do not matter.
 */
export async function liveLeases(db: Db, info: TrackingInfo): Promise<LiveLease[]> {
  if (!info.exists || !info.columns.has('error')) return [];
  const stamp = stampColumn(info);
  const ts = stamp ? `${quoteIdent(stamp)}::timestamptz` : 'NULL::timestamptz';
  const vcol = versionSql(info);
  const rows = await db.query<{ version: string; holder: string; since: Date | null }>(
    `SELECT version, holder, since FROM (
       SELECT ${vcol}::text AS version, substring(error from '\\[lease: ([^\\]]*)\\]') AS holder, ${ts} AS since,
              substring(error from '\\[lease: backend ([0-9]+)\\]')::int AS pid
         FROM ${tableSql(info.table)} WHERE error LIKE 'unfinished:%[lease: %') l
      WHERE CASE WHEN pid IS NOT NULL
                 THEN EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid AND (l.since IS NULL OR a.backend_start <= l.since))
                 ELSE l.since > clock_timestamp() - make_interval(secs => $1::float8) END`,
    [LEASE_TTL_MS / 1000],
  );
  return rows.map((r) => ({ version: r.version, holder: r.holder, since: r.since === null ? null : new Date(r.since) }));
}

/** A lease being renewed. */
export interface Heartbeat {
  /** Stops renewing and closes the second connection (never throws). */
  stop(): Promise<void>;
}

/**
 * Renews the lease of the row of `version` whose `error` is exactly `error`, every
 * {@link LEASE_RENEW_MS}, on a second connection (the first one is busy running the migration's
 * statements), so the lease stays live while the runner is. A failed renewal is retried at the next
 * tick; once the row's `error` changes (completed or failed), the UPDATE matches nothing.
 * @throws Error when `db` cannot open a second connection (not node-postgres), or the connect error
 */
export async function startHeartbeat(db: Db, info: TrackingInfo, version: string, error: string): Promise<Heartbeat> {
  const stamp = stampColumn(info);
  if (!db.reopen) throw new Error(`${db.label}: cannot open a second connection to renew the lease`);
  if (!stamp) return { stop: async () => undefined };
  const second = await db.reopen();
  const where = info.kind === 'goose' ? 'version_id = $1::bigint' : `${versionSql(info)} = $1`;
  const sql = `UPDATE ${tableSql(info.table)} SET ${quoteIdent(stamp)} = clock_timestamp() WHERE ${where} AND error = $2`;
  const key = info.kind === 'goose' ? versionKey(version) : version;
  let busy: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy.then(() => second.query(sql, [key, error])).catch(() => undefined);
  }, LEASE_RENEW_MS);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      await second.close();
    },
  };
}
