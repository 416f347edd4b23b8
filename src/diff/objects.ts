/**
 * Changes for the standalone kinds: schemas, extensions, enum types, sequences, constraints,
 * indexes, functions and triggers, and the helpers every kind's diff uses. Each kind is created,
 * dropped, altered in place where PostgreSQL allows it, or replaced (drop + create) where it does not.
 */
import type { Catalog, CatalogObject, ColumnObject, ConstraintObject, EnumType, FunctionObject, IndexObject, ObjectKind, SequenceObject, TriggerObject } from '../catalog/model.js';
import { idName, objectsOfKind } from '../catalog/model.js';
import { comparableExpression as cx } from '../catalog/normalize.js';
import { qualified, quoteIdent, quoteLiteral } from '../db/quote.js';
import { change, PHASE, withSteps, type Change } from './change.js';
import {
  addConstraintStep, createIndexStep, defaultStep, dropConstraintStep, dropIndexStep, indexDefinitionParts, statementStep, validateConstraintStep, type CreateIndexStep, type Step,
} from './step.js';
import { createSql, dropSql, tableName, triggerEnableSql } from './ddl.js';

const CREATE_PHASE: Record<string, number> = {
  schema: PHASE.createSchema, extension: PHASE.createExtension, type: PHASE.createType, domain: PHASE.createDomain,
  collation: PHASE.createCollation, sequence: PHASE.createSequence, function: PHASE.createFunction, index: PHASE.createIndex,
  trigger: PHASE.createTrigger, constraint: PHASE.createConstraint, view: PHASE.createView, matview: PHASE.createView,
  policy: PHASE.createPolicy, rule: PHASE.createRule, statistics: PHASE.createStatistics, tsconfig: PHASE.createTsConfig,
  tsdict: PHASE.createTsDict, event_trigger: PHASE.createEventTrigger, table: PHASE.createTable, default_acl: PHASE.defaultAcl,
  publication: PHASE.createPublication, subscription: PHASE.createSubscription, foreign_data_wrapper: PHASE.createForeignDataWrapper,
  server: PHASE.createServer, user_mapping: PHASE.createUserMapping,
};
const DROP_PHASE: Record<string, number> = {
  schema: PHASE.dropSchema, extension: PHASE.dropExtension, type: PHASE.dropType, domain: PHASE.dropDomain,
  collation: PHASE.dropCollation, sequence: PHASE.dropSequence, function: PHASE.dropFunction, index: PHASE.dropIndex,
  trigger: PHASE.dropTrigger, constraint: PHASE.dropConstraint, view: PHASE.dropView, matview: PHASE.dropView,
  policy: PHASE.dropPolicy, rule: PHASE.dropRule, statistics: PHASE.dropStatistics, tsconfig: PHASE.dropTsConfig,
  tsdict: PHASE.dropTsDict, event_trigger: PHASE.dropEventTrigger, table: PHASE.dropTable, default_acl: PHASE.defaultAcl,
  publication: PHASE.dropPublication, subscription: PHASE.dropSubscription, foreign_data_wrapper: PHASE.dropForeignDataWrapper,
  server: PHASE.dropServer, user_mapping: PHASE.dropUserMapping,
};

/** `schema.name[.sub]` of an identity (the part after `kind:`). */
export function label(o: CatalogObject): string {
  return idName(o.id);
}

/** A human name of a kind: `materialized view`, `text search configuration` … */
export function kindName(kind: ObjectKind): string {
  return { matview: 'materialized view', tsconfig: 'text search configuration', tsdict: 'text search dictionary', event_trigger: 'event trigger', default_acl: 'default privileges',
    foreign_data_wrapper: 'foreign-data wrapper', server: 'foreign server', user_mapping: 'user mapping' }[kind as string] ?? kind;
}

/** The table a sub-object (column, constraint, index, trigger, policy, rule, statistics) belongs to, or null. */
export function ownerTable(o: CatalogObject): string | null {
  return 'table' in o && typeof o.table === 'string' ? o.table : null;
}

