/**
 * The one place where catalog output that differs between PostgreSQL majors, or between builds, is
 * made comparable. Known differences:
 * - 15 → 16: `pg_get_viewdef` drops the `alias.` prefix of columns when a query level reads one
 *   relation. Both texts are kept as PostgreSQL prints them (they are what generated SQL uses);
 *   `comparableViewDefinition` gives the form compared when the two catalogs come from majors on
 *   both sides of that change.
 * - 16 → 17: table privileges gain MAINTAIN. ACLs are normalised (`normalizeAcl`): a grantee holding
 *   every privilege of the object kind *on its server's version* is recorded as `ALL`, so `GRANT ALL`
 *   and the owner's default privileges read the same on 15 and on 17+.
 * - 17 → 18: every NOT NULL is a `pg_constraint` row (`contype = 'n'`), and 17 adds them for domains:
 *   introspection reads NOT NULL from `attnotnull` / `typnotnull` and never models those rows.
 * - 17: `attstattarget` / `stxstattarget` "default" became NULL instead of -1: both read as null.
 * - Boolean reloptions are stored as given (`security_invoker='true'`, `=on`, `=1`): compared as
 *   `true`/`false` and in name order (`reloptionMap`); generated SQL keeps the stored spelling.
 * - contrib extension versions move between majors: the version is kept for information but is not
 *   compared (see `fingerprint.ts` and the diff).
 * Everything else is passed through; the result is sorted so that equal catalogs serialise equally.
 */
import type { Catalog, CatalogObject, ObjectKind } from './model.js';
import { rememberObjectLists } from './object-lists.js';

/**
 * Returns `cat` with its objects in identity order and every dependency list sorted without
 * repeats. Pure: an object whose list already is so is shared with `cat`, any other is copied
 * (introspection sorts the lists as it builds them, so a large catalog is not copied again).
 */
export function normalizeCatalog(cat: Catalog): Catalog {
  const objects: Record<string, CatalogObject> = {};
  // The walk is in identity order: the lists of `allObjects` and `objectsOfKind` come with it.
  const all: CatalogObject[] = [];
  const groups = new Map<ObjectKind, CatalogObject[]>();
  for (const id of Object.keys(cat.objects).sort()) {
    const o = cat.objects[id]!;
    const n = sortedUnique(o.deps) ? o : ({ ...o, deps: [...new Set(o.deps)].sort() } as CatalogObject);
    objects[id] = n;
    all.push(n);
    const list = groups.get(n.kind);
    if (list) list.push(n);
    else groups.set(n.kind, [n]);
  }
  rememberObjectLists(objects, all, groups);
  return { ...cat, objects };
}

/** True when `list` is in ascending order (as `Array.prototype.sort` orders strings) with no repeats. */
function sortedUnique(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1]! < list[i]!)) return false;
  return true;
}

/** ACL object kinds as `acldefault` names them (`F` foreign-data wrapper, `S` foreign server), plus `c` for a column. */
export type AclKind = 'r' | 's' | 'f' | 'n' | 'T' | 'c' | 'F' | 'S';

/** Every privilege an object kind has on a server version (what `GRANT ALL` grants). */
export function allPrivileges(kind: AclKind, serverVersion: number): string[] {
  switch (kind) {
    case 'r': return ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', ...(serverVersion >= 170000 ? ['MAINTAIN'] : [])];
    case 's': return ['USAGE', 'SELECT', 'UPDATE'];
    case 'f': return ['EXECUTE'];
    case 'n': return ['USAGE', 'CREATE'];
    case 'T': return ['USAGE'];
    case 'c': return ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'];
    case 'F':
    case 'S': return ['USAGE'];
  }
}

/** One `aclexplode` row: grantee (`PUBLIC`, `@owner` or a role name), privilege, grant option. */
export interface AclRow {
  grantee: string;
  privilege: string;
  grantable: boolean;
}

/**
 * Normalised ACL items (see `model.ts`, `Granted`): sorted `grantee:PRIVILEGE[*]`, with `ALL[*]`
 * for a grantee that holds every privilege of the kind on `serverVersion`.
 */
