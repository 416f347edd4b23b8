/**
 * The planner: two catalogs → a Plan (ordered up and down changes, hazards, blocked changes,
 * warnings). Pure: no I/O.
 */
import { childId, type Catalog } from '../catalog/model.js';
import { fingerprint, objectHashes } from '../catalog/fingerprint.js';
import type { Change } from '../diff/change.js';
import { diff } from '../diff/index.js';
import { missingRoles } from '../diff/security.js';
import { secretNotes } from '../diff/foreign.js';
import { orderChanges } from './order.js';
import { applyPolicy, type BlockedChange } from './policy.js';
import { applyRequirements, type Requirement } from './requirements.js';
import { hazardContext, statementHazards, stepContext, stepHazards, strongerLock, type Hazard } from './hazards.js';
import { renderStep, statementStep } from '../diff/step.js';
import { onlineStrategies } from './online.js';
import { possibleRenames } from './renames.js';
import { renameChanges, type Rename } from './hinted-renames.js';
import type { PossibleRename } from './document.js';
import type { DataCheck } from './data-checks.js';

/** One emitted step of a plan. */
export interface PlannedChange extends Change {
  /** The strongest lock its statements take on an existing table (PostgreSQL's name), or null. */
  lock: string | null;
  hazards: Hazard[];
  /** SQL of the down-section steps on the same object (its reverse). */
  reverse: string[];
  /**
   * The migration file (transaction) of the step, set by the online strategies (online.ts): the
   * writer starts a new file where it changes; a down step goes to the file of the same number.
   */
  segment?: number;
  /**
   * Set by `plan --url` (project/data-verdict.ts) on a change that rewrites or scans an existing
   * table: the table, its size (`pg_total_relation_size`, bytes and as `pg_size_pretty` writes it)
   * and its estimated row count (`pg_class.reltuples`, -1 when never analysed).
   */
  tableSize?: { table: string; bytes: number; size: string; rows: number };
}

export interface Plan {
  /** Up-section changes in execution order. */
  up: PlannedChange[];
  /** Down-section changes in execution order (turn the target back into `from`). */
  down: PlannedChange[];
  blocked: BlockedChange[];
  /** Unmodelled objects, roles the target server lacks, and ordering problems, one line each. */
  warnings: string[];
  fromFingerprint: string;
  toFingerprint: string;
  /** Per-object hashes of the from-catalog (`objectHashes`), so `up` can name what drifted. */
  fromObjects?: Record<string, string>;
  /** True when the up section loses data (only with allowDestructive). */
  destructive: boolean;
  /** A drop and an add of the same shape, with the rename hint that would keep the data (renames.ts). */
  possibleRenames?: PossibleRename[];
  /**
   * What the up changes assume about the rows of existing tables (data-checks.ts `dataChecks`), set
   * by the caller once the SQL parser is loaded; written as `-- schemaplan:check` header lines.
   */
  dataChecks?: DataCheck[];
  /** Objects outside the scope that changed objects depend on (requirements.ts): the target must have them. */
  requires?: Requirement[];
  /** The catalog the up sections reach: the desired state less what is blocked (not serialised). */
  target?: Catalog;
  /** The catalog the plan starts from (before any hinted rename), which the down sections restore (not serialised). */
  origin?: Catalog;
}

export interface PlanOptions {
  allowDestructive?: boolean;
  /** Online-safe forms on existing tables (online.ts); default true (schemaplan.yaml `online.enabled`). */
  online?: boolean;
  /**
   * Hinted renames (hinted-renames.ts), e.g. a project/states.ts `CurrentState`: `from` is then the
   * current state with them applied (in a shadow) and `original` the current state itself. The
   * renames run first in up and last in down; the plan's starting fingerprint is the original's;
   * `warnings` (hints that did not apply) head the plan's warnings.
   */
  renames?: { original: Catalog; renames: Rename[]; warnings?: string[] };
  /**
   * Plan the down side too (default true). `false`, for callers that print only the up script
   * (`diff --format sql`), leaves `down` and every change's `reverse` empty and skips the reverse
   * diff, a third of the work of a large no-op plan. Applies only with `online: false` (the online
   * forms pair each up change with its reverse); ignored otherwise.
   */
  reverse?: boolean;
}

/** Identity of the table a change acts on, if any. */
function tableOf(c: Change, cat: Catalog): string | null {
  if (c.kind === 'table') return c.id;
  const o = cat.objects[c.id];
  return o && 'table' in o && typeof o.table === 'string' ? o.table : null;
}

