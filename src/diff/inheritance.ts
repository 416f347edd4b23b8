/**
 * Partitions and table inheritance. A table's link to its parent (`PARTITION OF … FOR VALUES …`,
 * `INHERITS`) is changed with ATTACH/DETACH PARTITION and INHERIT/NO INHERIT, the way pg_dump
 * restores partitions: a partition is created as a standalone table with its own copies of the
 * parent's columns, CHECK constraints, indexes and keys (so every name is the one the target has),
 * then attached, which adopts them; cloned triggers come with the attach. (A new INHERITS child is
 * simply created with INHERITS.) Detaching turns the
 * inherited copies into the child's own objects (PostgreSQL keeps them) and drops cloned triggers.
 *
 * `prepareLinks` returns the two catalogs the rest of the diff works on — `from` as it is after
 * the detaches, `to` as it must be just before the attaches — and the detach/attach changes.
 * Objects that follow a parent (inherited columns, constraints, indexes, triggers) are otherwise
 * never created or dropped on their own: they come and go with the parent's object.
 */
import type { Catalog, CatalogObject, TableObject } from '../catalog/model.js';
import { childId, idName, objectsOfKind } from '../catalog/model.js';
import { change, PHASE, type Change } from './change.js';
import { tableName } from './ddl.js';
import { createChange, ownerTable } from './objects.js';

/** Ordering token created by a detach (changes on the child come after it). */
export const detachedToken = (table: string) => `~detached:${table}`;
/** Ordering token created by every change on a child that is attached later (the attach comes after them). */
export const readyToken = (table: string) => `~ready:${table}`;

export interface LinkPlan {
  /** `from` after the detaches. */
  from: Catalog;
  /** `to` before the attaches. */
  to: Catalog;
  changes: Change[];
  detached: Set<string>;
  attached: Set<string>;
}

interface Link {
  parent: string;
  /** Partition bound, or null for INHERITS. */
  bound: string | null;
}

function links(t: TableObject | undefined): Link[] {
  if (!t) return [];
  if (t.partitionOf) return [{ parent: t.partitionOf, bound: t.partitionBound }];
  return t.inherits.map((parent) => ({ parent, bound: null }));
}

const same = (x: Link, y: Link) => x.parent === y.parent && x.bound === y.bound;

/** Computes detaches and attaches and the catalogs in between (see the module comment). Pure. */
export function prepareLinks(from: Catalog, to: Catalog): LinkPlan {
  const changes: Change[] = [];
  const detached = new Set<string>();
  const attached = new Set<string>();
  const removedBy = new Map<string, Link[]>();
  const addedBy = new Map<string, Link[]>();
  for (const b of objectsOfKind(to, 'table')) {
    const a = from.objects[b.id] as TableObject | undefined;
    const before = a && a.kind === 'table' ? links(a) : [];
    const after = links(b);
    const removed = before.filter((l) => !after.some((m) => same(l, m)));
    // A new INHERITS child is created with INHERITS (its inherited columns then stay the parent's,
    // as pg_dump shows them); only partitions are created standalone and attached.
    const added = after.filter((l) => !before.some((m) => same(l, m))).filter((l) => a || l.bound !== null);
    if (removed.length) removedBy.set(b.id, removed);
    if (added.length) addedBy.set(b.id, added);
  }
  if (removedBy.size === 0 && addedBy.size === 0) return { from, to, changes, detached, attached };

  // from after the detaches.
  const fromObjects: Record<string, CatalogObject> = { ...from.objects };
  for (const [child, removed] of removedBy) {
    detached.add(child);
    const t = from.objects[child] as TableObject;
    const gone = new Set(removed.map((l) => l.parent));
    const remaining = t.partitionOf ? [] : t.inherits.filter((p) => !gone.has(p));
    fromObjects[child] = { ...t, partitionOf: null, partitionBound: null, inherits: remaining, deps: t.deps.filter((d) => !gone.has(d)) };
    const dropsTriggers = unlinkInherited(from, fromObjects, child, remaining.length === 0); // DETACH drops cloned triggers
    for (const l of removed) {
      const sql = t.partitionOf
        ? `ALTER TABLE ${tableName(from, l.parent)} DETACH PARTITION ${tableName(from, child)}`
        : `ALTER TABLE ${tableName(from, child)} NO INHERIT ${tableName(from, l.parent)}`;
      changes.push(change({
        id: child, kind: 'table', op: 'alter', description: `${t.partitionOf ? 'detach partition' : 'remove inheritance of'} ${child.slice(6)} from ${l.parent.slice(6)}`,
        sql: [sql], phase: PHASE.detach, creates: [detachedToken(child)], releases: [l.parent], drops: dropsTriggers,
      }));
    }
  }

  // to before the attaches.
  const toObjects: Record<string, CatalogObject> = { ...to.objects };
  for (const [child, added] of addedBy) {
    attached.add(child);
    const t = to.objects[child] as TableObject;
    const coming = new Set(added.map((l) => l.parent));
    const kept = t.partitionOf ? [] : t.inherits.filter((p) => !coming.has(p));
    toObjects[child] = { ...t, partitionOf: null, partitionBound: null, inherits: kept, deps: t.deps.filter((d) => !coming.has(d)) };
    const clones = unlinkInherited(to, toObjects, child, kept.length === 0); // the attach clones the triggers
    for (const l of added) {
      const parentCols = objectsOfKind(to, 'column').filter((c) => c.table === l.parent).map((c) => c.id);
      const sql = t.partitionOf
        ? `ALTER TABLE ${tableName(to, l.parent)} ATTACH PARTITION ${tableName(to, child)} ${l.bound}`
        : `ALTER TABLE ${tableName(to, child)} INHERIT ${tableName(to, l.parent)}`;
      changes.push(change({
        id: child, kind: 'table', op: 'alter', description: `${t.partitionOf ? 'attach partition' : 'inherit'} ${child.slice(6)} ${t.partitionOf ? 'to' : 'from'} ${l.parent.slice(6)}${l.bound ? ` ${l.bound}` : ''}`,
        sql: [sql], phase: PHASE.attach, creates: clones, requires: [readyToken(child), l.parent, ...parentCols, ...(detached.has(child) ? [detachedToken(child)] : [])],
      }));
    }
  }
  return { from: { ...from, objects: fromObjects }, to: { ...to, objects: toObjects }, changes, detached, attached };
}

