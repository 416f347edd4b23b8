/** Tables and their columns: CREATE/DROP TABLE, ADD/DROP COLUMN and every ALTER COLUMN form. */
import type { Catalog, ColumnObject, ConstraintObject, TableObject } from '../catalog/model.js';
import { childId, idName, objectId, objectsOfKind } from '../catalog/model.js';
import { parseTableName, qualified, quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { clusterSql, columnDefinition, createSql, dropSql, identityClause, reloptionsSql, replicaIdentitySql, rlsSql, storageName, tableName } from './ddl.js';
import { createChange, relationMembers } from './objects.js';
import { isWidening } from './types.js';
import { defaultStep, notNullStep } from './step.js';
import { comparableExpression as cx, reloptionMap } from '../catalog/normalize.js';

/** Identities implicitly dropped with a table: its columns, constraints, indexes, triggers, policies, rules and statistics. */
export function tableMembers(cat: Catalog, tableId: string): string[] {
  return relationMembers(cat, tableId);
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
    if (old && mustRecreate(old, t)) continue; // re-created whole: see tableReplacements
    if (!old) {
      const cols = t.columns;
      out.push(change({
        id: t.id, kind: 'table', op: 'create', description: `create table ${t.schema}.${t.name}`,
        sql: createSql(to, t), phase: PHASE.createTable, creates: [t.id, ...cols], requires: depsOf(to, [t.id, ...cols]),
      }));
      if (t.replicaIdentity !== 'd' && !t.foreign) { // a foreign table reads as NOTHING and takes no setting
        out.push(change({
          id: t.id, kind: 'table', op: 'alter', description: `set replica identity of ${t.schema}.${t.name}`, sql: [replicaIdentitySql(to, t)],
          phase: PHASE.tableSettings, requires: [t.id, ...(t.replicaIndex ? [t.replicaIndex] : [])],
        }));
      }
      if (t.clusterIndex) {
        out.push(change({ id: t.id, kind: 'table', op: 'alter', description: `set the cluster index of ${t.schema}.${t.name}`, sql: [clusterSql(to, t)], phase: PHASE.tableSettings, requires: [t.id, t.clusterIndex] }));
      }
      continue;
    }
    out.push(...alterTable(to, old, t));
    for (const cid of t.columns) {
      const c = to.objects[cid] as ColumnObject;
      const oc = from.objects[cid] as ColumnObject | undefined;
      if (c.inherited || (oc && oc.inherited)) {
        // Follows the parent's column; only per-table settings are the child's own. A column the
        // parent gains arrives with the parent's default and storage.
        const base = oc ?? parentColumn(to, t, c);
        if (base) out.push(...alterColumnSettings(from, to, base, c, true));
        continue;
      }
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
  const cyclicForeignKeys = foreignKeysInDropCycles(from, to);
  for (const t of objectsOfKind(from, 'table')) {
    if (to.objects[t.id]) {
      for (const cid of t.columns) {
        if (to.objects[cid]) continue;
        const c = from.objects[cid] as ColumnObject;
        if (c.inherited) continue; // goes with the parent's column
        out.push(change({
          id: c.id, kind: 'column', op: 'drop', description: `drop column ${t.schema}.${t.name}.${c.name}`,
          sql: [dropSql(from, c)], phase: PHASE.dropColumn, drops: [c.id], releases: c.deps,
          destructive: `drops column ${t.schema}.${t.name}.${c.name} and its data`,
        }));
      }
      continue;
    }
    const cyclic = new Set(cyclicForeignKeys.get(t.id) ?? []);
    const members = tableMembers(from, t.id).filter((id) => !cyclic.has(id));
    const destructive = `drops table ${t.schema}.${t.name} and all its rows`;
    for (const id of cyclic) {
      const fk = from.objects[id] as ConstraintObject;
      out.push(change({
        id, kind: 'constraint', op: 'drop', description: `drop constraint ${t.schema}.${t.name}.${fk.name} (breaks a foreign-key cycle between dropped tables)`,
        sql: [dropSql(from, fk)], phase: PHASE.dropForeignKey, drops: [id], releases: fk.deps, destructive,
      }));
    }
    out.push(change({
      id: t.id, kind: 'table', op: 'drop', description: `drop table ${t.schema}.${t.name}`,
      sql: [dropSql(from, t)], phase: PHASE.dropTable, drops: [t.id, ...members], releases: depsOf(from, [t.id, ...members]),
      destructive,
    }));
  }
  return out;
}

/**
 * Tables PostgreSQL cannot change in place — a new partition key, a plain table turning into a
 * partitioned one and back, a table becoming a foreign table or a foreign table changing server
 * (`mustRecreate`) — are dropped and created again (destructive: the rows are lost), with
 * their partitions (dropped with them) and every object on them. Returns the changes and the tables
 * re-created; the diff drops its other changes on those tables (these supersede them) and its
 * cascade re-creates what depends on them.
 */
export function tableReplacements(from: Catalog, to: Catalog): { changes: Change[]; tables: Set<string> } {
  const changes: Change[] = [];
  const tables = new Set<string>();
  const roots = objectsOfKind(to, 'table').filter((t) => {
    const a = from.objects[t.id];
    return a && a.kind === 'table' && mustRecreate(a, t);
  });
  // Partitions of a re-created table (on both sides) go with it.
  const childrenOf = (cat: Catalog, id: string) => objectsOfKind(cat, 'table').filter((c) => c.partitionOf === id).map((c) => c.id);
  const queue = roots.map((t) => t.id);
  while (queue.length) {
    const id = queue.shift()!;
    if (tables.has(id)) continue;
    tables.add(id);
    for (const c of [...childrenOf(from, id), ...childrenOf(to, id)]) if (from.objects[c] && to.objects[c]) queue.push(c);
  }
  for (const id of tables) {
    const a = from.objects[id] as TableObject;
    const b = to.objects[id] as TableObject;
    const label = `${b.schema}.${b.name}`;
    const why = roots.some((r) => r.id === id) ? (a.partitionKey !== b.partitionKey ? 'partitioning changed' : 'foreign server changed') : `its partitioned table ${b.partitionOf?.slice(6)} is re-created`;
    const members = tableMembers(from, id);
    changes.push(change({
      id, kind: 'table', op: 'replace', description: `drop table ${label} to re-create it (${why})`, sql: roots.some((r) => r.id === id) ? [dropSql(from, a)] : [],
      phase: PHASE.dropTable, drops: [id, ...members], releases: depsOf(from, [id, ...members]), destructive: `re-creates table ${label}: its rows are lost`,
    }));
    changes.push(change({
      id, kind: 'table', op: 'replace', description: `re-create table ${label} (${why})`, sql: createSql(to, b), phase: PHASE.createTable,
      creates: [id, ...b.columns], requires: depsOf(to, [id, ...b.columns]).filter((d) => d !== b.partitionOf || !tables.has(d)).concat(b.partitionOf ? [b.partitionOf] : []),
    }));
    for (const m of tableMembers(to, id)) {
      const o = to.objects[m]!;
      if (o.kind === 'column' || ('inherited' in o && o.inherited)) continue;
      const c = createChange(to, o);
      c.op = 'replace';
      c.description = `re-create ${o.kind} ${idName(m)} (${why})`;
      changes.push(c);
    }
    if (b.replicaIdentity !== 'd' && !b.foreign) {
      changes.push(change({ id, kind: 'table', op: 'alter', description: `set replica identity of ${label}`, sql: [replicaIdentitySql(to, b)], phase: PHASE.tableSettings, requires: [id, ...(b.replicaIndex ? [b.replicaIndex] : [])] }));
    }
    if (b.clusterIndex) {
      changes.push(change({ id, kind: 'table', op: 'alter', description: `set the cluster index of ${label}`, sql: [clusterSql(to, b)], phase: PHASE.tableSettings, requires: [id, b.clusterIndex] }));
    }
  }
  return { changes, tables };
}

/**
 * True when PostgreSQL cannot turn table `a` into `b` in place: the partition key changes, or the
 * table becomes or stops being a foreign table, or a foreign table moves to another server (there
 * is no ALTER FOREIGN TABLE … SERVER).
 */
function mustRecreate(a: TableObject, b: TableObject): boolean {
  return a.partitionKey !== b.partitionKey || (a.foreign?.server ?? null) !== (b.foreign?.server ?? null);
}

/**
 * Foreign keys between dropped tables that close a reference cycle (a → b → … → a; self-references
 * are fine), by table: `DROP TABLE` of any table of a cycle fails while another still references
 * it, so these are dropped first, on their own. Greedy, in identity order: a foreign key is taken
 * out only while it still lies on a cycle, so one per cycle usually suffices.
 */
function foreignKeysInDropCycles(from: Catalog, to: Catalog): Map<string, string[]> {
  const dropped = new Set(objectsOfKind(from, 'table').filter((t) => !to.objects[t.id]).map((t) => t.id));
  const fks = objectsOfKind(from, 'constraint').filter((c) => c.type === 'f' && dropped.has(c.table) && c.references && c.references !== c.table && dropped.has(c.references));
  const outgoing = new Map<string, ConstraintObject[]>();
  for (const fk of fks) outgoing.set(fk.table, [...(outgoing.get(fk.table) ?? []), fk]);
  const removed = new Set<string>();
  const reaches = (start: string, goal: string): boolean => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === goal) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      for (const fk of outgoing.get(n) ?? []) if (!removed.has(fk.id)) stack.push(fk.references!);
    }
    return false;
  };
  const out = new Map<string, string[]>();
  for (const fk of fks) {
    if (!reaches(fk.references!, fk.table)) continue;
    removed.add(fk.id);
    out.set(fk.table, [...(out.get(fk.table) ?? []), fk.id]);
  }
  return out;
}

