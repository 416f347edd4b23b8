/**
 * What a statement would delete, read from its PostgreSQL parse tree (libpg-query JSON, as
 * `Statement.node` of src/sql/split.ts) — never from the SQL text. Pure: no database. The runner
 * counts what each finding stands for in the database as it is now (src/runner/loss-count.ts)
 * before it runs a down section, or an up section without a `-- DESTRUCTIVE:` header.
 *
 * Recognised: DROP TABLE (several names, IF EXISTS), TRUNCATE (several tables; the named tables
 * only, not those a CASCADE reaches), ALTER TABLE … DROP COLUMN (several, IF EXISTS), DROP SCHEMA …
 * CASCADE (the rows of its tables) and DROP TYPE/DOMAIN … CASCADE (the values of columns of that
 * type or its array type). Without CASCADE, PostgreSQL refuses to drop a non-empty schema or a type
 * in use, so nothing is lost. DELETE and UPDATE are intended data changes and are not findings.
 */
import { quoteIdent, quoteLiteral } from '../db/quote.js';

/** Which kind of loss: rows of a dropped table, rows removed by TRUNCATE, values of a dropped column, rows of a schema's tables, values of columns of a dropped type. */
export type DeleteKind = 'table' | 'truncate' | 'column' | 'schema' | 'type';

/** A relation as written in a statement: `schema` is null when unqualified (resolved by the search path, as the statement would be). */
export interface WrittenName {
  schema: string | null;
  name: string;
}

/** One thing a statement would delete. */
export interface WouldDelete {
  kind: DeleteKind;
  /** The object named by the statement, quoted as needed: `public.t`, `t.note`, `"S"."T x"`, schema `s`, type `mood`. */
  object: string;
  /** The table whose rows or column values are lost (`table`, `truncate`, `column`). */
  table?: WrittenName;
  /** The dropped column (`column`). */
  column?: string;
  /** `schema`: the dropped schema; `type`: the dropped type or domain. */
  target?: WrittenName;
  /**
   * A read-only catalog query, quoted with quote_ident-safe generation (identifiers in `format('%I')`
   * on the server, names as string literals), returning one row per table or column that exists now
   * and would lose data: `object` (text, `schema.table` or `schema.table.column`), `count_sql` (text:
   * one `SELECT count(…)` giving the exact number lost) and `estimate` (float8: the planner's row
   * estimate, `pg_class.reltuples` — times the non-NULL fraction for a column —, negative when the
   * table was never analysed). No row when the object does not exist (yet): nothing is lost.
   */
  countQuery: string;
}

/** `a.b` with each part quoted as needed; `b` alone when unqualified. */
function written(n: WrittenName): string {
  return n.schema === null ? quoteIdent(n.name) : `${quoteIdent(n.schema)}.${quoteIdent(n.name)}`;
}

/** Names of a `List` of `String` nodes (DROP TABLE's objects), e.g. `[schema, table]`. */
function listNames(node: any): string[] {
  const items: any[] = node?.List?.items ?? (Array.isArray(node) ? node : []);
  return items.map((i) => i?.String?.sval).filter((x): x is string => typeof x === 'string');
}

/** A (possibly qualified) name from name parts; a three-part name (`db.schema.t`) keeps its last two. */
function fromParts(parts: string[]): WrittenName | null {
  if (parts.length === 0) return null;
  const name = parts[parts.length - 1]!;
  return { schema: parts.length >= 2 ? parts[parts.length - 2]! : null, name };
}

/** A RangeVar's name, and whether it reaches inheritance children (no `ONLY`). */
function rangeVar(rv: any): (WrittenName & { only: boolean }) | null {
  if (!rv?.relname) return null;
  return { schema: rv.schemaname ?? null, name: rv.relname, only: rv.inh !== true };
}

/** `FROM rel` of the count: `ONLY` when the statement does not reach inheritance children. */
function fromClause(only: boolean): string {
  return only ? "'ONLY '" : "''";
}