function withHazards(changes: Change[], from: Catalog, to: Catalog): PlannedChange[] {
  const newTables = new Set(changes.filter((c) => c.kind === 'table' && (c.op === 'create')).map((c) => c.id));
  return changes.map((c) => {
    const table = tableOf(c, to) ?? tableOf(c, from);
    const existing = !(table && newTables.has(table));
    let lock: string | null = null;
    const hazards: Hazard[] = [];
    // Typed steps are judged from their facts; untyped statements from their parse tree.
    for (const s of c.steps ?? c.sql.map((q) => statementStep(q))) {
      const h = stepHazards(s, existing, stepContext(from)) ?? statementHazards(renderStep(s), existing, hazardContext(from));
      lock = strongerLock(lock, h.lock);
      for (const x of h.hazards) if (!hazards.some((y) => y.kind === x.kind)) hazards.push(x);
    }
    if (c.destructive && !hazards.some((h) => h.kind === 'deletes_data')) hazards.unshift({ kind: 'deletes_data', message: c.destructive });
    if (!c.transactional && !hazards.some((h) => h.kind === 'non_transactional')) {
      hazards.push({ kind: 'non_transactional', message: 'runs outside the migration\'s transaction (committed before the statements after it)' });
    }
    return { ...c, lock, hazards, reverse: [] };
  });
}

/**
 * Plans the migration from `from` (current state) to `to` (desired state).
 * Destructive differences are blocked unless `allowDestructive`. Hazards of statements without
 * typed steps are read with PostgreSQL's parser: `await loadParser()` (sql/parser.ts) first.
 * @throws ParserNotLoadedError when the parser is not loaded
 */
export function buildPlan(from: Catalog, to: Catalog, options: PlanOptions = {}): Plan {
  const required = applyRequirements(from, to);
  const policy = applyPolicy(from, required.target, !!options.allowDestructive);
  const target = policy.target;
  const blocked = [...required.blocked, ...policy.blocked];
  const upOrdered = orderChanges(policy.changes ?? diff(from, target));
  const skipDown = options.reverse === false && options.online === false;
  const downOrdered = skipDown ? { changes: [], cycles: [] } : orderChanges(diff(target, from));
  const online = options.online === false
    ? { up: upOrdered.changes, down: downOrdered.changes, tempChecks: [], notes: [] }
    : onlineStrategies(upOrdered.changes, downOrdered.changes, from, target);
  // SET NOT NULL after a validated temporary check does not scan: the hazards see the check.
  const hazardFrom = online.tempChecks.length
    ? { ...from, objects: { ...from.objects, ...Object.fromEntries(online.tempChecks.map((c) => [childId('constraint', c.table, c.name), c])) } }
    : from;
  let up = withHazards(online.up, hazardFrom, target);
  let down = withHazards(online.down, target, from);
  const origin = options.renames?.original ?? from;
  if (options.renames?.renames.length) {
    // One file with the first transactional steps (runs() in project/write.ts splits on segment).
    const segment = up[0]?.transactional ? up[0].segment : undefined;
    const steps = renameChanges(options.renames.renames);
    const seg = <T extends PlannedChange>(c: T): T => (segment === undefined ? c : { ...c, segment });
    up = [...withHazards(steps.up, origin, from).map(seg), ...up];
    down = [...down, ...withHazards(steps.down, from, origin).map(seg)];
  }
  const downById = new Map<string, string[]>();
  for (const d of down) downById.set(d.id, [...(downById.get(d.id) ?? []), ...d.sql]);
  for (const u of up) u.reverse = downById.get(u.id) ?? [];
  const warnings: string[] = [...(options.renames?.warnings ?? []), ...required.warnings, ...online.notes];
  const seen = new Set<string>();
  for (const u of [...from.unmodelled, ...to.unmodelled]) {
    const line = `not modelled: ${u.kind} ${u.name}`;
    if (!seen.has(line)) { seen.add(line); warnings.push(line); }
  }
  for (const id of upOrdered.cycles) warnings.push(`dependency cycle broken at ${id}: review the statement order`);
  warnings.push(...missingRoles(from, target));
  warnings.push(...secretNotes(from, target));
  const renames = possibleRenames(from, to);
  const plan = {
    ...(renames.length ? { possibleRenames: renames } : {}),
    ...(required.requirements.length ? { requires: required.requirements } : {}),
    up, down, blocked, warnings, target, origin,
    destructive: up.some((c) => c.destructive),
  };
  // Hashing every object costs a third of a no-op plan of a large schema, and `diff` never reads
  // the hashes: they are computed on first read (enumerable, so a spread or JSON copy has them).
  return withLazy(plan, {
    fromFingerprint: () => fingerprint(origin),
    toFingerprint: () => fingerprint(target),
    fromObjects: () => objectHashes(origin),
  });
}

/** `base` with enumerable properties computed once, on first read, by `lazy`'s functions. */
function withLazy<B extends object, L extends Record<string, unknown>>(base: B, lazy: { [K in keyof L]: () => L[K] }): B & L {
  for (const [name, compute] of Object.entries(lazy) as [string, () => unknown][]) {
    let value: unknown;
    let done = false;
    Object.defineProperty(base, name, {
      enumerable: true,
      configurable: true,
      get: () => (done ? value : ((done = true), (value = compute()))),
      set: (v: unknown) => { done = true; value = v; },
    });
  }
  return base as B & L;
}
