import type { TestProject } from 'vitest/node';
import { startTestServer, type TestServer } from './server.js';

const servers: TestServer[] = [];

/**
 * vitest global setup: one PostgreSQL 15 server for the whole run (`pgUrl`; `DATABASE_URL` replaces
 * it) and one PostgreSQL 18 server for the cross-version tests (`pg18Url`; `DATABASE_URL_18`
 * replaces it).
 */
export async function setup(project: TestProject): Promise<void> {
  const [s15, s18] = await Promise.all([startTestServer(15), startTestServer(18)]);
  servers.push(s15!, s18!);
  project.provide('pgUrl', s15!.url);
  project.provide('pg18Url', s18!.url);
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pg18Url: string;
  }
}
