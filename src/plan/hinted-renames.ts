/**
 * Rename hints resolved against the two catalogs. A hint (sql/hints.ts) names the
 * object in the desired state and its old name; here it becomes a `Rename` — the ALTER … RENAME (and
 * ALTER … SET SCHEMA, for a schema-qualified old name) that turns the current object into the desired
 * one, and its reverse — when the old object exists in the current state and the new one does not.
 * A hint whose rename is already in the current state is spent and ignored; one whose old object is
 * not there either gives a warning (the object is then simply created).
 *
 * The renames are executed in a shadow holding the current state (project/states.ts), so PostgreSQL
 * itself rewrites every dependent definition (views, indexes, defaults, foreign keys); the plan is
 * then the diff from that renamed state, with the renames first in up and last in down. After the
 * hinted renames, `impliedRenames` pairs the names PostgreSQL derived from the old ones (`old_pkey`,
 * `old_email_idx`, `old_id_seq`) with their counterparts in the desired state. Pure.
 */
import { childId, functionId, idName, objectId, parseId, type Catalog, type CatalogObject, type ObjectKind } from '../catalog/model.js';
import { comparableObject } from '../catalog/normalize.js';
import { qualified, quoteIdent, quoteLiteral } from '../db/quote.js';
import { change, type Change } from '../diff/change.js';
import { objectTarget } from '../diff/ddl.js';
import { HintError, type HintKind, type HintTarget, type QualifiedName, type RenameHint } from '../sql/hints.js';

/** One rename of the plan: statements to run in the up section, and their reverse for the down section. */
export interface Rename {
  kind: HintKind;
  /** Kind of the catalog object the change is recorded on (`type` for an enum label or attribute, `domain` for a domain constraint). */
  objectKind: ObjectKind;
  /** Identity of the object before (current state) and after (desired state); for labels, attributes and domain constraints, the parent's identity + `.name`. */
  fromId: string;
  toId: string;
  /** Up statements, in order (SET SCHEMA before RENAME). */
  up: string[];
  /** Down statements undoing `up`, in order. */
  down: string[];
  /** E.g. `rename column public.leads.email to contact_email`. */
  description: string;
  /** Where it comes from: the hint's `file:line:column`, or `implied by …` for a derived name. */
  source: string;
}

const strip = idName;

const CATALOG_KINDS: Record<'table' | 'view' | 'matview' | 'sequence' | 'type' | 'domain' | 'index' | 'function', ObjectKind> = {
  table: 'table', view: 'view', matview: 'matview', sequence: 'sequence', type: 'type', domain: 'domain', index: 'index', function: 'function',
};

/** Top-level comma-separated items of an argument list (`integer, numeric(10,2)` → 2). */
function argCount(identityArgs: string): number {
  if (identityArgs.trim() === '') return 0;
  let depth = 0;
  let n = 1;
  let quoted = false;
  for (const ch of identityArgs) {
    if (ch === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) n++;
  }
  return n;
}

const ROUTINE_KINDS = { function: ['f', 'w'], procedure: ['p'], aggregate: ['a'] } as const;

/**
 * Hints resolved against `current` (where the old objects are) and `desired` (where the hinted ones
 * are): the renames to apply, in an order that works (schema-level objects first; then columns,
 * constraints, triggers, policies, attributes, domain constraints and labels, named by their parent's
 * new name), and warnings for hints whose old object is missing.
 * @throws HintError when a hinted object is not in the desired state, is ambiguous (an unqualified
 *   name in several schemas, overloaded functions with the same argument count), or when two hints
 *   rename the same object
 */