/** True for an object that comes from a parent table (it is created and dropped with its parent's). */
export function isInherited(o: CatalogObject): boolean {
  return 'inherited' in o && o.inherited === true;
}

const membersCache = new WeakMap<Catalog['objects'], Map<string, string[]>>();

/** Identities dropped together with a table, view or materialized view: what hangs off it. */
export function relationMembers(cat: Catalog, relId: string): string[] {
  let index = membersCache.get(cat.objects);
  if (!index) {
    index = new Map();
    for (const o of Object.values(cat.objects)) {
      const t = ownerTable(o);
      if (t) index.set(t, [...(index.get(t) ?? []), o.id]);
    }
    membersCache.set(cat.objects, index);
  }
  return index.get(relId) ?? [];
}

/**
 * The typed step creating an index (null when its `pg_get_indexdef` text does not have the expected
 * prefix, which keeps it untyped). A partitioned table's index is created without ONLY: PostgreSQL
 * then creates (or adopts matching) partition indexes.
 */
export function createIndexStepOf(cat: Catalog, o: IndexObject, concurrently = false): CreateIndexStep | null {
  const t = cat.objects[o.table];
  const parts = t ? indexDefinitionParts(o, t.name) : null;
  if (!parts) return null;
  return createIndexStep({ index: o.id, table: o.table, unique: parts.unique, name: parts.name, on: parts.on, rest: parts.rest, concurrently });
}

/** The typed steps creating `o` when its kind has them (index, constraint), else null. */
export function createSteps(cat: Catalog, o: CatalogObject): Step[] | null {
  if (o.kind === 'index') {
    const s = createIndexStepOf(cat, o);
    return s ? [s] : null;
  }
  if (o.kind === 'constraint') {
    return [addConstraintStep({ constraint: o.id, table: o.table, on: tableName(cat, o.table), name: quoteIdent(o.name), type: o.type, definition: o.definition, notValid: false, validated: o.validated, references: o.references })];
  }
  return null;
}

/** The typed steps dropping `o` when its kind has them (index, constraint), else null. */
export function dropSteps(cat: Catalog, o: CatalogObject): Step[] | null {
  if (o.kind === 'index') return [dropIndexStep({ index: o.id, table: o.table, name: qualified(o.schema, o.name), concurrently: false })];
  if (o.kind === 'constraint') return [dropConstraintStep({ constraint: o.id, table: o.table, on: tableName(cat, o.table), name: quoteIdent(o.name) })];
  return null;
}

/** A create change for `o` as it is in `cat`. */
export function createChange(cat: Catalog, o: CatalogObject): Change {
  let phase = CREATE_PHASE[o.kind] ?? PHASE.createTable;
  if (o.kind === 'constraint' && o.type === 'f') phase = PHASE.createForeignKey;
  const steps = createSteps(cat, o);
  return change({ id: o.id, kind: o.kind, op: 'create', description: `create ${kindName(o.kind)} ${label(o)}`, ...(steps ? { steps } : { sql: createSql(cat, o) }), phase, creates: [o.id], requires: o.deps });
}

/** A drop change for `o` as it is in `cat`. Every drop loses something, so it is destructive. */
export function dropChange(cat: Catalog, o: CatalogObject, destructive: string | null = `drops ${kindName(o.kind)} ${label(o)}`): Change {
  let phase = DROP_PHASE[o.kind] ?? PHASE.dropTable;
  if (o.kind === 'constraint' && o.type === 'f') phase = PHASE.dropForeignKey;
  const members = o.kind === 'view' || o.kind === 'matview' ? relationMembers(cat, o.id) : [];
  const steps = dropSteps(cat, o);
  return change({
    id: o.id, kind: o.kind, op: 'drop', description: `drop ${kindName(o.kind)} ${label(o)}`, ...(steps ? { steps } : { sql: [dropSql(cat, o)] }), phase,
    drops: [o.id, ...members], releases: o.deps, destructive,
  });
}

