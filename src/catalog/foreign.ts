/**
 * Reading the kinds that live beside the schemas: publications, subscriptions, foreign-data
 * wrappers, foreign servers and user mappings, plus the parts of foreign tables the main query does
 * not give (server, table and column options). Two small queries: a probe (server version, what the
 * reading role may see) and the query built for that version and those privileges, so that a role
 * that may not read `pg_subscription.subconninfo` (superuser only by default, PostgreSQL docs
 * "pg_subscription") or `pg_subscription` at all still introspects, with the unreadable part
 * reported instead of failing. Secrets are redacted as they are read (catalog/secrets.ts).
 */
import type { Db } from '../db/types.js';
import {
  objectId,
  type CatalogObject,
  type ForeignTableInfo,
  type PublicationTable,
  type UnmodelledObject,
} from './model.js';
import { normalizeAcl, type AclRow } from './normalize.js';
import { redactConninfo, redactOptions } from './secrets.js';

/** What the reading role may see. */
interface Probe {
  version: number;
  /** May read `pg_subscription` (every column but possibly `subconninfo`). */
  subscriptions: boolean;
  /** May read `pg_subscription.subconninfo`. */
  conninfo: boolean;
  user: string;
}

type AclItems = [string, string, boolean][] | null;

/** The rows read by `readForeign` (secrets already redacted). */
export interface ForeignRows {
  probe: Probe;
  wrappers: Array<{ oid: number; name: string; owner: string | null; handler: string | null; validator: string | null; options: string[] | null; acl: AclItems; extension: string | null }>;
  servers: Array<{ oid: number; name: string; owner: string | null; wrapper: string; type: string | null; version: string | null; options: string[] | null; acl: AclItems; member: boolean }>;
  mappings: Array<{ oid: number; server: string; user: string | null; options: string[] | null; readable: boolean }>;
  tables: Array<{ relid: number; server: number; options: string[] | null }>;
  columns: Array<{ relid: number; num: number; options: string[] }>;
  publications: Array<{
    oid: number; name: string; owner: string | null; allTables: boolean; insert: boolean; update: boolean; delete: boolean; truncate: boolean;
    viaRoot: boolean; gencols: string | null; rels: { oid: number; relid: number; columns: string[] | null; where: string | null }[]; schemas: { oid: number; name: string }[];
  }>;
  /** Null when `pg_subscription` is not readable. */
  subscriptions: Array<{
    oid: number; name: string; owner: string | null; enabled: boolean; comment: string | null; conninfo: string | null; slot: string | null; publications: string[];
    binary: string | null; stream: string | null; synccommit: string | null; disableonerr: string | null; twophase: string | null;
    origin: string | null; passwordrequired: string | null; runasowner: string | null; failover: string | null;
  }> | null;
}

const PROBE = `select current_setting('server_version_num')::int as version, current_user as "user",
  has_any_column_privilege('pg_catalog.pg_subscription', 'select') as subscriptions,
  has_column_privilege('pg_catalog.pg_subscription', 'subconninfo', 'select') as conninfo`;

const owner = (col: string) => `nullif(pg_get_userbyid(${col}), current_user)`;
const acl = (col: string, ownerCol: string) =>
  `case when ${col} is not null then (select coalesce(json_agg(json_build_array(case when e.grantee = ${ownerCol} then '@owner' when e.grantee = 0 then 'PUBLIC' else pg_get_userbyid(e.grantee) end, e.privilege_type, e.is_grantable)), '[]') from aclexplode(${col}) e) end`;
const extensionOf = (cls: string, o: string) =>
  `(select x.extname from pg_depend d join pg_extension x on x.oid = d.refobjid where d.classid = '${cls}'::regclass and d.objid = ${o} and d.deptype = 'e' limit 1)`;
const sessionIsSuper = `coalesce((select r.rolsuper from pg_roles r where r.rolname = current_user), false)`;

