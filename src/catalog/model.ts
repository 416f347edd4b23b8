/**
 * The catalog model: plain, JSON-serialisable data describing every object of the included schemas,
 * keyed by a stable identity such as `table:public.leads`, `column:public.leads.email`,
 * `index:public.leads_email_idx`. Definition text is PostgreSQL's own (`pg_get_indexdef`,
 * `pg_get_constraintdef`, `pg_get_functiondef`, `pg_get_triggerdef`, `pg_get_expr`, `format_type`),
 * read with an empty `search_path` so every name in it is schema-qualified and both sides of a diff
 * compare as text.
 */

/** Object kinds the planner models. */
export type ObjectKind =
  | 'schema'
  | 'extension'
  | 'type'
  | 'sequence'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'function'
  | 'trigger';

interface Base {
  /** Stable identity, `<kind>:<qualified name>` (see `objectId`). */
  id: string;
  kind: ObjectKind;
  /** Schema of the object (the object's own name for a schema). */
  schema: string;
  name: string;
  /** `COMMENT ON` text, or null. */
  comment: string | null;
  /**
   * Identities of the catalog objects this one depends on (from `pg_depend`, plus the implicit
   * column→table, constraint→table, index→table and trigger→table links). Only objects present in
   * the same catalog are listed.
   */
  deps: string[];
}

export interface SchemaObject extends Base {
  kind: 'schema';
}

export interface ExtensionObject extends Base {
  kind: 'extension';
  version: string;
}

export interface EnumType extends Base {
  kind: 'type';
  typeKind: 'enum';
  /** Labels in sort order (`enumsortorder`). */
  values: string[];
}

export type TypeObject = EnumType;

export interface SequenceObject extends Base {
  kind: 'sequence';
  /** `format_type` of the sequence's data type, e.g. `bigint`. */
  dataType: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** Column identity from `OWNED BY`, or null. */
  ownedBy: string | null;
}

export interface TableObject extends Base {
  kind: 'table';
  /** `p` permanent, `u` unlogged. */
  persistence: 'p' | 'u';
  /** Column identities in attnum order. */
  columns: string[];
}

export interface IdentitySpec {
  /** `a` ALWAYS, `d` BY DEFAULT. */
  kind: 'a' | 'd';
  dataType: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

export interface ColumnObject extends Base {
  kind: 'column';
  /** Identity of the owning table. */
  table: string;
  /** attnum; only used to keep CREATE TABLE column order, never compared. */
  position: number;
  /** `format_type(atttypid, atttypmod)`, e.g. `character varying(255)`, `public.lead_status`. */
  type: string;
  notNull: boolean;
  /** `pg_get_expr(adbin)` of a plain default, or null. Generated columns keep their expression in `generated`. */
  default: string | null;
  identity: IdentitySpec | null;
  /** Expression of a `GENERATED ALWAYS AS (…) STORED` column, or null. */
  generated: string | null;
  /** Collation name when it differs from the type's default (qualified, e.g. `pg_catalog."C"`), or null. */
  collation: string | null;
}

export interface ConstraintObject extends Base {
  kind: 'constraint';
  table: string;
  /** `p` primary key, `u` unique, `c` check, `f` foreign key, `x` exclusion. */
  type: 'p' | 'u' | 'c' | 'f' | 'x';
  /** `pg_get_constraintdef(oid)`: includes NOT VALID, DEFERRABLE, ON DELETE … as PostgreSQL prints them. */
  definition: string;
  validated: boolean;
  /** For foreign keys, the referenced table identity. */
  references: string | null;
}

export interface IndexObject extends Base {
  kind: 'index';
  table: string;
  /** `pg_get_indexdef(oid)`, e.g. `CREATE INDEX leads_email_idx ON public.leads USING btree (email)`. */
  definition: string;
}

export interface FunctionObject extends Base {
  kind: 'function';
  /** `pg_get_function_identity_arguments`, e.g. `integer, text`. */
  identityArgs: string;
  /** `pg_get_function_arguments` (with names and defaults). */
  args: string;
  /** `pg_get_function_result`, e.g. `trigger`, `SETOF public.leads`. */
  returns: string;
  /** `f` function, `p` procedure. */
  prokind: 'f' | 'p';
  language: string;
  /** `pg_get_functiondef(oid)`: a complete `CREATE OR REPLACE FUNCTION` statement. */
  definition: string;
}

export interface TriggerObject extends Base {
  kind: 'trigger';
  table: string;
  /** `pg_get_triggerdef(oid)`: a complete `CREATE [CONSTRAINT] TRIGGER` statement. */
  definition: string;
  /** `O` origin (enabled), `D` disabled, `R` replica, `A` always. */
  enabled: 'O' | 'D' | 'R' | 'A';
}

export type CatalogObject =
  | SchemaObject
  | ExtensionObject
  | TypeObject
  | SequenceObject
  | TableObject
  | ColumnObject
  | ConstraintObject
  | IndexObject
  | FunctionObject
  | TriggerObject;

/** An object present in an included schema whose kind is not modelled (reported loudly, never diffed). */
export interface UnmodelledObject {
  kind: string;
  name: string;
}

/** A whole catalog: what `introspect` returns and `diff` compares. */
export interface Catalog {
  /** `server_version_num`, e.g. 150018. */
  serverVersion: number;
  /** Included schemas. */
  schemas: string[];
  objects: Record<string, CatalogObject>;
  unmodelled: UnmodelledObject[];
}

/** Builds an identity: `objectId('table', 'public', 'leads')` → `table:public.leads`. Parts are joined with `.` unquoted. */
export function objectId(kind: ObjectKind, ...parts: string[]): string {
  return `${kind}:${parts.join('.')}`;
}

/** The objects of one kind, in identity order. */
export function objectsOfKind<K extends ObjectKind>(cat: Catalog, kind: K): Extract<CatalogObject, { kind: K }>[] {
  return Object.values(cat.objects)
    .filter((o): o is Extract<CatalogObject, { kind: K }> => o.kind === kind)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** An empty catalog for the given server version. */
export function emptyCatalog(serverVersion = 0, schemas: string[] = ['public']): Catalog {
  return { serverVersion, schemas, objects: {}, unmodelled: [] };
}
