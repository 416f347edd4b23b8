/** The migration runner: tracking table, migration lock, up/down/status/replay. */
export {
  up, down, status, replay, RunnerError, MigrationError,
  type RunOptions, type UpOptions, type DownOptions, type RunRecord, type UpResult, type DownResult,
  type MigrationState, type StatusEntry,
} from './runner.js';
export { ensureTrackingTable, readApplied, trackingColumns, resolveFailed, tableSql, type TrackingTable, type AppliedRow } from './tracking.js';
export { acquireMigrationLock, withMigrationLock, lockKey, LockTimeoutError, DEFAULT_LOCK_WAIT_MS } from './lock.js';
