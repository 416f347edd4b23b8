/**
 * Policy: which changes are emitted. By default only non-destructive changes are; destructive ones
 * are reported as blocked with their reason until `--allow-destructive`. A blocked
 * change never silently disappears: it is listed in the plan and printed by `plan` and `diff`.
 *
 * Blocking works on catalogs, not on SQL: the blocked part of the difference is put back into the
 * target catalog (`retainBlocked`), and the migration is planned from the current catalog to that
 * target. Up and down sections therefore both come from the same diff + order machinery.
 */
import type { Catalog, CatalogObject, ColumnObject, EnumType, TableObject } from '../catalog/model.js';
import type { Change } from '../diff/change.js';
import { diff } from '../diff/index.js';

/** A change policy kept out of the migration, with the reason and how to allow it. */
export interface BlockedChange {
  id: string;
  description: string;
  reason: string;
  /** What lets it through. */
  allowWith: string;
}

function cloneObj<T extends CatalogObject>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

/** Returns a copy of `to` in which the effect of each blocked change is undone (taken from `from`). Pure. */
export function retainBlocked(from: Catalog, to: Catalog, blocked: Change[]): Catalog {
  const objects: Record<string, CatalogObject> = { ...to.objects };
  const restore = (id: string) => {
    const o = from.objects[id];
    if (!o) return;
    objects[id] = cloneObj(o);
    if (o.kind === 'column') {
      const t = objects[o.table] as TableObject | undefined;
      if (t && !t.columns.includes(id)) objects[o.table] = { ...t, columns: [...t.columns, id] };
    }
  };
  for (const c of blocked) {
    if (c.revertFields) {
      const a = from.objects[c.id];
      const b = objects[c.id];
      if (!a || !b) continue;
      if (a.kind === 'type' && b.kind === 'type' && a.typeKind === 'enum' && b.typeKind === 'enum') {
        const merged = [...a.values];
        (b as EnumType).values.forEach((v, i, all) => {
          if (merged.includes(v)) return;
          const prev = all.slice(0, i).reverse().find((x) => merged.includes(x));
          merged.splice(prev === undefined ? 0 : merged.indexOf(prev) + 1, 0, v);
        });
        objects[c.id] = { ...(b as EnumType), values: merged };
      } else {
        const copy: Record<string, unknown> = { ...b };
        for (const f of c.revertFields) copy[f] = (a as unknown as Record<string, unknown>)[f];
        if (b.kind === 'column') copy.deps = [...new Set([...(a as ColumnObject).deps])];
        objects[c.id] = copy as unknown as CatalogObject;
      }
      continue;
    }
    restore(c.id);
    for (const id of c.drops) restore(id);
  }
  return { ...to, objects };
}

/**
 * Splits the difference from `from` to `to` into what may be emitted and what is blocked.
 * Returns the target catalog the migration should reach (equal to `to` when nothing is blocked),
 * and, when it computed it, `changes`: the diff from `from` to that target, which the planner
 * reuses rather than diffing the same pair again (undefined with `allowDestructive`).
 */
export function applyPolicy(from: Catalog, to: Catalog, allowDestructive: boolean): { target: Catalog; blocked: BlockedChange[]; changes?: Change[] } {
  if (allowDestructive) return { target: to, blocked: [] };
  const blocked: BlockedChange[] = [];
  let target = to;
  // Restoring one object can uncover another destructive step (e.g. a sequence owned by a restored
  // column); repeat until the remaining difference is non-destructive.
  for (let round = 0; round < 10; round++) {
    const all = diff(from, target);
    const destructive = all.filter((c) => c.destructive);
    if (destructive.length === 0) return { target, blocked, changes: all };
    for (const c of destructive) {
      if (!blocked.some((b) => b.id === c.id && b.description === c.description)) {
        blocked.push({ id: c.id, description: c.description, reason: c.destructive!, allowWith: '--allow-destructive' });
      }
    }
    target = retainBlocked(from, target, destructive);
  }
  return { target, blocked };
}
