/**
 * Views and materialized views. A view whose new column list only appends columns to the old one
 * (same names, types and collations first) is changed with `CREATE OR REPLACE VIEW`; otherwise it is
 * dropped and created again, and the diff's cascade re-creates what depends on it. A materialized
 * view has no CREATE OR REPLACE: any change to its query re-creates it (its indexes with it).
 * Options (`security_barrier`, `security_invoker`, `check_option`, storage parameters) change in
 * place with ALTER … SET/RESET.
 */
import type { Catalog, ViewColumn, ViewObject, MatviewObject } from '../catalog/model.js';
import { objectsOfKind } from '../catalog/model.js';
import { comparableExpression, comparableViewDefinition, reloptionMap, viewDefinitionsNeedNormalising } from '../catalog/normalize.js';
import { qualified } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { reloptionsSql, viewSql } from './ddl.js';
import { addsAndDrops, label, replaceChanges } from './objects.js';

const colKey = (c: ViewColumn) => `${c.name}\u0000${c.type}\u0000${c.collation ?? ''}`;

/** True when the two view definitions are the same query (across the 15/16 text change when the versions straddle it). */
export function sameViewDefinition(from: Catalog, to: Catalog, a: string, b: string): boolean {
  if (a === b) return true;
  a = comparableExpression(a);
  b = comparableExpression(b);
  if (a === b) return true;
  if (!viewDefinitionsNeedNormalising(from.serverVersion, to.serverVersion)) return false;
  const schemas = [...new Set([...from.schemas, ...to.schemas])];
  return comparableViewDefinition(a, schemas) === comparableViewDefinition(b, schemas);
}

/** True when the view's query or its columns differ. */
export function viewChanged(from: Catalog, to: Catalog, a: ViewObject | MatviewObject, b: ViewObject | MatviewObject): boolean {
  return !sameViewDefinition(from, to, a.definition, b.definition) || a.columns.map(colKey).join('\u0001') !== b.columns.map(colKey).join('\u0001');
}

/** Views and materialized views: create, drop, CREATE OR REPLACE, replace, SET/RESET options. */
export function diffViews(from: Catalog, to: Catalog): Change[] {
  const out = [...addsAndDrops(from, to, 'view'), ...addsAndDrops(from, to, 'matview')];
  for (const b of [...objectsOfKind(to, 'view'), ...objectsOfKind(to, 'matview')]) {
    const a = from.objects[b.id];
    if (!a || a.kind !== b.kind) continue;
    const keyword = b.kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW';
    if (viewChanged(from, to, a, b)) {
      const appendsOnly = b.kind === 'view' && a.columns.length <= b.columns.length && a.columns.every((c, i) => colKey(c) === colKey(b.columns[i]!));
      if (appendsOnly) {
        out.push(change({
          id: b.id, kind: 'view', op: 'alter', description: `replace query of view ${label(b)} (CREATE OR REPLACE${b.columns.length > a.columns.length ? ', columns appended' : ''})`,
          sql: [viewSql(b as ViewObject, true)], phase: PHASE.createView, requires: b.deps, releases: a.deps,
        }));
      } else {
        out.push(...replaceChanges(from, to, a, b, b.kind === 'view' ? 'columns changed' : 'query changed'));
      }
      continue;
    }
    const aOpts = reloptionMap(a.options);
    const bOpts = reloptionMap(b.options);
    const set = b.options.filter((o) => { const k = o.slice(0, o.indexOf('=')); return aOpts.get(k) !== bOpts.get(k); });
    const reset = [...aOpts.keys()].filter((k) => !bOpts.has(k));
    const sql: string[] = [];
    if (set.length) sql.push(`ALTER ${keyword} ${qualified(b.schema, b.name)} SET (${reloptionsSql(set)})`);
    if (reset.length) sql.push(`ALTER ${keyword} ${qualified(b.schema, b.name)} RESET (${reset.join(', ')})`);
    if (sql.length) out.push(change({ id: b.id, kind: b.kind, op: 'alter', description: `set options of ${b.kind === 'view' ? 'view' : 'materialized view'} ${label(b)}`, sql, phase: PHASE.createView + 0.5 }));
  }
  return out;
}