/** Drop-then-create of the same identity (not destructive: the object comes back in its new form). */
export function replaceChanges(from: Catalog, to: Catalog, a: CatalogObject, b: CatalogObject, why: string, destructive: string | null = null): Change[] {
  const d = dropChange(from, a, destructive);
  const c = createChange(to, b);
  d.op = 'replace';
  c.op = 'replace';
  d.description = `drop ${kindName(a.kind)} ${label(a)} to re-create it (${why})`;
  c.description = `re-create ${kindName(b.kind)} ${label(b)} (${why})`;
  return [d, c];
}

/** Creates and drops of objects of `kind` present on one side only. */
export function addsAndDrops(from: Catalog, to: Catalog, kind: ObjectKind, skipDrop: (o: CatalogObject) => boolean = () => false): Change[] {
  const out: Change[] = [];
  for (const o of objectsOfKind(to, kind)) if (!from.objects[o.id] && !isInherited(o)) out.push(createChange(to, o));
  for (const o of objectsOfKind(from, kind)) if (!to.objects[o.id] && !skipDrop(o) && !isImplicitlyDropped(from, to, o)) out.push(dropChange(from, o));
  return out;
}

/** Objects that go away with their table or view (its drop change lists them), or with their parent object. */
export function isImplicitlyDropped(from: Catalog, to: Catalog, o: CatalogObject): boolean {
  if (isInherited(o)) return true;
  const t = ownerTable(o);
  if (t) return !to.objects[t] || to.objects[t]!.kind !== from.objects[t]?.kind;
  if (o.kind === 'sequence' && o.ownedBy) {
    const col = from.objects[o.ownedBy];
    return !to.objects[o.ownedBy] || (col?.kind === 'column' && !to.objects[col.table]);
  }
  return false;
}

/** Schemas and extensions. Extension versions are not compared (they move between majors). */
export function diffSchemasAndExtensions(from: Catalog, to: Catalog): Change[] {
  return [...addsAndDrops(from, to, 'schema'), ...addsAndDrops(from, to, 'extension')];
}

/** Enum types: create, drop, ADD VALUE in place; a removed or reordered value is a destructive replacement. */
export function diffEnums(from: Catalog, to: Catalog): Change[] {
  const out: Change[] = [];
  for (const b of objectsOfKind(to, 'type')) {
    const a = from.objects[b.id];
    if (!a || a.kind !== 'type' || a.typeKind !== 'enum' || b.typeKind !== 'enum' || a.values.join('\u0000') === b.values.join('\u0000')) continue;
    const name = qualified(b.schema, b.name);
    const kept = a.values.filter((v) => b.values.includes(v));
    const keepsOrder = kept.length === a.values.length && kept.join('\u0000') === b.values.filter((v) => a.values.includes(v)).join('\u0000');
    if (keepsOrder) {
      const sql: string[] = [];
      const present = [...a.values];
      b.values.forEach((v, i) => {
        if (present.includes(v)) return;
        const next = b.values.slice(i + 1).find((x) => present.includes(x));
        const prev = b.values.slice(0, i).reverse().find((x) => present.includes(x));
        const where = next !== undefined ? ` BEFORE ${quoteLiteral(next)}` : prev !== undefined ? ` AFTER ${quoteLiteral(prev)}` : '';
        sql.push(`ALTER TYPE ${name} ADD VALUE ${quoteLiteral(v)}${where}`);
        present.splice(next !== undefined ? present.indexOf(next) : present.length, 0, v);
      });
      out.push(change({ id: b.id, kind: 'type', op: 'alter', description: `add value(s) to enum ${b.schema}.${b.name}`, sql, phase: PHASE.createType + 1, requires: [b.id] }));
    } else {
      out.push(...enumReplacement(from, to, a, b));
    }
  }
  return out;
}

/**
 * Removing or reordering enum labels: rename the old type away, create the new one, recast every
 * column using it (before and after) through text, drop the old type. Destructive: rows holding a
 * removed label make the cast fail. The type counts as dropped and re-created, so the diff's cascade
 * re-creates what else uses it (defaults, functions, constraints, indexes, triggers) around it.
 */
