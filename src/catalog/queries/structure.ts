/**
 * The structural catalog rows: schemas, extensions, relations, attributes, types, enum labels,
 * constraints, indexes, inheritance and function names. Definition text (from PostgreSQL's
 * `pg_get_*def` functions) is read by `definitions.ts`; both run in one round trip.
 *
 * Rows of the schemas in scope (`$1`, a `text[]` of schema names) are read in full. Relations,
 * types and functions of every other user schema (not `pg_*`, not `information_schema`) are read
 * by name only, because in-scope objects may depend on them (recorded as external dependencies)
 * and extensions may own them. PostgreSQL's own catalog schemas are never read: nothing in scope
 * is compared against them.
 */

import { positional, rowsOf, type Columns } from './rows.js';

/** Oids are read as JSON numbers. */
export type Oid = number;

/** A schema (`pg_namespace`): every schema, PostgreSQL's own included (extensions such as plpgsql live in `pg_catalog`). */
export interface NamespaceRow {
  _id: Oid;
  nspname: string;
}

/** An extension (`pg_extension`). */
export interface ExtensionRow {
  _id: Oid;
  extname: string;
  extnamespace: Oid;
  extversion: string | null;
}

/** A relation (`pg_class`); the attributes after `relkind` are read only in scope (null outside). */
export interface ClassRow {
  _id: Oid;
  relname: string;
  relnamespace: Oid;
  relkind: string;
  relpersistence: string | null;
  relispartition: boolean | null;
  relrowsecurity: boolean | null;
  relforcerowsecurity: boolean | null;
  relreplident: string | null;
  reloptions: string[] | null;
}

/**
 * A column of an in-scope table, view, materialized view or foreign table, or an attribute of a
 * composite type (`pg_attribute`, attnum > 0, not dropped), with the text PostgreSQL prints for it.
 */
export interface AttributeRow {
  attrelid: Oid;
  attnum: number;
  attname: string;
  attnotnull: boolean;
  /** `s` for a stored generated column, `v` for a virtual one (18), else empty. */
  attgenerated: string;
  /** `a` (ALWAYS), `d` (BY DEFAULT) or empty. */
  attidentity: string;
  attinhcount: number;
  /** -1 (≤ 16) or null (≥ 17) for the default. */
  attstattarget: number | null;
  /** `format_type(atttypid, atttypmod)`. */
  type: string;
  /** The default (or generation) expression, `pg_get_expr`. */
  default: string | null;
  /** A collation other than the type's own, as `schema.name`, each part quoted as needed. */
  collation: string | null;
  /** A storage mode other than the type's own (`p`, `e`, `m`, `x`). */
  storage: string | null;
  /** An explicit compression method (`pglz`, `lz4`). */
  compression: string | null;
}

/** A type (`pg_type`) of a user schema. */
export interface TypeRow {
  _id: Oid;
  typname: string;
  typnamespace: Oid;
  typtype: string;
  /** The relation of a composite (row) type, else 0. */
  typrelid: Oid;
  /** The element type of an array type, else 0. */
  typelem: Oid;
  typcategory: string;
  typnotnull: boolean;
}

/** An enum label (`pg_enum`) of an in-scope type. */
export interface EnumRow {
  enumtypid: Oid;
  enumlabel: string;
  enumsortorder: number;
}

/** A table constraint (`pg_constraint`, contype p/u/c/f/x) of an in-scope relation. */
export interface ConstraintRow {
  _id: Oid;
  conname: string;
  contype: string;
  conrelid: Oid;
  confrelid: Oid;
  conindid: Oid;
  conparentid: Oid;
  convalidated: boolean;
  coninhcount: number;
}

/** An index (`pg_index`) of an in-scope relation. */
export interface IndexRow {
  indexrelid: Oid;
  indrelid: Oid;
  indisreplident: boolean;
  indisclustered: boolean;
}

/** An inheritance link (`pg_inherits`) whose child is in scope: tables, partitions and attached indexes. */
export interface InheritsRow {
  inhrelid: Oid;
  inhparent: Oid;
  inhseqno: number;
}

/** A function's name (`pg_proc`), in any user schema. */
export interface ProcNameRow {
  _id: Oid;
  proname: string;
  pronamespace: Oid;
}

/** The rows read by {@link STRUCTURE_SQL}, as {@link parseStructure} returns them. */
export interface StructureRows {
  namespaces: NamespaceRow[];
  extensions: ExtensionRow[];
  classes: ClassRow[];
  attributes: AttributeRow[];
  types: TypeRow[];
  enums: EnumRow[];
  constraints: ConstraintRow[];
  indexes: IndexRow[];
  inherits: InheritsRow[];
  procs: ProcNameRow[];
}

