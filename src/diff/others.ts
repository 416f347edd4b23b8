/**
 * Rules, extended statistics, text search configurations and dictionaries, and event triggers.
 */
import type { Catalog, EventTriggerObject, RuleObject, StatisticsObject, TsConfigObject } from '../catalog/model.js';
import { objectsOfKind } from '../catalog/model.js';
import { comparableExpression as cx } from '../catalog/normalize.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { eventTriggerEnableSql, ruleEnableSql, tsMappingSql } from './ddl.js';
import { addsAndDrops, label, replaceChanges } from './objects.js';

/** Rules: create, drop, CREATE OR REPLACE RULE, ENABLE/DISABLE. */
export function diffRules(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'rule');
  for (const b of objectsOfKind(to, 'rule')) {
    const a = from.objects[b.id] as RuleObject | undefined;
    if (!a) continue;
    if (cx(a.definition) !== cx(b.definition)) {
      out.push(change({
        id: b.id, kind: 'rule', op: 'alter', description: `replace rule ${label(b)}`,
        sql: [orReplaceRule(b.definition)], phase: PHASE.createRule, requires: b.deps, releases: a.deps,
      }));
    }
    if (a.enabled !== b.enabled) {
      out.push(change({ id: b.id, kind: 'rule', op: 'alter', description: `set rule ${label(b)} ${b.enabled === 'D' ? 'disabled' : 'enabled'}`, sql: [ruleEnableSql(to, b.table, b.name, b.enabled)], phase: PHASE.createRule + 0.5, requires: [b.id] }));
    }
  }
  return out;
}

/** Extended statistics: create, drop, replace when the definition changed, SET STATISTICS in place. */
export function diffStatistics(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'statistics');
  for (const b of objectsOfKind(to, 'statistics')) {
    const a = from.objects[b.id] as StatisticsObject | undefined;
    if (!a) continue;
    if (a.definition !== b.definition) out.push(...replaceChanges(from, to, a, b, 'definition changed'));
    else if (a.target !== b.target) {
      out.push(change({
        id: b.id, kind: 'statistics', op: 'alter', description: `set statistics target of ${label(b)}`,
        sql: [`ALTER STATISTICS ${qualified(b.schema, b.name)} SET STATISTICS ${b.target ?? -1}`], phase: PHASE.createStatistics + 0.5, requires: [b.id],
      }));
    }
  }
  return out;
}

/** Text search: dictionaries (replace on change) and configurations (ADD/ALTER/DROP MAPPING in place; a new parser re-creates). */
export function diffTextSearch(from: Catalog, to: Catalog): Change[] {
  const out = [...addsAndDrops(from, to, 'tsdict'), ...addsAndDrops(from, to, 'tsconfig')];
  for (const b of objectsOfKind(to, 'tsdict')) {
    const a = from.objects[b.id];
    if (a && a.kind === 'tsdict' && (a.template !== b.template || a.options !== b.options)) out.push(...replaceChanges(from, to, a, b, 'definition changed'));
  }
  for (const b of objectsOfKind(to, 'tsconfig')) {
    const a = from.objects[b.id] as TsConfigObject | undefined;
    if (!a) continue;
    if (a.parser !== b.parser) {
      out.push(...replaceChanges(from, to, a, b, 'parser changed'));
      continue;
    }
    const same = (t: string) => (a.mappings[t] ?? []).join(',') === (b.mappings[t] ?? []).join(',');
    const added = Object.keys(b.mappings).filter((t) => !(t in a.mappings));
    const altered = Object.keys(b.mappings).filter((t) => t in a.mappings && !same(t));
    const dropped = Object.keys(a.mappings).filter((t) => !(t in b.mappings));
    const sql = [
      ...(dropped.length ? [`ALTER TEXT SEARCH CONFIGURATION ${qualified(b.schema, b.name)} DROP MAPPING FOR ${dropped.map(quoteIdent).join(', ')}`] : []),
      ...tsMappingSql(b, altered, 'ALTER'),
      ...tsMappingSql(b, added, 'ADD'),
    ];
    if (sql.length) out.push(change({ id: b.id, kind: 'tsconfig', op: 'alter', description: `change mappings of text search configuration ${label(b)}`, sql, phase: PHASE.createTsConfig + 0.1, requires: b.deps, releases: a.deps }));
  }
  return out;
}

/** Event triggers: create, drop, replace when event, tags or function change, ENABLE/DISABLE in place. */
export function diffEventTriggers(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'event_trigger');
  for (const b of objectsOfKind(to, 'event_trigger')) {
    const a = from.objects[b.id] as EventTriggerObject | undefined;
    if (!a) continue;
    if (a.event !== b.event || (a.tags ?? []).join(',') !== (b.tags ?? []).join(',') || a.function !== b.function) {
      out.push(...replaceChanges(from, to, a, b, 'definition changed'));
    } else if (a.enabled !== b.enabled) {
      out.push(change({ id: b.id, kind: 'event_trigger', op: 'alter', description: `set event trigger ${b.name} ${b.enabled === 'D' ? 'disabled' : 'enabled'}`, sql: [eventTriggerEnableSql(b.name, b.enabled)], phase: PHASE.createEventTrigger + 0.5, requires: [b.id] }));
    }
  }
  return out;
}

/**
 * `CREATE OR REPLACE RULE …` from a rule's `pg_get_ruledef` text, which always starts with
 * `CREATE RULE ` (PostgreSQL's ruleutils.c); other text is returned unchanged.
 */
function orReplaceRule(definition: string): string {
  const head = 'CREATE RULE ';
  return definition.startsWith(head) ? `CREATE OR REPLACE RULE ${definition.slice(head.length)}` : definition;
}
