/**
 * The outside programs the benchmark compares against, located once: PostgreSQL's client programs
 * (pg_dump, psql, createdb, dropdb: the embedded server packages ship none, Debian's
 * postgresql-client does) and pg-delta's CLI (the `@supabase/pg-delta` dev dependency). Each is
 * either found or carries the reason it is missing, so the report can say why a column is empty.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** A program found (absolute path and its `--version` line), or why none was. */
export type Found = { bin: string; version: string } | { missing: string };

/** PostgreSQL client programs of one installation. */
export interface ClientTools {
  pgDump: Found;
  psql: Found;
  createdb: Found;
  dropdb: Found;
}

/** Major version in a `pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)` line, or null. */
export function clientMajor(versionLine: string): number | null {
  const m = /\)\s*(\d+)/.exec(versionLine) ?? /(\d+)\.\d+/.exec(versionLine);
  return m ? Number(m[1]) : null;
}

/** True for Debian's pg_wrapper (a Perl script that picks a cluster, adding its own start-up time). */
function isWrapper(bin: string): boolean {
  try {
    return path.basename(fs.realpathSync(bin)) === 'pg_wrapper';
  } catch {
    return true;
  }
}

async function versionOf(bin: string): Promise<string | null> {
  try {
    const { stdout } = await execFileP(bin, ['--version'], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

/**
 * The client programs of the lowest installed major ≥ `serverMajor` (pg_dump refuses a newer
 * server; the real binaries are preferred to Debian's wrapper). Searched in PATH and the usual
 * install folders (/usr/lib/postgresql/<major>/bin, /usr/pgsql-<major>/bin, /usr/local/pgsql/bin).
 * Never throws: a missing program is `{ missing: reason }`.
 */
export async function findClientTools(serverMajor: number): Promise<ClientTools> {
  const dirs = new Set<string>();
  for (const base of ['/usr/lib/postgresql', '/opt/homebrew/opt']) {
    try {
      for (const v of fs.readdirSync(base)) dirs.add(path.join(base, v, 'bin'));
    } catch { /* absent */ }
  }
  for (let v = 10; v <= 20; v++) dirs.add(`/usr/pgsql-${v}/bin`);
  dirs.add('/usr/local/pgsql/bin');
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) dirs.add(d);

  const installs: Array<{ dir: string; major: number; wrapper: boolean; version: string }> = [];
  for (const dir of dirs) {
    const bin = path.join(dir, 'pg_dump');
    if (!fs.existsSync(bin)) continue;
    const version = await versionOf(bin);
    const major = version ? clientMajor(version) : null;
    if (version && major != null) installs.push({ dir, major, wrapper: isWrapper(bin), version });
  }
  const usable = installs
    .filter((i) => i.major >= serverMajor)
    .sort((a, b) => a.major - b.major || Number(a.wrapper) - Number(b.wrapper));
  const best = usable[0];
  const seen = installs.map((i) => `${i.version} in ${i.dir}`).join('; ');
  const why = best
    ? ''
    : installs.length
      ? `no pg_dump of PostgreSQL ≥ ${serverMajor} (found: ${seen}); install the PostgreSQL ${serverMajor} client programs (Debian: postgresql-client-${serverMajor})`
      : `pg_dump not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL client programs (Debian: postgresql-client-${serverMajor})`;
  const pick = async (name: string): Promise<Found> => {
    if (!best) return { missing: why };
    const bin = path.join(best.dir, name);
    if (!fs.existsSync(bin)) return { missing: `${name} is not beside ${path.join(best.dir, 'pg_dump')}` };
    const version = await versionOf(bin);
    return version ? { bin, version } : { missing: `${bin} --version failed` };
  };
  return { pgDump: await pick('pg_dump'), psql: await pick('psql'), createdb: await pick('createdb'), dropdb: await pick('dropdb') };
}

/**
 * pg-delta's CLI script (`pgdelta`, run with this Node), from the nearest node_modules above `root`.
 * Never throws: `{ missing }` when the package is not installed or does not run.
 */
export async function findPgDelta(root: string): Promise<Found> {
  let dir = root;
  for (;;) {
    const pkgJson = path.join(dir, 'node_modules', '@supabase', 'pg-delta', 'package.json');
    if (fs.existsSync(pkgJson)) {
      const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string; bin?: Record<string, string> };
      const rel = pkg.bin?.pgdelta;
      if (!rel) return { missing: `@supabase/pg-delta ${pkg.version} declares no pgdelta bin` };
      const bin = path.join(path.dirname(pkgJson), rel);
      try {
        const { stdout } = await execFileP(process.execPath, [bin, '--version'], { timeout: 30_000 });
        return { bin, version: `pg-delta ${stdout.trim()}` };
      } catch (e) {
        return { missing: `pgdelta --version failed: ${String((e as Error).message).split('\n')[0]}` };
      }
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return { missing: 'pg-delta is not installed (npm install -D @supabase/pg-delta@1.0.0-alpha.34)' };
}

/** True when `f` was found. */
export function found(f: Found): f is { bin: string; version: string } {
  return 'bin' in f;
}
