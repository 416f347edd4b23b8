/**
 * Data checks: which changes of a plan can fail on rows a table already holds, and the query that
 * finds those rows. Decided from the two catalogs of the plan (`origin`, the state it starts from,
 * and `target`, the state it reaches) and the identity, kind and op of each up change — never from
 * the generated SQL. Pure: no I/O (the queries run in project/data-counts.ts and, recorded in the
 * migration file as `-- schemaplan:check` lines, in runner/assumptions.ts before `up` runs).
 *
 * What can fail on existing rows (PostgreSQL docs, "ALTER TABLE"):
 * - `ADD COLUMN … NOT NULL` without a default (and not identity or generated): any row;
 * - `SET NOT NULL`: rows where the column IS NULL;
 * - `ADD UNIQUE` / `PRIMARY KEY`: two rows with the same key (NULL keys are distinct unless
 *   `NULLS NOT DISTINCT`);
 * - `ADD CHECK` validated, or `VALIDATE CONSTRAINT`: rows where the expression is false (NULL passes);
 * - `ADD FOREIGN KEY` validated: rows whose key (all columns non-NULL for MATCH SIMPLE, any non-NULL
 *   for MATCH FULL) has no referenced row;
 * - an enum losing labels (a type replacement): rows holding a removed label.
 * Every query is a single `SELECT` returning the rows in the way (for a key: the duplicate key
 * values), so "it finds nothing" is the assumption the change makes.
 *
 * Not covered (listed in `uncovered`): exclusion constraints, constraints or expressions over columns
 * the same plan adds or renames, narrowing type changes (a value that does not fit the new type),
 * domains gaining a constraint, and tables a hinted rename touches.
 */
import { tryParse } from '../sql/parser.js';
import { childId, type Catalog, type ColumnObject, type ConstraintObject, type EnumType, type TableObject } from '../catalog/model.js';
import { quoteIdent, quoteLiteral } from '../db/quote.js';
import type { Plan } from './plan.js';
import { definitionAsValidated } from '../diff/objects.js';

/** What a check looks for. */
export type DataCheckKind = 'rows' | 'nulls' | 'duplicates' | 'violations' | 'orphans' | 'enum_values';

/** One assumption a change makes about the rows of an existing table. */
export interface DataCheck {
  /** Identity of the change (and of the object it creates or alters), e.g. `column:public.orders.region`. */
  change: string;
  kind: DataCheckKind;
  /** Identity of the table, e.g. `table:public.orders`. */
  tableId: string;
  /** The table, schema-qualified for messages, e.g. `public.orders`. */
  table: string;
  /** The table's schema and name as in the catalog (for statistics look-ups). */
  relation: { schema: string; name: string };
  /** The columns concerned (names as in the catalog). */
  columns: string[];
  /** The constraint's name for a constraint check. */
  constraint?: string;
  /** A single SELECT, on one line, returning the rows in the way (duplicates: one row per duplicate key value). */
  sql: string;
  /** What the change needs, e.g. `public.orders.region is added NOT NULL without a default`. */
  needs: string;
  /** A concrete way forward when rows are in the way. */
  remedy: string;
}

/** The checks of a plan and what could not be checked (one line each). */
export interface DataCheckSet {
  checks: DataCheck[];
  uncovered: string[];
}

/** What a count of a check's rows is called in messages: `3 row(s)`, `2 duplicate key value(s)`. */
export function describeCount(kind: DataCheckKind, n: string | number): string {
  switch (kind) {
    case 'rows': return `${n} row(s)`;
    case 'nulls': return `${n} row(s) holding NULL`;
    case 'duplicates': return `${n} duplicate key value(s)`;
    case 'violations': return `${n} row(s) violating the check`;
    case 'orphans': return `${n} row(s) without a referenced row`;
    case 'enum_values': return `${n} row(s) holding a removed label`;
  }
}

/** `SELECT count(*) FROM (<sql>) AS in_the_way`: the number of rows a check's query finds. */
export function countSql(sql: string): string {
  return `SELECT count(*) AS n FROM (${sql}\n) AS in_the_way`;
}

