/** Tables and their columns: CREATE/DROP TABLE, ADD/DROP COLUMN and every ALTER COLUMN form. */
import type { Catalog, ColumnObject, TableObject } from '../catalog/model.js';
import { objectsOfKind } from '../catalog/model.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { columnDefinition, createSql, dropSql, identityClause, tableName } from './ddl.js';
import { isWidening } from './types.js';

/** Identities implicitly dropped with a table: its columns, constraints, indexes and triggers. */
export function tableMembers(cat: Catalog, tableId: string): string[] {
  return Object.values(cat.objects)
    .filter((o) => (o.kind === 'column' || o.kind === 'constraint' || o.kind === 'index' || o.kind === 'trigger') && o.table === tableId)
    .map((o) => o.id);
}

function depsOf(cat: Catalog, ids: string[]): string[] {
  const out = new Set<string>();
  for (const id of ids) for (const d of cat.objects[id]?.deps ?? []) out.add(d);
  for (const id of ids) out.delete(id);
  return [...out];
}

/** Changes for tables and columns. */
export function diffTables(from: Catalog, to: Catalog): Change[] {
  const out: Change[] = [];
  for (const t of objectsOfKind(to, 'table')) {
    const old = from.objects[t.id] as TableObject | undefined;
    if (!old) {
      const cols = t.columns;
      out.push(change({
        id: t.id, kind: 'table', op: 'create', description: `create table ${t.schema}.${t.name}`,
        sql: createSql(to, t), phase: PHASE.createTable, creates: [t.id, ...cols], requires: depsOf(to, [t.id, ...cols]),
      }));
      continue;
    }
    if (old.persistence !== t.persistence) {
      out.push(change({
        id: t.id, kind: 'table', op: 'alter', description: `set table ${t.schema}.${t.name} ${t.persistence === 'u' ? 'unlogged' : 'logged'}`,
        sql: [`ALTER TABLE ${qualified(t.schema, t.name)} SET ${t.persistence === 'u' ? 'UNLOGGED' : 'LOGGED'}`], phase: PHASE.alterColumn,
      }));
    }
    for (const cid of t.columns) {
      const c = to.objects[cid] as ColumnObject;
      const oc = from.objects[cid] as ColumnObject | undefined;
      if (!oc) {
        out.push(change({
          id: c.id, kind: 'column', op: 'create', description: `add column ${t.schema}.${t.name}.${c.name} (${c.type})`,
          sql: createSql(to, c), phase: PHASE.alterColumn, creates: [c.id], requires: c.deps,
        }));
      } else {
        out.push(...alterColumn(from, to, oc, c));
      }
    }
  }
  for (const t of objectsOfKind(from, 'table')) {
    if (to.objects[t.id]) {
      for (const cid of t.columns) {
        if (to.objects[cid]) continue;
        const c = from.objects[cid] as ColumnObject;
        out.push(change({
          id: c.id, kind: 'column', op: 'drop', description: `drop column ${t.schema}.${t.name}.${c.name}`,
          sql: [dropSql(from, c)], phase: PHASE.dropColumn, drops: [c.id], releases: c.deps,
          destructive: `drops column ${t.schema}.${t.name}.${c.name} and its data`,
        }));
      }
      continue;
    }
    const members = tableMembers(from, t.id);
    out.push(change({
      id: t.id, kind: 'table', op: 'drop', description: `drop table ${t.schema}.${t.name}`,
      sql: [dropSql(from, t)], phase: PHASE.dropTable, drops: [t.id, ...members], releases: depsOf(from, [t.id, ...members]),
      destructive: `drops table ${t.schema}.${t.name} and all its rows`,
    }));
  }
  return out;
}

