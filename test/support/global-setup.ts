import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/connect.js';
import { startTestServer, testMajor, type TestServer } from './server.js';

const servers: TestServer[] = [];

/**
 * vitest global setup: one default server for the whole run (`pgUrl`: PostgreSQL 15, or the major
 * of `SCHEMAPLAN_TEST_MAJOR`; `DATABASE_URL` replaces it) and one PostgreSQL 18 server for the
 * cross-version tests (`pg18Url`; `DATABASE_URL_18` replaces it; the default server itself when
 * that is 18). When `SCHEMAPLAN_TEST_MAJOR` is set, the default server must run that major, so that
 * a matrix run never reports a major it did not test.
 * @throws Error when a server does not start, or runs another major than `SCHEMAPLAN_TEST_MAJOR`
 */
export async function setup(project: TestProject): Promise<void> {
  const major = testMajor();
  const [main, s18] = await Promise.all([
    startTestServer(major, process.env.DATABASE_URL),
    major === 18 ? undefined : startTestServer(18, process.env.DATABASE_URL_18),
  ]);
  servers.push(main!);
  if (s18) servers.push(s18);
  let actual: number;
  try {
    const db = await connect(main!.url);
    try {
      const [row] = await db.query<{ n: number }>(`select current_setting('server_version_num')::int as n`);
      actual = Math.floor(row!.n / 10000);
    } finally {
      await db.close();
    }
    if (process.env.SCHEMAPLAN_TEST_MAJOR && actual !== major) {
      throw new Error(`SCHEMAPLAN_TEST_MAJOR=${major}, but the default test server (DATABASE_URL) runs PostgreSQL ${actual}`);
    }
  } catch (e) {
    await teardown();
    throw e;
  }
  project.provide('pgUrl', main!.url);
  project.provide('pg18Url', s18 ? s18.url : main!.url);
  project.provide('pgMajor', actual);
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pg18Url: string;
    /** Major version the default server (`pgUrl`) runs, read from it. */
    pgMajor: number;
  }
}
