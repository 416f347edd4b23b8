/**
 * Runs one command of the benchmark and measures it: wall time from spawn to exit (ms), and for a
 * Node program the peak resident set size of that process (KiB, `process.resourceUsage().maxRSS`
 * written at exit by bench/rss-hook.ts, preloaded with `node --import`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HOOK = fileURLToPath(new URL('./rss-hook.js', import.meta.url));

/** One finished run. */
export interface Outcome {
  /** Wall time from spawn to exit, ms. */
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS of the Node process in KiB; null for other programs or when not written. */
  maxRssKb: number | null;
}

/** What to run: a Node script (`node <script> …args`, RSS measured) or a program. */
export type Command = { node: string; args: string[] } | { bin: string; args: string[] };

/**
 * Runs `cmd` in `cwd` with `env` (replacing the environment, not added to it) and resolves when it
 * exits, whatever its exit code. @throws Error only when the program cannot be started
 */
export function measure(cmd: Command, opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  let file: string;
  let args: string[];
  let rssFile: string | null = null;
  if ('node' in cmd) {
    rssFile = path.join(os.tmpdir(), `schemaplan-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
    env.SCHEMAPLAN_BENCH_RSS_FILE = rssFile;
    file = process.execPath;
    args = ['--import', pathToFileURL(HOOK).href, cmd.node, ...cmd.args];
  } else {
    file = cmd.bin;
    args = cmd.args;
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (timer) clearTimeout(timer);
      let maxRssKb: number | null = null;
      if (rssFile) {
        try {
          maxRssKb = Number(fs.readFileSync(rssFile, 'utf8')) || null;
          fs.rmSync(rssFile, { force: true });
        } catch { /* not written (killed, crashed) */ }
      }
      resolve({ ms, code, stdout, stderr, maxRssKb });
    });
  });
}
