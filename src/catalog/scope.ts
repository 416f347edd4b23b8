/**
 * Scope: which schemas of a database are compared. By default every schema except PostgreSQL's
 * own (`pg_catalog`, `information_schema`, `pg_toast`, `pg_temp_*` and every other `pg_*` name,
 * which PostgreSQL reserves for system schemas: "CREATE SCHEMA", "The schema name cannot begin
 * with pg_") and the schemas that belong to an extension (`pg_depend.deptype = 'e'`, as pg_dump
 * leaves them to `CREATE EXTENSION`). `schemas` and `exclude` narrow that with `*` patterns.
 */
import type { Catalog } from './model.js';

/** The schema patterns of a comparison. */
export interface SchemaScope {
  /** Patterns of schemas to include (`*` matches any run of characters); default `['*']`. */
  schemas: string[];
  /** Patterns of schemas to leave out, applied after `schemas`. */
  excludeSchemas: string[];
}

/** The default scope: every schema that is not a system or an extension schema. */
export const DEFAULT_SCHEMAS: readonly string[] = ['*'];

/** One schema of a database, as the scope query reads it. */
export interface SchemaRow {
  name: string;
  /** True when the schema is a member of an extension (created by its script). */
  extension: boolean;
}

/** Reads every schema that is not PostgreSQL's own, with whether an extension owns it. */
export const SCHEMA_LIST_SQL = `
select n.nspname as name,
  exists (select 1 from pg_depend d where d.classid = 'pg_namespace'::regclass and d.objid = n.oid and d.deptype = 'e') as extension
from pg_namespace n
where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
order by 1`;

/** True for a pattern with a `*` wildcard. */
export function isPattern(p: string): boolean {
  return p.includes('*');
}

/** Turns a `*` pattern into a RegExp matching whole names (every other character is literal). */
export function patternRegExp(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/** True when `name` matches one of `patterns`. */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (isPattern(p) ? patternRegExp(p).test(name) : p === name));
}

/**
 * The schemas of `available` that the scope includes, sorted. A wildcard pattern never matches an
 * extension's schema; a schema named exactly is included even when an extension owns it.
 * @returns `schemas`: the included names; `missing`: names given exactly (no `*`) that are not in `available`
 */
export function resolveSchemas(available: readonly SchemaRow[], scope: SchemaScope): { schemas: string[]; missing: string[] } {
  const exact = scope.schemas.filter((p) => !isPattern(p));
  const wild = scope.schemas.filter(isPattern);
  const schemas = available
    .filter((s) => exact.includes(s.name) || (!s.extension && matchesAny(s.name, wild)))
    .filter((s) => !matchesAny(s.name, scope.excludeSchemas))
    .map((s) => s.name)
    .sort();
  const names = new Set(available.map((s) => s.name));
  return { schemas, missing: exact.filter((n) => !names.has(n)) };
}

/** Thrown when a schema named in the scope exists on neither side of a comparison. */
export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

/**
 * Checks that every schema named exactly in the scope exists on at least one side.
 * @throws ScopeError naming the schemas that exist on neither side
 */
export function assertNamedSchemasExist(sides: readonly Catalog[]): void {
  const missing = sides.map((c) => new Set(c.missingSchemas ?? []));
  const everywhere = [...(missing[0] ?? [])].filter((n) => missing.every((m) => m.has(n)));
  if (everywhere.length) {
    const list = everywhere.map((n) => `"${n}"`).join(', ');
    throw new ScopeError(`schema ${list} named in the scope (schemas: / --schema) exists on neither side; check the spelling, or remove it`);
  }
}

/**
 * One phrase naming the schemas compared, e.g. `11 schemas (cover_art_archive, dbmirror2, …)` or
 * `1 schema (public)`: the union of both sides.
 */
export function describeScope(sides: readonly Catalog[], max = 6): string {
  const names = [...new Set(sides.flatMap((c) => c.schemas))].sort();
  const shown = names.slice(0, max).join(', ') + (names.length > max ? ', …' : '');
  return `${names.length} schema${names.length === 1 ? '' : 's'}${names.length ? ` (${shown})` : ''}`;
}

/**
 * The one line a comparing command prints first (on stderr): what the current and desired states
 * are and which schemas were compared, e.g.
 * `comparing postgres://app:***@db/prod (--url) → schema/ loaded in PGlite: 11 schemas (…)`.
 */
export function comparedLine(current: string, desired: string, sides: readonly Catalog[]): string {
  return `comparing ${current} → ${desired}: ${describeScope(sides)}`;
}
