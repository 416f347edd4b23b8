/**
 * DDL text for publications, subscriptions, foreign-data wrappers, servers, user mappings and
 * foreign tables, built from catalog fields (PostgreSQL docs "CREATE PUBLICATION", "CREATE
 * SUBSCRIPTION", "CREATE FOREIGN DATA WRAPPER", "CREATE SERVER", "CREATE USER MAPPING", "CREATE
 * FOREIGN TABLE" and their ALTER forms). Secret option values are already the placeholder in the
 * catalog (catalog/secrets.ts), so nothing here can emit a secret.
 */
import type {
  ForeignDataWrapperObject,
  ForeignServerObject,
  PublicationObject,
  PublicationTable,
  SubscriptionObject,
  UserMappingObject,
} from '../catalog/model.js';
import { subscriptionDefaults } from '../catalog/foreign.js';
import { quoteIdent, quoteLiteral } from '../db/quote.js';

/** Splits a `key=value` option item. */
function splitItem(item: string): [string, string] {
  const eq = item.indexOf('=');
  return eq < 0 ? [item, ''] : [item.slice(0, eq), item.slice(eq + 1)];
}

/** ` OPTIONS (key 'value', …)`, or '' for none. */
export function optionsClause(items: readonly string[] | null): string {
  if (!items || !items.length) return '';
  return ` OPTIONS (${items.map((it) => { const [k, v] = splitItem(it); return `${quoteIdent(k)} ${quoteLiteral(v)}`; }).join(', ')})`;
}

/**
 * The `OPTIONS (ADD …, SET …, DROP …)` clause turning options `a` into `b` (PostgreSQL docs "ALTER
 * SERVER"), or '' when they are equal. Secret values compare as their placeholder: only a secret
 * option added or dropped is a difference.
 */
export function alterOptionsClause(a: readonly string[], b: readonly string[]): string {
  const before = new Map(a.map(splitItem));
  const after = new Map(b.map(splitItem));
  const parts: string[] = [];
  for (const [k] of before) if (!after.has(k)) parts.push(`DROP ${quoteIdent(k)}`);
  for (const [k, v] of after) {
    if (!before.has(k)) parts.push(`ADD ${quoteIdent(k)} ${quoteLiteral(v)}`);
    else if (before.get(k) !== v) parts.push(`SET ${quoteIdent(k)} ${quoteLiteral(v)}`);
  }
  return parts.length ? ` OPTIONS (${parts.join(', ')})` : '';
}

/** The role of a user mapping as `CREATE USER MAPPING FOR` spells it. */
export function mappingRole(m: UserMappingObject): string {
  return m.user === null ? 'CURRENT_USER' : m.user === 'PUBLIC' ? 'PUBLIC' : quoteIdent(m.user);
}

/** `CREATE FOREIGN DATA WRAPPER …`. */
export function wrapperSql(w: ForeignDataWrapperObject): string {
  return `CREATE FOREIGN DATA WRAPPER ${quoteIdent(w.name)}${w.handler ? ` HANDLER ${w.handler}` : ''}${w.validator ? ` VALIDATOR ${w.validator}` : ''}${optionsClause(w.options)}`;
}

/** `CREATE SERVER …`. */
export function serverSql(s: ForeignServerObject): string {
  return `CREATE SERVER ${quoteIdent(s.name)}${s.type !== null ? ` TYPE ${quoteLiteral(s.type)}` : ''}${s.version !== null ? ` VERSION ${quoteLiteral(s.version)}` : ''} FOREIGN DATA WRAPPER ${quoteIdent(s.wrapper)}${optionsClause(s.options)}`;
}

/** `CREATE USER MAPPING …`. */
export function userMappingSql(m: UserMappingObject): string {
  return `CREATE USER MAPPING FOR ${mappingRole(m)} SERVER ${quoteIdent(m.server)}${optionsClause(m.options)}`;
}

/** One entry of a publication's table list: `TABLE s.t (a, b) WHERE (…)`. */
export function publicationTableSql(t: PublicationTable, name: (tableId: string) => string): string {
  return `TABLE ${name(t.table)}${t.columns ? ` (${t.columns.map(quoteIdent).join(', ')})` : ''}${t.where !== null ? ` WHERE ${wrapped(t.where)}` : ''}`;
}

/** A row filter in the parentheses WHERE needs (pg_get_expr prints most, not all, expressions parenthesised). */
function wrapped(expr: string): string {
  return expr.startsWith('(') && expr.endsWith(')') ? expr : `(${expr})`;
}

const ALL_PUBLISH = ['insert', 'update', 'delete', 'truncate'];

