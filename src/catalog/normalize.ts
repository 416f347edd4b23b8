/**
 * The one place where catalog output that differs between PostgreSQL majors, or between builds, is
 * made comparable (DESIGN.md "Shadow databases"). Known differences (FACTS.md):
 * - 17 → 18: every NOT NULL is a `pg_constraint` row — introspection reads NOT NULL from
 *   `attnotnull` and never models `contype = 'n'` rows, so both majors agree.
 * - contrib extension versions move between majors: the version is kept for information but is not
 *   compared by the diff (see `diff/extensions.ts`).
 * Everything else is passed through; the result is sorted so that equal catalogs serialise equally.
 */
import type { Catalog, CatalogObject } from './model.js';

/** Returns `cat` with deterministic ordering of objects and dependency lists. Pure. */
export function normalizeCatalog(cat: Catalog): Catalog {
  const objects: Record<string, CatalogObject> = {};
  for (const id of Object.keys(cat.objects).sort()) {
    const o = cat.objects[id]!;
    objects[id] = { ...o, deps: [...new Set(o.deps)].sort() } as CatalogObject;
  }
  return { ...cat, objects };
}
