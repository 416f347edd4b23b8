/**
 * Online-safe strategies: rewrites the ordered up changes of a plan so that
 * changes on tables that already exist (and may be busy) never hold a write-blocking lock for longer
 * than a moment:
 * - `CREATE INDEX` → `CREATE INDEX CONCURRENTLY`, in a non-transactional file;
 * - `ADD CONSTRAINT … FOREIGN KEY/CHECK` → `ADD … NOT VALID`, then `VALIDATE CONSTRAINT` in a later
 *   transaction;
 * - `ALTER COLUMN … SET NOT NULL` → `ADD CONSTRAINT <tmp> CHECK (col IS NOT NULL) NOT VALID`,
 *   `VALIDATE`, then `SET NOT NULL` (no scan since PostgreSQL 12) and `DROP CONSTRAINT <tmp>`;
 * - `ADD CONSTRAINT … UNIQUE/PRIMARY KEY` → `CREATE UNIQUE INDEX CONCURRENTLY <constraint name>`,
 *   then `ADD CONSTRAINT … USING INDEX` (the index keeps the constraint's name, as the plain form);
 * - a changed index (`DROP INDEX` + `CREATE INDEX`) → `CREATE INDEX CONCURRENTLY <name>_new`,
 *   `DROP INDEX CONCURRENTLY <name>`, `ALTER INDEX <name>_new RENAME TO <name>`, in a
 *   non-transactional file (its down section does the reverse the same way);
 * - a dropped index → `DROP INDEX CONCURRENTLY` (its down rebuilds it CONCURRENTLY).
 * Tables created (or re-created) by the same plan, partitioned tables, partitions, inheritance
 * children and foreign tables keep the plain forms; so do an index other objects depend on and the
 * index behind a PRIMARY KEY, UNIQUE or EXCLUDE constraint (PostgreSQL drops those only with their
 * constraint, under ACCESS EXCLUSIVE). Such plain forms on existing tables are named in `notes`.
 *
 * The steps are laid out in *segments*, each one migration file (one transaction, or one
 * `transaction:false` file): 0 plain changes and NOT VALID adds, 1 concurrent index builds,
 * 2 validations, 3 the brief finishing steps (SET NOT NULL, USING INDEX), repeating when a
 * dependency pushes a step further. A change that requires an object created by a deferred step is
 * deferred with it. Each segment gets its own down steps, so that every file's down section restores
 * the state before that file (what `schemaplan check` verifies); the down steps are plain, but for
 * index replacements and drops, whose down steps are CONCURRENTLY too.
 * Every decision reads the changes' typed steps (diff/step.ts) and the catalogs, never SQL text.
 * Pure: no I/O.
 */
import { childId, idName, type Catalog, type ColumnObject, type ConstraintObject, type TableObject } from '../catalog/model.js';
import { withSteps, type Change } from '../diff/change.js';
import {
  addConstraintStep, createIndexStep, dropConstraintStep, dropIndexStep, renameIndexStep, statementStep, validateConstraintStep,
  type AddConstraintStep, type CreateIndexStep, type DropIndexStep, type Step,
} from '../diff/step.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { keyDefinition } from './key-definition.js';

/** A change with the segment (migration file) it belongs to. */
export type SegmentedChange = Change & { segment?: number };

/** Segment kinds, repeating: transactional, non-transactional (concurrent builds), validations, finishing steps. */
const SEGMENT_TX = [true, false, true, true] as const;
const segmentTransactional = (k: number) => SEGMENT_TX[k % SEGMENT_TX.length]!;


/** One online step of a rewritten change: typed steps that run together in one segment. */
interface OnlineStep {
  steps: Step[];
  /** False for a step of a `transaction:false` segment. */
  transactional: boolean;
  /** Lowest segment it may run in. */
  min: number;
  /** Must run in a later segment than the previous step of the same change. */
  later: boolean;
  /** Steps undoing exactly this step (restore the state before its segment). */
  down: Step[];
  /** The step that makes the change's objects exist (dependents wait for its segment). */
  creates?: boolean;
  description: string;
}

/** What `onlineStrategies` returns. */
export interface OnlineResult {
  up: SegmentedChange[];
  down: SegmentedChange[];
  /** Temporary `CHECK (col IS NOT NULL)` constraints the steps add (validated), for the hazard context of SET NOT NULL. */
  tempChecks: ConstraintObject[];
  /** Descriptions of the changes rewritten, for tests and messages. */
  rewritten: string[];
  /** Changes on existing tables that keep a blocking plain form, and why (one line each, for the plan's warnings). */
  notes: string[];
}

