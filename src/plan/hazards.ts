/**
 * Hazards: what a statement does to a running database, as data. Derived from the parsed statement
 * form (PostgreSQL's own grammar via libpg-query) and the server version, following PostgreSQL's
 * documentation:
 * - lock levels and their conflict table: chapter "Explicit Locking" (13.3, "Table-Level Locks"),
 *   and the notes of ALTER TABLE ("the lock level taken is the strictest required by any
 *   subcommand"), CREATE INDEX, CREATE TRIGGER, DROP INDEX, REINDEX, COMMENT;
 * - which forms rewrite the table: ALTER TABLE notes ("Adding a column with a volatile DEFAULT or
 *   changing the type of an existing column will require the entire table and its indexes to be
 *   rewritten", binary-coercible type changes and constant defaults since PostgreSQL 11 do not);
 * - which forms scan the table: ALTER TABLE ADD CONSTRAINT (validation unless NOT VALID),
 *   SET NOT NULL (skipped since PostgreSQL 12 when a valid CHECK (col IS NOT NULL) proves it).
 * Every statement is judged as it is written; `statementHazards` never connects to a database, and
 * the verdicts are checked against a real server's `pg_locks` and `relfilenode` in
 * test/hazards.test.ts. The typed steps of generated changes are judged from their facts by
 * `stepHazards`, with the same verdicts (test/online/steps.test.ts compares them).
 */
import { tryParse } from '../sql/parser.js';
import { objectId, type Catalog, type ColumnObject, type ConstraintObject, type FunctionObject } from '../catalog/model.js';
import { isBinaryCoercible } from '../diff/types.js';
import type { Step } from '../diff/step.js';

/** Hazard kinds. */
export type HazardKind =
  | 'deletes_data'
  | 'table_rewrite'
  | 'index_build'
  | 'validation_scan'
  | 'non_transactional'
  | 'untracked_dependencies'
  | 'authz'
  | 'blocks_writes'
  | 'blocks_reads';

/** Every hazard kind, in the order the plan renders them (worst first). */
export const HAZARD_KINDS: readonly HazardKind[] = [
  'deletes_data', 'blocks_reads', 'blocks_writes', 'table_rewrite', 'index_build', 'validation_scan',
  'non_transactional', 'untracked_dependencies', 'authz',
];

export interface Hazard {
  kind: HazardKind;
  message: string;
}

/** What one statement does: the strongest table lock it takes (PostgreSQL's name) and its hazards. */
export interface StatementHazards {
  /** e.g. `ACCESS EXCLUSIVE`, `SHARE ROW EXCLUSIVE`; null when no lock on an existing table is taken. */
  lock: LockMode | null;
  hazards: Hazard[];
}

/** PostgreSQL's table-level lock modes, weakest first ("Explicit Locking", Table 13.2). */
export const LOCK_MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** The conflict table of "Explicit Locking" (Table 13.2 "Conflicting Lock Modes"). */
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': LOCK_MODES,
};

/** True when two lock modes conflict (symmetric), per the conflict table; false for a name that is not a lock mode. */
export function locksConflict(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a]?.includes(b) ?? false;
}

/** True when `lock` makes plain SELECTs (ACCESS SHARE) wait. */
export function blocksReads(lock: LockMode | null): boolean {
  return !!lock && locksConflict(lock, 'ACCESS SHARE');
}

/** True when `lock` makes INSERT/UPDATE/DELETE (ROW EXCLUSIVE) wait. */
export function blocksWrites(lock: LockMode | null): boolean {
  return !!lock && locksConflict(lock, 'ROW EXCLUSIVE');
}

/** The stronger of two lock modes (by PostgreSQL's conflict table order). */
export function strongerLock<T extends string | null>(a: T, b: T): T {
  if (!a) return b;
  if (!b) return a;
  return LOCK_MODES.indexOf(a as LockMode) >= LOCK_MODES.indexOf(b as LockMode) ? a : b;
}

/**
 * What a statement's hazards depend on beyond its text. Every field is optional; without one the
 * verdict is the conservative one (e.g. a type change of a column whose type is unknown rewrites).
 */
