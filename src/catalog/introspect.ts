/**
 * Introspection: one database → Catalog. Two round trips: pg-introspection's query (namespaces,
 * classes, attributes, constraints, types, enums, extensions, indexes, descriptions, extension
 * membership) and one query of ours for what it does not give (FACTS.md): definition text from
 * `pg_get_*def`/`pg_get_expr`/`format_type`, all functions including trigger functions, triggers,
 * sequence parameters and the full `pg_depend` graph.
 */
import pgIntrospection, { type Introspection } from 'pg-introspection';
import type { Db } from '../db/types.js';
import {
  objectId,
  type Catalog,
  type CatalogObject,
  type ColumnObject,
  type ConstraintObject,
  type IdentitySpec,
  type TableObject,
  type UnmodelledObject,
} from './model.js';
import { normalizeCatalog } from './normalize.js';

// pg-introspection is CommonJS: named imports are not detected by Node's ESM loader.
const { makeIntrospectionQuery, parseIntrospectionResults } = pgIntrospection;

/** What to read. */
export interface IntrospectOptions {
  /** Schemas to include (default `['public']`). */
  schemas?: string[];
  /**
   * Identity patterns to leave out (`*` matches any run of characters), e.g. the history table
   * `table:public.schema_migrations`. Sub-objects of an excluded table are left out with it.
   */
  exclude?: string[];
}