/** Truncates to PostgreSQL's 63-byte identifier limit (on a character boundary). */
function truncate(name: string): string {
  while (Buffer.byteLength(name, 'utf8') > 63) name = name.slice(0, -1);
  return name;
}

/** The typed steps of a change (an untyped statement becomes an opaque `statement` step). */
function stepsOfChange(c: Change): Step[] {
  return c.steps ?? c.sql.map((q) => statementStep(q));
}

/** The change's only step when it has exactly one typed step of `verb`, else null. */
function only<V extends Step['verb']>(c: Change | undefined, verb: V): (Step & { verb: V }) | null {
  const s = c?.steps;
  return s && s.length === 1 && s[0]!.verb === verb ? (s[0] as Step & { verb: V }) : null;
}

/** A change carrying `steps` (SQL rendered from them; transactional unless a step is CONCURRENTLY). */
function stepChange(c: Change, steps: Step[], extra: Partial<SegmentedChange>): SegmentedChange {
  return { ...withSteps(c, steps), ...extra };
}

/**
 * Rewrites `up` (ordered) into online-safe steps and builds the matching `down` (ordered: the last
 * segment's down steps first). `down` is the plain down of the plan (ordered). Returns the changes
 * unchanged (no segment) when nothing applies. Reads the changes' typed steps (diff/step.ts), never
 * their SQL text. The UNIQUE/PRIMARY KEY strategy reads the constraint's definition with
 * libpg-query (`loadParser()` must have resolved; otherwise the constraint keeps its plain form).
 */
