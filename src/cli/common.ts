/** Helpers shared by the command modules: configuration, output, errors and exit codes. */
import fs from 'node:fs';
import path from 'node:path';
import { stopEmbeddedServers } from '../db/shadow.js';
import { CONFIG_FILE, loadConfig, type Config } from '../config/config.js';
import { redactText, rememberedSecrets } from '../db/redact.js';
import { colourFor, paintPrefix } from './conventions.js';

/** Exit codes of the command table (README "Commands"). */
export const EXIT = { ok: 0, error: 1, differences: 2, onlyBlocked: 3 } as const;

/** Options every command accepts. */
export interface GlobalOptions {
  url?: string;
  project?: string;
}

/** Passwords of URLs seen by this process (configuration, flags, environment): never printed. */
const knownSecrets = new Set<string>();

/** Records the password(s) of every `postgres://` URL inside `text` (`user:pw@` and `password=`). */
function rememberPasswords(text: string | undefined): void {
  if (!text) return;
  for (const m of text.matchAll(/postgres(?:ql)?:\/\/[^:/@\s]*:([^@/\s]+)@/gi)) addSecret(m[1]!);
  for (const m of text.matchAll(/[?&]password=([^&\s]+)/gi)) addSecret(m[1]!);
}

function addSecret(s: string): void {
  knownSecrets.add(s);
  try {
    knownSecrets.add(decodeURIComponent(s));
  } catch {
    // not percent-encoded: the raw form is enough
  }
}

/** Loads the configuration of the project folder (`--project`, default the working directory). */
export function config(opts: GlobalOptions): Config {
  const cfg = loadConfig(opts.project ?? process.cwd(), { url: opts.url });
  rememberPasswords(cfg.databaseUrl);
  rememberPasswords(cfg.shadow);
  return cfg;
}

/** Secrets that must never be printed: passwords from URLs in the arguments, the environment and the configuration, and PGPASSWORD. */
function secrets(): string[] {
  if (process.env.PGPASSWORD) addSecret(process.env.PGPASSWORD);
  rememberPasswords(process.env.DATABASE_URL);
  for (const a of process.argv) rememberPasswords(a);
  for (const s of rememberedSecrets()) knownSecrets.add(s); // passwords used to connect (URL, PGPASSWORD, password file)
  // Longest first, so a password containing another one is removed whole.
  return [...knownSecrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** Writes a line to stdout, with any password redacted. */
export function out(line = ''): void {
  process.stdout.write(redactText(line, secrets()) + (line.endsWith('\n') ? '' : '\n'));
}

/** Writes a line to stderr, with any password redacted; an `error:`/`warning:` prefix is coloured on a terminal (not under NO_COLOR). */
export function err(line: string): void {
  process.stderr.write(paintPrefix(redactText(line, secrets()), colourFor(process.stderr)) + (line.endsWith('\n') ? '' : '\n'));
}

/**
 * Runs a command body: sets `process.exitCode` to what it returns, or prints a thrown error as one
 * `error: …` paragraph and exits 1. Never calls `process.exit()` (pending stdout writes would be lost
 * when piped).
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
    } finally {
      await stopEmbeddedServers(); // an `embedded:<major>` shadow's server, if one was started
    }
  };
}

/**
 * Refuses to work outside a project: no schemaplan.yaml and none of the schema sources exists.
 * @throws Error suggesting `schemaplan init`
 */
export function requireProject(cfg: Config): void {
  if (fs.existsSync(path.join(cfg.root, CONFIG_FILE)) || cfg.schema.some((s) => fs.existsSync(s))) return;
  throw new Error(`${cfg.root} is not a schemaplan project (no ${CONFIG_FILE}, no schema/): run \`schemaplan init\` there to create one, or pass -C <project folder>`);
}

/** The database URL or a clear error. */
export function requireUrl(cfg: Config): string {
  if (!cfg.databaseUrl) throw new Error('no database: pass --url, set DATABASE_URL, or set database.url in schemaplan.yaml');
  return cfg.databaseUrl;
}

/** Commander's collector of a repeatable option: each occurrence is appended. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The scope flags of `diff`, `plan` and `check`. */
export interface ScopeFlags {
  schema?: string[];
  excludeSchema?: string[];
}

/** `cfg` with `--schema` (replacing `schemas:`) and `--exclude-schema` (added to the excluded schemas) applied. */
export function scopeFlags(cfg: Config, flags: ScopeFlags): Config {
  const out = { ...cfg };
  if (flags.schema?.length) Object.assign(out, { schemas: [...flags.schema], schemasSet: true });
  if (flags.excludeSchema?.length) out.excludeSchemas = [...cfg.excludeSchemas, ...flags.excludeSchema];
  return out;
}