/** The query for a server version and the reading role's privileges (`$1`: the included schemas). */
function foreignQuery(p: Probe): string {
  const v = p.version;
  const col = (min: number, expr: string) => (v >= min ? expr : 'null::text');
  const subscriptions = !p.subscriptions ? 'null' : `(select coalesce(json_agg(json_build_object(
      'oid', s.oid, 'name', s.subname, 'owner', ${owner('s.subowner')}, 'enabled', s.subenabled, 'comment', shobj_description(s.oid, 'pg_subscription'),
      'conninfo', ${p.conninfo ? 's.subconninfo' : 'null::text'}, 'slot', s.subslotname, 'publications', s.subpublications,
      'binary', ${col(140000, 's.subbinary::text')}, 'stream', ${col(140000, 's.substream::text')}, 'synccommit', s.subsynccommit,
      'disableonerr', ${col(150000, 's.subdisableonerr::text')}, 'twophase', ${col(150000, 's.subtwophasestate::text')},
      'origin', ${col(160000, 's.suborigin')}, 'passwordrequired', ${col(160000, 's.subpasswordrequired::text')},
      'runasowner', ${col(160000, 's.subrunasowner::text')}, 'failover', ${col(170000, 's.subfailover::text')}) order by s.subname), '[]')
    from pg_subscription s where s.subdbid = (select d.oid from pg_database d where d.datname = current_database()))`;
  const relColumns = v >= 150000
    ? `case when r.prattrs is not null then (select json_agg(a.attname order by a.attnum) from pg_attribute a where a.attrelid = r.prrelid and a.attnum = any(r.prattrs::int2[])) end`
    : 'null';
  const relWhere = v >= 150000 ? 'pg_get_expr(r.prqual, r.prrelid)' : 'null::text';
  const pubSchemas = v >= 150000
    ? `(select coalesce(json_agg(json_build_object('oid', pn.oid, 'name', n.nspname) order by n.nspname), '[]') from pg_publication_namespace pn join pg_namespace n on n.oid = pn.pnnspid where pn.pnpubid = p.oid)`
    : `'[]'::json`;
  return `select json_build_object(
  'wrappers', (select coalesce(json_agg(json_build_object('oid', w.oid, 'name', w.fdwname, 'owner', ${owner('w.fdwowner')},
      'handler', case when w.fdwhandler <> 0 then w.fdwhandler::regproc::text end,
      'validator', case when w.fdwvalidator <> 0 then w.fdwvalidator::regproc::text end,
      'options', w.fdwoptions, 'acl', ${acl('w.fdwacl', 'w.fdwowner')}, 'extension', ${extensionOf('pg_foreign_data_wrapper', 'w.oid')}) order by w.fdwname), '[]')
    from pg_foreign_data_wrapper w),
  'servers', (select coalesce(json_agg(json_build_object('oid', s.oid, 'name', s.srvname, 'owner', ${owner('s.srvowner')},
      'wrapper', w.fdwname, 'type', s.srvtype, 'version', s.srvversion, 'options', s.srvoptions, 'acl', ${acl('s.srvacl', 's.srvowner')},
      'member', ${extensionOf('pg_foreign_server', 's.oid')} is not null) order by s.srvname), '[]')
    from pg_foreign_server s join pg_foreign_data_wrapper w on w.oid = s.srvfdw),
  'mappings', (select coalesce(json_agg(json_build_object('oid', m.umid, 'server', m.srvname,
      'user', case when m.umuser = 0 then 'PUBLIC' else ${owner('m.umuser')} end, 'options', m.umoptions,
      'readable', ${sessionIsSuper}
        or (m.umuser = 0 and pg_has_role(s.srvowner, 'USAGE'))
        or (m.umuser <> 0 and pg_get_userbyid(m.umuser) = current_user and (pg_has_role(s.srvowner, 'USAGE') or has_server_privilege(s.oid, 'USAGE'))))
      order by m.srvname, m.usename), '[]')
    from pg_user_mappings m join pg_foreign_server s on s.oid = m.srvid),
  'tables', (select coalesce(json_agg(json_build_object('relid', ft.ftrelid, 'server', ft.ftserver, 'options', ft.ftoptions)), '[]')
    from pg_foreign_table ft join pg_class c on c.oid = ft.ftrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1)),
  'columns', (select coalesce(json_agg(json_build_object('relid', a.attrelid, 'num', a.attnum, 'options', a.attfdwoptions)), '[]')
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and c.relkind = 'f' and a.attnum > 0 and not a.attisdropped and a.attfdwoptions is not null),
  'publications', (select coalesce(json_agg(json_build_object('oid', p.oid, 'name', p.pubname, 'owner', ${owner('p.pubowner')},
      'allTables', p.puballtables, 'insert', p.pubinsert, 'update', p.pubupdate, 'delete', p.pubdelete, 'truncate', p.pubtruncate,
      'viaRoot', ${v >= 130000 ? 'p.pubviaroot' : 'false'}, 'gencols', to_jsonb(p) ->> 'pubgencols',
      'rels', (select coalesce(json_agg(json_build_object('oid', r.oid, 'relid', r.prrelid, 'columns', ${relColumns}, 'where', ${relWhere})), '[]')
        from pg_publication_rel r where r.prpubid = p.oid),
      'schemas', ${pubSchemas}) order by p.pubname), '[]')
    from pg_publication p where ${extensionOf('pg_publication', 'p.oid')} is null),
  'subscriptions', ${subscriptions}
)::text as foreign`;
}

