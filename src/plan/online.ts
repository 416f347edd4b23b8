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
 *   then `ADD CONSTRAINT … USING INDEX` (the index keeps the constraint's name, as the plain form).
 * Tables created (or re-created) by the same plan, partitioned tables, partitions, inheritance
 * children and foreign tables keep the plain forms.
 *
 * The steps are laid out in *segments*, each one migration file (one transaction, or one
 * `transaction:false` file): 0 plain changes and NOT VALID adds, 1 concurrent index builds,
 * 2 validations, 3 the brief finishing steps (SET NOT NULL, USING INDEX), repeating when a
 * dependency pushes a step further. A change that requires an object created by a deferred step is
 * deferred with it. Each segment gets its own down steps, so that every file's down section restores
 * the state before that file (what `schemaplan check` verifies); the down SQL is kept plain.
 * Pure: no I/O.
 */
import type { Catalog, ColumnObject, ConstraintObject, TableObject } from '../catalog/model.js';
import type { Change } from '../diff/change.js';

/** A change with the segment (migration file) it belongs to. */
export type SegmentedChange = Change & { segment?: number };

/** Segment kinds, repeating: transactional, non-transactional (concurrent builds), validations, finishing steps. */
const SEGMENT_TX = [true, false, true, true] as const;
const segmentTransactional = (k: number) => SEGMENT_TX[k % SEGMENT_TX.length]!;

const IDENT = String.raw`(?:"(?:[^"]|"")*"|[^\s."(),]+)`;
const QUAL = String.raw`${IDENT}(?:\.${IDENT})?`;
const CREATE_INDEX_RE = new RegExp(String.raw`^CREATE (UNIQUE )?INDEX (${IDENT}) ON (${QUAL}) (USING [\s\S]*)$`);
const ADD_CONSTRAINT_RE = new RegExp(String.raw`^ALTER TABLE (${QUAL}) ADD CONSTRAINT (${IDENT}) ([\s\S]*)$`);
const SET_NOT_NULL_RE = new RegExp(String.raw`^ALTER TABLE (${QUAL}) ALTER COLUMN (${IDENT}) SET NOT NULL$`);
const DROP_NOT_NULL_RE = /^ALTER TABLE \S[\s\S]* ALTER COLUMN \S+ DROP NOT NULL$/;
/** Constraint definitions a unique index built concurrently can carry (no WITH, tablespace or exclusion). */
const KEY_DEF_RE = /^(UNIQUE|PRIMARY KEY)( NULLS NOT DISTINCT)? (\([^()]*\))( INCLUDE \([^()]*\))?( DEFERRABLE(?: INITIALLY (?:DEFERRED|IMMEDIATE))?)?$/;

/** One step of a rewritten change. */
interface Step {
  sql: string[];
  transactional: boolean;
  /** Lowest segment it may run in. */
  min: number;
  /** Must run in a later segment than the previous step of the same change. */
  later: boolean;
  /** Down SQL undoing exactly this step (restores the state before its segment). */
  down: string[];
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
}

function quote(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Truncates to PostgreSQL's 63-byte identifier limit (on a character boundary). */
function truncate(name: string): string {
  while (Buffer.byteLength(name, 'utf8') > 63) name = name.slice(0, -1);
  return name;
}

/**
 * Rewrites `up` (ordered) into online-safe steps and builds the matching `down` (ordered: the last
 * segment's down steps first). `down` is the plain down of the plan (ordered). Returns the changes
 * unchanged (no segment) when nothing applies.
 */
export function onlineStrategies(up: Change[], down: Change[], from: Catalog, to: Catalog): OnlineResult {
  const plain = (): OnlineResult => ({ up, down, tempChecks: [], rewritten: [] });
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

  const downById = new Map<string, Change[]>();
  for (const d of down) downById.set(d.id, [...(downById.get(d.id) ?? []), d]);
  const tempChecks: ConstraintObject[] = [];
  const rewritten: string[] = [];

  /** The online steps of a change, or null when it keeps its plain form. */
  const stepsOf = (c: Change): Step[] | null => {
    if (c.sql.length !== 1 || !c.transactional || keepPlain.has(c.id)) return null;
    const sql = c.sql[0]!.trim();
    const target = to.objects[c.id];
    if (c.kind === 'index' && c.op === 'create' && target?.kind === 'index' && !target.inherited && existing(target.table)) {
      const m = CREATE_INDEX_RE.exec(sql);
      if (!m) return null;
      const [, unique, name, table, rest] = m;
      return [{
        sql: [`CREATE ${unique ?? ''}INDEX CONCURRENTLY ${name} ON ${table} ${rest}`], transactional: false, min: 1, later: false, creates: true,
        down: (downById.get(c.id) ?? []).flatMap((d) => d.sql), description: `${c.description} (CONCURRENTLY)`,
      }];
    }
    if (c.kind === 'constraint' && c.op === 'create' && target?.kind === 'constraint' && !target.inherited && existing(target.table)) {
      const m = ADD_CONSTRAINT_RE.exec(sql);
      if (!m) return null;
      const [, table, name, def] = m as unknown as [string, string, string, string];
      const plainDown = (downById.get(c.id) ?? []).flatMap((d) => d.sql);
      if ((target.type === 'f' || target.type === 'c') && target.validated && !/\bNOT VALID$/.test(def)) {
        const notValid = `ALTER TABLE ${table} ADD CONSTRAINT ${name} ${def} NOT VALID`;
        return [
          { sql: [notValid], transactional: true, min: 0, later: false, creates: true, down: plainDown, description: `${c.description} (NOT VALID)` },
          { sql: [`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`], transactional: true, min: 2, later: true,
            down: [`ALTER TABLE ${table} DROP CONSTRAINT ${name}`, notValid], description: `validate ${c.description.replace(/^add /, '')}` },
        ];
      }
      const k = KEY_DEF_RE.exec(def);
      if ((target.type === 'u' || target.type === 'p') && k) {
        const [, kind, nullsNotDistinct, cols, include, deferrable] = k;
        const schema = target.schema;
        const index = `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} USING btree ${cols}${include ?? ''}${nullsNotDistinct ?? ''}`;
        const dropIndex = `DROP INDEX ${quote(schema)}.${name}`;
        return [
          { sql: [index], transactional: false, min: 1, later: false, down: [dropIndex], description: `build the unique index of ${c.description.replace(/^add /, '')} (CONCURRENTLY)` },
          { sql: [`ALTER TABLE ${table} ADD CONSTRAINT ${name} ${kind} USING INDEX ${name}${deferrable ?? ''}`], transactional: true, min: 3, later: true, creates: true,
            down: [...plainDown, index.replace(' CONCURRENTLY', '')], description: `${c.description} (USING INDEX)` },
        ];
      }
      return null;
    }
    if (c.kind === 'column' && c.op === 'alter' && target?.kind === 'column' && !target.inherited && existing(target.table)) {
      const column = target as ColumnObject;
      const m = SET_NOT_NULL_RE.exec(sql);
      const downs = downById.get(c.id) ?? [];
      // A primary key on the table that keeps its plain form sets NOT NULL itself (and its down needs it): keep plain.
      const plainKey = up.some((o) => o.kind === 'constraint' && (o.sql.length !== 1 || o.op !== 'create' || keepPlain.has(o.id))
        && (to.objects[o.id] ?? from.objects[o.id])?.kind === 'constraint' && ((to.objects[o.id] ?? from.objects[o.id]) as ConstraintObject).table === column.table
        && o.sql.some((q) => /\bPRIMARY KEY\b/.test(q)));
      if (plainKey) return null;
      if (!m || downs.length !== 1 || downs[0]!.sql.length !== 1 || !DROP_NOT_NULL_RE.test(downs[0]!.sql[0]!.trim())) return null;
      const [, table, col] = m as unknown as [string, string, string];
      const tableName = (to.objects[column.table] as TableObject | undefined)?.name ?? 't';
      let tmp = truncate(`${tableName}_${column.name}_not_null`);
      for (let i = 1; usedNames.has(`${column.schema}.${tmp}`); i++) tmp = truncate(`${tableName}_${column.name}_not_null`.slice(0, 58) + `_${i}`);
      usedNames.add(`${column.schema}.${tmp}`);
      const name = quote(tmp);
      const check = `CHECK (${col} IS NOT NULL)`;
      const addNotValid = `ALTER TABLE ${table} ADD CONSTRAINT ${name} ${check} NOT VALID`;
      const drop = `ALTER TABLE ${table} DROP CONSTRAINT ${name}`;
      tempChecks.push({
        kind: 'constraint', schema: column.schema, name: tmp, table: column.table, type: 'c', definition: `CHECK ((${col} IS NOT NULL))`,
        validated: true, references: null, inherited: false, parent: null, indexComment: null,
      } as unknown as ConstraintObject);
      return [
        { sql: [addNotValid], transactional: true, min: 0, later: false, down: [drop], description: `add the temporary check ${tmp} (NOT VALID) for NOT NULL on ${column.schema}.${tableName}.${column.name}` },
        { sql: [`ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`], transactional: true, min: 2, later: true, down: [drop, addNotValid], description: `validate the temporary check ${tmp}` },
        // The column existed before: nothing waits for this step (a primary key's USING INDEX comes after it in the same segment).
        { sql: [sql, drop], transactional: true, min: 3, later: true,
          down: [...downs[0]!.sql, `ALTER TABLE ${table} ADD CONSTRAINT ${name} ${check}`], description: `${c.description} (proved by ${tmp}, which is then dropped)` },
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
    const steps = stepsOf(c);
    if (!steps) {
      let k = base;
      while (segmentTransactional(k) !== c.transactional) k++;
      if (k > 0 && !downById.has(c.id) && c.op !== 'comment') {
        // Deferred with an object of a later segment: its down must move with it.
        const t = to.objects[c.id];
        const table = t && t.kind === 'constraint' ? to.objects[t.table] : undefined;
        if (c.kind === 'constraint' && c.op === 'create' && t && table) {
          seg(k).down.push({ ...c, op: 'drop', description: `undo: ${c.description}`, sql: [`ALTER TABLE ${quote(table.schema)}.${quote(table.name)} DROP CONSTRAINT ${quote(t.name)}`], segment: k, creates: [], drops: [], requires: [], releases: [] });
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
      const step: SegmentedChange = {
        ...c, description: s.description, sql: s.sql, transactional: s.transactional, segment: k,
        creates: i === 0 ? c.creates : [], drops: i === 0 ? c.drops : [], requires: i === 0 ? c.requires : [], releases: i === 0 ? c.releases : [],
      };
      seg(k).up.push(step);
      if (s.creates) for (const id of [...c.creates, c.id]) { createdIn.set(id, Math.max(createdIn.get(id) ?? 0, k)); if (k > 0) creator.set(id, c.id); }
      if (s.down.length) {
        seg(k).down.push({ ...c, op: c.op === 'create' ? 'drop' : c.op, description: `undo: ${s.description}`, sql: s.down, transactional: true, segment: k, creates: [], drops: [], requires: [], releases: [] });
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
  return { up: outUp, down: outDown, tempChecks, rewritten };
  }
}
