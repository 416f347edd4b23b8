/**
 * The benchmark's PostgreSQL server: the same launcher as the tests (tools/pg-server.ts), exposing
 * the socket directory and port for `pg_dump -h <socketdir> -p <port>`.
 */
import { startPgServer, type PgServer } from '../tools/pg-server.js';

export type BenchServer = PgServer;

/** Starts a fresh embedded PostgreSQL 15 for one benchmark run. */
export function startBenchServer(): Promise<BenchServer> {
  return startPgServer({ password: 'schemaplan-bench-pw', prefix: 'schemaplan-bench-pg-' });
}