function enumReplacement(from: Catalog, to: Catalog, a: EnumType, b: EnumType): Change[] {
  const name = qualified(b.schema, b.name);
  const tmp = quoteIdent(`${b.name}__schemaplan_old`);
  const columns = objectsOfKind(to, 'column').filter((c) => {
    const old = from.objects[c.id];
    return old?.kind === 'column' && isOfType(c.type, b) && isOfType(old.type, a);
  });
  const steps: Step[] = [statementStep(`ALTER TYPE ${name} RENAME TO ${tmp}`), statementStep(createSql(to, b)[0]!)];
  for (const c of columns) {
    // A default of the old type cannot be cast ("default for column … cannot be cast
    // automatically"): dropped before the recast. A default that uses nothing but the enum (a
    // literal) is set again right after it, so every file of a split plan leaves its default in
    // place; one that calls a function is set by its own ordered change, after what it uses.
    const old = from.objects[c.id] as ColumnObject;
    const on = { column: c.id, table: c.table, on: tableName(to, c.table), name: quoteIdent(c.name) };
    if (old.default !== null) steps.push(defaultStep('drop_default', on));
    steps.push(statementStep(`ALTER TABLE ${on.on} ALTER COLUMN ${on.name} TYPE ${c.type} USING ${on.name}::text::${c.type}`, c.table));
    const usesMore = c.deps.some((d) => d !== c.table && d !== b.id && to.objects[d]?.kind !== 'schema');
    if (c.default !== null && !usesMore) steps.push(defaultStep('set_default', { ...on, expression: c.default }));
  }
  steps.push(statementStep(`DROP TYPE ${qualified(b.schema, `${b.name}__schemaplan_old`)}`));
  const removed = a.values.filter((v) => !b.values.includes(v));
  return [change({
    id: b.id, kind: 'type', op: 'replace',
    description: `replace enum ${b.schema}.${b.name} (${removed.length ? `removes ${removed.join(', ')}` : 'reorders values'}; recasts ${columns.map((c) => idName(c.id)).join(', ') || 'no columns'})`,
    steps, phase: PHASE.createType + 1, drops: [a.id], creates: [b.id], releases: a.deps, requires: b.deps,
    destructive: removed.length ? `removes value(s) ${removed.map((v) => `'${v}'`).join(', ')} from enum ${b.schema}.${b.name}; rows holding them fail the recast` : `reorders enum ${b.schema}.${b.name}`,
    revertFields: ['values'],
  })];
}

/**
 * True when a column type (`format_type` text, e.g. `public.mood`, `"My Schema"."Mood"[]`) is the
 * type `t` or an array of it. (A column's `deps` also list types its default or generation
 * expression merely mentions.)
 */
export function isOfType(columnType: string, t: { schema: string; name: string }): boolean {
  const base = columnType.replace(/(\[\])+$/, '');
  const parts: string[] = [];
  const re = /"((?:[^"]|"")*)"|([^."]+)|(\.)/g;
  let cur = '';
  for (let m = re.exec(base); m; m = re.exec(base)) {
    if (m[3]) { parts.push(cur); cur = ''; }
    else cur += m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!;
  }
  parts.push(cur);
  return parts.length === 2 && parts[0] === t.schema && parts[1] === t.name;
}