export function normalizeAcl(rows: AclRow[], kind: AclKind, serverVersion: number): string[] {
  const all = allPrivileges(kind, serverVersion);
  const byGrantee = new Map<string, Map<string, boolean>>();
  for (const r of rows) {
    const m = byGrantee.get(r.grantee) ?? new Map<string, boolean>();
    m.set(r.privilege, (m.get(r.privilege) ?? false) || r.grantable);
    byGrantee.set(r.grantee, m);
  }
  const out: string[] = [];
  for (const [grantee, privs] of byGrantee) {
    if (all.every((p) => privs.has(p)) && privs.size === all.length) {
      const grantable = all.every((p) => privs.get(p));
      const plain = all.every((p) => !privs.get(p));
      if (grantable || plain) {
        out.push(`${grantee}:ALL${grantable ? '*' : ''}`);
        continue;
      }
    }
    for (const [p, g] of privs) out.push(`${grantee}:${p}${g ? '*' : ''}`);
  }
  return out.sort();
}

/** The normalised default ACL of a kind (`acldefault`): what an object has before any GRANT/REVOKE. */
export function defaultAcl(kind: AclKind): string[] {
  switch (kind) {
    case 'f':
    case 'T':
      return ['@owner:ALL', 'PUBLIC:ALL'];
    case 'c':
      return [];
    default:
      return ['@owner:ALL'];
  }
}

/** Parses a normalised ACL item into grantee, privilege and grant option. */
export function parseAclItem(item: string): AclRow {
  const i = item.lastIndexOf(':');
  const grantable = item.endsWith('*');
  return { grantee: item.slice(0, i), privilege: item.slice(i + 1, grantable ? -1 : undefined), grantable };
}

/** Boolean reloptions as `name=true` / `name=false` (PostgreSQL keeps the spelling it was given). */
export function normalizeReloptions(options: readonly string[] | null | undefined): string[] {
  return (options ?? [])
    .map((o) => {
      const eq = o.indexOf('=');
      if (eq < 0) return `${o}=true`;
      const name = o.slice(0, eq);
      const value = o.slice(eq + 1).replace(/^'(.*)'$/, '$1');
      const lower = value.toLowerCase();
      if (['true', 'on', 'yes', '1', 't', 'y'].includes(lower) && BOOLEAN_RELOPTIONS.has(name)) return `${name}=true`;
      if (['false', 'off', 'no', '0', 'f', 'n'].includes(lower) && BOOLEAN_RELOPTIONS.has(name)) return `${name}=false`;
      return `${name}=${value}`;
    })
    .sort();
}

const BOOLEAN_RELOPTIONS = new Set([
  'security_barrier', 'security_invoker', 'autovacuum_enabled', 'toast.autovacuum_enabled', 'user_catalog_table',
  'vacuum_truncate', 'toast.vacuum_truncate', 'parallel_insert_enabled',
]);

/** Storage parameters as name → normalised value (see `normalizeReloptions`), for comparisons. */
export function reloptionMap(options: readonly string[]): Map<string, string> {
  return new Map(normalizeReloptions(options).map((o) => [o.slice(0, o.indexOf('=')), o]));
}

/** `attstattarget` / `stxstattarget`: -1 (≤ 16) and NULL (≥ 17) both mean "default". */
export function normalizeStatisticsTarget(v: number | null | undefined): number | null {
  return v === null || v === undefined || v < 0 ? null : v;
}

/**
 * A view definition in the form compared across the 15 → 16 boundary: `alias.column` references
 * lose their `alias.` prefix (16 omits it where one relation is read; 15 always prints it).
 * Qualifiers that name a schema of the catalog (or `pg_catalog`) are kept, since with an empty
 * search_path every relation, function and type is schema-qualified. Used only when the two sides
 * of a comparison straddle 16; within a major the text is compared as PostgreSQL prints it.
 */