/** ALTER COLUMN steps turning `a` into `b` (same identity). */
function alterColumn(from: Catalog, to: Catalog, a: ColumnObject, b: ColumnObject): Change[] {
  const out: Change[] = [];
  const tbl = tableName(to, b.table);
  const col = quoteIdent(b.name);
  const alter = (s: string) => `ALTER TABLE ${tbl} ALTER COLUMN ${col} ${s}`;
  const label = `${b.schema}.${(to.objects[b.table] as TableObject).name}.${b.name}`;
  const base = { id: b.id, kind: 'column' as const, op: 'alter' as const };

  // Generated expression changes: a stored generated column is derived data, re-adding it loses nothing.
  if (a.generated !== b.generated && (a.generated !== null || b.generated !== null)) {
    if (a.generated !== null && b.generated === null) {
      out.push(change({ ...base, description: `drop generation expression of ${label}`, sql: [alter('DROP EXPRESSION')], phase: PHASE.alterColumn, releases: a.deps }));
      a = { ...a, generated: null };
    } else {
      const destructive = a.generated === null ? `replaces the stored values of ${label} with a generated expression` : null;
      out.push(change({
        ...base, op: 'replace', description: `re-create generated column ${label}`,
        sql: [dropSql(from, a), createSql(to, b)[0]!], phase: PHASE.alterColumn, drops: [a.id], creates: [b.id], releases: a.deps, requires: b.deps,
        destructive, revertFields: ['generated', 'type', 'default', 'notNull', 'identity', 'collation'],
      }));
      return out;
    }
  }
  const typeChanged = a.type !== b.type || a.collation !== b.collation;
  const defaultChanged = a.default !== b.default;
  if (defaultChanged && a.default !== null && (typeChanged || b.default === null || b.identity)) {
    out.push(change({ ...base, description: `drop default of ${label}`, sql: [alter('DROP DEFAULT')], phase: PHASE.dropDefault, releases: a.deps }));
  }
  if (a.identity && !b.identity) {
    out.push(change({ ...base, description: `drop identity of ${label}`, sql: [alter('DROP IDENTITY')], phase: PHASE.dropDefault }));
  }
  if (typeChanged) {
    const narrowing = !isWidening(a.type, b.type);
    out.push(change({
      ...base, description: `change type of ${label} from ${a.type} to ${b.type}`,
      sql: [alter(`TYPE ${b.type}${b.collation ? ` COLLATE ${b.collation}` : ''} USING ${col}::${b.type}`)],
      phase: PHASE.alterColumn, requires: b.deps.filter((d) => !d.startsWith('sequence:')), releases: a.deps,
      destructive: narrowing ? `changes ${label} from ${a.type} to ${b.type}, which may fail or lose data` : null,
      revertFields: ['type', 'collation'],
    }));
  }
  if (b.identity && !a.identity) {
    out.push(change({ ...base, description: `add identity to ${label}`, sql: [alter(`ADD ${identityClause(b.identity)}`)], phase: PHASE.alterColumn }));
  } else if (a.identity && b.identity) {
    const sets: string[] = [];
    if (a.identity.kind !== b.identity.kind) sets.push(`SET GENERATED ${b.identity.kind === 'a' ? 'ALWAYS' : 'BY DEFAULT'}`);
    if (a.identity.increment !== b.identity.increment) sets.push(`SET INCREMENT BY ${b.identity.increment}`);
    if (a.identity.start !== b.identity.start) sets.push(`SET START WITH ${b.identity.start}`);
    if (a.identity.min !== b.identity.min) sets.push(`SET MINVALUE ${b.identity.min}`);
    if (a.identity.max !== b.identity.max) sets.push(`SET MAXVALUE ${b.identity.max}`);
    if (a.identity.cache !== b.identity.cache) sets.push(`SET CACHE ${b.identity.cache}`);
    if (a.identity.cycle !== b.identity.cycle) sets.push(b.identity.cycle ? 'SET CYCLE' : 'SET NO CYCLE');
    if (sets.length) out.push(change({ ...base, description: `alter identity of ${label}`, sql: [alter(sets.join(' '))], phase: PHASE.alterColumn }));
  }
  if (defaultChanged && b.default !== null) {
    out.push(change({ ...base, description: `set default of ${label}`, sql: [alter(`SET DEFAULT ${b.default}`)], phase: PHASE.alterColumn + 1, requires: b.deps }));
  }
  if (a.notNull !== b.notNull) {
    out.push(change({ ...base, description: `${b.notNull ? 'set' : 'drop'} not null on ${label}`, sql: [alter(b.notNull ? 'SET NOT NULL' : 'DROP NOT NULL')], phase: PHASE.alterColumn + 1 }));
  }
  return out;
}

export { columnDefinition };