const tableOf = (cat: Catalog, id: string): TableObject | undefined => {
  const t = cat.objects[id];
  return t && t.kind === 'table' ? t : undefined;
};
const columnOf = (cat: Catalog, table: TableObject, name: string): ColumnObject | undefined => {
  const c = cat.objects[childId('column', table.id, name)];
  return c && c.kind === 'column' ? c : undefined;
};
const qual = (t: TableObject) => `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
const label = (t: TableObject) => `${t.schema}.${t.name}`;

/** Removes `location` fields, so two parse trees of the same expression at different offsets compare equal. */
function withoutLocations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLocations);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'location').map(([k, v]) => [k, withoutLocations(v)]));
  }
  return node;
}

/** Every `ColumnRef` of a parse tree, by its last name. */
function columnRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) columnRefs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'ColumnRef') {
        const fields = (v as { fields?: Array<{ String?: { sval: string } }> }).fields ?? [];
        const last = fields[fields.length - 1]?.String?.sval;
        if (last !== undefined) out.push(last);
      } else columnRefs(v, out);
    }
  }
  return out;
}

/** The parsed `Constraint` node of a catalog constraint definition (`pg_get_constraintdef`), or undefined. */
function constraintNode(c: ConstraintObject): Record<string, any> | undefined {
  return tryParse(`ALTER TABLE t ADD CONSTRAINT c ${c.definition}`)?.stmts?.[0]?.stmt?.AlterTableStmt?.cmds?.[0]?.AlterTableCmd?.def?.Constraint;
}

const names = (list: unknown): string[] => ((list as Array<{ String?: { sval: string } }> | undefined) ?? []).map((x) => x.String?.sval ?? '');

/**
 * The text of a CHECK constraint's expression: its definition without `CHECK ` and the trailing
 * `NOT VALID` / `NO INHERIT`, accepted only when PostgreSQL's parser reads it back as the very
 * expression of the constraint (so the query tests exactly what the constraint tests).
 */
function checkExpression(c: ConstraintObject, node: Record<string, any>): string | undefined {
  let def = c.definition.trim();
  if (!def.startsWith('CHECK ')) return undefined;
  def = def.slice('CHECK '.length);
  for (let again = true; again;) {
    again = false;
    for (const suffix of [' NOT VALID', ' NO INHERIT', ' NOT ENFORCED']) {
      if (def.endsWith(suffix)) { def = def.slice(0, -suffix.length); again = true; }
    }
  }
  const tree = tryParse(`SELECT FROM t WHERE ${def}`);
  if (tree?.stmts?.length !== 1) return undefined;
  const where = tree.stmts[0].stmt?.SelectStmt?.whereClause;
  if (JSON.stringify(withoutLocations(where)) !== JSON.stringify(withoutLocations(node.raw_expr))) return undefined;
  return def;
}

/** A backfill migration's name for `schemaplan new`. */
const backfillName = (verb: string, t: TableObject, cols: string[]) => `${verb}_${t.name}_${cols.join('_')}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_').slice(0, 60);

/**
 * The data checks of `plan` (see the module comment). Needs libpg-query loaded (sql/split.ts
 * `loadParser`). A plan without its catalogs (`origin`, `target`) has none.
 */