/** Sequences: create, drop, ALTER SEQUENCE for changed parameters, OWNED BY. */
export function diffSequences(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'sequence');
  for (const b of objectsOfKind(to, 'sequence')) {
    const a = from.objects[b.id] as SequenceObject | undefined;
    const name = qualified(b.schema, b.name);
    if (a) {
      const sets: string[] = [];
      if (a.dataType !== b.dataType) sets.push(`AS ${b.dataType}`);
      if (a.increment !== b.increment) sets.push(`INCREMENT BY ${b.increment}`);
      if (a.min !== b.min) sets.push(`MINVALUE ${b.min}`);
      if (a.max !== b.max) sets.push(`MAXVALUE ${b.max}`);
      if (a.start !== b.start) sets.push(`START WITH ${b.start}`);
      if (a.cache !== b.cache) sets.push(`CACHE ${b.cache}`);
      if (a.cycle !== b.cycle) sets.push(b.cycle ? 'CYCLE' : 'NO CYCLE');
      // The current value must lie within the new bounds; when the direction flips it cannot be
      // kept meaningfully, so the sequence restarts at its (new) start value.
      const flips = a.increment.startsWith('-') !== b.increment.startsWith('-');
      if ((a.persistence ?? 'p') !== (b.persistence ?? 'p')) {
        out.push(change({ id: b.id, kind: 'sequence', op: 'alter', description: `set sequence ${b.schema}.${b.name} ${b.persistence === 'u' ? 'unlogged' : 'logged'}`, sql: [`ALTER SEQUENCE ${name} SET ${b.persistence === 'u' ? 'UNLOGGED' : 'LOGGED'}`], phase: PHASE.createSequence + 1 }));
      }
      if (flips) sets.push('RESTART');
      if (sets.length) {
        out.push(change({
          id: b.id, kind: 'sequence', op: 'alter', description: `alter sequence ${b.schema}.${b.name}${flips ? ' (direction changes: restarts it)' : ''}`,
          sql: [`ALTER SEQUENCE ${name} ${sets.join(' ')}`], phase: PHASE.createSequence + 1,
          destructive: flips ? `restarts sequence ${b.schema}.${b.name} at ${b.start}: its current value is lost` : null,
        }));
      }
    }
    if ((a?.ownedBy ?? null) !== b.ownedBy) {
      const col = b.ownedBy ? to.objects[b.ownedBy] : undefined;
      const target = col && col.kind === 'column' ? `${tableName(to, col.table)}.${quoteIdent(col.name)}` : 'NONE';
      out.push(change({
        id: b.id, kind: 'sequence', op: 'alter', description: `set sequence ${b.schema}.${b.name} owned by ${b.ownedBy ? b.ownedBy.slice(7) : 'none'}`,
        sql: [`ALTER SEQUENCE ${name} OWNED BY ${target}`], phase: PHASE.ownedBy, requires: b.ownedBy ? [b.id, b.ownedBy] : [b.id],
        releases: a?.ownedBy ? [a.ownedBy] : [],
      }));
    }
  }
  return out;
}

/**
 * A constraint's definition as if it were validated: `pg_get_constraintdef` appends ` NOT VALID` to
 * the definition of a constraint that is not (`convalidated` false), which is removed here so that
 * definitions compare regardless of validation (the `validated` flag says which it is).
 */
export function definitionAsValidated(c: { definition: string; validated: boolean }): string {
  const d = cx(c.definition);
  const suffix = ' NOT VALID';
  return !c.validated && d.endsWith(suffix) ? d.slice(0, -suffix.length) : d;
}

/** Constraints: add, drop, VALIDATE in place, replace when the definition changed. */
export function diffConstraints(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'constraint');
  for (const b of objectsOfKind(to, 'constraint')) {
    const a = from.objects[b.id] as ConstraintObject | undefined;
    if (!a || a.inherited || b.inherited) continue;
    // definitionAsValidated is a function of the text and the flag: equal inputs skip normalising.
    const changed = (a.definition !== b.definition || a.validated !== b.validated) && definitionAsValidated(a) !== definitionAsValidated(b);
    if (changed || a.type !== b.type || (a.validated && !b.validated)) {
      out.push(...replaceChanges(from, to, a, b, 'definition changed'));
    } else if (!a.validated && b.validated) {
      out.push(change({
        id: b.id, kind: 'constraint', op: 'alter', description: `validate constraint ${label(b)}`,
        steps: [validateConstraintStep({ constraint: b.id, table: b.table, on: tableName(to, b.table), name: quoteIdent(b.name) })], phase: PHASE.createForeignKey + 1, requires: [b.id],
      }));
    }
  }
  return out;
}