export interface HazardContext {
  /** `server_version_num` of the server the statement will run on (e.g. 150018); default: current behaviour. */
  serverVersion?: number;
  /** The type (format_type spelling) of an existing column, used to tell binary-coercible type changes. */
  columnType?: (schema: string, table: string, column: string) => string | undefined;
  /** False for a table that does not exist before the migration (created in it): locks on it do not matter. Default: exists. */
  tableExists?: (schema: string, table: string) => boolean;
  /** Volatility of a function called in a column default: `i`mmutable, `s`table, `v`olatile, undefined when unknown. */
  functionVolatility?: (schema: string | null, name: string) => 'i' | 's' | 'v' | undefined;
  /** True when a valid `CHECK (col IS NOT NULL)` exists, so SET NOT NULL skips its scan (PostgreSQL 12+). */
  hasNotNullCheck?: (schema: string, table: string, column: string) => boolean;
}

/**
 * The context of a catalog: column types, tables, function volatility and NOT NULL checks as they
 * are before the statements run (pass the plan's from-catalog). Lookups are by identity, O(1).
 */
export function hazardContext(cat: Catalog): HazardContext {
  return {
    serverVersion: cat.serverVersion || undefined,
    columnType: (s, t, c) => (cat.objects[objectId('column', s, t, c)] as ColumnObject | undefined)?.type,
    tableExists: (s, t) => !!cat.objects[objectId('table', s, t)],
    functionVolatility: (s, name) => {
      const fns = Object.values(cat.objects).filter((o): o is FunctionObject => o.kind === 'function' && o.name === name && (s === null || o.schema === s));
      if (fns.length === 0) return undefined;
      const vol = (f: FunctionObject) => functionVolatilityOf(f.definition);
      return fns.some((f) => vol(f) === 'v') ? 'v' : fns.some((f) => vol(f) === 's') ? 's' : 'i';
    },
    hasNotNullCheck: (s, t, c) => Object.values(cat.objects).some((o) => o.kind === 'constraint' && (o as ConstraintObject).table === objectId('table', s, t)
      && (o as ConstraintObject).type === 'c' && (o as ConstraintObject).validated && isNotNullCheck((o as ConstraintObject).definition, c)),
  };
}

/**
 * True for `CHECK ((col IS NOT NULL))` as pg_get_constraintdef prints it (or as written), read with
 * PostgreSQL's parser; false for anything else. @throws ParserNotLoadedError before `loadParser()`
 */
function isNotNullCheck(definition: string, column: string): boolean {
  const c = tryParse(`ALTER TABLE t ADD CONSTRAINT c ${definition}`)?.stmts?.[0]?.stmt?.AlterTableStmt?.cmds?.[0]?.AlterTableCmd?.def?.Constraint;
  const test = c?.contype === 'CONSTR_CHECK' ? c.raw_expr?.NullTest : undefined;
  const fields = test?.nulltesttype === 'IS_NOT_NULL' ? test.arg?.ColumnRef?.fields : undefined;
  return Array.isArray(fields) && fields.length === 1 && fields[0].String?.sval === column;
}

const volatilityCache = new Map<string, 'i' | 's' | 'v'>();

/**
 * The volatility of a function from its `pg_get_functiondef` text, read with PostgreSQL's parser
 * (the `volatility` option of CREATE FUNCTION; absent means VOLATILE, the default). Unparseable text
 * counts as volatile, the conservative verdict. @throws ParserNotLoadedError before `loadParser()`
 */
function functionVolatilityOf(definition: string): 'i' | 's' | 'v' {
  let v = volatilityCache.get(definition);
  if (v) return v;
  const tree = tryParse(definition);
  if (!tree) return 'v';
  const options: any[] = tree.stmts?.[0]?.stmt?.CreateFunctionStmt?.options ?? [];
  const value = options.find((o) => o.DefElem?.defname === 'volatility')?.DefElem?.arg?.String?.sval;
  v = value === 'immutable' ? 'i' : value === 'stable' ? 's' : 'v';
  volatilityCache.set(definition, v);
  return v;
}

