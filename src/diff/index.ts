/**
 * `diff(from, to)`: a pure function from two catalogs to the list of typed changes that turn the
 * first into the second. It does no I/O and does not order the changes (see `plan/order.ts`) or
 * apply policy (see `plan/policy.ts`).
 */
import { allObjects, idName, objectsOfKind, type Catalog, type CatalogObject, type ColumnObject } from '../catalog/model.js';
import { change, PHASE, type Change } from './change.js';
import { commentSql, subCommentSql, tableName } from './ddl.js';
import { qualified, quoteIdent, quoteLiteral } from '../db/quote.js';
import { inheritedCreates, linkTokens, prepareLinks } from './inheritance.js';
import {
  diffConstraints, diffEnums, diffFunctions, diffIndexes, diffSchemasAndExtensions, diffSequences, diffTriggers,
  isInherited, isOfType, kindName, replaceChanges,
} from './objects.js';
import { diffEventTriggers, diffRules, diffStatistics, diffTextSearch } from './others.js';
import { diffForeign } from './foreign.js';
import { diffPublications, diffSubscriptions } from './replication.js';
import { diffDefaultPrivileges, diffOwnersAndPrivileges, diffPolicies } from './security.js';
import { columnReplacement, diffTables, tableReplacements } from './tables.js';
import { diffCollations, diffDomains, diffTypes } from './typedefs.js';
import { diffViews } from './views.js';
import { followExtensionMoves } from './extensions.js';
import { defaultStep } from './step.js';

export type { Change, ChangeOp } from './change.js';

/**
 * Computes the changes from `from` to `to`. Every difference becomes a change; destructive ones carry
 * a `destructive` reason (policy decides whether they are emitted).
 */
export function diff(fromIn: Catalog, to0: Catalog): Change[] {
  const moved = followExtensionMoves(fromIn, to0);
  const from0 = moved.from;
  const links = prepareLinks(from0, to0);
  const { from, to } = links;
  const changes: Change[] = [
    ...links.changes,
    ...moved.changes,
    ...diffSchemasAndExtensions(from, to),
    ...diffCollations(from, to),
    ...diffTextSearch(from, to),
    ...diffTypes(from, to),
    ...diffEnums(from, to),
    ...diffDomains(from, to),
    ...diffSequences(from, to),
    ...diffFunctions(from, to),
    ...diffTables(from, to),
    ...diffConstraints(from, to),
    ...diffIndexes(from, to),
    ...diffTriggers(from, to),
    ...diffViews(from, to),
    ...diffPolicies(from, to),
    ...diffRules(from, to),
    ...diffStatistics(from, to),
    ...diffEventTriggers(from, to),
    ...diffForeign(from, to),
    ...diffPublications(from, to),
    ...diffSubscriptions(from, to),
  ];
  const rebuilt = tableReplacements(from, to);
  if (rebuilt.tables.size) {
    // Superseded: every other step on a re-created table or what hangs off it.
    const on = (id: string) => rebuilt.tables.has(id) || [from.objects[id], to.objects[id]].some((o) => o && 'table' in o && rebuilt.tables.has(o.table as string));
    for (let i = changes.length - 1; i >= 0; i--) if (!links.changes.includes(changes[i]!) && on(changes[i]!.id)) changes.splice(i, 1);
    changes.push(...rebuilt.changes);
  }
  cascadeReplacements(from, to, changes);
  changes.push(...inheritedCreates(from, to, changes));
  changes.push(...diffComments(from, to, changes));
  changes.push(...diffOwnersAndPrivileges(from, to, changes));
  changes.push(...diffDefaultPrivileges(from, to));
  markEnumAdditions(changes);
  linkTokens(links, changes);
  return changes;
}

/**
 * A value added by `ALTER TYPE … ADD VALUE` cannot be used in the transaction that adds it ("unsafe
 * use of new value", PostgreSQL docs, ALTER TYPE). When other changes of the same migration use the
 * enum (they require it), the addition runs on its own, outside the migration's transaction, so that
 * it is committed before they run.
 */