/** The enum type a column's type text names in `cat` (`public.status`, `public."My Enum"`), if it is one. */
function enumNamed(cat: Catalog, type: string): boolean {
  if (!type.includes('.')) return false; // read with an empty search_path, a user type is schema-qualified
  let name: [string, string];
  try {
    name = parseTableName(type);
  } catch {
    return false; // not `schema.name` (e.g. an array type): not an enum
  }
  const o = cat.objects[objectId('type', ...name)];
  return o?.kind === 'type' && o.typeKind === 'enum';
}

/**
 * The intermediate cast of a type change's USING expression: `::text` when the old or the new type
 * is an enum, since PostgreSQL has no cast between two enums (nor from an enum to most types) but
 * every type converts to and from text by its I/O functions ("CREATE CAST": automatic I/O
 * conversion casts to and from string types).
 */
function castVia(from: Catalog, to: Catalog, oldType: string, newType: string): string {
  return enumNamed(from, oldType) || enumNamed(to, newType) ? '::text' : '';
}

/** ALTER COLUMN steps turning `a` into `b` (same identity). */
function alterColumn(from: Catalog, to: Catalog, a: ColumnObject, b: ColumnObject): Change[] {
  const out: Change[] = [];
  // Names and texts are built only for a change: most column pairs of a large catalog are equal.
  const tbl = () => tableName(to, b.table);
  const col = () => quoteIdent(b.name);
  const alter = (s: string) => `ALTER TABLE ${tbl()} ALTER COLUMN ${col()} ${s}`;
  const label = () => `${b.schema}.${(to.objects[b.table] as TableObject).name}.${b.name}`;
  const base = { id: b.id, kind: 'column' as const, op: 'alter' as const };
  const on = () => ({ column: b.id, table: b.table, on: tbl(), name: col() });

  // Generated expression changes: a stored generated column is derived data, re-adding it loses nothing.
  if (cx(a.generated) !== cx(b.generated)) {
    if (a.generated !== null && b.generated === null) {
      // Early, like dropping a default: it releases what the expression used (e.g. a column whose type changes).
      out.push(change({ ...base, description: `drop generation expression of ${label()}`, sql: [alter('DROP EXPRESSION')], phase: PHASE.dropDefault, releases: a.deps }));
      a = { ...a, generated: null };
    } else {
      const destructive = a.generated === null ? `replaces the stored values of ${label()} with a generated expression` : null;
      return columnReplacement(from, to, a, b, a.generated === null ? 'becomes generated' : 'generation expression changed', destructive);
    }
  }
  const typeChanged = a.type !== b.type || a.collation !== b.collation;
  const defaultChanged = cx(a.default) !== cx(b.default);
  if (defaultChanged && a.default !== null && (typeChanged || b.default === null || b.identity)) {
    out.push(change({ ...base, description: `drop default of ${label()}`, steps: [defaultStep('drop_default', on())], detail: 'default', phase: PHASE.dropDefault, releases: a.deps }));
  }
  if (a.identity && !b.identity) {
    out.push(change({ ...base, description: `drop identity of ${label()}`, sql: [alter('DROP IDENTITY')], phase: PHASE.dropDefault }));
  }
  if (typeChanged) {
    const narrowing = !isWidening(a.type, b.type);
    out.push(change({
      ...base, description: `change type of ${label()} from ${a.type} to ${b.type}`,
      sql: [alter(`TYPE ${b.type}${b.collation ? ` COLLATE ${b.collation}` : ''} USING ${col()}${castVia(from, to, a.type, b.type)}::${b.type}`)],
      // `creates`: the column's new definition, so that objects built on it (re-created triggers,
      // functions, generated columns, new indexes and constraints) come after the change.
      phase: PHASE.alterColumn, creates: [b.id], requires: b.deps.filter((d) => !d.startsWith('sequence:')), releases: a.deps,
      destructive: narrowing ? `changes ${label()} from ${a.type} to ${b.type}, which may fail or lose data` : null,
      revertFields: ['type', 'collation'],
    }));
  }
  // ADD IDENTITY needs the column NOT NULL already.
  const notNullFirst = !!b.identity && !a.identity && b.notNull && !a.notNull;
  if (notNullFirst) {
    out.push(change({ ...base, description: `set not null on ${label()}`, steps: [notNullStep('set_not_null', on())], phase: PHASE.alterColumn }));
  }
  if (b.identity && !a.identity) {
    out.push(change({ ...base, description: `add identity to ${label()}`, sql: [alter(`ADD ${identityClause(b.identity)}`)], phase: PHASE.alterColumn }));
  } else if (a.identity && b.identity) {
    const sets: string[] = [];
    if (a.identity.kind !== b.identity.kind) sets.push(`SET GENERATED ${b.identity.kind === 'a' ? 'ALWAYS' : 'BY DEFAULT'}`);
    if (a.identity.increment !== b.identity.increment) sets.push(`SET INCREMENT BY ${b.identity.increment}`);
    if (a.identity.start !== b.identity.start) sets.push(`SET START WITH ${b.identity.start}`);
    if (a.identity.min !== b.identity.min) sets.push(`SET MINVALUE ${b.identity.min}`);
    if (a.identity.max !== b.identity.max) sets.push(`SET MAXVALUE ${b.identity.max}`);
    if (a.identity.cache !== b.identity.cache) sets.push(`SET CACHE ${b.identity.cache}`);
    if (a.identity.cycle !== b.identity.cycle) sets.push(b.identity.cycle ? 'SET CYCLE' : 'SET NO CYCLE');
    if (sets.length) out.push(change({ ...base, description: `alter identity of ${label()}`, sql: [alter(sets.join(' '))], phase: PHASE.alterColumn }));
  }
  if (defaultChanged && b.default !== null) {
    out.push(change({ ...base, description: `set default of ${label()}`, steps: [defaultStep('set_default', { ...on(), expression: b.default })], detail: 'default', phase: PHASE.alterColumn + 1, requires: b.deps }));
  }
  if (a.notNull !== b.notNull && !notNullFirst) {
    out.push(change({ ...base, description: `${b.notNull ? 'set' : 'drop'} not null on ${label()}`, steps: [notNullStep(b.notNull ? 'set_not_null' : 'drop_not_null', on())], phase: PHASE.alterColumn + 1 }));
  }
  out.push(...alterColumnSettings(from, to, a, b, false));
  return out;
}