export function onlineStrategies(up: Change[], down: Change[], from: Catalog, to: Catalog): OnlineResult {
  const notes = plainNotes(up, from, to);
  const plain = (): OnlineResult => ({ up, down, tempChecks: [], rewritten: [], notes });
  // Plans that already have non-transactional parts keep their own layout.
  if (up.some((c) => !c.transactional)) return plain();

  const recreated = new Set(up.filter((c) => c.kind === 'table' && (c.op === 'create' || c.op === 'replace')).map((c) => c.id));
  const tables = Object.values(from.objects).filter((o): o is TableObject => o.kind === 'table');
  const hasChildren = new Set(tables.flatMap((t) => [...t.inherits, ...(t.partitionOf ? [t.partitionOf] : [])]));
  /** A plain table of `from` that this plan does not (re)create (a foreign table holds no rows to scan). */
  const existing = (tableId: string | null | undefined): boolean => {
    if (!tableId || recreated.has(tableId)) return false;
    const t = from.objects[tableId] as TableObject | undefined;
    return !!t && t.kind === 'table' && !t.foreign && !t.partitionKey && !t.partitionOf && t.inherits.length === 0 && !hasChildren.has(tableId);
  };
  const usedNames = new Set<string>();
  for (const cat of [from, to]) for (const o of Object.values(cat.objects)) if ('name' in o && typeof o.name === 'string') usedNames.add(`${(o as { schema?: string }).schema ?? ''}.${o.name}`);
  /** A fresh relation name in `schema` derived from `base` (63 bytes at most). */
  const freshName = (schema: string, base: string): string => {
    let name = truncate(base);
    for (let i = 1; usedNames.has(`${schema}.${name}`); i++) name = truncate(base.slice(0, 58) + `_${i}`);
    usedNames.add(`${schema}.${name}`);
    return name;
  };

  const downById = new Map<string, Change[]>();
  for (const d of down) downById.set(d.id, [...(downById.get(d.id) ?? []), d]);
  const plainDownSteps = (id: string) => (downById.get(id) ?? []).flatMap(stepsOfChange);
  const tempChecks: ConstraintObject[] = [];
  const rewritten: string[] = [];
  /** Index identities replaced online (the drop half is absorbed into the build). */
  const tmpIndexNames = new Map<string, string>();

  /** The online steps of a change, or null when it keeps its plain form. */
  const onlineStepsOf = (c: Change): OnlineStep[] | null => {
    if (!c.transactional || keepPlain.has(c.id)) return null;
    const target = to.objects[c.id];
    if (c.kind === 'index') {
      const replacement = indexReplacement(c.id, up, down, from, to, existing);
      if (c.op === 'replace' && replacement) {
        // The drop half runs with the build (after it, concurrently).
        if (only(c, 'drop_index')) return [];
        const { build, drop, oldBuild, newDrop } = replacement;
        const tmp = tmpIndexNames.get(c.id) ?? freshName(replacement.schema, `${replacement.name}_new`);
        tmpIndexNames.set(c.id, tmp);
        const tmpSql = quoteIdent(tmp);
        const tmpQualified = qualified(replacement.schema, tmp);
        return [{
          steps: [
            createIndexStep({ ...build, name: tmpSql, concurrently: true }),
            dropIndexStep({ ...drop, concurrently: true }),
            renameIndexStep({ index: c.id, table: build.table, name: tmpQualified, to: build.name }),
          ],
          transactional: false, min: 1, later: false, creates: true,
          down: [
            createIndexStep({ ...oldBuild, name: tmpSql, concurrently: true }),
            dropIndexStep({ ...newDrop, concurrently: true }),
            renameIndexStep({ index: c.id, table: oldBuild.table, name: tmpQualified, to: oldBuild.name }),
          ],
          description: `${c.description} (CONCURRENTLY: build ${tmp}, drop the old index, rename ${tmp})`,
        }];
      }
      const dropped = from.objects[c.id];
      const drop = only(c, 'drop_index');
      if (c.op === 'drop' && drop && dropped?.kind === 'index' && !dropped.inherited && to.objects[dropped.table] && existing(dropped.table)
        && !dependedOn(c.id, from) && changedDependencies(c.id, up, from).length === 0) {
        const rebuild = downById.get(c.id)?.length === 1 ? only(downById.get(c.id)![0], 'create_index') : null;
        if (!rebuild) return null;
        return [{
          steps: [dropIndexStep({ ...drop, concurrently: true })], transactional: false, min: 1, later: false,
          down: [createIndexStep({ ...rebuild, concurrently: true })], description: `${c.description} (CONCURRENTLY)`,
        }];
      }
      const build = only(c, 'create_index');
      if (c.op === 'create' && build && target?.kind === 'index' && !target.inherited && existing(target.table)) {
        return [{
          steps: [createIndexStep({ ...build, concurrently: true })], transactional: false, min: 1, later: false, creates: true,
          down: plainDownSteps(c.id), description: `${c.description} (CONCURRENTLY)`,
        }];
      }
      return null;
    }
    const add = only(c, 'add_constraint');
    if (c.kind === 'constraint' && c.op === 'create' && add && !add.usingIndex && target?.kind === 'constraint' && !target.inherited && existing(target.table)) {
      const plainDown = plainDownSteps(c.id);
      const what = `constraint ${idName(c.id)}`;
      if ((target.type === 'f' || target.type === 'c') && target.validated && !add.notValid) {
        const notValid = addConstraintStep({ ...add, notValid: true });
        const ref = { constraint: add.constraint, table: add.table, on: add.on, name: add.name };
        return [
          { steps: [notValid], transactional: true, min: 0, later: false, creates: true, down: plainDown, description: `${c.description} (NOT VALID)` },
          { steps: [validateConstraintStep(ref)], transactional: true, min: 2, later: true, down: [dropConstraintStep(ref), notValid], description: `validate ${what}` },
        ];
      }
      const key = target.type === 'u' || target.type === 'p' ? keyDefinition(add.definition) : null;
      if (key) {
        const index = createIndexStep({
          index: c.id, table: add.table, unique: true, name: add.name, on: add.on,
          rest: `USING btree ${key.columns}${key.include}${key.nullsNotDistinct}`, concurrently: true,
        });
        const dropIndex = dropIndexStep({ index: c.id, table: add.table, name: `${quoteIdent(target.schema)}.${add.name}`, concurrently: false });
        return [
          { steps: [index], transactional: false, min: 1, later: false, down: [dropIndex], description: `build the unique index of ${what} (CONCURRENTLY)` },
          { steps: [addConstraintStep({ ...add, usingIndex: { index: add.name, deferrable: key.deferrable } })], transactional: true, min: 3, later: true, creates: true,
            down: [...plainDown, createIndexStep({ ...index, concurrently: false })], description: `${c.description} (USING INDEX)` },
        ];
      }
      return null;
    }
    const setNotNull = only(c, 'set_not_null');
    if (c.kind === 'column' && c.op === 'alter' && setNotNull && target?.kind === 'column' && !target.inherited && existing(target.table)) {
      const column = target as ColumnObject;
      const downs = downById.get(c.id) ?? [];
      // A primary key on the table that keeps its plain form sets NOT NULL itself (and its down needs it): keep plain.
      const plainKey = up.some((o) => {
        const key = (o.steps ?? []).find((s): s is AddConstraintStep => s.verb === 'add_constraint' && s.type === 'p');
        return !!key && key.table === column.table && (o.steps!.length !== 1 || o.op !== 'create' || keepPlain.has(o.id) || keyDefinition(key.definition) === null);
      });
      if (plainKey) return null;
      const dropNotNull = downs.length === 1 ? only(downs[0], 'drop_not_null') : null;
      if (!dropNotNull) return null;
      const tableName = (to.objects[column.table] as TableObject | undefined)?.name ?? 't';
      const tmp = freshName(column.schema, `${tableName}_${column.name}_not_null`);
      const ref = { constraint: childId('constraint', column.table, tmp), table: column.table, on: setNotNull.on, name: quoteIdent(tmp) };
      const check = (notValid: boolean) => addConstraintStep({ ...ref, type: 'c', definition: `CHECK (${setNotNull.name} IS NOT NULL)`, notValid, validated: true, references: null });
      const drop = dropConstraintStep(ref);
      tempChecks.push({
        kind: 'constraint', schema: column.schema, name: tmp, table: column.table, type: 'c', definition: `CHECK ((${setNotNull.name} IS NOT NULL))`,
        validated: true, references: null, inherited: false, parent: null, indexComment: null,
      } as unknown as ConstraintObject);
      return [
        { steps: [check(true)], transactional: true, min: 0, later: false, down: [drop], description: `add the temporary check ${tmp} (NOT VALID) for NOT NULL on ${column.schema}.${tableName}.${column.name}` },
        { steps: [validateConstraintStep(ref)], transactional: true, min: 2, later: true, down: [drop, check(true)], description: `validate the temporary check ${tmp}` },
        // The column existed before: nothing waits for this step (a primary key's USING INDEX comes after it in the same segment).
        { steps: [setNotNull, drop], transactional: true, min: 3, later: true,
          down: [dropNotNull, check(false)], description: `${c.description} (proved by ${tmp}, which is then dropped)` },
      ];
    }
    return null;
  };

  const keepPlain = new Set<string>();
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = layout();
    if (typeof r !== 'string') return r;
    keepPlain.add(r);
  }
  return plain();

  /**
   * Lays the steps out in segments. Returns the id of an online change to keep plain when a change
   * that depends on it cannot follow it to a later segment (no down step to move with it).
   */
  function layout(): OnlineResult | string {
  tempChecks.length = 0;
  rewritten.length = 0;
  const segments: { up: SegmentedChange[]; down: SegmentedChange[] }[] = [];
  const seg = (k: number) => { while (segments.length <= k) segments.push({ up: [], down: [] }); return segments[k]!; };
  const createdIn = new Map<string, number>();
  /** Identity → the online change whose deferred step creates it. */
  const creator = new Map<string, string>();
  const movedDowns = new Set<Change>();
  let anyRewritten = false;
  for (const c of up) {
    let base = 0;
    for (const r of [...c.requires, c.id]) base = Math.max(base, createdIn.get(r) ?? 0);
    const steps = onlineStepsOf(c);
    if (!steps) {
      let k = base;
      while (segmentTransactional(k) !== c.transactional) k++;
      if (k > 0 && !downById.has(c.id) && c.op !== 'comment') {
        // Deferred with an object of a later segment: its down must move with it.
        const t = to.objects[c.id];
        const table = t && t.kind === 'constraint' ? to.objects[t.table] : undefined;
        if (c.kind === 'constraint' && c.op === 'create' && t && table) {
          const undo = dropConstraintStep({ constraint: t.id, table: (t as ConstraintObject).table, on: qualified(table.schema, table.name), name: quoteIdent(t.name) });
          seg(k).down.push(stepChange(c, [undo], { op: 'drop', description: `undo: ${c.description}`, segment: k, creates: [], drops: [], requires: [], releases: [] }));
        } else {
          const cause = [...c.requires, c.id].find((r) => (createdIn.get(r) ?? 0) === base && creator.has(r));
          if (cause) return creator.get(cause)!;
          return plain();
        }
      }
      seg(k).up.push({ ...c, segment: k });
      for (const id of [...c.creates, c.id]) createdIn.set(id, Math.max(createdIn.get(id) ?? 0, k));
      if (k > 0) for (const d of downById.get(c.id) ?? []) { movedDowns.add(d); seg(k).down.push({ ...d, segment: k }); }
      continue;
    }
    anyRewritten = true;
    rewritten.push(c.description);
    let prev = -1;
    steps.forEach((s, i) => {
      let k = Math.max(base, s.min, s.later ? prev + 1 : prev, 0);
      while (segmentTransactional(k) !== s.transactional) k++;
      prev = k;
      const step = stepChange(c, s.steps, {
        description: s.description, transactional: s.transactional, segment: k,
        creates: i === 0 ? c.creates : [], drops: i === 0 ? c.drops : [], requires: i === 0 ? c.requires : [], releases: i === 0 ? c.releases : [],
      });
      seg(k).up.push(step);
      if (s.creates) for (const id of [...c.creates, c.id]) { createdIn.set(id, Math.max(createdIn.get(id) ?? 0, k)); if (k > 0) creator.set(id, c.id); }
      if (s.down.length) {
        seg(k).down.push(stepChange(c, s.down, { op: c.op === 'create' ? 'drop' : c.op, description: `undo: ${s.description}`, segment: k, creates: [], drops: [], requires: [], releases: [] }));
      }
    });
    for (const d of downById.get(c.id) ?? []) movedDowns.add(d);
  }
  if (!anyRewritten) return plain();
  // Later segments undo their steps in reverse order.
  segments.forEach((s, k) => { if (k > 0) s.down.reverse(); });
  // Segment 0's down: the plain down order, minus what moved to later segments or was replaced.
  // The down steps of segment 0 steps (NOT VALID adds, temporary checks) take the place of the plain
  // down of their change, so they run in the plain order.
  const seg0Steps = new Map<string, SegmentedChange[]>();
  for (const d of segments[0]?.down ?? []) seg0Steps.set(d.id, [...(seg0Steps.get(d.id) ?? []), d]);
  const down0: SegmentedChange[] = [];
  const placed = new Set<string>();
  for (const d of down) {
    if (seg0Steps.has(d.id)) {
      if (!placed.has(d.id)) { placed.add(d.id); down0.push(...seg0Steps.get(d.id)!); }
      if (movedDowns.has(d)) continue;
    }
    if (!movedDowns.has(d)) down0.push({ ...d, segment: 0 });
  }
  for (const [id, ds] of seg0Steps) if (!placed.has(id)) down0.unshift(...ds);
  seg(0).down = down0;
  // Drop empty segments, keeping the order (a transactional segment following another becomes its own file).
  const kept = segments.map((s, k) => ({ ...s, k })).filter((s) => s.up.length > 0);
  // Down steps of a segment without up steps (not expected) run with the first file's down, last.
  for (const s of segments) if (s.up.length === 0) kept[0]!.down.push(...s.down);
  const renumber = new Map(kept.map((s, i) => [s.k, i]));
  const outUp = kept.flatMap((s) => s.up.map((c) => ({ ...c, segment: renumber.get(s.k)! })));
  const outDown = [...kept].reverse().flatMap((s) => s.down.map((c) => ({ ...c, segment: renumber.get(s.k)! })));
  return { up: outUp, down: outDown, tempChecks, rewritten, notes };
  }
}