export function resolveRenames(hints: RenameHint[], current: Catalog, desired: Catalog): { renames: Rename[]; warnings: string[] } {
  const warnings: string[] = [];
  const schemaLevel: Rename[] = [];
  const scoped: Rename[] = [];
  const renamedBy = new Map<string, RenameHint>();
  /** Adds a rename to `list`; two hints renaming one object are an error at the second. */
  const add = (list: Rename[], h: RenameHint, r: Rename) => {
    const other = renamedBy.get(r.fromId);
    if (other) throw new HintError(h.file, h.line, h.column, `${strip(r.fromId)} is renamed twice (also at ${other.file}:${other.line}:${other.column})`);
    renamedBy.set(r.fromId, h);
    list.push(r);
  };
  const ordered = [...hints].sort((a, b) => Number('parent' in a.target) - Number('parent' in b.target));
  for (const h of ordered) {
    const where = `${h.file}:${h.line}:${h.column}`;
    const fail = (why: string): never => { throw new HintError(h.file, h.line, h.column, why); };
    const t = h.target;
    if ('object' in t) {
      const kind = CATALOG_KINDS[t.kind];
      const found = findObjects(desired, [kind], t.object).filter((o) => {
        if (t.kind !== 'function' || o.kind !== 'function') return true;
        return (ROUTINE_KINDS[t.routine] as readonly string[]).includes(o.prokind) && argCount(o.identityArgs) === t.argCount;
      });
      const obj = pick(found, `${t.kind} ${show(t.object)}`, fail);
      const oldSchema = h.from.schema ?? obj.schema;
      if (t.kind === 'index' && oldSchema !== obj.schema) fail(`an index is in its table's schema: write the old name without "${oldSchema}."`);
      const oldId = obj.kind === 'function' ? functionId(oldSchema, h.from.name, obj.identityArgs) : objectId(kind, oldSchema, h.from.name);
      if (oldId === obj.id) fail(`${t.kind} ${show(t.object)} is renamed from its own name`);
      // A hint after a one-line CREATE TABLE is on the table; naming a column the plan drops, it was meant for that column.
      const col = childId('column', obj.id, h.from.name);
      if (t.kind === 'table' && current.objects[col] && !desired.objects[col]) {
        warnings.push(`rename hint at ${where} is on table ${strip(obj.id)}, not on a column; for column ${h.from.name}, put the hint on the column's own line (the line before it, or the end of its line in a CREATE TABLE of several lines)`);
        continue;
      }
      if (current.objects[obj.id]) continue; // spent: the rename is already in the current state
      const old = current.objects[oldId];
      if (!old) {
        warnings.push(`rename hint at ${where}: ${t.kind} ${strip(oldId)} is not in the current state; ${strip(obj.id)} is created`);
        continue;
      }
      const up: string[] = [];
      const down: string[] = [];
      const moved = { ...old, schema: obj.schema } as CatalogObject;
      if (oldSchema !== obj.schema) up.push(`ALTER ${objectTarget(current, old)} SET SCHEMA ${quoteIdent(obj.schema)}`);
      if (h.from.name !== obj.name) {
        up.push(`ALTER ${objectTarget(current, moved)} RENAME TO ${quoteIdent(obj.name)}`);
        down.push(`ALTER ${objectTarget(current, { ...moved, name: obj.name } as CatalogObject)} RENAME TO ${quoteIdent(h.from.name)}`);
      }
      if (oldSchema !== obj.schema) down.push(`ALTER ${objectTarget(current, moved)} SET SCHEMA ${quoteIdent(oldSchema)}`);
      add(schemaLevel, h, {
        kind: t.kind, objectKind: kind, fromId: oldId, toId: obj.id, up, down, source: where,
        description: `rename ${t.kind === 'function' ? t.routine : kindLabel(t.kind)} ${strip(oldId)} to ${oldSchema !== obj.schema ? `${obj.schema}.${obj.name}` : obj.name}`,
      });
      continue;
    }
    // Sub-objects: the parent in the desired state, and under which identity it is in the current state.
    const parentKinds = PARENT_KINDS[t.kind];
    const parent = pick(findObjects(desired, parentKinds, t.parent), `${parentKinds[0]} ${show(t.parent)}`, fail);
    const renamedParent = schemaLevel.find((r) => r.toId === parent.id);
    const parentBefore = current.objects[renamedParent?.fromId ?? parent.id];
    if (!parentBefore) {
      warnings.push(`rename hint at ${where}: ${parentKinds[0]} ${strip(renamedParent?.fromId ?? parent.id)} is not in the current state; it is created with its ${kindLabel(t.kind)} ${t.name}`);
      continue;
    }
    const [oldName, newName] = [h.from.name, t.name];
    if (oldName === newName) fail(`${kindLabel(t.kind)} ${t.name} is renamed from its own name`);
    if (!hasSub(desired, parent, t.kind, newName)) fail(`${kindLabel(t.kind)} ${t.name} of ${strip(parent.id)} is not in the desired state`);
    if (hasSub(current, parentBefore, t.kind, newName)) continue; // spent
    if (!hasSub(current, parentBefore, t.kind, oldName)) {
      warnings.push(`rename hint at ${where}: ${kindLabel(t.kind)} ${oldName} of ${strip(parentBefore.id)} is not in the current state; ${newName} is created`);
      continue;
    }
    const p = qualified(parent.schema, parent.name); // the parent's name when the statement runs (after its own rename)
    const shown = (n: string) => (t.kind === 'enum_value' ? quoteLiteral(n) : n);
    add(scoped, h, {
      kind: t.kind, objectKind: TABLE_SCOPED.has(t.kind) ? (t.kind as ObjectKind) : parent.kind,
      fromId: subId(t.kind, parentBefore.id, oldName), toId: subId(t.kind, parent.id, newName),
      up: [SUB_RENAME_SQL[t.kind](p, oldName, newName)], down: [SUB_RENAME_SQL[t.kind](p, newName, oldName)], source: where,
      description: `rename ${kindLabel(t.kind)} ${strip(parent.id)}.${shown(oldName)} to ${shown(newName)}`,
    });
  }
  const renames = [...schemaLevel, ...scoped];
  return { renames, warnings };
}