/** Functions known to be VOLATILE (a default calling them is evaluated per row: the table is rewritten). */
const VOLATILE_FUNCTIONS = new Set([
  'nextval', 'setval', 'random', 'random_normal', 'clock_timestamp', 'timeofday', 'gen_random_uuid', 'uuidv4', 'uuidv7',
  'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'txid_current', 'pg_current_xact_id', 'gen_random_bytes',
]);
/** Built-in functions known to be STABLE or IMMUTABLE (evaluated once: no rewrite since PostgreSQL 11). */
const NONVOLATILE_FUNCTIONS = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_setting', 'lower', 'upper', 'length', 'concat',
  'md5', 'abs', 'round', 'trim', 'btrim', 'to_jsonb', 'to_json', 'jsonb_build_object', 'json_build_object',
  'jsonb_build_array', 'json_build_array', 'array_fill', 'make_date', 'make_interval', 'make_timestamptz', 'date_trunc',
  'to_timestamp', 'to_date', 'to_char', 'timezone', 'replace', 'substr', 'left', 'right', 'format',
]);

/** A qualified table name from a RangeVar node (unqualified names are taken as `public`). */
export function rangeVarName(rv: any): { schema: string; name: string } | null {
  if (!rv?.relname) return null;
  return { schema: rv.schemaname ?? 'public', name: rv.relname };
}

const INTERNAL_TYPE_NAMES: Record<string, string> = {
  varchar: 'character varying', bpchar: 'character', int2: 'smallint', int4: 'integer', int8: 'bigint',
  float4: 'real', float8: 'double precision', bool: 'boolean', timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone', time: 'time without time zone', timetz: 'time with time zone', varbit: 'bit varying',
};

/**
 * A parse-tree `TypeName` in `format_type` spelling (`pg_catalog.varchar(20)` → `character varying(20)`,
 * `timestamptz(3)` → `timestamp(3) with time zone`, arrays with `[]`), so it compares with catalog
 * column types. Serial pseudo-types stay as written (`serial`, `bigserial`).
 */
export function formatTypeName(tn: any): string {
  const names: string[] = (tn?.names ?? []).map((n: any) => n.String?.sval ?? '');
  const catalogType = names.length === 2 && names[0] === 'pg_catalog';
  const last = names[names.length - 1] ?? '';
  const base = catalogType ? (INTERNAL_TYPE_NAMES[last] ?? last) : names.join('.');
  const mods: number[] = (tn?.typmods ?? []).map((m: any) => m.A_Const?.ival?.ival).filter((x: unknown) => typeof x === 'number');
  const args = mods.length ? `(${mods.join(',')})` : '';
  const spaced = / (with|without) time zone$/.exec(base);
  const text = spaced && args ? `${base.slice(0, spaced.index)}${args}${base.slice(spaced.index)}` : base + args;
  return text + '[]'.repeat((tn?.arrayBounds ?? []).length);
}

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** True for a `serial`/`bigserial`/`smallserial` column type (a sequence plus a nextval() default). */
export function isSerialType(tn: any): boolean {
  const names = tn?.names ?? [];
  return names.length === 1 && SERIAL_TYPES.has(String(names[0].String?.sval ?? '').toLowerCase());
}

/** Walks a parse-tree value depth first. */
function walk(node: unknown, visit: (key: string, value: any) => void): void {
  if (Array.isArray(node)) for (const x of node) walk(x, visit);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}

/**
 * How volatile a default expression is: `volatile` when it calls a VOLATILE function (PostgreSQL
 * then evaluates it per row and rewrites the table), `unknown` when it calls a function whose
 * volatility is not known, else `stable` (evaluated once, stored as the "missing value").
 */