/**
 * What index `id` of `from` depends on (besides its table) that another change of `up` drops or
 * replaces (an in-place change such as a column's new type keeps the index): a column, a function, type, collation, text search
 * configuration re-created or dropped; and any extension the plan drops or re-creates (an index
 * using an extension's operator class depends on it through objects the catalog does not model).
 * The plain drop of the index must then run before that change, in the same transaction, so it
 * cannot be deferred to a concurrent file.
 */
function changedDependencies(id: string, up: Change[], from: Catalog): string[] {
  const o = from.objects[id];
  if (!o || o.kind !== 'index') return [];
  const deps = new Set(o.deps.filter((d) => d !== o.table));
  const out = new Set<string>();
  for (const c of up) {
    if (c.id === id) continue;
    if (deps.has(c.id) && (c.op === 'drop' || c.op === 'replace')) out.add(c.id);
    if (c.kind === 'extension' && (c.op === 'drop' || c.op === 'replace')) out.add(c.id);
    for (const d of c.drops) if (deps.has(d)) out.add(d);
  }
  return [...out];
}

/** True when an object of `cat` depends on `id` (pg_depend), e.g. a foreign key on a unique index. */
function dependedOn(id: string, cat: Catalog): boolean {
  return Object.values(cat.objects).some((o) => o.deps.includes(id));
}