function kindLabel(kind: HintKind): string {
  return kind === 'enum_value' ? 'enum label' : kind === 'domain_constraint' ? 'domain constraint' : kind === 'matview' ? 'materialized view' : kind;
}

function show(n: QualifiedName): string {
  return n.schema ? `${n.schema}.${n.name}` : n.name;
}

type SubKind = Extract<HintTarget, { parent: QualifiedName }>['kind'];

/** Sub-object kinds with identities of their own in the catalog (`column:s.t.c`); the others live inside their parent object. */
const TABLE_SCOPED = new Set<HintKind>(['column', 'constraint', 'trigger', 'policy']);

/** Kinds of the parent a sub-object hint names (the first is the one named in messages). */
const PARENT_KINDS: Record<SubKind, ObjectKind[]> = {
  column: ['table'], constraint: ['table'], policy: ['table'], trigger: ['table', 'view', 'matview'],
  attribute: ['type'], enum_value: ['type'], domain_constraint: ['domain'],
};

/** The statement renaming sub-object `from` to `to` of the parent named `p` (qualified, quoted). */
const SUB_RENAME_SQL: Record<SubKind, (p: string, from: string, to: string) => string> = {
  column: (p, f, t) => `ALTER TABLE ${p} RENAME COLUMN ${quoteIdent(f)} TO ${quoteIdent(t)}`,
  constraint: (p, f, t) => `ALTER TABLE ${p} RENAME CONSTRAINT ${quoteIdent(f)} TO ${quoteIdent(t)}`,
  trigger: (p, f, t) => `ALTER TRIGGER ${quoteIdent(f)} ON ${p} RENAME TO ${quoteIdent(t)}`,
  policy: (p, f, t) => `ALTER POLICY ${quoteIdent(f)} ON ${p} RENAME TO ${quoteIdent(t)}`,
  attribute: (p, f, t) => `ALTER TYPE ${p} RENAME ATTRIBUTE ${quoteIdent(f)} TO ${quoteIdent(t)}`,
  domain_constraint: (p, f, t) => `ALTER DOMAIN ${p} RENAME CONSTRAINT ${quoteIdent(f)} TO ${quoteIdent(t)}`,
  enum_value: (p, f, t) => `ALTER TYPE ${p} RENAME VALUE ${quoteLiteral(f)} TO ${quoteLiteral(t)}`,
};