/** The parent table's column a new inherited column copies (default, storage; statistics are the child's own). */
function parentColumn(to: Catalog, t: TableObject, c: ColumnObject): ColumnObject | undefined {
  for (const p of t.partitionOf ? [t.partitionOf] : t.inherits) {
    const pc = to.objects[childId('column', p, c.name)];
    if (pc && pc.kind === 'column') return { ...pc, statistics: null };
  }
  return undefined;
}

/**
 * Per-table column settings: STORAGE and STATISTICS (and, for a column inherited from a parent,
 * its own DEFAULT, which PostgreSQL lets a child set).
 */
function alterColumnSettings(_from: Catalog, to: Catalog, a: ColumnObject, b: ColumnObject, inherited: boolean): Change[] {
  const out: Change[] = [];
  const alter = (s: string) => `ALTER TABLE ${tableName(to, b.table)} ALTER COLUMN ${quoteIdent(b.name)} ${s}`;
  const label = () => idName(b.id);
  const base = { id: b.id, kind: 'column' as const, op: 'alter' as const };
  const on = () => ({ column: b.id, table: b.table, on: tableName(to, b.table), name: quoteIdent(b.name) });
  if (inherited && cx(a.default) !== cx(b.default) && !b.generated && !a.generated) {
    out.push(change({ ...base, description: `${b.default === null ? 'drop' : 'set'} default of ${label()}`, steps: [b.default === null ? defaultStep('drop_default', on()) : defaultStep('set_default', { ...on(), expression: b.default })], detail: 'default', phase: PHASE.alterColumn + 1, requires: b.deps, releases: a.deps }));
  }
  if (a.storage !== b.storage) {
    out.push(change({ ...base, description: `set storage of ${label()}`, sql: [alter(`SET STORAGE ${b.storage ? storageName(b.storage) : storageName(defaultStorage(b.type))}`)], phase: PHASE.alterColumn + 1 }));
  }
  if (a.statistics !== b.statistics) {
    out.push(change({ ...base, description: `set statistics target of ${label()}`, sql: [alter(`SET STATISTICS ${b.statistics ?? -1}`)], phase: PHASE.alterColumn + 1 }));
  }
  if ((a.compression ?? null) !== (b.compression ?? null)) {
    out.push(change({ ...base, description: `set compression of ${label()}`, sql: [alter(`SET COMPRESSION ${b.compression ?? 'default'}`)], phase: PHASE.alterColumn + 1 }));
  }
  return out;
}