export function dataChecks(plan: Plan): DataCheckSet {
  const from = plan.origin;
  const to = plan.target;
  const checks: DataCheck[] = [];
  const uncovered: string[] = [];
  if (!from || !to) return { checks, uncovered };
  const recreated = new Set(plan.up.filter((c) => c.kind === 'table' && (c.op === 'create' || c.op === 'replace')).map((c) => c.id));
  const renamed = plan.up.some((c) => c.op === 'rename');
  /** A table that holds rows before the plan and keeps them (foreign tables are left alone). */
  const existing = (id: string): TableObject | undefined => {
    const t = tableOf(from, id);
    return t && !recreated.has(id) && !t.foreign ? t : undefined;
  };
  const seen = new Set<string>();
  for (const c of plan.up) {
    const key = `${c.id} ${c.op}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const after = to.objects[c.id];
    const before = from.objects[c.id];
    if (c.kind === 'column' && after?.kind === 'column' && !after.inherited) {
      const t = existing(after.table);
      if (!t) {
        if (renamed && !tableOf(from, after.table) && (after.notNull)) uncovered.push(`${c.description}: the table is renamed by this plan, its rows are not checked`);
        continue;
      }
      const col = quoteIdent(after.name);
      const fresh = c.op === 'create' || c.op === 'replace';
      if (fresh && after.notNull && after.default === null && !after.identity && !after.generated) {
        checks.push({
          change: c.id, kind: 'rows', tableId: t.id, table: label(t), relation: { schema: t.schema, name: t.name }, columns: [after.name],
          sql: `SELECT FROM ${qual(t)}`,
          needs: `${label(t)}.${after.name} is added NOT NULL without a default, so ${label(t)} must be empty`,
          remedy: `give ${after.name} a DEFAULT in the schema, or add it without NOT NULL, fill it in a hand-written migration (\`schemaplan new ${backfillName('backfill', t, [after.name])}\`) and plan NOT NULL after that`,
        });
      } else if (c.op === 'alter' && after.notNull) {
        if (!before) {
          if (renamed) uncovered.push(`${c.description}: the column is renamed by this plan, its NULLs are not checked`);
          continue;
        }
        if (before.kind !== 'column' || before.notNull) continue;
        checks.push({
          change: c.id, kind: 'nulls', tableId: t.id, table: label(t), relation: { schema: t.schema, name: t.name }, columns: [after.name],
          sql: `SELECT FROM ${qual(t)} WHERE ${col} IS NULL`,
          needs: `${label(t)}.${after.name} becomes NOT NULL, so it must hold no NULL`,
          remedy: `fill the NULLs in a hand-written migration (\`schemaplan new ${backfillName('backfill', t, [after.name])}\`: UPDATE ${qual(t)} SET ${col} = … WHERE ${col} IS NULL), apply it, then plan again`,
        });
      } else if (c.op === 'alter' && before?.kind === 'column' && before.type !== after.type && c.destructive) {
        uncovered.push(`${c.description}: values that do not fit the new type are not counted`);
      }
      continue;
    }
    if (c.kind === 'constraint' && after?.kind === 'constraint' && !after.inherited && (c.op === 'create' || c.op === 'replace' || c.op === 'alter')) {
      const t = existing(after.table);
      if (!t) continue;
      const old = before?.kind === 'constraint' ? before : undefined;
      if (old && old.type === after.type && definitionAsValidated(old) === definitionAsValidated(after) && (old.validated || !after.validated)) continue;
      const made = checkOfConstraint(c.id, after, t, from, to);
      if ('check' in made) { if (made.check) checks.push(made.check); } else uncovered.push(`${c.description}: ${made.uncovered}`);
      continue;
    }
    if (c.kind === 'type' && before?.kind === 'type' && before.typeKind === 'enum' && (c.op === 'replace' || c.op === 'alter')) {
      const now = after?.kind === 'type' && after.typeKind === 'enum' ? after : undefined;
      const removed = now ? before.values.filter((v) => !now.values.includes(v)) : [];
      if (removed.length) checks.push(...enumChecks(c.id, before, removed, from, existing));
    }
  }
  return { checks, uncovered };
}

/** Rows holding a removed label, per column of an existing table whose type is the enum. */
function enumChecks(change: string, type: EnumType, removed: string[], from: Catalog, existing: (id: string) => TableObject | undefined): DataCheck[] {
  const typeNames = new Set([`${type.schema}.${type.name}`, `${quoteIdent(type.schema)}.${quoteIdent(type.name)}`]);
  const out: DataCheck[] = [];
  for (const o of Object.values(from.objects)) {
    if (o.kind !== 'column' || o.inherited || !typeNames.has(o.type)) continue;
    const t = existing(o.table);
    if (!t) continue;
    const col = quoteIdent(o.name);
    out.push({
      change, kind: 'enum_values', tableId: t.id, table: label(t), relation: { schema: t.schema, name: t.name }, columns: [o.name],
      sql: `SELECT FROM ${qual(t)} WHERE ${col}::text IN (${removed.map(quoteLiteral).join(', ')})`,
      needs: `type ${type.schema}.${type.name} loses the label(s) ${removed.join(', ')}, so ${label(t)}.${o.name} must not hold them`,
      remedy: `move those rows to another label in a hand-written migration (\`schemaplan new ${backfillName('relabel', t, [o.name])}\`), apply it, then plan again`,
    });
  }
  return out;
}

