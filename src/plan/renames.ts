/**
 * Possible renames: a column dropped and a column of the same type
 * added on the same table, or a table dropped and a table with the same columns (names and types)
 * created in the same schema, may be one object renamed. The planner cannot tell, so it reports
 * each such pair with the exact hint that would make it a rename, and plans drop + add. Pure.
 */
import { idName, objectsOfKind, type Catalog, type ColumnObject, type TableObject } from '../catalog/model.js';
import type { PossibleRename } from './document.js';

/** The hint comment that declares a rename in schema.sql. */
export function renameHint(oldName: string): string {
  return `-- schemaplan:renamed-from ${oldName}`;
}

/** Columns of a table as `name type` lines, sorted (the table's shape). */
function shape(cat: Catalog, t: TableObject): string {
  return t.columns.map((id) => cat.objects[id] as ColumnObject | undefined).filter((c): c is ColumnObject => !!c)
    .map((c) => `${c.name} ${c.type}`).sort().join(', ');
}

/**
 * Pairs of (dropped, added) objects of the same shape between `from` (current) and `to` (desired).
 * Every candidate pair is listed (two added columns of the type of one dropped column give two
 * entries); the reviewer picks the one that is a rename, if any.
 */
export function possibleRenames(from: Catalog, to: Catalog): PossibleRename[] {
  const out: PossibleRename[] = [];
  const tablesOf = (cat: Catalog) => objectsOfKind(cat, 'table');
  const droppedTables = tablesOf(from).filter((t) => !to.objects[t.id]);
  const addedTables = tablesOf(to).filter((t) => !from.objects[t.id]);
  for (const a of addedTables) {
    const s = shape(to, a);
    for (const d of droppedTables) {
      if (d.schema !== a.schema || !s || shape(from, d) !== s || !!d.partitionKey !== !!a.partitionKey) continue;
      out.push({ kind: 'table', from: idName(d.id), to: idName(a.id), hint: renameHint(d.name) });
    }
  }
  const colsOf = (cat: Catalog) => objectsOfKind(cat, 'column').filter((o) => !o.inherited);
  const toCols = colsOf(to);
  const dropped = new Map<string, ColumnObject[]>();
  for (const c of colsOf(from)) {
    if (to.objects[c.id] || !to.objects[c.table]) continue; // a column's identity is its table's plus its name
    dropped.set(c.table, [...(dropped.get(c.table) ?? []), c]);
  }
  for (const a of toCols) {
    const candidates = dropped.get(a.table);
    if (!candidates || from.objects[a.id]) continue;
    for (const d of candidates) {
      if (d.type !== a.type) continue;
      out.push({ kind: 'column', from: idName(d.id), to: idName(a.id), hint: renameHint(d.name) });
    }
  }
  return out;
}