/** The four typed steps of a changed index's plain form: up drop and build, down drop and build. */
interface IndexReplacement {
  schema: string;
  name: string;
  /** Builds the new definition (up). */
  build: CreateIndexStep;
  /** Drops the old index (up). */
  drop: DropIndexStep;
  /** Builds the old definition (down). */
  oldBuild: CreateIndexStep;
  /** Drops the new index (down). */
  newDrop: DropIndexStep;
}

/**
 * The steps of index `id` when the plan replaces it (a changed definition) on an existing plain
 * table and nothing depends on it, else null. `existing` tells a plain table of the current state
 * that the plan keeps.
 */
function indexReplacement(id: string, up: Change[], down: Change[], from: Catalog, to: Catalog, existing: (table: string) => boolean): IndexReplacement | null {
  const a = from.objects[id];
  const b = to.objects[id];
  if (a?.kind !== 'index' || b?.kind !== 'index' || a.inherited || b.inherited || a.invalid || a.table !== b.table || !existing(b.table)) return null;
  if (dependedOn(id, from) || dependedOn(id, to) || changedDependencies(id, up, from).length) return null;
  const pair = (changes: Change[]) => {
    const mine = changes.filter((c) => c.id === id);
    if (mine.length !== 2 || mine.some((c) => c.op !== 'replace')) return null;
    const drop = mine.map((c) => only(c, 'drop_index')).find(Boolean);
    const build = mine.map((c) => only(c, 'create_index')).find(Boolean);
    return drop && build ? { drop, build } : null;
  };
  const u = pair(up);
  const d = pair(down);
  if (!u || !d) return null;
  return { schema: b.schema, name: b.name, build: u.build, drop: u.drop, oldBuild: d.build, newDrop: d.drop };
}