/**
 * Indexes: create, drop, replace when `pg_get_indexdef` differs. An INVALID index where a valid one
 * is wanted is rebuilt: on a plain table with `DROP INDEX CONCURRENTLY` then `CREATE INDEX
 * CONCURRENTLY` (each outside a transaction block, as PostgreSQL requires; "CREATE INDEX", "Building
 * Indexes Concurrently": an invalid index "should be dropped and the CREATE INDEX CONCURRENTLY
 * retried"), elsewhere (partitioned tables, materialized views) plainly. Nothing is planned to make
 * a valid index invalid.
 */
export function diffIndexes(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'index');
  for (const b of objectsOfKind(to, 'index')) {
    const a = from.objects[b.id];
    // A partition's index attached to a partitioned index goes away with it ("DROP INDEX": the
    // indexes attached to a partitioned index are dropped with it); one that stays is built again.
    if (a?.kind === 'index' && a.inherited && !b.inherited && a.parent && !to.objects[a.parent]) {
      out.push({ ...createChange(to, b), op: 'replace', description: `re-create index ${label(b)} (its partitioned parent index is dropped)` });
      continue;
    }
    if (!a || a.kind !== 'index' || a.inherited || b.inherited) continue;
    if (cx(a.definition) !== cx(b.definition)) out.push(...replaceChanges(from, to, a, b, 'definition changed'));
    else if (a.invalid && !b.invalid) out.push(...rebuildInvalid(from, to, a, b));
  }
  return out;
}

/** The drop and the build that replace the INVALID index `a` by the valid `b` (same definition). */
function rebuildInvalid(from: Catalog, to: Catalog, a: IndexObject, b: IndexObject): Change[] {
  const [d, c] = replaceChanges(from, to, a, b, 'it is INVALID');
  const t = from.objects[a.table];
  const online = t?.kind === 'table' && !t.partitionKey;
  const build = createIndexStepOf(to, b, true);
  if (!online || !build) return [d!, c!];
  return [
    { ...withSteps(d!, [dropIndexStep({ index: a.id, table: a.table, name: qualified(a.schema, a.name), concurrently: true })]), description: `${d!.description} (CONCURRENTLY)` },
    { ...withSteps(c!, [build]), description: `${c!.description} (CONCURRENTLY)` },
  ];
}

/**
 * Functions and procedures: CREATE OR REPLACE when PostgreSQL allows it (same result type and same
 * argument names/defaults, PostgreSQL docs "CREATE FUNCTION"), otherwise drop and create.
 */
export function diffFunctions(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'function');
  for (const b of objectsOfKind(to, 'function')) {
    const a = from.objects[b.id] as FunctionObject | undefined;
    if (!a || a.definition === b.definition) continue;
    if (a.returns === b.returns && a.args === b.args && a.prokind === b.prokind && a.prokind !== 'a') {
      out.push(change({ id: b.id, kind: 'function', op: 'alter', description: `replace body of ${b.prokind === 'p' ? 'procedure' : 'function'} ${label(b)}`, sql: [b.definition.trim()], phase: PHASE.createFunction, requires: b.deps, releases: a.deps }));
    } else {
      out.push(...replaceChanges(from, to, a, b, 'signature changed'));
    }
  }
  return out;
}

/** Triggers: create, drop, replace when the definition changed, ENABLE/DISABLE in place. */
export function diffTriggers(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'trigger');
  for (const b of objectsOfKind(to, 'trigger')) {
    const a = from.objects[b.id] as TriggerObject | undefined;
    if (!a || a.inherited || b.inherited) continue;
    if (cx(a.definition) !== cx(b.definition)) out.push(...replaceChanges(from, to, a, b, 'definition changed'));
    else if (a.enabled !== b.enabled) {
      out.push(change({ id: b.id, kind: 'trigger', op: 'alter', description: `set trigger ${label(b)} ${b.enabled === 'D' ? 'disabled' : 'enabled'}`, sql: [triggerEnableSql(to, b.table, b.name, b.enabled)], phase: PHASE.createTrigger + 1, requires: [b.id] }));
    }
  }
  return out;
}