/** Identity of sub-object `name` of `parentId`: the catalog's for table-scoped kinds, else the parent's + `.name`. */
function subId(kind: HintKind, parentId: string, name: string): string {
  if (TABLE_SCOPED.has(kind)) return childId(kind as ObjectKind, parentId, name);
  const parent = parseId(parentId);
  return objectId(parent.kind as ObjectKind, ...parent.parts, name);
}

/** True when `parent` (an object of `cat`) has the sub-object `name` of `kind`. */
function hasSub(cat: Catalog, parent: CatalogObject, kind: SubKind, name: string): boolean {
  switch (kind) {
    case 'attribute': return parent.kind === 'type' && parent.typeKind === 'composite' && parent.attributes.some((a) => a.name === name);
    case 'enum_value': return parent.kind === 'type' && parent.typeKind === 'enum' && parent.values.includes(name);
    case 'domain_constraint': return parent.kind === 'domain' && parent.constraints.some((c) => c.name === name);
    default: return !!cat.objects[subId(kind, parent.id, name)];
  }
}

/** Objects of `kinds` named `n` (any schema when `n` is unqualified). */
function findObjects(cat: Catalog, kinds: ObjectKind[], n: QualifiedName): CatalogObject[] {
  return Object.values(cat.objects).filter((o) => kinds.includes(o.kind) && o.name === n.name && (!n.schema || o.schema === n.schema));
}

/** The one object a hint means: unqualified names in several schemas prefer `public`, else are ambiguous. */
function pick(found: CatalogObject[], what: string, fail: (why: string) => never): CatalogObject {
  if (found.length === 1) return found[0]!;
  if (found.length === 0) fail(`${what} is not in the desired state`);
  const pub = found.filter((o) => o.schema === 'public');
  if (pub.length === 1) return pub[0]!;
  const schemas = [...new Set(found.map((o) => o.schema))];
  if (schemas.length > 1) fail(`${what} is in several schemas (${schemas.join(', ')}): qualify the name in the statement`);
  return fail(`${what} is ambiguous (overloads with the same number of arguments): a hint cannot tell them apart`);
}

/** `schema.name` as PostgreSQL prints it (parts quoted when needed) → the two unquoted parts. */
function splitQualified(text: string): [string, string] {
  const parts: string[] = [];
  const re = /"((?:[^"]|"")*)"|([^."]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
  return [parts[0] ?? '', parts[1] ?? ''];
}

/** An object as compared for an implied rename: everything but its name (and what derives from it). */
function signature(o: CatalogObject): string {
  const c = comparableObject(o) as any;
  const { id: _i, name: _n, deps: _d, comment: _c, ...rest } = c;
  if (o.kind === 'index') {
    for (const spelled of [quoteIdent(o.name), o.name]) rest.definition = String(rest.definition).replace(` INDEX ${spelled} ON `, ' INDEX ON ');
  }
  if (o.kind === 'constraint') delete rest.indexComment;
  return JSON.stringify(rest);
}

/**
 * Names PostgreSQL derived from a renamed table's or column's name, renamed along with it: after the
 * hinted renames (`mid`, the current state with them applied), a constraint, index or owned sequence
 * of an affected table that is not in `desired`, paired one-to-one with one of the same table that
 * is only in `desired` and equal but for its name (e.g. `leads_pkey` → `prospects_pkey`,
 * `leads_email_idx` → `leads_contact_email_idx`, `leads_id_seq` → `prospects_id_seq`); and the
 * multirange type of a renamed range type (`span_multirange` → `int_span_multirange`).
 */
