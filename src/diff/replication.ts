/**
 * Publications and subscriptions (logical replication, PostgreSQL docs "ALTER PUBLICATION", "ALTER
 * SUBSCRIPTION").
 *
 * A publication changes in place: tables (and schemas) leaving the list or whose column list or
 * row filter changes are dropped from it first (`DROP TABLE …`), then its parameters are set
 * (`SET (publish = …, publish_via_partition_root = …)`), then tables and schemas are added (`ADD
 * TABLE … (cols) WHERE (…)`) — in that order because PostgreSQL checks row filters and column lists
 * of partitioned tables against `publish_via_partition_root` at each step. The change requires the
 * tables and columns it lists in the target and releases those it listed before, so a table or
 * column is created before it is added, and removed from the publication before it is dropped
 * (PostgreSQL refuses to drop a column a column list or row filter uses). Only FOR ALL TABLES ↔ a
 * list re-creates the publication (there is no ALTER for it).
 *
 * A subscription changes in place (connection, publications with `refresh = false`, slot name,
 * parameters, enabled) and is re-created only when `two_phase` changes; it is created `WITH
 * (connect = false)` and dropped after `SET (slot_name = NONE)`, so a migration never connects to
 * the publisher (diff/foreign-sql.ts).
 */
import type { Catalog, PublicationObject, PublicationTable, SubscriptionObject } from '../catalog/model.js';
import { objectsOfKind } from '../catalog/model.js';
import { comparableExpression as cx } from '../catalog/normalize.js';
import { quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { tableName } from './ddl.js';
import { alterSubscriptionSql, publicationParameters, publicationTableSql, subscriptionDropSql } from './foreign-sql.js';
import { addsAndDrops, replaceChanges } from './objects.js';

const entryKey = (t: PublicationTable) => JSON.stringify([t.columns, cx(t.where)]);

/** Publications: create, drop, ALTER PUBLICATION … DROP / SET (…) / ADD; FOR ALL TABLES changes re-create. */
export function diffPublications(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'publication');
  for (const b of objectsOfKind(to, 'publication')) {
    const a = from.objects[b.id] as PublicationObject | undefined;
    if (!a) continue;
    if (a.allTables !== b.allTables) {
      out.push(...replaceChanges(from, to, a, b, b.allTables ? 'becomes FOR ALL TABLES' : 'is no longer FOR ALL TABLES'));
      continue;
    }
    const name = `ALTER PUBLICATION ${quoteIdent(b.name)}`;
    const before = new Map(a.tables.map((t) => [t.table, entryKey(t)]));
    const after = new Map(b.tables.map((t) => [t.table, entryKey(t)]));
    const leaving = a.tables.filter((t) => after.get(t.table) !== entryKey(t));
    const joining = b.tables.filter((t) => before.get(t.table) !== entryKey(t));
    const schemasLeaving = a.schemas.filter((s) => !b.schemas.includes(s));
    const schemasJoining = b.schemas.filter((s) => !a.schemas.includes(s));
    const params = publicationParameters(b, a);
    const drops = [...leaving.map((t) => `TABLE ${tableName(from, t.table)}`), ...(schemasLeaving.length ? [`TABLES IN SCHEMA ${schemasLeaving.map(quoteIdent).join(', ')}`] : [])];
    const adds = [...joining.map((t) => publicationTableSql(t, (id) => tableName(to, id))), ...(schemasJoining.length ? [`TABLES IN SCHEMA ${schemasJoining.map(quoteIdent).join(', ')}`] : [])];
    const sql = [
      ...(drops.length ? [`${name} DROP ${drops.join(', ')}`] : []),
      ...(params.length ? [`${name} SET (${params.join(', ')})`] : []),
      ...(adds.length ? [`${name} ADD ${adds.join(', ')}`] : []),
    ];
    if (!sql.length) continue;
    const what = [
      ...(leaving.length || joining.length || schemasLeaving.length || schemasJoining.length ? ['tables'] : []),
      ...(params.length ? ['parameters'] : []),
    ].join(' and ');
    out.push(change({
      id: b.id, kind: 'publication', op: 'alter', description: `change ${what} of publication ${b.name}`, sql,
      phase: PHASE.createPublication, requires: b.deps, releases: a.deps,
    }));
  }
  return out;
}

/** Subscriptions: create, drop (without connecting), ALTER SUBSCRIPTION in place; a changed `two_phase` re-creates. */
export function diffSubscriptions(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'subscription');
  for (const c of out) {
    const o = from.objects[c.id];
    if (c.op === 'drop' && o?.kind === 'subscription') c.sql = subscriptionDropSql(o);
  }
  for (const b of objectsOfKind(to, 'subscription')) {
    const a = from.objects[b.id] as SubscriptionObject | undefined;
    if (!a) continue;
    if (a.twoPhase !== b.twoPhase) {
      const steps = replaceChanges(from, to, a, b, 'two_phase changed');
      steps[0]!.sql = subscriptionDropSql(a);
      out.push(...steps);
      continue;
    }
    const sql = alterSubscriptionSql(a, b, to.serverVersion || from.serverVersion);
    if (sql.length) out.push(change({ id: b.id, kind: 'subscription', op: 'alter', description: `alter subscription ${b.name}`, sql, phase: PHASE.createSubscription, requires: [b.id] }));
  }
  return out;
}
