/**
 * `diff(from, to)`: a pure function from two catalogs to the list of typed changes that turn the
 * first into the second. It does no I/O and does not order the changes (see `plan/order.ts`) or
 * apply policy (see `plan/policy.ts`).
 */
import type { Catalog, ColumnObject } from '../catalog/model.js';
import { change, PHASE, type Change } from './change.js';
import { commentSql, tableName } from './ddl.js';
import { quoteIdent } from '../db/quote.js';
import { diffConstraints, diffEnums, diffFunctions, diffIndexes, diffSchemasAndExtensions, diffSequences, diffTriggers, replaceChanges } from './objects.js';
import { diffTables } from './tables.js';

export type { Change, ChangeOp } from './change.js';

/**
 * Computes the changes from `from` to `to`. Every difference becomes a change; destructive ones carry
 * a `destructive` reason (policy decides whether they are emitted).
 */
export function diff(from: Catalog, to: Catalog): Change[] {
  const changes: Change[] = [
    ...diffSchemasAndExtensions(from, to),
    ...diffEnums(from, to),
    ...diffSequences(from, to),
    ...diffFunctions(from, to),
    ...diffTables(from, to),
    ...diffConstraints(from, to),
    ...diffIndexes(from, to),
    ...diffTriggers(from, to),
  ];
  cascadeReplacements(from, to, changes);
  changes.push(...diffComments(from, to, changes));
  return changes;
}

/**
 * An object that is dropped and re-created takes its dependents with it: PostgreSQL refuses to drop
 * a function a trigger or default uses, or a unique constraint a foreign key references. Those
 * dependents are dropped before and re-created after, in their to-catalog form.
 */
function cascadeReplacements(from: Catalog, to: Catalog, changes: Change[]): void {
  for (;;) {
    const replaced = new Set(changes.filter((c) => c.op === 'replace').flatMap((c) => c.drops));
    const touched = new Set(changes.filter((c) => c.op === 'replace' || c.op === 'drop').map((c) => c.id));
    const defaultsHandled = new Set(changes.filter((c) => c.description.startsWith('drop default of')).map((c) => c.id));
    let added = 0;
    for (const d of Object.values(from.objects)) {
      const now = to.objects[d.id];
      if (!now || touched.has(d.id) || !d.deps.some((x) => replaced.has(x))) continue;
      if (d.kind === 'constraint' || d.kind === 'index' || d.kind === 'trigger' || d.kind === 'function') {
        const why = `depends on re-created ${d.deps.filter((x) => replaced.has(x)).join(', ')}`;
        changes.push(...replaceChanges(from, to, d, now, why));
        added++;
      } else if (d.kind === 'column' && d.default !== null && !defaultsHandled.has(d.id)) {
        const c = now as ColumnObject;
        const alter = (s: string) => `ALTER TABLE ${tableName(to, c.table)} ALTER COLUMN ${quoteIdent(c.name)} ${s}`;
        changes.push(change({ id: d.id, kind: 'column', op: 'alter', description: `drop default of ${d.id.slice(7)} (its dependency is re-created)`, sql: [alter('DROP DEFAULT')], phase: PHASE.dropDefault, releases: d.deps }));
        if (c.default !== null && !changes.some((x) => x.id === d.id && x.description.startsWith('set default of'))) {
          changes.push(change({ id: d.id, kind: 'column', op: 'alter', description: `set default of ${d.id.slice(7)}`, sql: [alter(`SET DEFAULT ${c.default}`)], phase: PHASE.alterColumn + 1, requires: c.deps }));
        }
        added++;
      }
    }
    if (added === 0) return;
  }
}

/** COMMENT ON for new, changed and re-created objects. */
function diffComments(from: Catalog, to: Catalog, changes: Change[]): Change[] {
  const recreated = new Set(changes.filter((c) => c.op === 'replace').flatMap((c) => c.creates));
  const out: Change[] = [];
  for (const o of Object.values(to.objects)) {
    const old = from.objects[o.id];
    const before = old && !recreated.has(o.id) ? old.comment : null;
    if (o.comment === before) continue;
    out.push(change({
      id: o.id, kind: o.kind, op: 'comment', description: `${o.comment === null ? 'remove comment on' : 'comment on'} ${o.kind} ${o.id.slice(o.id.indexOf(':') + 1)}`,
      sql: [commentSql(to, o, o.comment)], phase: PHASE.comment, requires: [o.id],
    }));
  }
  return out;
}