export function comparableViewDefinition(def: string, schemas: readonly string[]): string {
  const keep = new Set([...schemas, 'pg_catalog']);
  // Tokens: string literals, quoted identifiers, plain identifiers, everything else one char at a time.
  const re = /'(?:[^']|'')*'|"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*|\s+|./gs;
  const tokens = def.match(re) ?? [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const isIdent = /^[A-Za-z_"]/.test(t);
    if (isIdent && tokens[i + 1] === '.' && /^[A-Za-z_"]/.test(tokens[i + 2] ?? '') && (i === 0 || tokens[i - 1] !== '.')) {
      const name = t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
      if (!keep.has(name)) {
        i++; // drop `alias.`
        continue;
      }
    }
    out.push(t);
  }
  return out.join('');
}

/** True when comparing catalogs of these two server versions must use `comparableViewDefinition`. */
export function viewDefinitionsNeedNormalising(a: number, b: number): boolean {
  return !!a && !!b && (a < 160000) !== (b < 160000);
}

/** ICU collation keyword names (old `@key=value` form) → BCP 47 `-u-` extension keys. */
const ICU_KEYS: Record<string, string> = {
  colalternate: 'ka', colbackwards: 'kb', colcaselevel: 'kc', colcasefirst: 'kf', colhiraganaquaternary: 'kh',
  colnormalization: 'kk', colnumeric: 'kn', colreorder: 'kr', colstrength: 'ks', variabletop: 'vt',
  calendar: 'ca', collation: 'co', currency: 'cu', numbers: 'nu',
};
const ICU_VALUES: Record<string, string> = {
  yes: 'true', no: 'false', on: 'true', off: 'false', primary: 'level1', secondary: 'level2', tertiary: 'level3',
  quaternary: 'level4', identical: 'identic', 'non-ignorable': 'noignore',
};

/**
 * An ICU locale as PostgreSQL ≥ 16 stores it: 16 canonicalises `CREATE COLLATION … locale` to a
 * BCP 47 language tag (`@colCaseFirst=lower;colNumeric=yes` → `und-u-kf-lower-kn-true`, `de_DE` →
 * `de-DE`); 15 keeps the text as written. Applied to catalogs of servers before 16 (a tag means the
 * same collation to 15's ICU), so both majors read the same. Unknown forms are returned unchanged.
 */
export function normalizeIcuLocale(locale: string, serverVersion: number): string {
  if (serverVersion >= 160000 || locale === '') return locale;
  const at = locale.indexOf('@');
  const lang = (at < 0 ? locale : locale.slice(0, at)).replace(/_/g, '-');
  if (at < 0 && !locale.includes('_')) return locale; // already a language tag
  const ext: string[] = [];
  if (at >= 0) {
    for (const kv of locale.slice(at + 1).split(';')) {
      const [k, v] = kv.split('=');
      const key = ICU_KEYS[(k ?? '').trim().toLowerCase()];
      if (!key || v === undefined) return locale;
      const value = v.trim().toLowerCase();
      ext.push(`${key}-${ICU_VALUES[value] ?? value}`);
    }
    ext.sort();
  }
  let tag = lang === '' || lang.toLowerCase() === 'root' ? 'und' : lang;
  try {
    tag = Intl.getCanonicalLocales(tag)[0] ?? tag; // the language part only (it would drop `-true` values)
  } catch {
    return locale;
  }
  return ext.length ? `${tag}-u-${ext.join('-')}` : tag;
}

/**
 * Definition text in the form compared by the diff. `pg_get_*def` output is not always a fixed point:
 * created again from its own text, PostgreSQL prints some expressions differently (the object is the
 * same), so a catalog built from generated SQL would never match one built from hand-written SQL.
 * The known cases, rewritten to the re-created form:
 * - an array constructor cast as a whole, `(ARRAY['a'::character varying, …])::text[]` (from
 *   `col IN ('a', …)` on a varchar column), is re-parsed with the cast pushed into the elements:
 *   `ARRAY[('a'::character varying)::text, …]`;
 * - a select-list item that is a bare literal cast, e.g. `NULL::integer` in a UNION branch, gains
 *   the column name the cast implies (`NULL::integer AS int4`): that alias is dropped.
 * Generated SQL keeps PostgreSQL's own text; only comparisons (diff, fingerprint) use this form.
 */
export function comparableExpression(text: string): string;
export function comparableExpression(text: string | null): string | null;
export function comparableExpression(text: string | null): string | null {
  if (text === null) return null;
  let out = text;
  if (out.includes('(ARRAY[')) out = pushArrayCasts(out);
  if (out.includes(' AS ')) out = out.replace(IMPLIED_ALIAS, (m, lead: string, value: string, type: string, alias: string) => (impliedName(type) === alias ? `${lead}${value}::${type}` : m));
  return out;
}

/** `<SELECT or ,><literal>::<type> AS <alias><, or end of line>` */
const IMPLIED_ALIAS = /((?:SELECT|,)\s+)(NULL|'(?:[^']|'')*'|-?\d+(?:\.\d+)?)::((?:[a-z_][a-z0-9_]*\.)?(?:"[^"]+"|[a-z_][a-z0-9_ ]*?)(?:\(\d+(?:,\d+)?\))?(?:\[\])*) AS ([a-z_][a-z0-9_]*)(?=\s*(?:,|\n|$))/g;