function markEnumAdditions(changes: Change[]): void {
  for (const c of changes) {
    if (c.kind !== 'type' || c.op !== 'alter') continue;
    if (changes.some((x) => x !== c && x.requires.includes(c.id))) c.transactional = false;
  }
}

/**
 * An object that is dropped and re-created takes its dependents with it: PostgreSQL refuses to drop
 * a function a trigger or default uses, or a unique constraint a foreign key references. Those
 * dependents are dropped before and re-created after, in their to-catalog form.
 *
 * A column whose type changes in place (ALTER COLUMN … TYPE, or the recast of an enum replacement)
 * is similar: PostgreSQL rebuilds the indexes and constraints on it, but refuses while a trigger, a
 * generated column or a function with an SQL-standard body uses it ("cannot alter type of a column
 * used in a trigger definition" …), so those are re-created around the change too.
 */
function cascadeReplacements(from: Catalog, to: Catalog, changes: Change[]): void {
  for (;;) {
    const replaced = new Set(changes.filter((c) => c.op === 'replace').flatMap((c) => c.drops));
    const touched = new Set(changes.filter((c) => c.op === 'replace' || c.op === 'drop').map((c) => c.id));
    const defaultsHandled = new Set(changes.filter((c) => c.steps?.some((s) => s.verb === 'drop_default')).map((c) => c.id));
    const retyped = new Set<string>();
    for (const c of objectsOfKind(from, 'column')) {
      const now = to.objects[c.id];
      if (!now || now.kind !== 'column' || touched.has(c.id)) continue;
      const recast = c.deps.some((d) => {
        const t = from.objects[d];
        return (t?.kind === 'type' || t?.kind === 'domain') && replaced.has(d) && isOfType(c.type, t);
      });
      if (now.type !== c.type || now.collation !== c.collation || recast) retyped.add(c.id);
    }
    // Dropped for good: what still depends on it in its from-form must let go first. An in-place
    // step that releases the dependency (CREATE OR REPLACE VIEW, ALTER POLICY …) does; otherwise
    // the dependent is re-created around the drop.
    const dropped = new Set(changes.filter((c) => c.op === 'drop').flatMap((c) => c.drops));
    // Nothing re-created, dropped or retyped: no object can depend on one (the common case of a small change).
    if (replaced.size === 0 && dropped.size === 0 && retyped.size === 0) return;
    const releasedInPlace = new Set(changes.filter((c) => c.op === 'alter').flatMap((c) => c.releases.map((r) => `${c.id}\u0000${r}`)));
    let added = 0;
    for (const d of allObjects(from)) {
      const now = to.objects[d.id];
      if (!now || touched.has(d.id) || isInherited(d) || now.kind !== d.kind) continue;
      const viaReplaced = d.deps.filter((x) => replaced.has(x) || (dropped.has(x) && !releasedInPlace.has(`${d.id}\u0000${x}`)));
      const viaRetyped = d.deps.filter((x) => retyped.has(x));
      if (viaReplaced.length === 0 && viaRetyped.length === 0) continue;
      const why = viaReplaced.length ? `depends on re-created ${viaReplaced.join(', ')}` : `depends on ${viaRetyped.join(', ')}, whose type changes`;
      // In-place steps on a re-created object are subsumed by creating it in its to-catalog form.
      const supersede = () => {
        for (let i = changes.length - 1; i >= 0; i--) if (changes[i]!.id === d.id && changes[i]!.op === 'alter' && changes[i]!.detail !== 'owner' && changes[i]!.detail !== 'privileges') changes.splice(i, 1);
      };
      if (REBUILT_ON_ANY.has(d.kind) || (REBUILT_ON_REPLACED.has(d.kind) && viaReplaced.length)) {
        supersede();
        changes.push(...replaceChanges(from, to, d, now, why));
        added++;
      } else if (d.kind === 'column' && d.generated !== null && (now as ColumnObject).generated !== null) {
        supersede();
        changes.push(...columnReplacement(from, to, d, now as ColumnObject, why));
        added++;
      } else if (d.kind === 'column' && viaReplaced.length && d.default !== null && !defaultsHandled.has(d.id)) {
        const c = now as ColumnObject;
        const on = { column: c.id, table: c.table, on: tableName(to, c.table), name: quoteIdent(c.name) };
        changes.push(change({ id: d.id, kind: 'column', op: 'alter', description: `drop default of ${idName(d.id)} (its dependency is re-created)`, steps: [defaultStep('drop_default', on)], detail: 'default', phase: PHASE.dropDefault, releases: d.deps }));
        if (c.default !== null && !changes.some((x) => x.id === d.id && x.steps?.some((s) => s.verb === 'set_default'))) {
          changes.push(change({ id: d.id, kind: 'column', op: 'alter', description: `set default of ${idName(d.id)}`, steps: [defaultStep('set_default', { ...on, expression: c.default })], detail: 'default', phase: PHASE.alterColumn + 1, requires: c.deps }));
        }
        added++;
      }
    }
    if (added === 0) return;
  }
}