export function defaultVolatility(expr: unknown, ctx: HazardContext = {}): { verdict: 'stable' | 'volatile' | 'unknown'; fn?: string } {
  let verdict: 'stable' | 'volatile' | 'unknown' = 'stable';
  let fn: string | undefined;
  walk(expr, (k, v) => {
    if (k !== 'FuncCall' || verdict === 'volatile') return;
    const parts: string[] = (v.funcname ?? []).map((n: any) => n.String?.sval ?? '');
    const name = parts[parts.length - 1]!.toLowerCase();
    const schema = parts.length > 1 ? parts[0]! : null;
    const known = ctx.functionVolatility?.(schema, name);
    const builtin = schema === null || schema === 'pg_catalog';
    if (known === 'v' || (!known && builtin && VOLATILE_FUNCTIONS.has(name))) {
      verdict = 'volatile';
      fn = schema ? `${schema}.${name}` : name;
    } else if (!known && !(builtin && NONVOLATILE_FUNCTIONS.has(name)) && verdict === 'stable') {
      verdict = 'unknown';
      fn = schema ? `${schema}.${name}` : name;
    }
  });
  return fn ? { verdict, fn } : { verdict };
}

/** The single command of a statement's parse tree: `{ type, body }` (e.g. `AlterTableStmt`). */
function split(node: Record<string, any>): { type: string; body: any } {
  const type = Object.keys(node)[0] ?? '';
  return { type, body: node[type] ?? {} };
}

/** True for `USING col` / `USING col::type` (a plain cast of the column itself), or no USING at all. */
function plainUsing(expr: any, column: string): boolean {
  if (!expr) return true;
  let e = expr;
  while (e?.TypeCast) e = e.TypeCast.arg;
  const fields = e?.ColumnRef?.fields;
  return Array.isArray(fields) && fields.length === 1 && fields[0].String?.sval === column;
}

const msg = {
  blocksReads: (lock: string) => `${lock} conflicts with reads: SELECTs on the table wait until the migration's transaction ends`,
  blocksWrites: (lock: string) => `${lock} conflicts with ROW EXCLUSIVE: INSERT/UPDATE/DELETE on the table wait until the migration's transaction ends`,
};

/**
 * Classifies one statement: the strongest lock it takes on a table that exists before the
 * migration, and its hazards (`blocks_reads`/`blocks_writes` are derived from that lock with the
 * conflict table). `existingTable` is false when the statement targets a table created in the same
 * migration: such a table is empty and unseen, so locks, scans and rewrites on it do not matter.
 * Unparseable text yields no hazards (lint reports the syntax error).
 * @throws ParserNotLoadedError before `loadParser()` (src/sql/parser.ts) has resolved
 * @param sql one statement (a trailing `;` is fine)
 * @param context what the verdict depends on beyond the text (server version, column types …)
 */
export function statementHazards(sql: string, existingTable = true, context: HazardContext = {}): StatementHazards {
  const node: Record<string, any> | undefined = tryParse(sql)?.stmts?.[0]?.stmt;
  if (!node) return { lock: null, hazards: [] };
  return nodeHazards(node, existingTable, context);
}

