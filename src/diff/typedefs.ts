/**
 * Types other than enums' values (objects.ts): composite types (ADD/DROP/ALTER ATTRIBUTE in place),
 * range types, domains (DEFAULT, NOT NULL and constraints in place; a new base type through a
 * replacement domain) and collations.
 */
import type { Catalog, ColumnObject, CompositeType, DomainObject } from '../catalog/model.js';
import { idName, objectsOfKind } from '../catalog/model.js';
import { comparableExpression as cx } from '../catalog/normalize.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { createSql, domainConstraintSql, tableName } from './ddl.js';
import { addsAndDrops, definitionAsValidated, isOfType, label, replaceChanges } from './objects.js';

/** Types: creates and drops of every type kind; composite and range changes (enum values: `diffEnums`). */
export function diffTypes(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'type');
  for (const b of objectsOfKind(to, 'type')) {
    const a = from.objects[b.id];
    if (!a || a.kind !== 'type') continue;
    if (a.typeKind !== b.typeKind) {
      out.push(...replaceChanges(from, to, a, b, 'kind of type changed', `re-creates type ${label(b)}; columns using it lose their data`));
    } else if (a.typeKind === 'range' && b.typeKind === 'range') {
      if (a.options !== b.options) out.push(...replaceChanges(from, to, a, b, 'range definition changed', `re-creates range type ${label(b)}; columns using it lose their data`));
    } else if (a.typeKind === 'composite' && b.typeKind === 'composite') {
      out.push(...alterComposite(from, to, a, b));
    }
  }
  return out;
}

const attrSpec = (x: { type: string; collation: string | null }) => `${x.type}${x.collation ? ` COLLATE ${x.collation}` : ''}`;

/** ALTER TYPE … ADD/DROP/ALTER ATTRIBUTE when the kept attributes keep their order and new ones come last; else a replacement. */
function alterComposite(from: Catalog, to: Catalog, a: CompositeType, b: CompositeType): Change[] {
  const aNames = a.attributes.map((x) => x.name);
  const bNames = b.attributes.map((x) => x.name);
  const keptA = aNames.filter((n) => bNames.includes(n));
  const keptB = bNames.filter((n) => aNames.includes(n));
  const lastKept = Math.max(-1, ...keptB.map((n) => bNames.indexOf(n)));
  const newOnes = b.attributes.filter((x) => !aNames.includes(x.name));
  const inPlace = keptA.join('\u0000') === keptB.join('\u0000') && newOnes.every((x) => bNames.indexOf(x.name) > lastKept);
  if (!inPlace) return replaceChanges(from, to, a, b, 'attributes reordered', `re-creates composite type ${label(b)}; columns using it lose their data`);
  const actions: string[] = [];
  const removed = a.attributes.filter((x) => !bNames.includes(x.name));
  for (const x of removed) actions.push(`DROP ATTRIBUTE ${quoteIdent(x.name)}`);
  for (const x of b.attributes) {
    const old = a.attributes.find((y) => y.name === x.name);
    if (old && attrSpec(old) !== attrSpec(x)) actions.push(`ALTER ATTRIBUTE ${quoteIdent(x.name)} TYPE ${attrSpec(x)}`);
  }
  for (const x of newOnes) actions.push(`ADD ATTRIBUTE ${quoteIdent(x.name)} ${attrSpec(x)}`);
  if (!actions.length) return [];
  // PostgreSQL refuses ALTER ATTRIBUTE … TYPE while a column uses the type: recast through a new type.
  const users = usingColumns(from, to, a, b);
  if (users.length && actions.some((x) => x.startsWith('ALTER ATTRIBUTE'))) {
    // Attributes added and dropped in place first (allowed), so the old and new row text match.
    const inPlace = actions.filter((x) => !x.startsWith('ALTER ATTRIBUTE'));
    const r = recastReplacement(to, a, b, users, 'TYPE', `${b.name}__schemaplan_old`);
    if (inPlace.length) r.sql.unshift(`ALTER TYPE ${qualified(b.schema, b.name)} ${inPlace.join(', ')}`);
    return [r];
  }
  return [change({
    id: b.id, kind: 'type', op: 'alter', description: `alter composite type ${label(b)}`,
    sql: [`ALTER TYPE ${qualified(b.schema, b.name)} ${actions.join(', ')}`], phase: PHASE.createType + 1, requires: b.deps, releases: a.deps,
    destructive: removed.length ? `drops attribute(s) ${removed.map((x) => x.name).join(', ')} of type ${label(b)}` : null,
    revertFields: ['attributes', 'attributeComments'],
  })];
}

