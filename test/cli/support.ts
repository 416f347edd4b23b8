/**
 * Helpers of the end-to-end CLI tests: a throw-away copy of the worked example, the compiled CLI
 * run as a child process (`npm test` compiles dist/ first), and file-tree fingerprints.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { connect } from '../../src/db/connect.js';

/** The repository root (the worked example). */
export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(REPO, 'dist/src/cli/main.js');

if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` (npm test does)`);

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Copies schemaplan.yaml, schema/, migrations/ and plans/ of the worked example into a fresh folder. */
export function copyExample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-cli-'));
  made.push(dir);
  fs.copyFileSync(path.join(REPO, 'schemaplan.yaml'), path.join(dir, 'schemaplan.yaml'));
  for (const d of ['schema', 'migrations', 'plans']) fs.cpSync(path.join(REPO, d), path.join(dir, d), { recursive: true });
  return dir;
}

/** A fresh empty folder (no schemaplan.yaml, as on a user's first day), removed after the file's tests. */
export function emptyFolder(prefix = 'schemaplan-cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr. */
  all: string;
}

/**
 * Runs `node dist/src/cli/main.js ...args` in `cwd`. The environment has no DATABASE_URL (the test
 * harness may have one; the CLI would pick it up as the project's database), unless `env` sets it.
 */
export function run(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runNode(cwd, [CLI, ...args], env);
}

/** Runs `node ...args` in `cwd` (see {@link run} for the environment). */
export function runNode(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.DATABASE_URL;
  delete childEnv.SCHEMAPLAN_DEBUG;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, all: stdout + stderr }));
  });
}

/** `relative path → sha256` of every file under the given folders of `root` (a listing with hashes). */
export function fingerprint(root: string, dirs: string[] = ['migrations', 'plans']): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out[r] = createHash('sha256').update(fs.readFileSync(path.join(root, r))).digest('hex');
    }
  };
  for (const d of dirs) walk(d);
  return out;
}

/** File names in `root/dir` ending with `ext`. */
export function filesIn(root: string, dir: string, ext: string): string[] {
  return fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(ext)).sort();
}

/** Replaces line `n` (1-based) of a file by `text` (which may hold several lines). */
export function replaceLine(file: string, n: number, text: string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines[n - 1] = text;
  fs.writeFileSync(file, lines.join('\n'));
}

/** Runs SQL on a database (no psql needed). */
export async function sql(url: string, text: string): Promise<void> {
  const db = await connect(url);
  try {
    await db.exec(text);
  } finally {
    await db.close();
  }
}

/** Runs a query and returns its rows. */
export async function query<R extends Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const db = await connect(url);
  try {
    return await db.query<R>(text, params);
  } finally {
    await db.close();
  }
}

/** Tables of schema `public`, sorted. */
export async function tables(url: string): Promise<string[]> {
  const rows = await query<{ t: string }>(url, `SELECT relname AS t FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace ORDER BY 1`);
  return rows.map((r) => r.t);
}

/** Columns of table `public.<table>`, in order. */
export async function columns(url: string, table: string): Promise<string[]> {
  const rows = await query<{ c: string }>(url, `SELECT attname AS c FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [`public.${table}`]);
  return rows.map((r) => r.c);
}

/** The migration versions of the worked example, from its file names. */
export function exampleVersions(): string[] {
  return filesIn(REPO, 'migrations', '.sql').map((f) => f.slice(0, 14));
}

/**
 * stderr of a comparing command (`plan`, `diff`, `check`) without its first line, after checking
 * that the first line is the one naming what was compared (`comparing … → …: N schemas (…)`).
 */
export function afterComparedLine(stderr: string): string {
  const nl = stderr.indexOf('\n');
  const first = nl < 0 ? stderr : stderr.slice(0, nl);
  if (!/^comparing .+ → .+: \d+ schemas? /.test(first)) throw new Error(`stderr does not start with the compared line: ${first}`);
  return nl < 0 ? '' : stderr.slice(nl + 1);
}