const REL = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`;

function tableQuery(t: WrittenName, only: boolean): string {
  return `SELECT format('%I.%I', n.nspname, c.relname) AS object, format('SELECT count(*) AS n FROM %s%I.%I', ${fromClause(only)}, n.nspname, c.relname) AS count_sql, ` +
    `c.reltuples::float8 AS estimate ${REL} WHERE c.oid = to_regclass(${quoteLiteral(written(t))}) AND c.relkind IN ('r', 'p')`;
}

function columnQuery(t: WrittenName, column: string, only: boolean): string {
  return `SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS object, ` +
    `format('SELECT count(%I) AS n FROM %s%I.%I', a.attname, ${fromClause(only)}, n.nspname, c.relname) AS count_sql, ` +
    `CASE WHEN c.reltuples < 0 THEN -1 ELSE c.reltuples * (1 - coalesce(s.null_frac, 0)) END::float8 AS estimate ${REL} ` +
    `JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ${quoteLiteral(column)} ` +
    `LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname AND NOT s.inherited ` +
    `WHERE c.oid = to_regclass(${quoteLiteral(written(t))}) AND c.relkind IN ('r', 'p')`;
}

function schemaQuery(schema: string): string {
  // Leaf tables only (ONLY, relkind 'r'): a partitioned parent's rows are its partitions' rows.
  return `SELECT format('%I.%I', n.nspname, c.relname) AS object, format('SELECT count(*) AS n FROM ONLY %I.%I', n.nspname, c.relname) AS count_sql, ` +
    `c.reltuples::float8 AS estimate ${REL} WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind = 'r' ORDER BY 1`;
}

function typeQuery(t: WrittenName): string {
  const type = `to_regtype(${quoteLiteral(written(t))})`;
  return `SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS object, ` +
    `format('SELECT count(%I) AS n FROM ONLY %I.%I', a.attname, n.nspname, c.relname) AS count_sql, c.reltuples::float8 AS estimate ${REL} ` +
    `JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ` +
    `WHERE c.relkind = 'r' AND (a.atttypid = ${type} OR a.atttypid = (SELECT typarray FROM pg_type WHERE oid = ${type})) ORDER BY 1`;
}

/**
 * What one parsed statement would delete.
 * @param node a libpg-query statement node, e.g. `{ DropStmt: {…} }` (`Statement.node`)
 * @returns one finding per dropped table, truncated table, dropped column, schema or type dropped
 *   with CASCADE, in statement order; empty for anything else (DELETE and UPDATE included)
 */
export function wouldDelete(node: Record<string, any>): WouldDelete[] {
  const [type, body] = Object.entries(node)[0] ?? ['', {}];
  const out: WouldDelete[] = [];
  if (type === 'DropStmt') {
    const kind = body.removeType as string;
    const cascade = body.behavior === 'DROP_CASCADE';
    for (const o of body.objects ?? []) {
      if (kind === 'OBJECT_TABLE') {
        const t = fromParts(listNames(o));
        if (t) out.push({ kind: 'table', object: written(t), table: t, countQuery: tableQuery(t, false) });
      } else if (kind === 'OBJECT_SCHEMA' && cascade) {
        const s = o?.String?.sval;
        if (typeof s === 'string') out.push({ kind: 'schema', object: quoteIdent(s), target: { schema: null, name: s }, countQuery: schemaQuery(s) });
      } else if ((kind === 'OBJECT_TYPE' || kind === 'OBJECT_DOMAIN') && cascade) {
        const t = fromParts(listNames(o?.TypeName?.names ?? []));
        if (t) out.push({ kind: 'type', object: written(t), target: t, countQuery: typeQuery(t) });
      }
    }
  } else if (type === 'TruncateStmt') {
    for (const r of body.relations ?? []) {
      const t = rangeVar(r?.RangeVar);
      if (t) out.push({ kind: 'truncate', object: written(t), table: { schema: t.schema, name: t.name }, countQuery: tableQuery(t, t.only) });
    }
  } else if (type === 'AlterTableStmt' && (body.objtype ?? 'OBJECT_TABLE') === 'OBJECT_TABLE') {
    const t = rangeVar(body.relation);
    if (t) {
      for (const c of body.cmds ?? []) {
        const cmd = c?.AlterTableCmd;
        if (cmd?.subtype !== 'AT_DropColumn' || typeof cmd.name !== 'string') continue;
        const table = { schema: t.schema, name: t.name };
        out.push({ kind: 'column', object: `${written(table)}.${quoteIdent(cmd.name)}`, table, column: cmd.name, countQuery: columnQuery(table, cmd.name, t.only) });
      }
    }
  }
  return out;
}
