/**
 * `pg_dump --schema-only` for the convergence tests. The embedded PostgreSQL packages do not ship
 * pg_dump, so it is used when one of the server's major version is found on PATH or under
 * /usr/lib/postgresql/<major>/bin; otherwise `findPgDump` says why it is not used.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { comparableExpression } from '../../src/catalog/normalize.js';

/** A pg_dump binary of `major`, or the reason there is none. */
export function findPgDump(major: number): { bin: string } | { missing: string } {
  const candidates = [path.join('/usr/lib/postgresql', String(major), 'bin', 'pg_dump')];
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) candidates.push(path.join(d, 'pg_dump'));
  for (const bin of candidates) {
    if (!fs.existsSync(bin)) continue;
    try {
      const v = execFileSync(bin, ['--version'], { encoding: 'utf8' });
      const m = /\)\s*(\d+)/.exec(v) ?? /(\d+)\.\d+/.exec(v);
      if (m && Number(m[1]) === major) return { bin };
    } catch { /* not runnable (a Debian wrapper without a cluster, …) */ }
  }
  return { missing: `no pg_dump of PostgreSQL ${major} on PATH or in /usr/lib/postgresql/${major}/bin (the embedded server packages do not ship it)` };
}

/** Runs pg_dump --schema-only against a `postgres://user:pw@/db?host=/socket&port=N` URL. */
export function schemaDump(bin: string, url: string): string {
  const u = new URL(url.replace(/^postgres(ql)?:\/\/([^@/]*)@\//, 'postgres://$2@localhost/'));
  const host = u.searchParams.get('host') ?? u.hostname;
  const port = u.searchParams.get('port') ?? (u.port || '5432');
  return execFileSync(bin, ['--schema-only', '--no-sync', '-h', host, '-p', port, '-U', decodeURIComponent(u.username), '-d', decodeURIComponent(u.pathname.slice(1))], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) }, maxBuffer: 1 << 30, encoding: 'utf8',
  });
}

/**
 * A dump in the form compared: comments, blank lines, session SETs and the per-run `\restrict` keys
 * dropped, and the column lines of each CREATE TABLE sorted (a column a tool appends to an existing
 * table sits last, which is no difference in the schema). Expressions PostgreSQL prints differently
 * once re-created from its own output (`comparableExpression`: array casts, implied aliases) are
 * taken in their re-created form, as the diff does.
 */
export function comparableDump(dump: string): string {
  const lines = comparableExpression(dump).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('--') && !/^SET |^SELECT pg_catalog\.set_config|^\\(un)?restrict /.test(l));
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    out.push(l);
    if (/^CREATE (UNLOGGED )?TABLE .*\($/.test(l)) {
      const body: string[] = [];
      while (i + 1 < lines.length && !/^\)/.test(lines[i + 1]!)) body.push(lines[++i]!.replace(/,$/, ''));
      out.push(...body.sort());
    }
  }
  return out.join('\n');
}

/** Lines of `actual` missing from `expected` (`+`) and the reverse (`-`), as multisets: empty when the dumps hold the same lines. */
export function dumpLineDifferences(actual: string, expected: string): string[] {
  const count = (s: string) => {
    const m = new Map<string, number>();
    for (const l of s.split('\n')) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const a = count(actual);
  const b = count(expected);
  const out: string[] = [];
  for (const [l, n] of a) for (let i = (b.get(l) ?? 0); i < n; i++) out.push(`+ ${l}`);
  for (const [l, n] of b) for (let i = (a.get(l) ?? 0); i < n; i++) out.push(`- ${l}`);
  return out;
}
