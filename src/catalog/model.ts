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
  | 'domain'
  | 'collation'
  | 'sequence'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'function'
  | 'trigger'
  | 'view'
  | 'matview'
  | 'policy'
  | 'rule'
  | 'statistics'
  | 'tsconfig'
  | 'tsdict'
  | 'event_trigger'
  | 'default_acl'
  | 'publication'
  | 'subscription'
  | 'foreign_data_wrapper'
  | 'server'
  | 'user_mapping';

interface Base {
  /** Stable identity, `<kind>:<qualified name>` (see `objectId`; a name part holding `.` or `"` is quoted). */
  id: string;
  kind: ObjectKind;
  /** Schema of the object (the object's own name for a schema; '' for database-wide objects). */
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

/**
 * Ownership: the owning role, or null when it is the role that read the catalog (the role that
 * runs the migrations owns what they create; `ALTER … OWNER TO CURRENT_USER` restores it).
 */
interface Owned {
  owner: string | null;
}

/**
 * Privileges, normalised (`normalize.ts`, `normalizeAcl`): sorted `grantee:PRIVILEGE` items, `*`
 * appended for WITH GRANT OPTION; the grantee is a role name, `PUBLIC`, or `@owner` for the owning
 * role; a grantee holding every privilege the object kind has gets the single item `ALL`. An
 * object whose ACL is PostgreSQL's default lists the default (e.g. `@owner:ALL`, `PUBLIC:ALL` for a
 * function).
 */
interface Granted {
  acl: string[];
}

export interface SchemaObject extends Base, Owned, Granted {
  kind: 'schema';
}

export interface ExtensionObject extends Base {
  kind: 'extension';
  version: string;
}

export interface EnumType extends Base, Owned, Granted {
  kind: 'type';
  typeKind: 'enum';
  /** Labels in sort order (`enumsortorder`). */
  values: string[];
}

/** One attribute of a composite type. */
export interface TypeAttribute {
  name: string;
  /** `format_type` text. */
  type: string;
  /** Collation when it differs from the type's default, or null. */
  collation: string | null;
}

export interface CompositeType extends Base, Owned, Granted {
  kind: 'type';
  typeKind: 'composite';
  attributes: TypeAttribute[];
  /** `COMMENT ON COLUMN type.attribute` texts by attribute name. */
  attributeComments: Record<string, string>;
}

export interface RangeType extends Base, Owned, Granted {
  kind: 'type';
  typeKind: 'range';
  /** The `CREATE TYPE … AS RANGE (…)` options, e.g. `SUBTYPE = integer, MULTIRANGE_TYPE_NAME = public.r_multi`. */
  options: string;
}

export type TypeObject = EnumType | CompositeType | RangeType;

/** A constraint of a domain (CHECK; NOT NULL is the domain's `notNull`). */
export interface DomainConstraint {
  name: string;
  /** `pg_get_constraintdef`, e.g. `CHECK (VALUE > 0)`, with `NOT VALID` when not validated. */
  definition: string;
  validated: boolean;
}

export interface DomainObject extends Base, Owned, Granted {
  kind: 'domain';
  /** `format_type(typbasetype, typtypmod)`. */
  baseType: string;
  collation: string | null;
  default: string | null;
  notNull: boolean;
  /** CHECK constraints by name order. */
  constraints: DomainConstraint[];
}

export interface CollationObject extends Base, Owned {
  kind: 'collation';
  /** `CREATE COLLATION` options as the server reports them, e.g. `provider = icu, locale = 'und-u-ks-level2', deterministic = false`. */
  options: string;
  /** `options` with an ICU locale in the form PostgreSQL ≥ 16 stores (see `normalizeIcuLocale`): what the diff compares. */
  comparableOptions: string;
}

export interface SequenceObject extends Base, Owned, Granted {
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
  /** `p` permanent, `u` unlogged (PostgreSQL ≥ 15). */
  persistence: 'p' | 'u';
}

export interface TableObject extends Base, Owned, Granted {
  kind: 'table';
  /** `p` permanent, `u` unlogged. */
  persistence: 'p' | 'u';
  /** Column identities in attnum order (inherited columns included). */
  columns: string[];
  /** `pg_get_partkeydef` of a partitioned table (e.g. `RANGE (payment_date)`), or null. */
  partitionKey: string | null;
  /** Identity of the partitioned table this one is a partition of, or null. */
  partitionOf: string | null;
  /** `pg_get_expr(relpartbound)` of a partition, e.g. `FOR VALUES IN (1)`, or null. */
  partitionBound: string | null;
  /** Parents by table inheritance (`INHERITS`), in order; partitions list their parent in `partitionOf` only. */
  inherits: string[];
  rowSecurity: boolean;
  forceRowSecurity: boolean;
  /** `d` default, `n` nothing, `f` full, `i` index. */
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
  /** For replica identity `i`: the identity of the index (or of the constraint that owns it). */
  replicaIndex: string | null;
  /** Storage parameters (`reloptions`) as stored, e.g. `fillfactor=70` (compared through `reloptionMap`). */
  options: string[];
  /** The index CLUSTER uses (ALTER TABLE … CLUSTER ON), as an index or constraint identity, or null. */
  clusterIndex: string | null;
  /**
   * Set for a foreign table (relkind `f`, PostgreSQL docs "CREATE FOREIGN TABLE"), absent for any
   * other table: the server it reads through and its table-level options. A foreign table is a
   * table in every other respect here (columns, CHECK constraints, triggers, comments, privileges).
   */
  foreign?: ForeignTableInfo;
}

/** What makes a table a foreign table. */
export interface ForeignTableInfo {
  /** Identity of the foreign server, e.g. `server:remote`. */
  server: string;
  /** `ftoptions` as `key=value` items in stored order, secret values redacted (see `catalog/secrets.ts`). */
  options: string[];
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

export interface ColumnObject extends Base, Granted {
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
  /** True when the column comes from a parent table (partition or INHERITS child): it follows the parent. */
  inherited: boolean;
  /** `attstorage` when it differs from the type's default (`p`, `e`, `m`, `x`), or null. */
  storage: string | null;
  /** `attstattarget` when set (ALTER COLUMN … SET STATISTICS), or null. */
  statistics: number | null;
  /** `attcompression` when set (`pglz`, `lz4`), or null for the default. */
  compression: string | null;
  /**
   * A foreign table column's options (`attfdwoptions`, e.g. `column_name=id`) as `key=value` items in
   * stored order, secret values redacted; absent when it has none (and for every other column).
   */
  fdwOptions?: string[];
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
  /** True when it comes from a parent table's constraint (it follows the parent). */
  inherited: boolean;
  /** For an inherited constraint: the parent table's constraint it comes from (when known), else null. */
  parent: string | null;
  /** `COMMENT ON INDEX` of the index a primary key, unique or exclusion constraint owns (same name), or null. */
  indexComment: string | null;
}

export interface IndexObject extends Base {
  kind: 'index';
  /** The table or materialized view. */
  table: string;
  /** `pg_get_indexdef(oid)`, e.g. `CREATE INDEX leads_email_idx ON public.leads USING btree (email)`. */
  definition: string;
  /** True for a partition's index attached to its parent's index (it follows the parent). */
  inherited: boolean;
  /** For an inherited index: the parent's index (or the constraint owning it), else null. */
  parent: string | null;
  /**
   * True when `pg_index.indisvalid` is false: a failed `CREATE INDEX CONCURRENTLY` left it behind,
   * or a partitioned table's index lacks an index on some partition. Absent for a valid index.
   */
  invalid?: true;
}

export interface FunctionObject extends Base, Owned, Granted {
  kind: 'function';
  /** `pg_get_function_identity_arguments`, e.g. `integer, text`. */
  identityArgs: string;
  /** `pg_get_function_arguments` (with names and defaults). */
  args: string;
  /** `pg_get_function_result`, e.g. `trigger`, `SETOF public.leads`. */
  returns: string;
  /** `f` function, `p` procedure, `a` aggregate, `w` window function. */
  prokind: 'f' | 'p' | 'a' | 'w';
  language: string;
  /**
   * `pg_get_functiondef(oid)`: a complete `CREATE OR REPLACE FUNCTION` statement; for an aggregate,
   * a `CREATE AGGREGATE` statement assembled from `pg_aggregate` (PostgreSQL has no function for it).
   */
  definition: string;
}

export interface TriggerObject extends Base {
  kind: 'trigger';
  /** The table or view. */
  table: string;
  /** `pg_get_triggerdef(oid)`: a complete `CREATE [CONSTRAINT] TRIGGER` statement. */
  definition: string;
  /** `O` origin (enabled), `D` disabled, `R` replica, `A` always. */
  enabled: 'O' | 'D' | 'R' | 'A';
  /** True for a partition's clone of its parent's trigger (it follows the parent). */
  inherited: boolean;
}

/** A column of a view or materialized view (not an object of its own: views are replaced whole). */
export interface ViewColumn {
  name: string;
  type: string;
  collation: string | null;
}

interface ViewBase extends Base, Owned, Granted {
  /** `pg_get_viewdef(oid)`: the query, schema-qualified. */
  definition: string;
  columns: ViewColumn[];
  /** `reloptions` as stored: `check_option=local`, `security_barrier=true`, `security_invoker=on`, storage parameters of a matview (compared through `reloptionMap`). */
  options: string[];
  /** `COMMENT ON COLUMN view.column` texts by column name. */
  columnComments: Record<string, string>;
}

export interface ViewObject extends ViewBase {
  kind: 'view';
}

export interface MatviewObject extends ViewBase {
  kind: 'matview';
}

export interface PolicyObject extends Base {
  kind: 'policy';
  table: string;
  permissive: boolean;
  /** `r` SELECT, `a` INSERT, `w` UPDATE, `d` DELETE, `*` ALL. */
  command: 'r' | 'a' | 'w' | 'd' | '*';
  /** Role names, sorted; `PUBLIC` for everyone. */
  roles: string[];
  using: string | null;
  check: string | null;
}

export interface RuleObject extends Base {
  kind: 'rule';
  /** The table or view. */
  table: string;
  /** `pg_get_ruledef(oid)` without its final semicolon. */
  definition: string;
  enabled: 'O' | 'D' | 'R' | 'A';
}

export interface StatisticsObject extends Base, Owned {
  kind: 'statistics';
  table: string;
  /** `pg_get_statisticsobjdef(oid)`: a complete `CREATE STATISTICS` statement. */
  definition: string;
  /** `ALTER STATISTICS … SET STATISTICS` target, or null for the default. */
  target: number | null;
}

export interface TsConfigObject extends Base, Owned {
  kind: 'tsconfig';
  /** Qualified parser name, e.g. `pg_catalog."default"`. */
  parser: string;
  /** Token type alias → dictionaries (qualified), in order. */
  mappings: Record<string, string[]>;
}

export interface TsDictObject extends Base, Owned {
  kind: 'tsdict';
  /** Qualified template name, e.g. `pg_catalog.simple`. */
  template: string;
  /** `dictinitoption` text, e.g. `stopwords = 'english'`, or null. */
  options: string | null;
}

export interface EventTriggerObject extends Base, Owned {
  kind: 'event_trigger';
  /** `ddl_command_start`, `ddl_command_end`, `sql_drop`, `table_rewrite`, `login`. */
  event: string;
  /** `WHEN TAG IN (…)` tags, or null. */
  tags: string[] | null;
  /** Identity of the trigger function. */
  function: string;
  enabled: 'O' | 'D' | 'R' | 'A';
}

/** `ALTER DEFAULT PRIVILEGES` for one role, object type and (optionally) schema. */
export interface DefaultAclObject extends Base {
  kind: 'default_acl';
  /** The role whose new objects get these privileges; null for the role that read the catalog. */
  role: string | null;
  /** The schema it is limited to, or null for the whole database. */
  inSchema: string | null;
  /** `r` tables, `S` sequences, `f` functions, `T` types, `n` schemas. */
  objectType: 'r' | 'S' | 'f' | 'T' | 'n';
  /** Normalised ACL items (see `Granted`); `@owner` is the role. */
  acl: string[];
}

/**
 * Generic options of a foreign-data wrapper, server, user mapping or foreign table (PostgreSQL docs
 * "CREATE SERVER", `OPTIONS ( option 'value' [, ... ] )`), as `key=value` items in stored order.
 * The value of a secret option (`isSecretOption`: password, sslpassword, passfile, … ) is replaced
 * by `SECRET_PLACEHOLDER` when read, so secrets compare by presence and are never held, printed or
 * generated (catalog/secrets.ts).
 */
export type GenericOptions = string[];

/** One table of a publication's table list (`pg_publication_rel`). */
export interface PublicationTable {
  /** Identity of the table, e.g. `table:public.orders`. */
  table: string;
  /** Column list (PostgreSQL ≥ 15) in attnum order, or null for all columns. */
  columns: string[] | null;
  /** Row filter (`pg_get_expr(prqual, prrelid)`, PostgreSQL ≥ 15), e.g. `(id > 0)`, or null. */
  where: string | null;
}

/**
 * A publication (PostgreSQL docs "CREATE PUBLICATION"). Database-wide: `schema` is ''. It is read
 * when every table and schema it lists is in the scope (FOR ALL TABLES lists none); a publication
 * listing something outside the scope is reported as not modelled.
 */
export interface PublicationObject extends Base, Owned {
  kind: 'publication';
  /** FOR ALL TABLES. */
  allTables: boolean;
  /** The `publish` operations in PostgreSQL's order, e.g. `['insert', 'update']`. */
  publish: string[];
  /** `publish_via_partition_root`. */
  viaRoot: boolean;
  /** `publish_generated_columns = stored` (PostgreSQL ≥ 18; false before). */
  generatedColumns: boolean;
  /** Tables listed (FOR TABLE), in identity order. */
  tables: PublicationTable[];
  /** Schemas of FOR TABLES IN SCHEMA (PostgreSQL ≥ 15), sorted. */
  schemas: string[];
}

/**
 * A subscription of the current database (PostgreSQL docs "CREATE SUBSCRIPTION"). Database-wide:
 * `schema` is ''. Created by schemaplan only `WITH (connect = false)`: a migration never connects to
 * the publisher (no slot is created, no data copied).
 */
export interface SubscriptionObject extends Base, Owned {
  kind: 'subscription';
  /**
   * The connection string with secret values replaced by `SECRET_PLACEHOLDER` (`redactConninfo`),
   * or null when the role that read the catalog may not read `pg_subscription.subconninfo`
   * (superuser only by default), or it could not be parsed: then it is not compared.
   */
  connection: string | null;
  /** Publication names on the publisher, sorted. */
  publications: string[];
  enabled: boolean;
  /** `slot_name`, or null for NONE. */
  slotName: string | null;
  /**
   * Parameters that ALTER SUBSCRIPTION … SET can change, as `key=value` items sorted by key:
   * `binary`, `streaming`, `synchronous_commit`, `disable_on_error` (15+), `origin`,
   * `password_required`, `run_as_owner` (16+), `failover` (17+).
   */
  options: string[];
  /** `two_phase` (`true`/`false`): set at creation only (before PostgreSQL 18). */
  twoPhase: boolean;
}

/** A foreign-data wrapper (PostgreSQL docs "CREATE FOREIGN DATA WRAPPER"); one created by an extension is the extension's, not modelled. */
export interface ForeignDataWrapperObject extends Base, Owned, Granted {
  kind: 'foreign_data_wrapper';
  /** Handler function, schema-qualified without arguments (e.g. `public.my_handler`), or null. */
  handler: string | null;
  /** Validator function, schema-qualified, or null. */
  validator: string | null;
  options: GenericOptions;
}

/** A foreign server (PostgreSQL docs "CREATE SERVER"). */
export interface ForeignServerObject extends Base, Owned, Granted {
  kind: 'server';
  /** Name of its foreign-data wrapper (an extension's, such as `postgres_fdw`, or a modelled one). */
  wrapper: string;
  /** `TYPE '…'`, or null. */
  type: string | null;
  /** `VERSION '…'`, or null. */
  version: string | null;
  options: GenericOptions;
}

/** A user mapping (PostgreSQL docs "CREATE USER MAPPING"). Identity `user_mapping:<server>.<user>`. */
export interface UserMappingObject extends Base {
  kind: 'user_mapping';
  /** The mapped role; `PUBLIC`; or null for the role that read the catalog (generated as CURRENT_USER). */
  user: string | null;
  /** Name of the server. */
  server: string;
  /** Options, or null when the role that read the catalog may not see them (`pg_user_mappings`): not compared. */
  options: GenericOptions | null;
}

export type CatalogObject =
  | SchemaObject
  | ExtensionObject
  | TypeObject
  | DomainObject
  | CollationObject
  | SequenceObject
  | TableObject
  | ColumnObject
  | ConstraintObject
  | IndexObject
  | FunctionObject
  | TriggerObject
  | ViewObject
  | MatviewObject
  | PolicyObject
  | RuleObject
  | StatisticsObject
  | TsConfigObject
  | TsDictObject
  | EventTriggerObject
  | DefaultAclObject
  | PublicationObject
  | SubscriptionObject
  | ForeignDataWrapperObject
  | ForeignServerObject
  | UserMappingObject;

/** An object present in an included schema whose kind is not modelled (reported loudly, never diffed). */
export interface UnmodelledObject {
  kind: string;
  name: string;
}

/**
 * An in-scope object's dependency (pg_depend, normal) on a relation, type or function in a schema
 * outside the scope: a view over `app.accounts` while only `public` is compared.
 */
export interface ExternalDependency {
  /** Identity of the in-scope object, e.g. `view:public.account_names`. */
  from: string;
  /** `table`, `view`, `materialized view`, `sequence`, `foreign table`, `type`, `domain` or `function`. */
  kind: string;
  /** Schema-qualified name, e.g. `app.accounts` (a function without its arguments). */
  name: string;
}

/** A whole catalog: what `introspect` returns and `diff` compares. */
export interface Catalog {
  /** `server_version_num`, e.g. 150018. */
  serverVersion: number;
  /** Included schemas (the scope's patterns resolved against this database), sorted. */
  schemas: string[];
  /** Schemas the scope names exactly that this database does not have (absent when none). */
  missingSchemas?: string[];
  /**
   * Per extension of the scope, the types and functions it owns (schema-qualified, quoted as
   * PostgreSQL prints them), so a diff can follow an extension moved to another schema. Absent
   * when no extension is in scope.
   */
  extensionMembers?: Record<string, string[]>;
  /** What in-scope objects depend on outside the scope (pg_depend), absent when nothing. */
  external?: ExternalDependency[];
  /**
   * Schema-qualified names of the relations, types and functions this database has outside the
   * scope (system schemas and extension members left out): what a requirement can be met by.
   * Absent for a catalog not read from a database.
   */
  outside?: string[];
  objects: Record<string, CatalogObject>;
  unmodelled: UnmodelledObject[];
  /** The role that read the catalog (owners equal to it are recorded as null). */
  currentUser?: string;
  /** Every role of the server (roles are not created by schemaplan; a missing one is reported). */
  roles?: string[];
}

// Identities are built and read in identity.ts (parts holding `.` or `"` are quoted).
export { childId, functionId, idKind, idName, IdentityError, objectId, parseId, quotePart, type ParsedId } from './identity.js';

// Every object, and the objects of one kind, of a catalog: object-lists.ts (cached per catalog).
export { allObjects, objectsOfKind } from './object-lists.js';

/** An empty catalog for the given server version. */
export function emptyCatalog(serverVersion = 0, schemas: string[] = ['public']): Catalog {
  return { serverVersion, schemas, objects: {}, unmodelled: [] };
}