/** Domains: create, drop, SET/DROP DEFAULT, SET/DROP NOT NULL, ADD/DROP/VALIDATE CONSTRAINT; a new base type or collation is a replacement. */
export function diffDomains(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'domain');
  for (const b of objectsOfKind(to, 'domain')) {
    const a = from.objects[b.id] as DomainObject | undefined;
    if (!a) continue;
    if (a.baseType !== b.baseType || a.collation !== b.collation) {
      out.push(domainReplacement(from, to, a, b));
      continue;
    }
    const name = qualified(b.schema, b.name);
    const base = { id: b.id, kind: 'domain' as const, op: 'alter' as const };
    if (cx(a.default) !== cx(b.default)) {
      out.push(change({ ...base, description: `${b.default === null ? 'drop' : 'set'} default of domain ${label(b)}`, sql: [`ALTER DOMAIN ${name} ${b.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${b.default}`}`], phase: PHASE.createDomain + 1, requires: b.deps, releases: a.deps }));
    }
    if (a.notNull !== b.notNull) {
      out.push(change({ ...base, description: `${b.notNull ? 'set' : 'drop'} not null on domain ${label(b)}`, sql: [`ALTER DOMAIN ${name} ${b.notNull ? 'SET' : 'DROP'} NOT NULL`], phase: PHASE.createDomain + 1 }));
    }
    for (const c of a.constraints) {
      const now = b.constraints.find((x) => x.name === c.name);
      if (!now || definitionAsValidated(now) !== definitionAsValidated(c) || (c.validated && !now.validated)) {
        out.push(change({ ...base, description: `drop constraint ${c.name} of domain ${label(b)}`, sql: [`ALTER DOMAIN ${name} DROP CONSTRAINT ${quoteIdent(c.name)}`], phase: PHASE.dropConstraint, releases: a.deps }));
      }
    }
    for (const c of b.constraints) {
      const old = a.constraints.find((x) => x.name === c.name);
      if (!old || definitionAsValidated(old) !== definitionAsValidated(c) || (old.validated && !c.validated)) {
        out.push(change({ ...base, description: `add constraint ${c.name} to domain ${label(b)}`, sql: [domainConstraintSql(b, c.name, c.definition)], phase: PHASE.createConstraint, requires: b.deps }));
      } else if (!old.validated && c.validated) {
        out.push(change({ ...base, description: `validate constraint ${c.name} of domain ${label(b)}`, sql: [`ALTER DOMAIN ${name} VALIDATE CONSTRAINT ${quoteIdent(c.name)}`], phase: PHASE.createConstraint }));
      }
    }
  }
  return out;
}

/**
 * A domain whose base type (or collation) changes: the old one is renamed away, the new one created,
 * every column using it recast, the old one dropped — like an enum replacement. Destructive: values
 * that do not fit the new base type make the recast fail. Counts as dropping and re-creating the
 * domain, so the cascade re-creates what else uses it.
 */
/** Columns that use type `a` before and `b` after (inherited copies follow their parent's column). */
function usingColumns(from: Catalog, to: Catalog, a: { schema: string; name: string }, b: { schema: string; name: string }): ColumnObject[] {
  return objectsOfKind(to, 'column').filter((c) => {
    const old = from.objects[c.id];
    return !c.inherited && old?.kind === 'column' && isOfType(c.type, b) && isOfType(old.type, a);
  });
}

/**
 * A composite type whose attribute changes type while columns use it: renamed away, created anew,
 * the columns recast through text (the row's text form), the old type dropped. Destructive: a value
 * that does not fit the new attribute type fails the recast.
 */
function recastReplacement(to: Catalog, a: CompositeType, b: CompositeType, columns: ColumnObject[], keyword: 'TYPE', tmp: string): Change {
  const name = qualified(b.schema, b.name);
  const sql = [`ALTER ${keyword} ${name} RENAME TO ${quoteIdent(tmp)}`, ...createSql(to, b)];
  for (const c of columns) sql.push(`ALTER TABLE ${tableName(to, c.table)} ALTER COLUMN ${quoteIdent(c.name)} TYPE ${c.type} USING ${quoteIdent(c.name)}::text::${c.type}`);
  sql.push(`DROP ${keyword} ${qualified(b.schema, tmp)}`);
  return change({
    id: b.id, kind: 'type', op: 'replace', description: `replace composite type ${label(b)} (attribute types change; recasts ${columns.map((c) => idName(c.id)).join(', ')})`,
    sql, phase: PHASE.createType + 1, drops: [a.id], creates: [b.id], releases: a.deps, requires: b.deps,
    destructive: `changes attribute types of ${label(b)}; values that do not fit fail the recast`, revertFields: ['attributes', 'attributeComments'],
  });
}

function domainReplacement(from: Catalog, to: Catalog, a: DomainObject, b: DomainObject): Change {
  const name = qualified(b.schema, b.name);
  const tmp = `${b.name}__schemaplan_old`;
  const columns = usingColumns(from, to, a, b);
  const sql = [`ALTER DOMAIN ${name} RENAME TO ${quoteIdent(tmp)}`, ...createSql(to, b)];
  for (const c of columns) {
    sql.push(`ALTER TABLE ${tableName(to, c.table)} ALTER COLUMN ${quoteIdent(c.name)} TYPE ${c.type} USING ${quoteIdent(c.name)}::${b.baseType}::${c.type}`);
  }
  sql.push(`DROP DOMAIN ${qualified(b.schema, tmp)}`);
  return change({
    id: b.id, kind: 'domain', op: 'replace',
    description: `replace domain ${label(b)} (base type ${a.baseType} → ${b.baseType}; recasts ${columns.map((c) => idName(c.id)).join(', ') || 'no columns'})`,
    sql, phase: PHASE.createDomain + 1, drops: [a.id], creates: [b.id], releases: a.deps, requires: b.deps,
    destructive: `changes the base type of domain ${label(b)} from ${a.baseType} to ${b.baseType}; values that do not fit fail the recast`,
    revertFields: ['baseType', 'collation', 'default', 'notNull', 'constraints'],
  });
}

/** Collations: create, drop, replace when the definition changed. */
export function diffCollations(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'collation');
  for (const b of objectsOfKind(to, 'collation')) {
    const a = from.objects[b.id];
    if (a && a.kind === 'collation' && a.comparableOptions !== b.comparableOptions) out.push(...replaceChanges(from, to, a, b, 'definition changed'));
  }
  return out;
}