/** The storage a type gets by default: fixed-length types are PLAIN, variable-length EXTENDED (the usual case). */
function defaultStorage(type: string): string {
  return /^(smallint|integer|bigint|boolean|real|double precision|date|timestamp|time|uuid|oid|"char"|money|interval|point)/.test(type) ? 'p' : 'x';
}

/** Table-level settings: persistence, storage parameters, row-level security, replica identity. */
function alterTable(to: Catalog, a: TableObject, b: TableObject): Change[] {
  const out: Change[] = [];
  const name = qualified(b.schema, b.name);
  const base = { id: b.id, kind: 'table' as const, op: 'alter' as const };
  const label = `${b.schema}.${b.name}`;
  if (a.persistence !== b.persistence) {
    out.push(change({ ...base, description: `set table ${label} ${b.persistence === 'u' ? 'unlogged' : 'logged'}`, sql: [`ALTER TABLE ${name} SET ${b.persistence === 'u' ? 'UNLOGGED' : 'LOGGED'}`], phase: PHASE.alterColumn }));
  }
  const aOpts = reloptionMap(a.options);
  const bOpts = reloptionMap(b.options);
  const set = b.options.filter((o) => { const k = o.slice(0, o.indexOf('=')); return aOpts.get(k) !== bOpts.get(k); });
  const reset = [...aOpts.keys()].filter((k) => !bOpts.has(k));
  if (set.length || reset.length) {
    out.push(change({
      ...base, description: `set storage parameters of table ${label}`, phase: PHASE.alterColumn,
      sql: [...(set.length ? [`ALTER TABLE ${name} SET (${reloptionsSql(set)})`] : []), ...(reset.length ? [`ALTER TABLE ${name} RESET (${reset.join(', ')})`] : [])],
    }));
  }
  if (a.rowSecurity !== b.rowSecurity) {
    out.push(change({ ...base, description: `${b.rowSecurity ? 'enable' : 'disable'} row level security on ${label}`, sql: [rlsSql(b, 'enable', b.rowSecurity)], phase: PHASE.tableSettings }));
  }
  if (a.forceRowSecurity !== b.forceRowSecurity) {
    out.push(change({ ...base, description: `${b.forceRowSecurity ? 'force' : 'no force'} row level security on ${label}`, sql: [rlsSql(b, 'force', b.forceRowSecurity)], phase: PHASE.tableSettings }));
  }
  if ((a.clusterIndex ?? null) !== (b.clusterIndex ?? null)) {
    out.push(change({
      ...base, description: `${b.clusterIndex ? 'set' : 'remove'} the cluster index of ${label}`, sql: [clusterSql(to, b)], phase: PHASE.tableSettings,
      requires: b.clusterIndex ? [b.clusterIndex] : [], releases: a.clusterIndex ? [a.clusterIndex] : [],
    }));
  }
  if (a.replicaIdentity !== b.replicaIdentity || a.replicaIndex !== b.replicaIndex) {
    out.push(change({
      ...base, description: `set replica identity of ${label}`, sql: [replicaIdentitySql(to, b)], phase: PHASE.tableSettings,
      requires: b.replicaIndex ? [b.replicaIndex] : [], releases: a.replicaIndex ? [a.replicaIndex] : [],
    }));
  }
  return out;
}

