import { QUOTED_KEYWORDS } from './keywords.js';

const RESERVED = new Set(QUOTED_KEYWORDS);

/**
 * Quotes an SQL identifier when PostgreSQL needs it, as `quote_ident` does: names other than a
 * lower-case letter or `_` followed by lower-case letters, digits and `_` (a `$` or a non-ASCII
 * letter is quoted), and keywords other than unreserved ones (see keywords.ts). Embedded `"` are
 * doubled.
 */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name)) return name;
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

/**
 * Splits a configured table name into schema and name: `name`, `schema.name`, or either part in
 * double quotes (`"Ops"."Migration ""History"""`, quotes doubled inside), as in SQL. An unquoted part
 * is used as written (lower-case it yourself: PostgreSQL would fold it); the schema defaults to `public`.
 * @param where prefix for error messages (e.g. the config file name)
 * @throws Error for an empty part, an unclosed quote or more than two parts
 */
export function parseTableName(spec: string, where = 'table'): [string, string] {
  const parts: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${where}: table ${JSON.stringify(spec)}: ${why}; write name, schema.name or "Quoted Schema"."Quoted Name"`);
  };
  while (i <= spec.length) {
    let part = '';
    if (spec[i] === '"') {
      i++;
      for (;;) {
        if (i >= spec.length) fail('unclosed double quote');
        if (spec[i] === '"') {
          if (spec[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += spec[i++];
      }
      if (i < spec.length && spec[i] !== '.') fail('text after a closing quote');
    } else {
      const dot = spec.indexOf('.', i);
      part = (dot < 0 ? spec.slice(i) : spec.slice(i, dot)).trim();
      i = dot < 0 ? spec.length : dot;
    }
    if (part === '') fail('empty name part');
    parts.push(part);
    if (i >= spec.length) break;
    i++; // the dot
  }
  if (parts.length > 2) fail('more than two parts');
  return parts.length === 1 ? ['public', parts[0]!] : [parts[0]!, parts[1]!];
}
