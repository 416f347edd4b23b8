import type { ObjectKind } from './model.js';

/**
 * Object identities: `<kind>:<part>.<part>…`, e.g. `table:public.leads`, `column:public.leads.email`,
 * `function:public.lead_score(integer)`. This module is the one place identities are built and read.
 *
 * Parts are joined with `.`. A part holding a `.` or a `"` is written in double quotes, inner quotes
 * doubled (`table:"a.b".c`, `table:a."b.c"`, `table:public."say ""hi"""`); every other part, mixed
 * case included, is written as is, so an identity of ordinary names is what it always was (plan
 * documents record identities and per-object hashes that include them). An empty part is written as
 * nothing (`default_acl:..TABLES`): a part count is one more than the dots outside quotes, so an empty
 * part is not ambiguous.
 *
 * A function identity (`kind` `function`: functions, procedures and aggregates) ends with the
 * argument list `(<identity arguments>)`, attached to the name part unquoted: `function:public."f.g"(a.t)`.
 * Its schema and name parts are also quoted when they hold a `(`, so the argument list is the text from the first
 * `(` outside quotes.
 */

/** An identity read back: its kind and its name parts (schema first). */
export interface ParsedId {
  /** The text before the first `:`, e.g. `table`. */
  kind: string;
  /**
   * The name parts, unquoted, e.g. `['a.b', 'c']` for `table:"a.b".c`. For a function the last part
   * carries the argument list, as the identity shows it: `['public', 'f(integer)']`.
   */
  parts: string[];
  /** A function's argument list without the parentheses (`integer, text`); absent for other kinds. */
  args?: string;
}

/** Thrown when a text is not an identity (no `:`, or an unterminated quoted part). */
export class IdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}

/** One part as an identity writes it: in double quotes (inner quotes doubled) when it holds `.` or `"`, else as is. */
export function quotePart(part: string, extra = ''): string {
  let special = part.includes('.') || part.includes('"');
  for (let i = 0; !special && i < extra.length; i++) special = part.includes(extra[i]!);
  return special ? `"${part.replace(/"/g, '""')}"` : part;
}

/**
 * Builds an identity from a kind and name parts: `objectId('table', 'public', 'leads')` →
 * `table:public.leads`; `objectId('table', 'a.b', 'c')` → `table:"a.b".c`. For functions use
 * {@link functionId}.
 */
export function objectId(kind: ObjectKind, ...parts: string[]): string {
  // A loop rather than map/join: introspection builds one identity per catalog row.
  let id = `${kind}:`;
  for (let i = 0; i < parts.length; i++) id += (i ? '.' : '') + quotePart(parts[i]!);
  return id;
}

/**
 * The identity of a function, procedure or aggregate: `functionId('public', 'f', 'integer')` →
 * `function:public.f(integer)`. `identityArgs` is `pg_get_function_identity_arguments` text, kept
 * as is; the schema and the name are quoted when they hold `.`, `"` or `(`.
 */
export function functionId(schema: string, name: string, identityArgs: string): string {
  return `function:${quotePart(schema, '(')}.${quotePart(name, '(')}(${identityArgs})`;
}

/**
 * The identity of a sub-object named `names` of the object `parentId` (a column, constraint, index
 * of a table …): `childId('column', 'table:"a.b".c', 'x')` → `column:"a.b".c.x`.
 * @throws IdentityError when `parentId` is not an identity
 */
export function childId(kind: ObjectKind, parentId: string, ...names: string[]): string {
  return objectId(kind, ...parseId(parentId).parts, ...names);
}

/**
 * Reads an identity back into its kind and unquoted parts (the inverse of {@link objectId} and, with
 * the argument list attached to the last part, of {@link functionId}).
 * @throws IdentityError when `id` has no `:` or a quoted part is not closed
 */
export function parseId(id: string): ParsedId {
  const colon = id.indexOf(':');
  if (colon < 0) throw new IdentityError(`not an object identity (no kind): ${id}`);
  const kind = id.slice(0, colon);
  const isFunction = kind === 'function';
  const parts: string[] = [];
  let args: string | undefined;
  let i = colon + 1;
  for (;;) {
    let part = '';
    if (id[i] === '"') {
      i++;
      for (;;) {
        if (i >= id.length) throw new IdentityError(`unterminated quoted part in object identity: ${id}`);
        if (id[i] === '"') {
          if (id[i + 1] === '"') { part += '"'; i += 2; continue; }
          i++;
          break;
        }
        part += id[i++];
      }
    }
    // Unquoted text (or text after a closing quote, which objectId never writes) runs to the next dot.
    while (i < id.length && id[i] !== '.') {
      if (isFunction && id[i] === '(') { args = id.slice(i); i = id.length; break; }
      part += id[i++];
    }
    if (args !== undefined) {
      parts.push(part + args);
      break;
    }
    parts.push(part);
    if (i >= id.length) break;
    i++; // the dot
  }
  if (args !== undefined) return { kind, parts, args: args.endsWith(')') ? args.slice(1, -1) : args.slice(1) };
  return { kind, parts };
}

/** The kind of an identity: the text before its first `:` (`table` for `table:"a.b".c`). */
export function idKind(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? '' : id.slice(0, colon);
}

/**
 * An identity without its kind, for display and plan documents: `table:public.leads` →
 * `public.leads`, `table:"a.b".c` → `"a.b".c` (the parts stay quoted, so the text names one object).
 */
export function idName(id: string): string {
  return id.slice(id.indexOf(':') + 1);
}