const SUPPLEMENT = `
select json_build_object(
  'version', current_setting('server_version_num')::int,
  'attrs', (select coalesce(json_agg(json_build_object(
      'relid', a.attrelid, 'num', a.attnum, 'type', format_type(a.atttypid, a.atttypmod),
      'default', pg_get_expr(d.adbin, d.adrelid),
      'collation', case when a.attcollation <> 0 and a.attcollation <> t.typcollation
        then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end)), '[]')
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    left join pg_namespace cn on cn.oid = co.collnamespace
    where n.nspname = any($1) and a.attnum > 0 and not a.attisdropped and c.relkind in ('r','p','v','m','f')),
  'indexdefs', (select coalesce(json_agg(json_build_object('oid', i.indexrelid, 'def', pg_get_indexdef(i.indexrelid))), '[]')
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)),
  'condefs', (select coalesce(json_agg(json_build_object('oid', co.oid, 'def', pg_get_constraintdef(co.oid))), '[]')
    from pg_constraint co join pg_namespace n on n.oid = co.connamespace
    where n.nspname = any($1) and co.contype in ('p','u','c','f','x')),
  'procs', (select coalesce(json_agg(json_build_object(
      'oid', p.oid, 'schema', n.nspname, 'name', p.proname, 'kind', p.prokind,
      'identity', pg_get_function_identity_arguments(p.oid), 'args', pg_get_function_arguments(p.oid),
      'result', pg_get_function_result(p.oid), 'lang', l.lanname,
      'def', case when p.prokind in ('f','p') then pg_get_functiondef(p.oid) end)), '[]')
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where n.nspname = any($1)
      and not exists (select 1 from pg_depend e where e.classid = 'pg_proc'::regclass and e.objid = p.oid and e.deptype = 'e')),
  'triggers', (select coalesce(json_agg(json_build_object(
      'oid', tg.oid, 'relid', tg.tgrelid, 'name', tg.tgname, 'def', pg_get_triggerdef(tg.oid),
      'enabled', tg.tgenabled, 'comment', obj_description(tg.oid, 'pg_trigger'))), '[]')
    from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and not tg.tgisinternal),
  'sequences', (select coalesce(json_agg(json_build_object(
      'relid', s.seqrelid, 'type', format_type(s.seqtypid, null), 'start', s.seqstart::text,
      'increment', s.seqincrement::text, 'min', s.seqmin::text, 'max', s.seqmax::text,
      'cache', s.seqcache::text, 'cycle', s.seqcycle)), '[]')
    from pg_sequence s join pg_class c on c.oid = s.seqrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)),
  'attrdefs', (select coalesce(json_agg(json_build_object('oid', d.oid, 'relid', d.adrelid, 'num', d.adnum)), '[]')
    from pg_attrdef d join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)),
  'others', (select coalesce(json_agg(json_build_object('kind', o.kind, 'name', o.name)), '[]') from (
      select 'collation' as kind, n.nspname || '.' || c.collname as name, 'pg_collation'::regclass as cls, c.oid
        from pg_collation c join pg_namespace n on n.oid = c.collnamespace where n.nspname = any($1)
      union all select 'text search configuration', n.nspname || '.' || c.cfgname, 'pg_ts_config'::regclass, c.oid
        from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace where n.nspname = any($1)
      union all select 'text search dictionary', n.nspname || '.' || d.dictname, 'pg_ts_dict'::regclass, d.oid
        from pg_ts_dict d join pg_namespace n on n.oid = d.dictnamespace where n.nspname = any($1)
      union all select 'text search parser', n.nspname || '.' || p.prsname, 'pg_ts_parser'::regclass, p.oid
        from pg_ts_parser p join pg_namespace n on n.oid = p.prsnamespace where n.nspname = any($1)
      union all select 'text search template', n.nspname || '.' || t.tmplname, 'pg_ts_template'::regclass, t.oid
        from pg_ts_template t join pg_namespace n on n.oid = t.tmplnamespace where n.nspname = any($1)
      union all select 'operator', n.nspname || '.' || o.oprname || '(' || format_type(o.oprleft, null) || ', ' || format_type(o.oprright, null) || ')', 'pg_operator'::regclass, o.oid
        from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where n.nspname = any($1)
      union all select 'operator class', n.nspname || '.' || c.opcname, 'pg_opclass'::regclass, c.oid
        from pg_opclass c join pg_namespace n on n.oid = c.opcnamespace where n.nspname = any($1)
      union all select 'operator family', n.nspname || '.' || f.opfname, 'pg_opfamily'::regclass, f.oid
        from pg_opfamily f join pg_namespace n on n.oid = f.opfnamespace where n.nspname = any($1)
      union all select 'conversion', n.nspname || '.' || c.conname, 'pg_conversion'::regclass, c.oid
        from pg_conversion c join pg_namespace n on n.oid = c.connamespace where n.nspname = any($1)
      union all select 'statistics object', n.nspname || '.' || s.stxname, 'pg_statistic_ext'::regclass, s.oid
        from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace where n.nspname = any($1)
      union all select 'policy', n.nspname || '.' || c.relname || '.' || p.polname, 'pg_policy'::regclass, p.oid
        from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1)
      union all select 'rule', n.nspname || '.' || c.relname || '.' || r.rulename, 'pg_rewrite'::regclass, r.oid
        from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and r.rulename <> '_RETURN'
      union all select 'foreign data wrapper', w.fdwname, 'pg_foreign_data_wrapper'::regclass, w.oid from pg_foreign_data_wrapper w
      union all select 'foreign server', s.srvname, 'pg_foreign_server'::regclass, s.oid from pg_foreign_server s
      union all select 'event trigger', e.evtname, 'pg_event_trigger'::regclass, e.oid from pg_event_trigger e
      union all select 'privileges', n.nspname || '.' || c.relname, 'pg_class'::regclass, c.oid
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and c.relacl is not null
    ) o where o.oid >= 16384
      and not exists (select 1 from pg_depend e where e.classid = o.cls and e.objid = o.oid and e.deptype = 'e')),
  'depends', (select coalesce(json_agg(json_build_object(
      'classid', d.classid::regclass::text, 'objid', d.objid, 'objsubid', d.objsubid,
      'refclassid', d.refclassid::regclass::text, 'refobjid', d.refobjid, 'refobjsubid', d.refobjsubid,
      'deptype', d.deptype)), '[]')
    from pg_depend d where d.objid >= 16384 and d.deptype in ('n','a','i','e'))
)::text as supplement`;

