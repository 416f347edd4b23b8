/** The migration runner: tracking table, migration lock, up/down/redo/baseline/resolve/fresh/status/replay, progress. */
export {
  up, down, redo, baseline, resolve, fresh, status, statusReport, replay, shadowTracking, RunnerError, MigrationError,
  type RunOptions, type UpOptions, type DownOptions, type RunRecord, type UpResult, type DownResult, type RedoResult,
  type BaselineResult, type ResolveResult, type FreshResult, type RunEvent,
  type MigrationState, type StatusEntry, type StatusReport,
} from './runner.js';
export {
  ensureTrackingTable, inspectTracking, readApplied, insertRow, updateRow, deleteRow, recordApplied, resolveFailed, tableSql,
  columnsWrittenByMigrations, TrackingWriteError,
  type TrackingTable, type TrackingInfo, type TrackingKind, type TrackingSetup, type AppliedRow, type RowValues, type RowUpdate,
} from './tracking.js';
export { acquireMigrationLock, withMigrationLock, lockKey, lockHolder, LockTimeoutError, DEFAULT_LOCK_WAIT_MS } from './lock.js';
export { createProgress, replayProgress, type Progress } from './progress.js';
export { wouldDelete, type WouldDelete, type DeleteKind, type WrittenName } from './deletes.js';
export { countLosses, describeLoss, LOSS_COUNT_TIMEOUT, type DataLoss, type CountTarget } from './loss-count.js';