/** {@link statementHazards} for an already parsed statement (a libpg-query `stmt` node). */
export function nodeHazards(node: Record<string, any>, existingTable = true, ctx: HazardContext = {}): StatementHazards {
  const version = ctx.serverVersion ?? 999999;
  const { type, body } = split(node);
  const hz: Hazard[] = [];
  /** Hazards that matter even on a new table (they are about the statement, not the data). */
  const always = new Set<HazardKind>(['non_transactional', 'untracked_dependencies', 'authz']);
  let lock = null as LockMode | null;
  const add = (kind: HazardKind, message: string) => { if (!hz.some((h) => h.kind === kind)) hz.push({ kind, message }); };
  const take = (l: LockMode) => { if (existingTable) lock = strongerLock(lock, l); };
  /** A lock on another table (e.g. the referenced side of a foreign key): counts when that table exists. */
  const takeOn = (rv: any, l: LockMode) => {
    const t = rangeVarName(rv);
    if (t && (ctx.tableExists?.(t.schema, t.name) ?? true)) lock = strongerLock(lock, l);
  };
  const target = rangeVarName(body.relation);
  const columnType = (column: string) => (target ? ctx.columnType?.(target.schema, target.name, column) : undefined);

  switch (type) {
    case 'DropStmt': {
      const kind = body.removeType as string;
      const cascade = body.behavior === 'DROP_CASCADE';
      if (kind === 'OBJECT_TABLE') { take('ACCESS EXCLUSIVE'); add('deletes_data', 'drops the table and every row in it'); }
      else if (kind === 'OBJECT_INDEX') {
        take(body.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
        if (body.concurrent) add('non_transactional', 'DROP INDEX CONCURRENTLY cannot run inside a transaction block');
      } else if (kind === 'OBJECT_SEQUENCE') add('deletes_data', 'drops the sequence and its current value');
      else if (kind === 'OBJECT_TRIGGER' || kind === 'OBJECT_RULE') take('ACCESS EXCLUSIVE');
      else if (kind === 'OBJECT_POLICY') { take('ACCESS EXCLUSIVE'); add('authz', 'drops a row-level security policy'); }
      else if (kind === 'OBJECT_FUNCTION' || kind === 'OBJECT_PROCEDURE') {
        add('untracked_dependencies', 'callers inside function bodies (PL/pgSQL, SQL string bodies) are not tracked by pg_depend and fail only when they run');
      } else if (kind === 'OBJECT_MATVIEW' || kind === 'OBJECT_VIEW') take('ACCESS EXCLUSIVE');
      if (cascade && kind !== 'OBJECT_TABLE') add('deletes_data', 'CASCADE also drops every dependent object (columns of a dropped type, tables of a dropped schema) and their data');
      break;
    }
    case 'TruncateStmt':
      take('ACCESS EXCLUSIVE');
      add('deletes_data', 'TRUNCATE removes every row');
      break;
    case 'DeleteStmt':
      take('ROW EXCLUSIVE');
      add('deletes_data', body.whereClause ? 'deletes the matching rows' : 'deletes every row');
      break;
    case 'UpdateStmt': case 'InsertStmt': case 'MergeStmt':
      take('ROW EXCLUSIVE');
      break;
    case 'IndexStmt':
      if (body.concurrent) {
        take('SHARE UPDATE EXCLUSIVE');
        add('non_transactional', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block; a failed build leaves an INVALID index behind');
      } else take('SHARE');
      add('index_build', body.concurrent ? 'builds an index while writes continue (two table scans)' : 'builds an index; writes to the table wait until it is done');
      break;
    case 'ReindexStmt': {
      const concurrent = (body.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently');
      take(concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE');
      add('index_build', 'rebuilds indexes');
      if (concurrent) add('non_transactional', 'REINDEX CONCURRENTLY cannot run inside a transaction block');
      break;
    }
    case 'ClusterStmt':
      take('ACCESS EXCLUSIVE');
      add('table_rewrite', 'CLUSTER rewrites the table and its indexes');
      break;
    case 'VacuumStmt': {
      const full = (body.options ?? []).some((o: any) => o.DefElem?.defname === 'full');
      if (body.is_vacuumcmd) add('non_transactional', 'VACUUM cannot run inside a transaction block');
      for (const r of body.rels ?? []) {
        if (existingTable) takeOn(r.VacuumRelation?.relation, full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE');
      }
      if (full) add('table_rewrite', 'VACUUM FULL rewrites the table');
      break;
    }
    case 'RefreshMatViewStmt':
      take(body.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      break;
    case 'CreateTrigStmt':
      take('SHARE ROW EXCLUSIVE');
      break;
    case 'RuleStmt':
      take('ACCESS EXCLUSIVE');
      break;
    case 'CreatePolicyStmt': case 'AlterPolicyStmt':
      take('ACCESS EXCLUSIVE');
      add('authz', 'changes row-level security');
      break;
    case 'CommentStmt':
      // COMMENT locks the object it describes with SHARE UPDATE EXCLUSIVE (comment.c).
      if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_INDEX', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER'].includes(body.objtype)) take('SHARE UPDATE EXCLUSIVE');
      break;
    case 'CreateStmt':
      // A new table; a foreign key to an existing table takes SHARE ROW EXCLUSIVE on that table.
      walk(body.tableElts, (k, v) => { if (k === 'Constraint' && v.contype === 'CONSTR_FOREIGN') takeOn(v.pktable, 'SHARE ROW EXCLUSIVE'); });
      break;
    case 'CreateFunctionStmt': {
      const lang = (body.options ?? []).find((o: any) => o.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval ?? 'sql';
      if (!body.sql_body) {
        add('untracked_dependencies', `the ${lang} function body is a string: the objects it uses are not checked when it is created nor tracked by pg_depend`);
      }
      break;
    }
    case 'AlterEnumStmt':
      if (!body.oldVal && version < 120000) add('non_transactional', 'ALTER TYPE … ADD VALUE cannot run inside a transaction block before PostgreSQL 12');
      break;
    case 'AlterSeqStmt':
      if ((body.options ?? []).some((o: any) => o.DefElem?.defname === 'restart')) add('deletes_data', 'RESTART discards the sequence\'s current value');
      break;
    case 'RenameStmt': {
      const rt = body.renameType as string;
      if (rt === 'OBJECT_INDEX') take(version >= 120000 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      else if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_RULE', 'OBJECT_POLICY'].includes(rt)) take('ACCESS EXCLUSIVE');
      break;
    }
    case 'AlterObjectSchemaStmt':
      if (body.objectType === 'OBJECT_TABLE') take('ACCESS EXCLUSIVE');
      break;
    case 'GrantStmt': case 'GrantRoleStmt': case 'AlterOwnerStmt': case 'AlterDefaultPrivilegesStmt': case 'CreateRoleStmt': case 'AlterRoleStmt': case 'DropRoleStmt':
      add('authz', 'changes privileges, roles or ownership');
      break;
    case 'AlterTableStmt':
      if (!['OBJECT_TABLE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_MATVIEW'].includes(body.objtype)) break;
      for (const item of body.cmds ?? []) alterTableCmd(item.AlterTableCmd ?? {});
      break;
    default:
      break;
  }

  function alterTableCmd(cmd: any): void {
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        take('ACCESS EXCLUSIVE');
        const def = cmd.def?.ColumnDef ?? {};
        const cons: any[] = (def.constraints ?? []).map((c: any) => c.Constraint ?? {});
        const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
        if (cons.some((c) => c.contype === 'CONSTR_GENERATED')) add('table_rewrite', 'adds a stored generated column: every row is computed and the table rewritten');
        else if (cons.some((c) => c.contype === 'CONSTR_IDENTITY') || isSerialType(def.typeName)) add('table_rewrite', 'adds an identity/serial column: a sequence value is drawn for every row and the table rewritten');
        else if (dflt) {
          const v = defaultVolatility(dflt.raw_expr, ctx);
          if (version < 110000) add('table_rewrite', 'adds a column with a default: before PostgreSQL 11 every row is rewritten');
          else if (v.verdict === 'volatile') add('table_rewrite', `adds a column whose default calls the volatile ${v.fn}(): it is evaluated per row and the table rewritten`);
          else if (v.verdict === 'unknown') add('table_rewrite', `adds a column whose default calls ${v.fn}(), whose volatility is unknown: if it is VOLATILE the table is rewritten`);
        }
        for (const c of cons) {
          if (c.contype === 'CONSTR_CHECK') add('validation_scan', 'the column\'s CHECK constraint is verified against every existing row');
          if (c.contype === 'CONSTR_FOREIGN') { add('validation_scan', 'the column\'s foreign key is verified against every existing row'); takeOn(c.pktable, 'SHARE ROW EXCLUSIVE'); }
          if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') add('index_build', 'builds the column\'s unique index while holding ACCESS EXCLUSIVE');
        }
        break;
      }
      case 'AT_DropColumn':
        take('ACCESS EXCLUSIVE');
        add('deletes_data', 'drops the column and its data');
        break;
      case 'AT_AlterColumnType': {
        take('ACCESS EXCLUSIVE');
        const def = cmd.def?.ColumnDef ?? {};
        const to = formatTypeName(def.typeName);
        const from = columnType(cmd.name);
        const plain = plainUsing(def.raw_default, cmd.name);
        if (!from || !plain || !isBinaryCoercible(from, to)) {
          add('table_rewrite', from
            ? (plain ? `changes ${cmd.name} from ${from} to ${to}, which is not binary-coercible: the table and its indexes are rewritten` : `changes ${cmd.name} with a USING expression: the table and its indexes are rewritten`)
            : `changes the type of ${cmd.name} to ${to}: the table and its indexes are rewritten unless the cast is binary-coercible (e.g. varchar(n) → text)`);
        }
        break;
      }
      case 'AT_SetNotNull':
        take('ACCESS EXCLUSIVE');
        if (!(version >= 120000 && target && ctx.hasNotNullCheck?.(target.schema, target.name, cmd.name))) {
          add('validation_scan', 'SET NOT NULL scans the whole table while holding ACCESS EXCLUSIVE (skipped since PostgreSQL 12 when a valid CHECK (col IS NOT NULL) exists)');
        }
        break;
      case 'AT_AddConstraint': {
        const c = cmd.def?.Constraint ?? {};
        if (c.contype === 'CONSTR_FOREIGN') { take('SHARE ROW EXCLUSIVE'); takeOn(c.pktable, 'SHARE ROW EXCLUSIVE'); }
        else take('ACCESS EXCLUSIVE');
        if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_EXCLUSION') {
          if (!c.indexname) add('index_build', 'builds the constraint\'s index while holding the lock');
        } else if (c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_FOREIGN') {
          if (!c.skip_validation) add('validation_scan', 'checks every existing row while holding the lock (NOT VALID would skip it)');
        }
        break;
      }
      case 'AT_ValidateConstraint':
        take('SHARE UPDATE EXCLUSIVE');
        add('validation_scan', 'VALIDATE CONSTRAINT scans the table while reads and writes continue');
        break;
      case 'AT_EnableTrig': case 'AT_DisableTrig': case 'AT_EnableAlwaysTrig': case 'AT_EnableReplicaTrig':
      case 'AT_EnableTrigAll': case 'AT_DisableTrigAll': case 'AT_EnableTrigUser': case 'AT_DisableTrigUser':
      case 'AT_EnableRule': case 'AT_DisableRule': case 'AT_EnableAlwaysRule': case 'AT_EnableReplicaRule':
        take('SHARE ROW EXCLUSIVE');
        break;
      case 'AT_SetStatistics': case 'AT_SetOptions': case 'AT_ResetOptions': case 'AT_ClusterOn': case 'AT_DropCluster':
      case 'AT_SetRelOptions': case 'AT_ResetRelOptions':
        take('SHARE UPDATE EXCLUSIVE');
        break;
      case 'AT_AttachPartition':
        take(version >= 120000 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
        add('validation_scan', 'the partition is scanned to check the partition bound unless a matching CHECK constraint proves it');
        break;
      case 'AT_DetachPartition': {
        const concurrent = !!cmd.def?.PartitionCmd?.concurrent;
        take(concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
        if (concurrent) add('non_transactional', 'DETACH PARTITION CONCURRENTLY cannot run inside a transaction block');
        break;
      }
      case 'AT_SetLogged': case 'AT_SetUnLogged':
        take('ACCESS EXCLUSIVE');
        add('table_rewrite', 'changing persistence rewrites the table');
        break;
      case 'AT_SetTableSpace': case 'AT_SetAccessMethod':
        take('ACCESS EXCLUSIVE');
        add('table_rewrite', 'moves every row: the table is rewritten');
        break;
      case 'AT_ChangeOwner':
        take('ACCESS EXCLUSIVE');
        add('authz', 'changes the table\'s owner');
        break;
      case 'AT_EnableRowSecurity': case 'AT_DisableRowSecurity': case 'AT_ForceRowSecurity': case 'AT_NoForceRowSecurity':
        take('ACCESS EXCLUSIVE');
        add('authz', 'changes row-level security');
        break;
      default:
        take('ACCESS EXCLUSIVE');
    }
  }

  const hazards = existingTable ? hz : hz.filter((h) => always.has(h.kind));
  if (blocksReads(lock)) hazards.push({ kind: 'blocks_reads', message: msg.blocksReads(lock!) });
  if (blocksWrites(lock)) hazards.push({ kind: 'blocks_writes', message: msg.blocksWrites(lock!) });
  return { lock, hazards };
}

/** What a typed step's hazards depend on beyond the step (see {@link stepContext}). */
export interface StepContext {
  /** `server_version_num` of the target server; default: current behaviour. */
  serverVersion?: number;
  /** False for a table (identity) that does not exist before the migration. Default: exists. */
  tableExists?: (tableId: string) => boolean;
  /** True when a valid `CHECK (col IS NOT NULL)` proves the column (identity) NOT NULL (PostgreSQL 12+ skips the scan). */
  hasNotNullCheck?: (columnId: string) => boolean;
}

/** The step context of a catalog (pass the plan's from-catalog, as for {@link hazardContext}). */
export function stepContext(cat: Catalog): StepContext {
  return {
    serverVersion: cat.serverVersion || undefined,
    tableExists: (id) => cat.objects[id]?.kind === 'table',
    hasNotNullCheck: (columnId) => {
      const col = cat.objects[columnId];
      if (col?.kind !== 'column') return false;
      return Object.values(cat.objects).some((o) => o.kind === 'constraint' && o.table === col.table && o.type === 'c' && o.validated && isNotNullCheck(o.definition, col.name));
    },
  };
}

/**
 * The hazards of a typed step of a generated change, from its facts (verb, lock, CONCURRENTLY,
 * NOT VALID …) instead of its SQL text; the same verdicts and messages as {@link statementHazards}
 * gives the rendered statement (test/online/steps.test.ts compares them). Null for an untyped
 * `statement` step (classify its text with {@link statementHazards}).
 * @param existingTable false when the step's table is created by the same migration
 */
export function stepHazards(step: Step, existingTable = true, ctx: StepContext = {}): StatementHazards | null {
  if (step.verb === 'statement') return null;
  const version = ctx.serverVersion ?? 999999;
  const hz: Hazard[] = [];
  const add = (kind: HazardKind, message: string) => { if (!hz.some((h) => h.kind === kind)) hz.push({ kind, message }); };
  let lock: LockMode | null = null;
  const take = (l: LockMode | null) => { if (existingTable && l) lock = strongerLock(lock, l); };
  switch (step.verb) {
    case 'create_index':
      take(step.lock);
      if (step.concurrently) add('non_transactional', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block; a failed build leaves an INVALID index behind');
      add('index_build', step.concurrently ? 'builds an index while writes continue (two table scans)' : 'builds an index; writes to the table wait until it is done');
      break;
    case 'drop_index':
      take(step.lock);
      if (step.concurrently) add('non_transactional', 'DROP INDEX CONCURRENTLY cannot run inside a transaction block');
      break;
    case 'rename_index':
      take(version >= 120000 ? step.lock : 'ACCESS EXCLUSIVE');
      break;
    case 'add_constraint':
      take(step.lock);
      if (step.references && (ctx.tableExists?.(step.references) ?? true)) lock = strongerLock(lock, 'SHARE ROW EXCLUSIVE');
      if (step.type === 'p' || step.type === 'u' || step.type === 'x') {
        if (!step.usingIndex) add('index_build', 'builds the constraint\'s index while holding the lock');
      } else if (!step.notValid && step.validated) add('validation_scan', 'checks every existing row while holding the lock (NOT VALID would skip it)');
      break;
    case 'validate_constraint':
      take(step.lock);
      add('validation_scan', 'VALIDATE CONSTRAINT scans the table while reads and writes continue');
      break;
    case 'set_not_null':
      take(step.lock);
      if (!(version >= 120000 && ctx.hasNotNullCheck?.(step.column))) {
        add('validation_scan', 'SET NOT NULL scans the whole table while holding ACCESS EXCLUSIVE (skipped since PostgreSQL 12 when a valid CHECK (col IS NOT NULL) exists)');
      }
      break;
    default:
      take(step.lock);
  }
  const always = new Set<HazardKind>(['non_transactional', 'untracked_dependencies', 'authz']);
  const hazards = existingTable ? hz : hz.filter((h) => always.has(h.kind));
  if (blocksReads(lock)) hazards.push({ kind: 'blocks_reads', message: msg.blocksReads(lock!) });
  if (blocksWrites(lock)) hazards.push({ kind: 'blocks_writes', message: msg.blocksWrites(lock!) });
  return { lock, hazards };
}