interface Supplement {
  version: number;
  attrs: Array<{ relid: number; num: number; type: string; default: string | null; collation: string | null }>;
  indexdefs: Array<{ oid: number; def: string }>;
  condefs: Array<{ oid: number; def: string }>;
  procs: Array<{ oid: number; schema: string; name: string; kind: string; identity: string; args: string; result: string; lang: string; def: string | null }>;
  triggers: Array<{ oid: number; relid: number; name: string; def: string; enabled: string; comment: string | null }>;
  sequences: Array<{ relid: number; type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean }>;
  attrdefs: Array<{ oid: number; relid: number; num: number }>;
  others: Array<{ kind: string; name: string }>;
  depends: Array<{ classid: string; objid: number; objsubid: number; refclassid: string; refobjid: number; refobjsubid: number; deptype: string }>;
}

/** Turns a `*` pattern into a RegExp matching whole identities. */
function patternRegExp(p: string): RegExp {
  return new RegExp('^' + p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
}

/**
 * Reads the catalog of `db`. Runs with `search_path` set to empty for the duration, so that all
 * definition text is schema-qualified (as pg_dump does), and restores it afterwards.
 * @throws the driver's error when a catalog query fails.
 */
export async function introspect(db: Db, options: IntrospectOptions = {}): Promise<Catalog> {
  const schemas = options.schemas ?? ['public'];
  const [{ search_path: savedPath }] = (await db.query<{ search_path: string }>(`select current_setting('search_path') as search_path`)) as [{ search_path: string }];
  await db.query(`select set_config('search_path', '', false)`);
  let raw: Introspection;
  let sup: Supplement;
  try {
    const q = makeIntrospectionQuery().trim().replace(/;\s*$/, '');
    const [row] = await db.query<{ j: string }>(`select (x.j)::text as j from (${q}) as x(j)`);
    raw = parseIntrospectionResults(row!.j, false);
    const [srow] = await db.query<{ supplement: string }>(SUPPLEMENT, [schemas]);
    sup = JSON.parse(srow!.supplement) as Supplement;
  } finally {
    await db.query(`select set_config('search_path', $1, false)`, [savedPath]);
  }
  return normalizeCatalog(buildCatalog(raw, sup, schemas, options.exclude ?? []));
}

function buildCatalog(raw: Introspection, sup: Supplement, schemas: string[], exclude: string[]): Catalog {
  const excludeRes = exclude.map(patternRegExp);
  const isExcluded = (id: string) => excludeRes.some((r) => r.test(id));
  const objects: Record<string, CatalogObject> = {};
  const unmodelled: UnmodelledObject[] = [];
  const included = new Set(schemas);

  // Extension members (deptype 'e') are never diffed: the extension owns them.
  const extMember = new Set<string>();
  for (const d of sup.depends) if (d.deptype === 'e') extMember.add(`${d.classid}:${d.objid}`);

  const nsName = new Map<string, string>();
  for (const n of raw.namespaces) nsName.set(String(n._id), n.nspname);

  // (catalog, oid, subid) → identity, for mapping pg_depend and comments.
  const key = (cls: string, oid: number | string, sub = 0) => `${cls}:${oid}:${sub}`;
  const idOf = new Map<string, string>();
  const descriptions = new Map<string, string>();
  const classCat = new Map<string, string>();
  for (const [oid, name] of Object.entries(raw.catalog_by_oid)) classCat.set(oid, name);
  for (const d of raw.descriptions) {
    const cat = classCat.get(String(d.classoid));
    if (cat) descriptions.set(key(cat, d.objoid, d.objsubid ?? 0), d.description);
  }
  const comment = (cat: string, oid: number | string, sub = 0) => descriptions.get(key(cat, oid, sub)) ?? null;
  const add = (o: CatalogObject, cat: string, oid: number | string, sub = 0) => {
    if (isExcluded(o.id)) return false;
    objects[o.id] = o;
    idOf.set(key(cat, oid, sub), o.id);
    return true;
  };

  for (const n of raw.namespaces) {
    if (!included.has(n.nspname)) continue;
    add({ id: objectId('schema', n.nspname), kind: 'schema', schema: n.nspname, name: n.nspname, comment: comment('pg_namespace', n._id), deps: [] }, 'pg_namespace', n._id);
  }
  for (const e of raw.extensions) {
    const schema = nsName.get(String(e.extnamespace)) ?? 'public';
    if (!included.has(schema)) continue;
    add({ id: objectId('extension', e.extname), kind: 'extension', schema, name: e.extname, comment: comment('pg_extension', e._id), deps: [], version: e.extversion ?? '' }, 'pg_extension', e._id);
  }

  // Types: enums modelled; everything else user-defined is reported.
  const enumLabels = new Map<string, { label: string; order: number }[]>();
  for (const e of raw.enums) {
    const list = enumLabels.get(String(e.enumtypid)) ?? [];
    list.push({ label: e.enumlabel, order: e.enumsortorder });
    enumLabels.set(String(e.enumtypid), list);
  }
  const typeById = new Map<string, (typeof raw.types)[number]>();
  for (const t of raw.types) typeById.set(String(t._id), t);
  for (const t of raw.types) {
    const schema = nsName.get(String(t.typnamespace));
    if (!schema || !included.has(schema) || extMember.has(`pg_type:${t._id}`)) continue;
    if (t.typtype === 'e') {
      const values = (enumLabels.get(String(t._id)) ?? []).sort((a, b) => a.order - b.order).map((v) => v.label);
      add({ id: objectId('type', schema, t.typname), kind: 'type', typeKind: 'enum', schema, name: t.typname, comment: comment('pg_type', t._id), deps: [], values }, 'pg_type', t._id);
    } else if (t.typtype === 'd') {
      unmodelled.push({ kind: 'domain', name: `${schema}.${t.typname}` });
    } else if (t.typtype === 'r') {
      unmodelled.push({ kind: 'range type', name: `${schema}.${t.typname}` });
    } else if (t.typtype === 'b' && !t.typelem && t.typcategory !== 'A') {
      unmodelled.push({ kind: 'base type', name: `${schema}.${t.typname}` });
    }
  }

  // Relations.
  const seqParams = new Map(sup.sequences.map((s) => [String(s.relid), s]));
  const attrInfo = new Map(sup.attrs.map((a) => [`${a.relid}:${a.num}`, a]));
  const identitySeq = new Map<string, string>(); // table oid:attnum → sequence oid (deptype 'i')
  const ownedSeq = new Map<string, { relid: number; num: number }>(); // sequence oid → owning column (deptype 'a')
  for (const d of sup.depends) {
    if (d.classid === 'pg_class' && d.refclassid === 'pg_class' && d.refobjsubid > 0 && seqParams.has(String(d.objid))) {
      if (d.deptype === 'i') identitySeq.set(`${d.refobjid}:${d.refobjsubid}`, String(d.objid));
      if (d.deptype === 'a') ownedSeq.set(String(d.objid), { relid: d.refobjid, num: d.refobjsubid });
    }
  }
  const identitySeqOids = new Set(identitySeq.values());
  const relName = new Map<string, { schema: string; name: string; kind: string }>();
  const tables = new Map<string, TableObject>();
  for (const c of raw.classes) {
    const schema = nsName.get(String(c.relnamespace));
    if (!schema) continue;
    relName.set(String(c._id), { schema, name: c.relname, kind: c.relkind });
    if (!included.has(schema) || extMember.has(`pg_class:${c._id}`)) continue;
    const oid = String(c._id);
    switch (c.relkind) {
      case 'r': {
        if (c.relispartition) {
          unmodelled.push({ kind: 'partition', name: `${schema}.${c.relname}` });
          break;
        }
        const t: TableObject = {
          id: objectId('table', schema, c.relname), kind: 'table', schema, name: c.relname,
          comment: comment('pg_class', oid), deps: [objectId('schema', schema)], persistence: c.relpersistence === 'u' ? 'u' : 'p', columns: [],
        };
        if (add(t, 'pg_class', oid)) tables.set(oid, t);
        break;
      }
      case 'S': {
        if (identitySeqOids.has(oid)) break;
        const p = seqParams.get(oid);
        if (!p) break;
        add({
          id: objectId('sequence', schema, c.relname), kind: 'sequence', schema, name: c.relname, comment: comment('pg_class', oid),
          deps: [objectId('schema', schema)], dataType: p.type, start: p.start, increment: p.increment, min: p.min, max: p.max, cache: p.cache, cycle: p.cycle, ownedBy: null,
        }, 'pg_class', oid);
        break;
      }
      case 'i':
      case 'I':
        break; // handled with pg_index below
      case 'v': unmodelled.push({ kind: 'view', name: `${schema}.${c.relname}` }); break;
      case 'm': unmodelled.push({ kind: 'materialized view', name: `${schema}.${c.relname}` }); break;
      case 'p': unmodelled.push({ kind: 'partitioned table', name: `${schema}.${c.relname}` }); break;
      case 'f': unmodelled.push({ kind: 'foreign table', name: `${schema}.${c.relname}` }); break;
      case 'c': unmodelled.push({ kind: 'composite type', name: `${schema}.${c.relname}` }); break;
      default: break;
    }
    if (c.relrowsecurity && tables.has(oid)) unmodelled.push({ kind: 'row level security', name: `${schema}.${c.relname}` });
  }

  // Columns.
  const seqById = new Map<string, string>(); // sequence oid → id
  for (const [oid, n] of relName) if (n.kind === 'S' && objects[objectId('sequence', n.schema, n.name)]) seqById.set(oid, objectId('sequence', n.schema, n.name));
  for (const a of raw.attributes) {
    const t = tables.get(String(a.attrelid));
    if (!t || a.attisdropped || a.attnum <= 0) continue;
    const info = attrInfo.get(`${a.attrelid}:${a.attnum}`);
    const generated = a.attgenerated === 's' ? info?.default ?? null : null;
    let identity: IdentitySpec | null = null;
    if (a.attidentity === 'a' || a.attidentity === 'd') {
      const s = seqParams.get(identitySeq.get(`${a.attrelid}:${a.attnum}`) ?? '');
      identity = { kind: a.attidentity, dataType: s?.type ?? '', start: s?.start ?? '1', increment: s?.increment ?? '1', min: s?.min ?? '', max: s?.max ?? '', cache: s?.cache ?? '1', cycle: s?.cycle ?? false };
    }
    const col: ColumnObject = {
      id: objectId('column', t.schema, t.name, a.attname), kind: 'column', schema: t.schema, name: a.attname,
      comment: comment('pg_class', a.attrelid, a.attnum), deps: [t.id], table: t.id, position: a.attnum,
      type: info?.type ?? '', notNull: !!a.attnotnull, default: generated ? null : info?.default ?? null, identity, generated,
      collation: info?.collation ?? null,
    };
    if (add(col, 'pg_class', a.attrelid, a.attnum)) t.columns.push(col.id);
  }
  for (const d of sup.attrdefs) {
    const colId = idOf.get(key('pg_class', d.relid, d.num));
    if (colId) idOf.set(key('pg_attrdef', d.oid), colId);
  }
  // OWNED BY.
  for (const [seqOid, col] of ownedSeq) {
    const seqId = seqById.get(seqOid);
    const colId = idOf.get(key('pg_class', col.relid, col.num));
    const seq = seqId ? objects[seqId] : undefined;
    if (seq && seq.kind === 'sequence' && colId) seq.ownedBy = colId;
  }

  // Constraints (NOT NULL rows of PostgreSQL ≥ 18 are folded into the column's notNull).
  const condef = new Map(sup.condefs.map((c) => [String(c.oid), c.def]));
  const constraintIndex = new Map<string, string>(); // index oid → constraint id (p, u, x own their index)
  for (const c of raw.constraints) {
    const t = tables.get(String(c.conrelid));
    if (!t) {
      if (c.contype === 'c' && c.contypid && included.has(nsName.get(String(c.connamespace)) ?? '')) { /* domain constraint: domain reported */ }
      continue;
    }
    if (!['p', 'u', 'c', 'f', 'x'].includes(c.contype)) continue;
    let references: string | null = null;
    if (c.contype === 'f') {
      const r = relName.get(String(c.confrelid));
      references = r ? objectId('table', r.schema, r.name) : null;
    }
    const con: ConstraintObject = {
      id: objectId('constraint', t.schema, t.name, c.conname), kind: 'constraint', schema: t.schema, name: c.conname,
      comment: comment('pg_constraint', c._id), deps: [t.id], table: t.id, type: c.contype as ConstraintObject['type'],
      definition: condef.get(String(c._id)) ?? '', validated: c.convalidated !== false, references,
    };
    if (add(con, 'pg_constraint', c._id) && ['p', 'u', 'x'].includes(c.contype) && c.conindid) {
      constraintIndex.set(String(c.conindid), con.id);
      idOf.set(key('pg_class', c.conindid), con.id);
    }
  }

  // Indexes (those behind a constraint belong to the constraint).
  const indexdef = new Map(sup.indexdefs.map((i) => [String(i.oid), i.def]));
  for (const i of raw.indexes) {
    const t = tables.get(String(i.indrelid));
    const oid = String(i.indexrelid);
    if (!t || constraintIndex.has(oid)) continue;
    const rel = relName.get(oid);
    if (!rel) continue;
    add({
      id: objectId('index', rel.schema, rel.name), kind: 'index', schema: rel.schema, name: rel.name, comment: comment('pg_class', oid),
      deps: [t.id], table: t.id, definition: indexdef.get(oid) ?? '',
    }, 'pg_class', oid);
  }

  // Functions and procedures (aggregates and window functions are reported).
  for (const p of sup.procs) {
    if (p.kind === 'a' || p.kind === 'w' || p.def === null) {
      unmodelled.push({ kind: p.kind === 'a' ? 'aggregate' : 'window function', name: `${p.schema}.${p.name}(${p.identity})` });
      continue;
    }
    add({
      id: objectId('function', p.schema, `${p.name}(${p.identity})`), kind: 'function', schema: p.schema, name: p.name,
      comment: comment('pg_proc', p.oid), deps: [objectId('schema', p.schema)], identityArgs: p.identity, args: p.args,
      returns: p.result, prokind: p.kind === 'p' ? 'p' : 'f', language: p.lang, definition: p.def,
    }, 'pg_proc', p.oid);
  }

  // Triggers.
  for (const tg of sup.triggers) {
    const t = tables.get(String(tg.relid));
    if (!t) continue;
    add({
      id: objectId('trigger', t.schema, t.name, tg.name), kind: 'trigger', schema: t.schema, name: tg.name, comment: tg.comment,
      deps: [t.id], table: t.id, definition: tg.def, enabled: (['O', 'D', 'R', 'A'].includes(tg.enabled) ? tg.enabled : 'O') as 'O',
    }, 'pg_trigger', tg.oid);
  }

  // Types of tables (row types) and arrays of enums resolve to their owner, for pg_depend mapping.
  for (const t of raw.types) {
    const tid = String(t._id);
    if (t.typrelid && Number(t.typrelid) !== 0) {
      const owner = idOf.get(key('pg_class', t.typrelid));
      if (owner) idOf.set(key('pg_type', tid), owner);
    }
  }
  for (const t of raw.types) {
    if (t.typelem && Number(t.typelem) !== 0 && t.typcategory === 'A') {
      const elem = idOf.get(key('pg_type', t.typelem));
      if (elem) idOf.set(key('pg_type', t._id), elem);
    }
  }

  // pg_depend → deps (sequence ownership is modelled as ownedBy, not as a dependency).
  for (const d of sup.depends) {
    if (d.deptype === 'e') continue;
    const from = idOf.get(key(d.classid, d.objid, d.objsubid)) ?? (d.objsubid ? undefined : undefined);
    const to = idOf.get(key(d.refclassid, d.refobjid, d.refobjsubid)) ?? idOf.get(key(d.refclassid, d.refobjid, 0));
    if (!from || !to || from === to) continue;
    const obj = objects[from];
    if (!obj) continue;
    if (obj.kind === 'sequence' && d.deptype === 'a') continue;
    if (!obj.deps.includes(to)) obj.deps.push(to);
  }
  for (const o of Object.values(objects)) o.deps = o.deps.filter((d) => d in objects && d !== o.id).sort();

  for (const o of sup.others) unmodelled.push({ kind: o.kind, name: o.name });
  return { serverVersion: sup.version, schemas: [...schemas], objects, unmodelled: unmodelled.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name)) };
}
