/**
 * A throw-away PgBouncer in front of the test server, for the tests of the runner behind a connection
 * pooler. Uses the system `pgbouncer` binary (Debian/Ubuntu package `pgbouncer`; 1.18 on Debian 12);
 * when it is absent, {@link pgbouncerBinary} says so and the tests skip.
 *
 * PgBouncer refuses to run as root ("PgBouncer should not run as root"). As root it runs as the
 * system user `postgres`, which the embedded test server already runs as (src/db/embedded.ts creates
 * it): its folder (configuration, auth file, Unix socket) is owned by that user.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A running PgBouncer. */
export interface Pgbouncer {
  /** The folder of its Unix socket (`.s.PGSQL.<port>`). */
  socketDir: string;
  port: number;
  /** The same URL (user, password, database) through PgBouncer instead of directly. */
  through(url: string): string;
  /** Stops it (SIGINT, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>;
}

/** Settings of {@link startPgbouncer}. */
export interface PgbouncerOptions {
  /** `pool_mode` (default `transaction`). */
  poolMode?: 'session' | 'transaction' | 'statement';
  /** `default_pool_size`: server connections per database and user (default 4). */
  poolSize?: number;
}

/** The path of the `pgbouncer` binary (PATH, then /usr/sbin, /usr/bin), or `undefined` when it is not installed. */
export function pgbouncerBinary(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin']) {
    if (!dir) continue;
    const p = path.join(dir, 'pgbouncer');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

function ids(user: string): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', user]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', user]).toString().trim()),
  };
}

/**
 * The parts of a libpq URI (`postgres://user:pw@host:port/db?host=/socket&port=…`; WHATWG URL cannot
 * parse the empty host of a socket URL): host (socket folder or name), port, user, password, database.
 */
function uriParts(url: string): { host: string; port: string; user: string; password: string; dbname: string } {
  const m = /^postgres(?:ql)?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/.exec(url);
  if (!m) throw new Error('not a postgres:// URL');
  const q = new URLSearchParams(m[5] ?? '');
  const [hostname, hostPort] = (m[3] ?? '').split(':');
  return {
    host: q.get('host') ?? (hostname || '/tmp'),
    port: q.get('port') ?? (hostPort || '5432'),
    user: decodeURIComponent(m[1] || 'postgres'),
    password: decodeURIComponent(m[2] ?? ''),
    dbname: decodeURIComponent(m[4] || 'postgres'),
  };
}

/**
 * Starts PgBouncer in front of the server of `serverUrl` (a superuser URL in libpq URI form, as the
 * test server's): every database name is forwarded (`* = host=… port=…`), clients authenticate with
 * the server URL's user and password (SCRAM, auth file in plain text so PgBouncer can log in to the
 * server with SCRAM too), listening only on a Unix socket on a random port.
 * @throws Error with PgBouncer's log when it does not accept connections within 10 s
 */
export async function startPgbouncer(serverUrl: string, opts: PgbouncerOptions = {}): Promise<Pgbouncer> {
  const bin = pgbouncerBinary();
  if (!bin) throw new Error('pgbouncer is not installed');
  const s = uriParts(serverUrl);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const owner = isRoot ? ids('postgres') : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-pgbouncer-'));
  const port = 20000 + Math.floor(Math.random() * 40000);
  const q = (v: string) => v.replace(/'/g, "''");
  fs.writeFileSync(path.join(dir, 'users.txt'), `"${s.user.replace(/"/g, '""')}" "${s.password.replace(/"/g, '""')}"\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host='${q(s.host)}' port=${s.port}`,
    '[pgbouncer]',
    'listen_addr =',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    `auth_type = scram-sha-256`,
    `auth_file = ${path.join(dir, 'users.txt')}`,
    `pool_mode = ${opts.poolMode ?? 'transaction'}`,
    `default_pool_size = ${opts.poolSize ?? 4}`,
    'max_client_conn = 500',
    'max_db_connections = 0',
    'ignore_startup_parameters = extra_float_digits,options',
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'));
  if (owner) for (const f of ['', 'users.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, f), owner.uid, owner.gid);
  const child = spawn(bin, [path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'], ...(owner ?? {}) });
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + String(d)).slice(-4000)));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const through = (target: string) => {
    const t = uriParts(target);
    return `postgres://${encodeURIComponent(t.user)}:${encodeURIComponent(t.password)}@/${encodeURIComponent(t.dbname)}?host=${encodeURIComponent(dir)}&port=${port}`;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      process.removeListener('exit', kill);
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`pgbouncer exited with ${child.exitCode}: ${log.trim()}`);
    }
    const c = new pg.Client({ connectionString: through(serverUrl) });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) {
        kill();
        process.removeListener('exit', kill);
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`pgbouncer did not accept connections within 10 s: ${(e as Error).message}; ${log.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    socketDir: dir,
    port,
    through,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) kill();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
