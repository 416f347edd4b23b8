/**
 * Helpers of the runner's CLI tests: throw-away projects, the compiled CLI run as a child process with
 * every output kept (so each test file can prove no password was ever printed), and database probes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { serverUrl } from '../support/db.js';
import { CLI, query, run, type RunResult } from '../cli/support.js';

export { query, sql } from '../cli/support.js';

/** Every stdout/stderr of the CLI runs of this test file, with the command that produced it. */
export const outputs: Array<{ args: string[]; text: string }> = [];

/** Passwords that must never be printed: the test server's and any registered by a test. */
const secrets = new Set<string>();

/** Registers a password that no output may contain. */
export function secret(pw: string): string {
  secrets.add(pw);
  return pw;
}

/** The password of the test server's superuser URL (every database URL of the tests carries it). */
export function serverPassword(): string {
  const m = /^postgres(?:ql)?:\/\/[^:/@]*:([^@/]*)@/.exec(serverUrl(15));
  return secret(decodeURIComponent(m?.[1] ?? ''));
}

/** The registered passwords (at least the server's). */
export function allSecrets(): string[] {
  serverPassword();
  return [...secrets].filter((s) => s.length >= 4);
}

/** Runs the CLI (see test/cli/support.ts `run`) and keeps its output for the password check. */
export async function cli(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const r = await run(cwd, args, env);
  outputs.push({ args, text: r.all });
  return r;
}

/** Starts the CLI without waiting (for kill tests); its output is kept when it ends. */
export function spawnCli(cwd: string, args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<RunResult> } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.DATABASE_URL;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      outputs.push({ args, text: stdout + stderr });
      resolve({ code, stdout, stderr, all: stdout + stderr });
    });
  });
  return { child, done };
}

/** Outputs (with their commands) that contain a registered password. */
export function leaks(): Array<{ args: string[]; secret: string }> {
  const found: Array<{ args: string[]; secret: string }> = [];
  for (const o of outputs) for (const s of allSecrets()) if (o.text.includes(s) || o.text.includes(encodeURIComponent(s))) found.push({ args: o.args, secret: s });
  return found;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh project folder: schemaplan.yaml (extra YAML appended), migrations/ with the given files, schema/schema.sql. */
export function project(files: Record<string, string | Buffer>, yaml = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-runner-'));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), `schema: schema\nmigrations: migrations\nplans: plans\n${yaml}`);
  fs.mkdirSync(path.join(dir, 'migrations'));
  fs.mkdirSync(path.join(dir, 'schema'));
  fs.writeFileSync(path.join(dir, 'schema/schema.sql'), '');
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'migrations', f), t);
  return dir;
}

/** Copies a folder into a fresh temporary one. */
export function copyDir(src: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-runner-'));
  made.push(dir);
  fs.cpSync(src, dir, { recursive: true });
  return dir;
}

/** A dbmate-format migration. */
export const mig = (upSql: string, downSql: string, opt = '') => `-- migrate:up${opt}\n${upSql}\n-- migrate:down${opt}\n${downSql}\n`;

/** Rows of the tracking table (version → error), or null when it does not exist. */
export async function trackingRows(url: string, table = 'public.schema_migrations'): Promise<Array<{ version: string; error: string | null }> | null> {
  const [{ t }] = await query<{ t: string | null }>(url, 'SELECT to_regclass($1)::text AS t', [table]);
  if (t === null) return null;
  const cols = await query<{ attname: string }>(url, `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, [table]);
  const hasError = cols.some((c) => c.attname === 'error');
  return query(url, `SELECT version::text AS version, ${hasError ? 'error' : 'NULL::text AS error'} FROM ${table} ORDER BY version`);
}

/** Whether a relation exists. */
export async function exists(url: string, name: string): Promise<boolean> {
  const [{ t }] = await query<{ t: string | null }>(url, 'SELECT to_regclass($1)::text AS t', [name]);
  return t !== null;
}

/** Polls `probe` every 50 ms until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(probe: () => Promise<T>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