/**
 * Reads publications, subscriptions, foreign-data wrappers, servers, user mappings and the foreign
 * tables of `schemas`. Run it with `search_path` empty (as `introspect` does), so row filters are
 * schema-qualified. Option values and connection strings come back with their secrets redacted.
 * @throws the driver's error when a catalog query fails (privileges the role lacks are not an error)
 */
export async function readForeign(db: Db, schemas: readonly string[]): Promise<ForeignRows> {
  const [probe] = await db.query<Probe>(PROBE);
  const [row] = await db.query<{ foreign: string }>(foreignQuery(probe!), [schemas]);
  const r = JSON.parse(row!.foreign) as Omit<ForeignRows, 'probe'>;
  const redact = (o: string[] | null) => (o ? redactOptions(o) : o);
  for (const w of r.wrappers) w.options = redact(w.options);
  for (const s of r.servers) s.options = redact(s.options);
  for (const m of r.mappings) m.options = redact(m.options);
  for (const t of r.tables) t.options = redact(t.options);
  for (const c of r.columns) c.options = redactOptions(c.options);
  for (const s of r.subscriptions ?? []) s.conninfo = s.conninfo === null ? null : redactConninfo(s.conninfo);
  return { probe: probe!, ...r };
}

/** The foreign-table part of a table (relkind `f`): server identity and options, or undefined. */
export function foreignTableInfo(rows: ForeignRows, relid: number | string, serverName: (oid: number) => string | undefined): ForeignTableInfo | undefined {
  const t = rows.tables.find((x) => String(x.relid) === String(relid));
  if (!t) return undefined;
  return { server: objectId('server', serverName(t.server) ?? String(t.server)), options: t.options ?? [] };
}

/** A foreign table column's options, or undefined when it has none. */
export function foreignColumnOptions(rows: ForeignRows, relid: number | string, num: number): string[] | undefined {
  const c = rows.columns.find((x) => String(x.relid) === String(relid) && x.num === num);
  return c && c.options.length ? c.options : undefined;
}

/** What `addForeignObjects` needs from the catalog being built. */
export interface BuildContext {
  /** Adds an object under a catalog row (`cls`, `oid`) for pg_depend mapping; false when excluded. */
  add(o: CatalogObject, cls: string, oid: number | string, sub?: number): boolean;
  /** Maps a catalog row to an identity without adding an object (an extension's wrapper → the extension). */
  alias(cls: string, oid: number | string, id: string): void;
  /** The identity of a table by oid, when it is in the catalog. */
  tableId(oid: number | string): string | undefined;
  /** True when the schema is included. */
  included(schema: string): boolean;
  /** True when the identity exists in the catalog being built. */
  has(id: string): boolean;
  comment(cls: string, oid: number | string): string | null;
  unmodelled: UnmodelledObject[];
  version: number;
}

const toAclRows = (items: [string, string, boolean][]): AclRow[] => items.map(([grantee, privilege, grantable]) => ({ grantee, privilege, grantable }));

/** Default subscription parameters per server version (what is left out of `SubscriptionObject.options`). */
export function subscriptionDefaults(version: number): Record<string, string> {
  return {
    binary: 'false', streaming: version >= 180000 ? 'parallel' : 'off', synchronous_commit: 'off', disable_on_error: 'false',
    origin: 'any', password_required: 'true', run_as_owner: 'false', failover: 'false',
  };
}

/**
 * Adds the wrappers, servers, user mappings, publications and subscriptions of `rows` to the
 * catalog being built; what cannot be modelled (a publication listing a table outside the scope,
 * an unreadable `pg_subscription`) goes to `ctx.unmodelled`.
 */
