import type { TestProject } from 'vitest/node';
import { startTestServer, type TestServer } from './server.js';

let server: TestServer | undefined;

/** vitest global setup: one PostgreSQL server for the whole run, its URL provided as `pgUrl`. */
export async function setup(project: TestProject): Promise<void> {
  server = await startTestServer();
  project.provide('pgUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