/** `publish`, `publish_via_partition_root` and `publish_generated_columns` where they differ from the defaults (or from `a`). */
export function publicationParameters(p: PublicationObject, a?: PublicationObject): string[] {
  const out: string[] = [];
  const publish = p.publish.join(', ');
  if (a ? a.publish.join(', ') !== publish : publish !== ALL_PUBLISH.join(', ')) out.push(`publish = ${quoteLiteral(publish)}`);
  if (a ? a.viaRoot !== p.viaRoot : p.viaRoot) out.push(`publish_via_partition_root = ${p.viaRoot}`);
  if (a ? a.generatedColumns !== p.generatedColumns : p.generatedColumns) out.push(`publish_generated_columns = ${p.generatedColumns ? 'stored' : 'none'}`);
  return out;
}

/** `CREATE PUBLICATION …` with its table and schema lists and non-default parameters. */
export function publicationSql(p: PublicationObject, name: (tableId: string) => string): string {
  const objects = [...p.tables.map((t) => publicationTableSql(t, name)), ...(p.schemas.length ? [`TABLES IN SCHEMA ${p.schemas.map(quoteIdent).join(', ')}`] : [])];
  const what = p.allTables ? ' FOR ALL TABLES' : objects.length ? ` FOR ${objects.join(', ')}` : '';
  const params = publicationParameters(p);
  return `CREATE PUBLICATION ${quoteIdent(p.name)}${what}${params.length ? ` WITH (${params.join(', ')})` : ''}`;
}

/** A `key=value` subscription parameter as `key = value` (text values quoted). */
function subscriptionParameter(item: string): string {
  const [k, v] = splitItem(item);
  return `${k} = ${/^(true|false|on|off|parallel)$/.test(v) ? v : quoteLiteral(v)}`;
}

/** `slot_name = …` (NONE for no slot). */
function slotParameter(s: SubscriptionObject): string {
  return `slot_name = ${s.slotName === null ? 'NONE' : quoteLiteral(s.slotName)}`;
}

/**
 * `CREATE SUBSCRIPTION … WITH (connect = false, …)` (and ENABLE when it is enabled): the migration
 * never connects to the publisher, so no slot is created and no data copied; the slot name is
 * recorded as it is. The connection string is the catalog's, secrets as the placeholder.
 */
export function subscriptionSql(s: SubscriptionObject): string[] {
  const params = ['connect = false', slotParameter(s), ...(s.twoPhase ? ['two_phase = true'] : []), ...s.options.map(subscriptionParameter)];
  const out = [`CREATE SUBSCRIPTION ${quoteIdent(s.name)} CONNECTION ${quoteLiteral(s.connection ?? '')} PUBLICATION ${s.publications.map(quoteIdent).join(', ')} WITH (${params.join(', ')})`];
  if (s.enabled) out.push(`ALTER SUBSCRIPTION ${quoteIdent(s.name)} ENABLE`);
  return out;
}

/**
 * Dropping a subscription without connecting to the publisher: disable it, detach it from its slot
 * (`slot_name = NONE`), drop it (PostgreSQL docs "DROP SUBSCRIPTION": with a slot it would connect
 * to drop the slot there, and could not run in a transaction). The slot, if any, stays on the publisher.
 */
export function subscriptionDropSql(s: SubscriptionObject): string[] {
  const name = quoteIdent(s.name);
  return [
    ...(s.enabled ? [`ALTER SUBSCRIPTION ${name} DISABLE`] : []),
    ...(s.slotName !== null ? [`ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`] : []),
    `DROP SUBSCRIPTION ${name}`,
  ];
}

/** ALTER SUBSCRIPTION statements turning `a` into `b` (everything but `two_phase`, which re-creates it). */
export function alterSubscriptionSql(a: SubscriptionObject, b: SubscriptionObject, serverVersion: number): string[] {
  const name = quoteIdent(b.name);
  const out: string[] = [];
  const slotChanges = a.slotName !== b.slotName;
  if (a.enabled && (!b.enabled || slotChanges)) out.push(`ALTER SUBSCRIPTION ${name} DISABLE`);
  if (slotChanges) out.push(`ALTER SUBSCRIPTION ${name} SET (${slotParameter(b)})`);
  if (a.connection !== null && b.connection !== null && a.connection !== b.connection) out.push(`ALTER SUBSCRIPTION ${name} CONNECTION ${quoteLiteral(b.connection)}`);
  if (a.publications.join(',') !== b.publications.join(',')) out.push(`ALTER SUBSCRIPTION ${name} SET PUBLICATION ${b.publications.map(quoteIdent).join(', ')} WITH (refresh = false)`);
  const defaults = subscriptionDefaults(serverVersion);
  const before = new Map(a.options.map(splitItem));
  const after = new Map(b.options.map(splitItem));
  const set: string[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const v = after.get(k) ?? defaults[k];
    if (before.get(k) !== after.get(k) && v !== undefined) set.push(subscriptionParameter(`${k}=${v}`));
  }
  if (set.length) out.push(`ALTER SUBSCRIPTION ${name} SET (${set.sort().join(', ')})`);
  if (b.enabled && (!a.enabled || slotChanges)) out.push(`ALTER SUBSCRIPTION ${name} ENABLE`);
  return out;
}