/** The check of one added (or newly validated) constraint, `check: null` when it cannot fail, or why it is not covered. */
function checkOfConstraint(change: string, k: ConstraintObject, t: TableObject, from: Catalog, to: Catalog): { check: DataCheck | null } | { uncovered: string } {
  if (k.type === 'x') return { uncovered: 'exclusion constraints are not checked against the rows' };
  if ((k.type === 'c' || k.type === 'f') && !k.validated) return { check: null };
  const node = constraintNode(k);
  if (!node) return { uncovered: 'its definition could not be read' };
  const known = (cols: string[], table: TableObject = t) => cols.every((n) => columnOf(from, table, n));
  const base = { change, tableId: t.id, table: label(t), relation: { schema: t.schema, name: t.name }, constraint: k.name };
  if (k.type === 'u' || k.type === 'p') {
    const cols = names(node.keys);
    if (!cols.length || !known(cols)) return { uncovered: 'its key uses a column this plan adds or renames' };
    const list = cols.map(quoteIdent).join(', ');
    const notNull = node.nulls_not_distinct || k.type === 'p' ? '' : ` WHERE ${cols.map((n) => `${quoteIdent(n)} IS NOT NULL`).join(' AND ')}`;
    return {
      check: {
        ...base, kind: 'duplicates', columns: cols,
        sql: `SELECT ${list} FROM ${qual(t)}${notNull} GROUP BY ${list} HAVING count(*) > 1`,
        needs: `${k.type === 'p' ? 'primary key' : 'unique constraint'} ${k.name} on ${label(t)} (${cols.join(', ')}) needs every key value once`,
        remedy: `remove or merge the duplicates in a hand-written migration (\`schemaplan new ${backfillName('dedupe', t, cols)}\`), apply it, then plan again`,
      },
    };
  }
  if (k.type === 'c') {
    const expr = checkExpression(k, node);
    if (!expr) return { uncovered: 'its expression could not be read back exactly' };
    const cols = [...new Set(columnRefs(node.raw_expr))];
    if (!known(cols)) return { uncovered: 'its expression uses a column this plan adds or renames' };
    return {
      check: {
        ...base, kind: 'violations', columns: cols,
        sql: `SELECT FROM ${qual(t)} WHERE (${expr}) IS FALSE`,
        needs: `check constraint ${k.name} on ${label(t)} must hold for every row`,
        remedy: `fix the rows in a hand-written migration (\`schemaplan new ${backfillName('fix', t, [k.name])}\`), apply it, then plan again (or declare the constraint NOT VALID to check new rows only)`,
      },
    };
  }
  // Foreign key.
  const fk = names(node.fk_attrs);
  const pk = names(node.pk_attrs);
  const match = node.fk_matchtype ?? 's';
  if (!fk.length || fk.length !== pk.length || (match !== 's' && match !== 'f')) return { uncovered: 'its definition could not be read' };
  if (!known(fk)) return { uncovered: 'its columns include one this plan adds or renames' };
  const refId = k.references;
  const ref = refId ? tableOf(to, refId) : undefined;
  if (!refId || !ref) return { uncovered: 'its referenced table could not be found' };
  const refBefore = tableOf(from, refId);
  const c = (n: string) => `child.${quoteIdent(n)}`;
  const nonNull = match === 's'
    ? fk.map((n) => `${c(n)} IS NOT NULL`).join(' AND ')
    : fk.length === 1 ? `${c(fk[0]!)} IS NOT NULL` : `NOT (${fk.map((n) => `${c(n)} IS NULL`).join(' AND ')})`;
  let where: string;
  if (!refBefore || refBefore.foreign) {
    // A table this plan creates is empty: every key that must match finds nothing.
    where = nonNull;
  } else {
    if (!known(pk, refBefore)) return { uncovered: 'it references a column this plan adds or renames' };
    const missing = `NOT EXISTS (SELECT FROM ${qual(refBefore)} AS parent WHERE ${pk.map((p, i) => `parent.${quoteIdent(p)} = ${c(fk[i]!)}`).join(' AND ')})`;
    where = match === 's' || fk.length === 1 ? `${nonNull} AND ${missing}` : `${nonNull} AND (${fk.map((n) => `${c(n)} IS NULL`).join(' OR ')} OR ${missing})`;
  }
  return {
    check: {
      ...base, kind: 'orphans', columns: fk,
      sql: `SELECT ${fk.map(c).join(', ')} FROM ${qual(t)} AS child WHERE ${where}`,
      needs: `foreign key ${k.name} on ${label(t)} (${fk.join(', ')}) needs a row of ${label(ref)} for every key`,
      remedy: `delete or repoint those rows in a hand-written migration (\`schemaplan new ${backfillName('fix', t, [k.name])}\`), apply it, then plan again (or declare the constraint NOT VALID to check new rows only)`,
    },
  };
}

/** The `-- schemaplan:check` directive (see migrations/sections.ts), without the `-- `. */
export const CHECK_DIRECTIVE = 'schemaplan:check';

/**
 * The header lines (without `-- `) recording the checks of a plan written as several files: for
 * each file (its up changes, in order), one `schemaplan:check <sql>` line per check whose change
 * first appears in that file, each check once.
 */
export function checksByFile(checks: DataCheck[], files: Array<Array<{ id: string }>>): string[][] {
  const placed = new Set<string>();
  const written = new Set<string>();
  return files.map((changes) => {
    const ids = new Set(changes.map((c) => c.id).filter((id) => !placed.has(id)));
    for (const id of ids) placed.add(id);
    const out: string[] = [];
    for (const c of checks) {
      const line = `${CHECK_DIRECTIVE} ${c.sql}`;
      if (ids.has(c.change) && !written.has(line)) { written.add(line); out.push(line); }
    }
    return out;
  });
}