const INTERNAL_TYPE_NAMES: Record<string, string> = {
  integer: 'int4', bigint: 'int8', smallint: 'int2', boolean: 'bool', 'character varying': 'varchar', character: 'bpchar',
  'double precision': 'float8', real: 'float4', 'timestamp with time zone': 'timestamptz', 'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz', 'time without time zone': 'time', 'bit varying': 'varbit',
};

/** The column name PostgreSQL derives from a cast to `type` (its last name part, internal spelling). */
function impliedName(type: string): string {
  const base = type.replace(/(\[\])+$/, '').replace(/\(.*\)$/, '').trim();
  const last = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : base;
  const unq = last.startsWith('"') ? last.slice(1, -1) : last;
  return INTERNAL_TYPE_NAMES[unq] ?? unq;
}

/** Rewrites `(ARRAY[e1, e2])::T[]` to `ARRAY[(e1)::T, (e2)::T]` (quotes and nesting respected). */
function pushArrayCasts(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('(ARRAY[', i);
    if (at < 0) break;
    out += text.slice(i, at);
    const open = at + '(ARRAY['.length;
    const close = matchingBracket(text, open - 1);
    const castM = close < 0 ? null : /^\]\)::([^\[\]()]+(?:\(\d+(?:,\d+)?\))?)\[\]/.exec(text.slice(close));
    if (!castM) {
      out += '(ARRAY[';
      i = open;
      continue;
    }
    const type = castM[1]!;
    const elements = splitTopLevel(text.slice(open, close));
    out += `ARRAY[${elements.map((e) => `(${e.trim()})::${type}`).join(', ')}]`;
    i = close + castM[0].length;
  }
  return out + text.slice(i);
}

/** Index of the quote closing the `'…'` or `"…"` opened at `openIdx` (a doubled quote is part of the text). */
function closingQuote(text: string, openIdx: number): number {
  const q = text[openIdx];
  let i = openIdx + 1;
  while (i < text.length && !(text[i] === q && text[i + 1] !== q)) i += text[i] === q ? 2 : 1;
  return i;
}

/** Index of the `]` or `)` closing the bracket at `openIdx`, skipping quoted text; -1 if none. */
function matchingBracket(text: string, openIdx: number): number {
  let depth = 0;
  for (let i = openIdx; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      i = closingQuote(text, i);
      continue;
    }
    if (ch === '[' || ch === '(') depth++;
    else if (ch === ']' || ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Splits at commas outside brackets and quotes. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "'" || ch === '"') {
      i = closingQuote(s, i);
      continue;
    }
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/**
 * An object in the form compared for equality (fingerprints, tests): expression and definition text
 * through `comparableExpression` (function bodies are left alone).
 */
export function comparableObject<T extends CatalogObject>(o: T): T {
  const x = o as CatalogObject;
  switch (x.kind) {
    case 'view':
    case 'matview':
      return { ...x, definition: comparableExpression(x.definition), options: normalizeReloptions(x.options) } as T;
    case 'constraint':
    case 'index':
    case 'trigger':
    case 'rule':
      return { ...x, definition: comparableExpression(x.definition) } as T;
    case 'column':
      return { ...x, default: comparableExpression(x.default), generated: comparableExpression(x.generated), ...(x.fdwOptions ? { fdwOptions: [...x.fdwOptions].sort() } : {}) } as T;
    case 'table':
      return { ...x, options: normalizeReloptions(x.options), ...(x.foreign ? { foreign: { ...x.foreign, options: [...x.foreign.options].sort() } } : {}) } as T;
    // Generic options (OPTIONS (…)) keep their order in the catalog (CREATE reproduces it) but an
    // ALTER … OPTIONS (ADD …) appends, so order is not compared.
    case 'foreign_data_wrapper':
    case 'server':
      return { ...x, options: [...x.options].sort() } as T;
    case 'user_mapping':
      return { ...x, options: x.options ? [...x.options].sort() : null } as T;
    case 'policy':
      return { ...x, using: comparableExpression(x.using), check: comparableExpression(x.check) } as T;
    case 'publication':
      return { ...x, tables: x.tables.map((t) => ({ ...t, where: comparableExpression(t.where) })) } as T;
    case 'domain':
      return { ...x, default: comparableExpression(x.default), constraints: x.constraints.map((c) => ({ ...c, definition: comparableExpression(c.definition) })) } as T;
    default:
      return o;
  }
}