export function impliedRenames(hinted: Rename[], mid: Catalog, desired: Catalog): Rename[] {
  const tables = new Set<string>();
  for (const r of hinted) {
    if (r.kind === 'table') tables.add(r.toId);
    const col = r.kind === 'column' ? desired.objects[r.toId] : undefined;
    if (col?.kind === 'column') tables.add(col.table);
  }
  const tableOf = (o: CatalogObject): string | null => {
    if (o.kind === 'constraint' || o.kind === 'index') return o.table;
    if (o.kind === 'sequence' && o.ownedBy) {
      const col = mid.objects[o.ownedBy] ?? desired.objects[o.ownedBy];
      return col?.kind === 'column' ? col.table : null;
    }
    return null;
  };
  const out: Rename[] = [];
  // A range type's multirange type keeps its derived name (`span_multirange`) through a rename.
  for (const r of hinted) {
    const [m, d] = [mid.objects[r.toId], desired.objects[r.toId]];
    if (m?.kind !== 'type' || m.typeKind !== 'range' || d?.kind !== 'type' || d.typeKind !== 'range') continue;
    const multi = (options: string) => /MULTIRANGE_TYPE_NAME = ([^,]+)/.exec(options)?.[1] ?? null;
    const [from, to] = [multi(m.options), multi(d.options)];
    if (!from || !to || from === to || m.options.replace(from, to) !== d.options) continue;
    const [fromSchema, fromName] = splitQualified(from);
    const [toSchema, toName] = splitQualified(to);
    if (fromSchema !== toSchema) continue;
    out.push({
      kind: 'type', objectKind: 'type', fromId: objectId('type', fromSchema, fromName), toId: objectId('type', toSchema, toName),
      up: [`ALTER TYPE ${from} RENAME TO ${quoteIdent(toName)}`], down: [`ALTER TYPE ${to} RENAME TO ${quoteIdent(fromName)}`],
      description: `rename multirange type ${fromSchema}.${fromName} to ${toName} (its name follows ${strip(r.toId)})`, source: `implied by the rename of ${strip(r.toId)}`,
    });
  }
  for (const table of tables) {
    for (const kind of ['constraint', 'index', 'sequence'] as const) {
      const of = (cat: Catalog, other: Catalog) => Object.values(cat.objects).filter((o) => o.kind === kind && tableOf(o) === table && !other.objects[o.id]);
      const gone = of(mid, desired);
      const come = of(desired, mid);
      for (const g of gone) {
        const sig = signature(g);
        const matches = come.filter((c) => signature(c) === sig);
        if (matches.length !== 1 || gone.filter((x) => signature(x) === sig).length !== 1) continue;
        const m = matches[0]!;
        const sql = (from: string, to: string) => kind === 'constraint'
          ? `ALTER TABLE ${qualified(desired.objects[table]!.schema, desired.objects[table]!.name)} RENAME CONSTRAINT ${quoteIdent(from)} TO ${quoteIdent(to)}`
          : `ALTER ${kind === 'index' ? 'INDEX' : 'SEQUENCE'} ${qualified(g.schema, from)} RENAME TO ${quoteIdent(to)}`;
        if (kind !== 'constraint' && g.schema !== m.schema) continue;
        out.push({
          kind, objectKind: kind, fromId: g.id, toId: m.id, up: [sql(g.name, m.name)], down: [sql(m.name, g.name)],
          description: `rename ${kind} ${strip(g.id)} to ${m.name} (its name follows ${strip(table)})`, source: `implied by the renames on ${strip(table)}`,
        });
      }
    }
  }
  return out;
}

/**
 * The plan steps of renames: up changes in order, and down changes (in down order: reversed). Both
 * are recorded on the new identity, so the plan pairs each with its reverse.
 */
export function renameChanges(renames: Rename[]): { up: Change[]; down: Change[] } {
  const step = (r: Rename, dir: 'up' | 'down') => change({
    id: r.toId, kind: r.objectKind, op: 'rename', phase: 0,
    description: dir === 'up' ? r.description : `undo: ${r.description}`,
    sql: dir === 'up' ? r.up : r.down,
    creates: dir === 'up' ? [r.toId] : [r.fromId], drops: dir === 'up' ? [r.fromId] : [r.toId],
  });
  return { up: renames.map((r) => step(r, 'up')), down: [...renames].reverse().map((r) => step(r, 'down')) };
}