/**
 * Why changes on existing tables keep a plain, blocking form although an online form exists for
 * their kind: an index replaced or dropped on a partitioned table or a partition (PostgreSQL cannot
 * build or drop a partitioned index CONCURRENTLY), an index other objects depend on, and a PRIMARY
 * KEY, UNIQUE or EXCLUDE constraint replaced with its index (the index can only go with its
 * constraint). One line per object.
 */
function plainNotes(up: Change[], from: Catalog, to: Catalog): string[] {
  const recreated = new Set(up.filter((c) => c.kind === 'table' && (c.op === 'create' || c.op === 'replace')).map((c) => c.id));
  const notes: string[] = [];
  const seen = new Set<string>();
  const label = idName;
  for (const c of up) {
    if (seen.has(c.id) || (c.op !== 'replace' && c.op !== 'drop')) continue;
    const o = from.objects[c.id];
    if (!o || (o.kind !== 'index' && o.kind !== 'constraint') || o.inherited) continue;
    const t = from.objects[o.table];
    if (t?.kind !== 'table' || !to.objects[o.table] || recreated.has(o.table) || t.foreign) continue;
    const verb = c.op === 'drop' ? 'dropped' : 're-created';
    let why: string | null = null;
    if (o.kind === 'index') {
      if (t.partitionKey || t.partitionOf) why = `${label(t.id)} is ${t.partitionKey ? 'partitioned' : 'a partition'}: PostgreSQL cannot build or drop a partitioned table's index CONCURRENTLY`;
      else if (dependedOn(c.id, from)) why = `other objects depend on it (${Object.values(from.objects).filter((x) => x.deps.includes(c.id)).map((x) => label(x.id)).join(', ')})`;
      else {
        const changed = changedDependencies(c.id, up, from);
        if (changed.length) why = `what it uses changes in the same plan (${changed.map(label).join(', ')}), so it goes first, in the same transaction`;
      }
      if (why) notes.push(`index ${label(c.id)} is ${verb} with plain DROP INDEX / CREATE INDEX (writes to ${label(t.id)} wait): ${why}`);
    } else if (o.type === 'p' || o.type === 'u' || o.type === 'x') {
      const kind = { p: 'PRIMARY KEY', u: 'UNIQUE', x: 'EXCLUDE' }[o.type];
      notes.push(`${kind} constraint ${label(c.id)} is ${verb} with its index under ACCESS EXCLUSIVE (reads and writes of ${label(t.id)} wait): the index behind a constraint can only be dropped with the constraint, not CONCURRENTLY`);
    }
    seen.add(c.id);
  }
  return notes;
}
