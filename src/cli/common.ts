/** Helpers shared by the command modules: configuration, output, errors and exit codes. */
import { loadConfig, type Config } from '../config/config.js';
import { redactText } from '../db/redact.js';

/** Exit codes of DESIGN.md's command table. */
export const EXIT = { ok: 0, error: 1, differences: 2, onlyBlocked: 3 } as const;

/** Options every command accepts. */
export interface GlobalOptions {
  url?: string;
  project?: string;
}

/** Loads the configuration of the project folder (`--project`, default the working directory). */
export function config(opts: GlobalOptions): Config {
  return loadConfig(opts.project ?? process.cwd(), { url: opts.url });
}

/** Secrets that must never be printed: passwords from the configured URL and PGPASSWORD. */
function secrets(): string[] {
  const out: string[] = [];
  if (process.env.PGPASSWORD) out.push(process.env.PGPASSWORD);
  for (const u of [process.env.DATABASE_URL, ...process.argv]) {
    const m = u ? /^postgres(?:ql)?:\/\/[^:/@]*:([^@/]+)@/i.exec(u) : null;
    if (m) out.push(m[1]!, decodeURIComponent(m[1]!));
  }
  return out;
}

/** Writes a line to stdout, with any password redacted. */
export function out(line = ''): void {
  process.stdout.write(redactText(line, secrets()) + (line.endsWith('\n') ? '' : '\n'));
}

/** Writes a line to stderr, with any password redacted. */
export function err(line: string): void {
  process.stderr.write(redactText(line, secrets()) + (line.endsWith('\n') ? '' : '\n'));
}

/**
 * Runs a command body: sets `process.exitCode` to what it returns, or prints a thrown error as one
 * `error: …` paragraph and exits 1. Never calls `process.exit()` (pending stdout writes would be lost
 * when piped, FACTS.md).
 */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await body(...args);
    } catch (e: any) {
      const msg = e?.message ? String(e.message) : String(e);
      err(`error: ${msg}`);
      if (process.env.SCHEMAPLAN_DEBUG && e?.stack) err(e.stack);
      process.exitCode = EXIT.error;
    }
  };
}

/** The database URL or a clear error. */
export function requireUrl(cfg: Config): string {
  if (!cfg.databaseUrl) throw new Error('no database: pass --url, set DATABASE_URL, or set database.url in schemaplan.yaml');
  return cfg.databaseUrl;
}
