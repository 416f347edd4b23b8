/**
 * A catalog's objects as lists, cached per `objects` record: every object, and the objects of one
 * kind. A diff walks every object, or every object of a kind, many times; building the lists once
 * per catalog (normalize.ts builds them as it orders the objects) saves a walk and a sort each time.
 */
import type { Catalog, CatalogObject, ObjectKind } from './model.js';

/** Objects by kind, in identity order, per `objects` record (built on first use). */
const byKind = new WeakMap<Record<string, CatalogObject>, Map<ObjectKind, CatalogObject[]>>();

/** Every object of an `objects` record, in its order (built on first use, or by normalize.ts). */
const allOf = new WeakMap<Record<string, CatalogObject>, readonly CatalogObject[]>();

/**
 * Every object of `cat`, in the order of its `objects` record (identity order for an introspected
 * catalog): one array per catalog, which callers must not change. `Object.values` of a record of
 * thousands of identities costs about 2 ms a call, and a diff walks every object several times.
 * Like {@link objectsOfKind}, it assumes the record does not change after its first query.
 */
export function allObjects(cat: Catalog): readonly CatalogObject[] {
  let list = allOf.get(cat.objects);
  if (!list) {
    list = Object.values(cat.objects);
    allOf.set(cat.objects, list);
  }
  return list;
}

/**
 * Records the lists of an `objects` record for {@link allObjects} and {@link objectsOfKind}, from a
 * caller that has just built the record in identity order (normalize.ts): `all` in the record's
 * order, `groups` every object by kind, each in identity order. Saves the first queries' walks
 * and sort of a large catalog.
 */
export function rememberObjectLists(objects: Record<string, CatalogObject>, all: readonly CatalogObject[], groups: Map<ObjectKind, CatalogObject[]>): void {
  allOf.set(objects, all);
  byKind.set(objects, groups);
}

/**
 * The objects of one kind, in identity order (a new array each call). The objects are grouped by
 * kind once per catalog: a diff asks a catalog for its objects of one kind a few hundred times.
 * A catalog's `objects` record must not change after its first query (every stage builds a new
 * record rather than editing one).
 */
export function objectsOfKind<K extends ObjectKind>(cat: Catalog, kind: K): Extract<CatalogObject, { kind: K }>[] {
  let groups = byKind.get(cat.objects);
  if (!groups) {
    groups = new Map();
    const all = Object.values(cat.objects).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const o of all) {
      const list = groups.get(o.kind);
      if (list) list.push(o);
      else groups.set(o.kind, [o]);
    }
    byKind.set(cat.objects, groups);
  }
  return [...(groups.get(kind) ?? [])] as Extract<CatalogObject, { kind: K }>[];
}
