import pgIntrospection from 'pg-introspection';

const { reservedWords } = pgIntrospection;

const RESERVED = new Set(reservedWords.map((w) => w.toLowerCase()));

/**
 * Quotes an SQL identifier when PostgreSQL needs it (as `quote_ident` does): names that are not
 * plain lower-case identifiers, or that are keywords (the SQL-standard and PostgreSQL reserved
 * word list shipped by pg-introspection, a superset of PostgreSQL's reserved keywords, so it
 * over-quotes rather than under-quotes). Embedded `"` are doubled.
 */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name)) return name;
  return '"' + name.replace(/"/g, '""') + '"';
}

/** `schema.name`, each part quoted as needed. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** Quotes an SQL string literal (`'` doubled; standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}