/**
 * Adds the ordering tokens of `prepareLinks` to the rest of the diff: every change on a detached
 * child comes after the detach, every change on a child to attach comes before the attach.
 */
export function linkTokens(plan: LinkPlan, changes: Change[]): void {
  if (plan.detached.size === 0 && plan.attached.size === 0) return;
  for (const c of changes) {
    if (plan.changes.includes(c)) continue;
    const o = plan.to.objects[c.id] ?? plan.from.objects[c.id];
    const table = c.kind === 'table' ? c.id : o ? ownerTable(o) : null;
    if (!table) continue;
    if (plan.detached.has(table)) c.requires = [...c.requires, detachedToken(table)];
    if (plan.attached.has(table)) c.creates = [...c.creates, readyToken(table)];
  }
}

/**
 * Objects that follow a parent's object come with it: a parent's new column, index, constraint or
 * trigger also "creates" the children's copies (so comments, privileges and the like on them are
 * ordered after it). When the parent's index or key is created (or re-created) while a child that
 * stays attached is meant to have a copy with its own name, the copy is created on the child first
 * (PostgreSQL adopts a matching one instead of making a new one with a generated name).
 */
export function inheritedCreates(from: Catalog, to: Catalog, changes: Change[]): Change[] {
  const creating = new Map<string, Change>();
  for (const c of changes) for (const id of c.creates) if (!creating.has(id) || c.id === id) creating.set(id, c);
  const out: Change[] = [];
  // Only an object whose parent is created or re-created is reported below.
  if (creating.size === 0) return out;
  const childrenOf = new Map<string, string[]>();
  for (const t of objectsOfKind(to, 'table')) for (const p of t.partitionOf ? [t.partitionOf] : t.inherits) childrenOf.set(p, [...(childrenOf.get(p) ?? []), t.id]);
  if (childrenOf.size === 0) return out;
  for (const o of Object.values(to.objects)) {
    if (!('inherited' in o) || !o.inherited) continue;
    const old = from.objects[o.id];
    const table = ownerTable(o)!;
    const parentTables = (() => { const t = to.objects[table] as TableObject | undefined; return t ? (t.partitionOf ? [t.partitionOf] : t.inherits) : []; })();
    let parentId: string | null = null;
    if ((o.kind === 'index' || o.kind === 'constraint') && o.parent) parentId = o.parent;
    else parentId = parentTables.map((p) => childId(o.kind, p, o.name)).find((id) => to.objects[id]) ?? null;
    if (o.kind === 'index' && !parentId) continue;
    const parentChange = parentId ? creating.get(parentId) : undefined;
    if (!parentChange) continue;
    const recreated = !old || parentChange.op === 'replace';
    if ((o.kind === 'index' || (o.kind === 'constraint' && o.type !== 'c')) && recreated && from.objects[table]) {
      const local = { ...o, inherited: false, parent: null } as CatalogObject;
      const pre = createChange(to, local);
      pre.description = `create ${o.kind} ${idName(o.id)} before its parent's, which adopts it`;
      out.push(pre);
      parentChange.requires = [...parentChange.requires, o.id];
      if (old && parentId) for (const d of changes) if (d.drops.includes(parentId) && !d.drops.includes(o.id)) d.drops = [...d.drops, o.id];
    } else {
      parentChange.creates = [...parentChange.creates, o.id];
    }
  }
  return out;
}

/**
 * The objects a child table inherited from a parent it is leaving (or joining): cloned triggers are
 * removed from `objects` (DETACH drops them; ATTACH creates them) and their identities returned;
 * when no parent is left, the other inherited objects (constraints, indexes) become the child's own.
 */
function unlinkInherited(cat: Catalog, objects: Record<string, CatalogObject>, child: string, noParentLeft: boolean): string[] {
  const triggers: string[] = [];
  for (const o of Object.values(cat.objects)) {
    if (ownerTable(o) !== child || !('inherited' in o) || !o.inherited) continue;
    if (o.kind === 'trigger') {
      delete objects[o.id];
      triggers.push(o.id);
    } else if (noParentLeft) {
      objects[o.id] = { ...o, inherited: false, ...('parent' in o ? { parent: null } : {}) } as CatalogObject;
    }
  }
  return triggers;
}