/**
 * Kinds that PostgreSQL will not keep across a change of what they use (a re-created object, or a
 * column whose type changes: "cannot alter type of a column used by a view or rule" …): they are
 * dropped before and created again after.
 */
const REBUILT_ON_ANY = new Set<string>(['trigger', 'function', 'view', 'matview', 'policy', 'rule', 'publication']);
/** Kinds PostgreSQL rebuilds itself on a column type change, but that must be re-created with a re-created dependency. */
const REBUILT_ON_REPLACED = new Set<string>(['constraint', 'index', 'statistics', 'tsconfig', 'event_trigger', 'user_mapping']);

/** COMMENT ON for new, changed and re-created objects (and the columns of views and composite types). */
function diffComments(from: Catalog, to: Catalog, changes: Change[]): Change[] {
  const recreated = new Set(changes.filter((c) => c.op === 'replace').flatMap((c) => c.creates));
  const out: Change[] = [];
  for (const o of allObjects(to)) {
    const old = from.objects[o.id];
    const fresh = !old || recreated.has(o.id) || old.kind !== o.kind;
    const before = fresh ? null : old.comment;
    if (o.comment !== before) {
      out.push(change({
        id: o.id, kind: o.kind, op: 'comment', description: `${o.comment === null ? 'remove comment on' : 'comment on'} ${kindName(o.kind)} ${idName(o.id)}`,
        sql: [commentSql(to, o, o.comment)], phase: PHASE.comment, requires: [o.id],
      }));
    }
    if (o.kind === 'constraint' && (o.indexComment ?? null) !== (fresh || old.kind !== 'constraint' ? null : old.indexComment ?? null)) {
      out.push(change({
        id: o.id, kind: o.kind, op: 'comment', description: `${o.indexComment === null ? 'remove comment on' : 'comment on'} index of constraint ${idName(o.id)}`,
        sql: [`COMMENT ON INDEX ${qualified(o.schema, o.name)} IS ${o.indexComment === null ? 'NULL' : quoteLiteral(o.indexComment)}`], phase: PHASE.comment, requires: [o.id],
      }));
    }
    const sub = subComments(o);
    if (!sub) continue;
    const was = fresh ? {} : subComments(old!) ?? {};
    for (const col of new Set([...Object.keys(sub), ...Object.keys(was)])) {
      const text = sub[col] ?? null;
      if (text === (was[col] ?? null)) continue;
      if (text === null && !columnNames(o).includes(col)) continue; // the column is gone with its comment
      out.push(change({
        id: o.id, kind: o.kind, op: 'comment', description: `${text === null ? 'remove comment on' : 'comment on'} column ${col} of ${kindName(o.kind)} ${idName(o.id)}`,
        sql: [subCommentSql(o, col, text)], phase: PHASE.comment, requires: [o.id],
      }));
    }
  }
  return out;
}

function subComments(o: CatalogObject): Record<string, string> | null {
  if (o.kind === 'view' || o.kind === 'matview') return o.columnComments;
  if (o.kind === 'type' && o.typeKind === 'composite') return o.attributeComments;
  return null;
}

function columnNames(o: CatalogObject): string[] {
  if (o.kind === 'view' || o.kind === 'matview') return o.columns.map((c) => c.name);
  if (o.kind === 'type' && o.typeKind === 'composite') return o.attributes.map((a) => a.name);
  return [];
}