/**
 * Drops a column and adds it again in its to-catalog form (a changed generation expression, or a
 * generated column whose base column changes type, which PostgreSQL refuses in place). Two changes,
 * so that whatever must happen in between (e.g. the base column's type change) can: the drop runs
 * with the other drops, the add after the column changes. Dependents of the column (indexes,
 * constraints, triggers) are re-created by the diff's cascade. Only the drop carries `destructive`:
 * policy reverts the column as a whole, which removes both.
 */
export function columnReplacement(from: Catalog, to: Catalog, a: ColumnObject, b: ColumnObject, why: string, destructive: string | null = null): Change[] {
  const label = `${b.schema}.${(to.objects[b.table] as TableObject).name}.${b.name}`;
  const revertFields = ['generated', 'type', 'default', 'notNull', 'identity', 'collation'];
  return [
    change({
      id: a.id, kind: 'column', op: 'replace', description: `drop column ${label} to re-create it (${why})`,
      sql: [dropSql(from, a)], phase: PHASE.dropColumn, drops: [a.id], releases: a.deps, destructive, revertFields,
    }),
    change({
      id: b.id, kind: 'column', op: 'replace', description: `re-create column ${label} (${why})`,
      sql: createSql(to, b), phase: PHASE.alterColumn + 1, creates: [b.id], requires: b.deps, revertFields,
    }),
  ];
}

export { columnDefinition };