/** User schemas: every schema but PostgreSQL's own (`pg_*`, `information_schema`). */
const USER_NS = `(select n.oid from pg_namespace n where n.nspname !~ '^pg_' and n.nspname <> 'information_schema')`;
/** Schemas in scope. */
const SCOPE_NS = `(select n.oid from pg_namespace n where n.nspname = any($1))`;
/** Relations in scope. */
const SCOPE_REL = `(select c.oid from pg_class c where c.relnamespace in ${SCOPE_NS})`;

const list = (select: string) => `(select coalesce(json_agg(x), '[]') from (${select}) x)`;
const inScope = (expr: string) => `case when c.relnamespace in ${SCOPE_NS} then ${expr} end`;

const CLASS_COLUMNS: Columns = {
  _id: 'c.oid', relname: 'c.relname', relnamespace: 'c.relnamespace', relkind: 'c.relkind',
  relpersistence: inScope('c.relpersistence'), relispartition: inScope('c.relispartition'),
  relrowsecurity: inScope('c.relrowsecurity'), relforcerowsecurity: inScope('c.relforcerowsecurity'),
  relreplident: inScope('c.relreplident'), reloptions: inScope('c.reloptions'),
};

const ATTRIBUTE_COLUMNS: Columns = {
  attrelid: 'a.attrelid', attnum: 'a.attnum', attname: 'a.attname', attnotnull: 'a.attnotnull', attgenerated: 'a.attgenerated',
  attidentity: 'a.attidentity', attinhcount: 'a.attinhcount::int', attstattarget: 'a.attstattarget::int',
  type: 'format_type(a.atttypid, a.atttypmod)', default: 'pg_get_expr(d.adbin, d.adrelid)',
  collation: `case when a.attcollation <> 0 and a.attcollation <> t.typcollation then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end`,
  storage: 'case when a.attstorage <> t.typstorage then a.attstorage end',
  compression: `case a.attcompression when 'p' then 'pglz' when 'l' then 'lz4' end`,
};

const TYPE_COLUMNS: Columns = {
  _id: 't.oid', typname: 't.typname', typnamespace: 't.typnamespace', typtype: 't.typtype',
  typrelid: 't.typrelid', typelem: 't.typelem', typcategory: 't.typcategory', typnotnull: 't.typnotnull',
};

/**
 * One SQL expression (a `json` object) reading the structural rows; {@link parseStructure} turns
 * its text into {@link StructureRows}. Parameter `$1`: the in-scope schema names (`text[]`).
 */
export const STRUCTURE_SQL = `json_build_object(
  'namespaces', ${list(`select n.oid as _id, n.nspname from pg_namespace n`)},
  'extensions', ${list(`select e.oid as _id, e.extname, e.extnamespace, e.extversion from pg_extension e`)},
  'classes', ${positional(CLASS_COLUMNS, `from pg_class c where c.relnamespace in ${USER_NS}`)},
  'attributes', ${positional(ATTRIBUTE_COLUMNS, `from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    left join pg_namespace cn on cn.oid = co.collnamespace
    where c.relnamespace in ${SCOPE_NS} and c.relkind in ('r','p','v','m','f','c') and a.attnum > 0 and not a.attisdropped`)},
  'types', ${positional(TYPE_COLUMNS, `from pg_type t where t.typnamespace in ${USER_NS}`)},
  'enums', ${list(`select e.enumtypid, e.enumlabel, e.enumsortorder::float8 as enumsortorder
    from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typnamespace in ${SCOPE_NS}`)},
  'constraints', ${list(`select co.oid as _id, co.conname, co.contype, co.conrelid, co.confrelid, co.conindid, co.conparentid,
      co.convalidated, co.coninhcount::int as coninhcount
    from pg_constraint co where co.conrelid in ${SCOPE_REL} and co.contype in ('p','u','c','f','x')`)},
  'indexes', ${list(`select i.indexrelid, i.indrelid, i.indisreplident, i.indisclustered from pg_index i where i.indrelid in ${SCOPE_REL}`)},
  'inherits', ${list(`select h.inhrelid, h.inhparent, h.inhseqno from pg_inherits h where h.inhrelid in ${SCOPE_REL}`)},
  'procs', ${list(`select p.oid as _id, p.proname, p.pronamespace from pg_proc p where p.pronamespace in ${USER_NS}`)}
)`;

/**
 * Parses the text of {@link STRUCTURE_SQL}'s result, naming the fields of the positional rows.
 * @throws SyntaxError when `text` is not JSON
 */
export function parseStructure(text: string): StructureRows {
  const raw = JSON.parse(text) as Omit<StructureRows, 'classes' | 'attributes' | 'types'> & Record<'classes' | 'attributes' | 'types', unknown[][]>;
  return {
    ...raw,
    classes: rowsOf<ClassRow>(CLASS_COLUMNS, raw.classes),
    attributes: rowsOf<AttributeRow>(ATTRIBUTE_COLUMNS, raw.attributes),
    types: rowsOf<TypeRow>(TYPE_COLUMNS, raw.types),
  };
}