export function addForeignObjects(rows: ForeignRows, ctx: BuildContext): void {
  const { version } = ctx;
  const aclOf = (items: AclItems) => (items ? normalizeAcl(toAclRows(items), 'F', version) : ['@owner:ALL']);
  for (const w of rows.wrappers) {
    if (w.extension) {
      // The extension's: creating the extension creates it; what uses it depends on the extension.
      ctx.alias('pg_foreign_data_wrapper', w.oid, objectId('extension', w.extension));
      continue;
    }
    ctx.add({
      id: objectId('foreign_data_wrapper', w.name), kind: 'foreign_data_wrapper', schema: '', name: w.name, comment: ctx.comment('pg_foreign_data_wrapper', w.oid),
      deps: [], owner: w.owner, acl: aclOf(w.acl), handler: w.handler, validator: w.validator, options: w.options ?? [],
    }, 'pg_foreign_data_wrapper', w.oid);
  }
  for (const s of rows.servers) {
    if (s.member) continue;
    ctx.add({
      id: objectId('server', s.name), kind: 'server', schema: '', name: s.name, comment: ctx.comment('pg_foreign_server', s.oid), deps: [],
      owner: s.owner, acl: s.acl ? normalizeAcl(toAclRows(s.acl), 'S', version) : ['@owner:ALL'], wrapper: s.wrapper, type: s.type, version: s.version, options: s.options ?? [],
    }, 'pg_foreign_server', s.oid);
  }
  for (const m of rows.mappings) {
    if (!ctx.has(objectId('server', m.server))) continue;
    if (!m.readable) ctx.unmodelled.push({ kind: 'user mapping options (not readable by the role that read the catalog; not compared)', name: `${m.user ?? rows.probe.user}@${m.server}` });
    ctx.add({
      id: objectId('user_mapping', m.server, m.user ?? 'CURRENT_USER'), kind: 'user_mapping', schema: '', name: `${m.user ?? 'CURRENT_USER'}@${m.server}`,
      comment: null, deps: [], user: m.user, server: m.server, options: m.readable ? m.options ?? [] : null,
    }, 'pg_user_mapping', m.oid);
  }
  for (const p of rows.publications) {
    const tables: PublicationTable[] = [];
    let outside = false;
    for (const r of p.rels) {
      const id = ctx.tableId(r.relid);
      if (!id) { outside = true; continue; }
      tables.push({ table: id, columns: r.columns, where: r.where });
    }
    for (const s of p.schemas) if (!ctx.included(s.name)) outside = true;
    if (outside) {
      ctx.unmodelled.push({ kind: 'publication (lists tables or schemas outside the scope)', name: p.name });
      continue;
    }
    tables.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
    const publish = (['insert', 'update', 'delete', 'truncate'] as const).filter((k) => p[k]);
    const id = objectId('publication', p.name);
    const added = ctx.add({
      id, kind: 'publication', schema: '', name: p.name, comment: ctx.comment('pg_publication', p.oid), deps: p.schemas.map((s) => objectId('schema', s.name)),
      owner: p.owner, allTables: p.allTables, publish, viaRoot: p.viaRoot,
      generatedColumns: p.gencols === 's' || p.gencols === 'true', tables, schemas: p.schemas.map((s) => s.name),
    }, 'pg_publication', p.oid);
    if (!added) continue;
    // pg_depend rows of the table list (table, columns) and schema list count as the publication's.
    for (const r of p.rels) ctx.alias('pg_publication_rel', r.oid, id);
    for (const s of p.schemas) ctx.alias('pg_publication_namespace', s.oid, id);
  }
  if (rows.subscriptions === null) {
    ctx.unmodelled.push({ kind: 'subscriptions (pg_subscription is not readable by the role that read the catalog)', name: '*' });
    return;
  }
  const defaults = subscriptionDefaults(version);
  for (const s of rows.subscriptions) {
    if (!rows.probe.conninfo) ctx.unmodelled.push({ kind: 'subscription connection (needs superuser or SELECT on pg_subscription.subconninfo; not compared)', name: s.name });
    const stream = s.stream === null ? null : ({ t: 'on', true: 'on', f: 'off', false: 'off', p: 'parallel' } as Record<string, string>)[s.stream] ?? s.stream;
    const values: Record<string, string | null> = {
      binary: s.binary, streaming: stream, synchronous_commit: s.synccommit, disable_on_error: s.disableonerr,
      origin: s.origin, password_required: s.passwordrequired, run_as_owner: s.runasowner, failover: s.failover,
    };
    const options = Object.entries(values)
      .filter(([k, val]) => val !== null && val !== defaults[k])
      .map(([k, val]) => `${k}=${val}`)
      .sort();
    ctx.add({
      id: objectId('subscription', s.name), kind: 'subscription', schema: '', name: s.name, comment: s.comment, deps: [],
      owner: s.owner, connection: s.conninfo, publications: [...s.publications].sort(), enabled: s.enabled, slotName: s.slot,
      options, twoPhase: s.twophase !== null && s.twophase !== 'd',
    }, 'pg_subscription', s.oid);
  }
}
