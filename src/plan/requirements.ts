/**
 * Requirements beyond the scope: an in-scope object of the desired state that depends (pg_depend)
 * on a relation, type or function in a schema outside the scope — a view over `app.accounts` while
 * only `public` is compared. The plan cannot create such an object; it can only rely on it. So:
 * - every such dependency of an object the plan creates or changes is a requirement, named in a
 *   warning and recorded in the plan document, for `up` to check before it runs anything;
 * - when the current database (a catalog read from it) does not have the object either, the
 *   dependent changes are blocked, never emitted: the SQL would fail there.
 * Pure: works on catalogs only.
 */
import { allObjects, idKind, idName, type Catalog, type CatalogObject, type ExternalDependency } from '../catalog/model.js';
import { describeScope } from '../catalog/scope.js';
import type { BlockedChange } from './policy.js';

/** A requirement of a plan: an object outside the scope that the target database must have. */
export interface Requirement {
  /** `table`, `view`, `type`, `function`, … (see ExternalDependency). */
  kind: string;
  /** Schema-qualified name, e.g. `app.accounts`. */
  name: string;
  /** Identities of the in-scope objects that depend on it. */
  by: string[];
}

const same = (a: CatalogObject | undefined, b: CatalogObject | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** The dependencies of `to` beyond the scope whose dependent object is new or changed relative to `from`. */
function changedDependencies(from: Catalog, to: Catalog): ExternalDependency[] {
  return (to.external ?? []).filter((e) => {
    const table = (o: CatalogObject | undefined) => (o && 'table' in o && typeof o.table === 'string' ? o.table : undefined);
    const owner = table(to.objects[e.from]);
    return !same(from.objects[e.from], to.objects[e.from]) || (owner !== undefined && !same(from.objects[owner], to.objects[owner]));
  });
}

/** Groups dependencies by the object they require. */
export function requirementsOf(deps: readonly ExternalDependency[]): Requirement[] {
  const byName = new Map<string, Requirement>();
  for (const d of deps) {
    const k = `${d.kind} ${d.name}`;
    const r = byName.get(k) ?? { kind: d.kind, name: d.name, by: [] };
    if (!r.by.includes(d.from)) r.by.push(d.from);
    byName.set(k, r);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Splits the requirements of the change from `from` to `to` into those the current database meets
 * (or may meet: `from` was not read from a database) and those it does not, and returns the target
 * with every object behind an unmet one (and whatever depends on those) kept as in `from`.
 * @returns `target` (equal to `to` when all is met), `requirements` (met and unmet), `blocked` (one per
 *   object kept back), `warnings` (one line per requirement)
 */
export function applyRequirements(from: Catalog, to: Catalog): { target: Catalog; requirements: Requirement[]; blocked: BlockedChange[]; warnings: string[] } {
  const deps = changedDependencies(from, to);
  if (!deps.length) return { target: to, requirements: [], blocked: [], warnings: [] };
  const present = from.outside ? new Set(from.outside) : null;
  const scope = describeScope([to]);
  const requirements = requirementsOf(deps);
  const warnings: string[] = [];
  const unmet = new Map<string, string>(); // object id → the missing name
  for (const r of requirements) {
    const missing = present !== null && !present.has(r.name);
    const by = r.by.map(label).join(', ');
    warnings.push(missing
      ? `${by} depends on ${r.kind} ${r.name}, which is outside the scope (${scope}) and not in the current database: not emitted; bring its schema into scope (--schema) or create it first`
      : `${by} depends on ${r.kind} ${r.name}, which is outside the scope (${scope}): recorded as required, and \`up\` checks it exists`);
    if (missing) for (const id of r.by) if (!unmet.has(id)) unmet.set(id, r.name);
  }
  if (!unmet.size) return { target: to, requirements, blocked: [], warnings };
  // Keep back each object behind an unmet requirement, then whatever depends on a kept-back one.
  const objects: Record<string, CatalogObject> = { ...to.objects };
  const keptBack = new Map(unmet);
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of allObjects(to)) {
      if (keptBack.has(o.id)) continue;
      const owner = 'table' in o && typeof o.table === 'string' ? o.table : undefined;
      const via = o.deps.find((d) => keptBack.has(d)) ?? (owner && keptBack.has(owner) ? owner : undefined);
      if (via) { keptBack.set(o.id, keptBack.get(via)!); grew = true; }
    }
  }
  const blocked: BlockedChange[] = [];
  for (const [id, name] of keptBack) {
    if (same(from.objects[id], to.objects[id])) continue;
    if (from.objects[id]) objects[id] = from.objects[id]!;
    else delete objects[id];
    blocked.push({ id, description: label(id), reason: `depends on ${name}, outside the scope and not in the current database`, allowWith: `--schema ${name.split('.')[0]} (or create ${name} first)` });
  }
  for (const [id, o] of Object.entries(objects)) {
    // A table kept back loses the columns and constraints it had only in `to`.
    if (o.kind === 'table' && from.objects[id] === undefined) continue;
    if (o.kind === 'table' && 'columns' in o) objects[id] = { ...o, columns: o.columns.filter((c) => c in objects) } as CatalogObject;
  }
  return { target: { ...to, objects }, requirements, blocked, warnings };
}

/** `view:public.v` → `view public.v`. */
function label(id: string): string {
  return `${idKind(id)} ${idName(id)}`;
}
