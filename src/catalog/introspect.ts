/**
 * Introspection: one database → Catalog. Two round trips: pg-introspection's query (namespaces,
 * classes, attributes, constraints, types, enums, extensions, indexes, inheritance, descriptions)
 * and one query of ours for what it does not give: definition text from `pg_get_*def`,
 * `pg_get_expr` and `format_type`, all functions including trigger functions and aggregates,
 * triggers, views, policies, rules, extended statistics, collations, text search objects, event
 * triggers, privileges (`aclexplode`), default privileges, sequence parameters and the full
 * `pg_depend` graph. Publications, subscriptions, foreign-data wrappers, servers, user mappings and
 * foreign-table options are read by catalog/foreign.ts (two more round trips, built for the reading
 * role's privileges). Objects of kinds not modelled are listed in `Catalog.unmodelled`.
 */
import pgIntrospection, { type Introspection } from 'pg-introspection';
import type { Db } from '../db/types.js';
import {
  objectId,
  type Catalog,
  type CatalogObject,
  type ColumnObject,
  type ConstraintObject,
  type DomainObject,
  type DefaultAclObject,
  type FunctionObject,
  type IdentitySpec,
  type TableObject,
  type TypeAttribute,
  type UnmodelledObject,
  type ViewColumn,
  type ViewObject,
  type MatviewObject,
  type CompositeType,
  type ExternalDependency,
} from './model.js';
import {
  defaultAcl,
  normalizeAcl,
  normalizeCatalog,
  normalizeIcuLocale,
  normalizeStatisticsTarget,
  type AclKind,
  type AclRow,
} from './normalize.js';
import { addForeignObjects, foreignColumnOptions, foreignTableInfo, readForeign, type ForeignRows } from './foreign.js';
import { qualified } from '../db/quote.js';
import { DEFAULT_SCHEMAS, patternRegExp, resolveSchemas, SCHEMA_LIST_SQL, type SchemaRow } from './scope.js';

// pg-introspection is CommonJS: named imports are not detected by Node's ESM loader.
const { makeIntrospectionQuery, parseIntrospectionResults } = pgIntrospection;

/** What to read. */
export interface IntrospectOptions {
  /**
   * Patterns of schemas to include (`*` wildcard; default `['*']`: every schema that is neither a
   * system schema nor an extension's, see catalog/scope.ts).
   */
  schemas?: string[];
  /** Patterns of schemas to leave out. */
  excludeSchemas?: string[];
  /**
   * Identity patterns to leave out (`*` matches any run of characters), e.g. the history table
   * `table:public.schema_migrations`. Sub-objects of an excluded table are left out with it.
   */
  exclude?: string[];
}

/** `is not an extension member` for a catalog row (`cls` the catalog, `o` the oid expression). */
const notExt = (cls: string, o: string) => `not exists (select 1 from pg_depend xd where xd.classid = '${cls}'::regclass and xd.objid = ${o} and xd.deptype = 'e')`;
const ownerName = (col: string) => `nullif(pg_get_userbyid(${col}), current_user)`;
const aclItems = (acl: string, owner: string) =>
  `(select coalesce(json_agg(json_build_array(case when e.grantee = ${owner} then '@owner' when e.grantee = 0 then 'PUBLIC' else pg_get_userbyid(e.grantee) end, e.privilege_type, e.is_grantable)), '[]') from aclexplode(${acl}) e)`;
const finalModify = (c: string) => `case ${c} when 'r' then 'READ_ONLY' when 's' then 'SHAREABLE' else 'READ_WRITE' end`;

const SUPPLEMENT = `
select json_build_object(
  'version', current_setting('server_version_num')::int,
  'user', current_user,
  'roles', (select json_agg(rolname order by rolname) from pg_roles),
  'owners', (select coalesce(json_agg(json_build_array(x.cls, x.oid, x.owner)), '[]') from (
      select 'pg_namespace' as cls, n.oid, ${ownerName('n.nspowner')} as owner from pg_namespace n where n.nspname = any($1)
      union all select 'pg_class', c.oid, ${ownerName('c.relowner')} from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r','p','v','m','S','c','f')
      union all select 'pg_type', t.oid, ${ownerName('t.typowner')} from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = any($1) and t.typtype in ('e','d','r','c')
    ) x where x.owner is not null),
  'attrs', (select coalesce(json_agg(json_build_object(
      'relid', a.attrelid, 'num', a.attnum, 'type', format_type(a.atttypid, a.atttypmod),
      'default', pg_get_expr(d.adbin, d.adrelid),
      'collation', case when a.attcollation <> 0 and a.attcollation <> t.typcollation
        then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end,
      'storage', case when a.attstorage <> t.typstorage then a.attstorage end,
      'compression', case to_jsonb(a) ->> 'attcompression' when 'p' then 'pglz' when 'l' then 'lz4' end)), '[]')
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    left join pg_namespace cn on cn.oid = co.collnamespace
    where n.nspname = any($1) and a.attnum > 0 and not a.attisdropped and c.relkind in ('r','p','v','m','f','c')),
  'indexdefs', (select coalesce(json_agg(json_build_object('oid', i.indexrelid, 'def', pg_get_indexdef(i.indexrelid),
      'inherited', exists (select 1 from pg_inherits h where h.inhrelid = i.indexrelid), 'valid', i.indisvalid)), '[]')
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)),
  'condefs', (select coalesce(json_agg(json_build_object('oid', co.oid, 'def', pg_get_constraintdef(co.oid),
      'parentSameRel', exists (select 1 from pg_constraint pc where pc.oid = co.conparentid and pc.conrelid = co.conrelid))), '[]')
    from pg_constraint co join pg_namespace n on n.oid = co.connamespace
    where n.nspname = any($1) and co.contype in ('p','u','c','f','x')),
  'procs', (select coalesce(json_agg(json_build_object(
      'oid', p.oid, 'schema', n.nspname, 'name', p.proname, 'kind', p.prokind,
      'identity', pg_get_function_identity_arguments(p.oid), 'args', pg_get_function_arguments(p.oid),
      'result', pg_get_function_result(p.oid), 'lang', l.lanname, 'owner', ${ownerName('p.proowner')},
      'acl', case when p.proacl is not null then ${aclItems('p.proacl', 'p.proowner')} end,
      'def', case when p.prokind in ('f','p','w') then pg_get_functiondef(p.oid) else
        'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
        || case when p.pronargs = 0 then '*' else pg_get_function_arguments(p.oid) end || ') ('
        || concat_ws(', ',
          'SFUNC = ' || a.aggtransfn::regproc::text,
          'STYPE = ' || format_type(a.aggtranstype, null),
          case when a.aggtransspace <> 0 then 'SSPACE = ' || a.aggtransspace end,
          case when a.aggfinalfn <> 0 then 'FINALFUNC = ' || a.aggfinalfn::regproc::text end,
          case when a.aggfinalextra then 'FINALFUNC_EXTRA' end,
          case when a.aggfinalfn <> 0 then 'FINALFUNC_MODIFY = ' || ${finalModify('a.aggfinalmodify')} end,
          case when a.aggcombinefn <> 0 then 'COMBINEFUNC = ' || a.aggcombinefn::regproc::text end,
          case when a.aggserialfn <> 0 then 'SERIALFUNC = ' || a.aggserialfn::regproc::text end,
          case when a.aggdeserialfn <> 0 then 'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text end,
          case when a.agginitval is not null then 'INITCOND = ' || quote_literal(a.agginitval) end,
          case when a.aggmtransfn <> 0 then 'MSFUNC = ' || a.aggmtransfn::regproc::text end,
          case when a.aggminvtransfn <> 0 then 'MINVFUNC = ' || a.aggminvtransfn::regproc::text end,
          case when a.aggmtranstype <> 0 then 'MSTYPE = ' || format_type(a.aggmtranstype, null) end,
          case when a.aggmtransspace <> 0 then 'MSSPACE = ' || a.aggmtransspace end,
          case when a.aggmfinalfn <> 0 then 'MFINALFUNC = ' || a.aggmfinalfn::regproc::text end,
          case when a.aggmfinalextra then 'MFINALFUNC_EXTRA' end,
          case when a.aggmfinalfn <> 0 then 'MFINALFUNC_MODIFY = ' || ${finalModify('a.aggmfinalmodify')} end,
          case when a.aggminitval is not null then 'MINITCOND = ' || quote_literal(a.aggminitval) end,
          case when a.aggsortop <> 0 then (select 'SORTOP = OPERATOR(' || quote_ident(son.nspname) || '.' || so.oprname || ')'
            from pg_operator so join pg_namespace son on son.oid = so.oprnamespace where so.oid = a.aggsortop) end,
          case p.proparallel when 's' then 'PARALLEL = SAFE' when 'r' then 'PARALLEL = RESTRICTED' end,
          case when a.aggkind = 'h' then 'HYPOTHETICAL' end)
        || ')' end)), '[]')
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    left join pg_aggregate a on a.aggfnoid = p.oid
    where n.nspname = any($1) and ${notExt('pg_proc', 'p.oid')}
      and not exists (select 1 from pg_depend xi where xi.classid = 'pg_proc'::regclass and xi.objid = p.oid and xi.deptype = 'i')),
  'triggers', (select coalesce(json_agg(json_build_object(
      'oid', tg.oid, 'relid', tg.tgrelid, 'name', tg.tgname, 'def', pg_get_triggerdef(tg.oid),
      'enabled', tg.tgenabled, 'comment', obj_description(tg.oid, 'pg_trigger'), 'inherited', tg.tgparentid <> 0)), '[]')
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
  'rels', (select coalesce(json_agg(json_build_object('oid', c.oid,
      'viewdef', case when c.relkind in ('v','m') then pg_get_viewdef(c.oid) end,
      'partkey', case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,
      'bound', case when c.relispartition then pg_get_expr(c.relpartbound, c.oid) end,
      'rules', (select json_agg(r.oid) from pg_rewrite r where r.ev_class = c.oid and r.rulename = '_RETURN'))), '[]')
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and (c.relkind in ('v','m','p') or c.relispartition)),
  'domains', (select coalesce(json_agg(json_build_object('oid', t.oid,
      'base', format_type(t.typbasetype, t.typtypmod),
      'default', t.typdefault,
      'collation', case when t.typcollation <> 0 and t.typcollation <> bt.typcollation
        then (select quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace where co.oid = t.typcollation) end,
      'constraints', (select json_agg(json_build_object('oid', dc.oid, 'name', dc.conname, 'def', pg_get_constraintdef(dc.oid), 'validated', dc.convalidated) order by dc.conname)
        from pg_constraint dc where dc.contypid = t.oid and dc.contype = 'c'))), '[]')
    from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_type bt on bt.oid = t.typbasetype
    where n.nspname = any($1) and t.typtype = 'd'),
  'ranges', (select coalesce(json_agg(json_build_object('oid', r.rngtypid, 'multi', (to_jsonb(r) ->> 'rngmultitypid')::oid,
      'options', concat_ws(', ',
        'SUBTYPE = ' || format_type(r.rngsubtype, null),
        case when r.rngsubopc <> 0 and not oc.opcdefault then 'SUBTYPE_OPCLASS = ' || quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) end,
        case when r.rngcollation <> 0 and r.rngcollation <> st.typcollation
          then (select 'COLLATION = ' || quote_ident(cn.nspname) || '.' || quote_ident(co.collname) from pg_collation co join pg_namespace cn on cn.oid = co.collnamespace where co.oid = r.rngcollation) end,
        case when r.rngcanonical <> 0 then 'CANONICAL = ' || r.rngcanonical::regproc::text end,
        case when r.rngsubdiff <> 0 then 'SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text end,
        'MULTIRANGE_TYPE_NAME = ' || (select quote_ident(mn.nspname) || '.' || quote_ident(mt.typname) from pg_type mt join pg_namespace mn on mn.oid = mt.typnamespace where mt.oid = (to_jsonb(r) ->> 'rngmultitypid')::oid)))), '[]')
    from pg_range r join pg_type t on t.oid = r.rngtypid join pg_namespace n on n.oid = t.typnamespace
    join pg_type st on st.oid = r.rngsubtype
    left join pg_opclass oc on oc.oid = r.rngsubopc left join pg_namespace ocn on ocn.oid = oc.opcnamespace
    where n.nspname = any($1)),
  'policies', (select coalesce(json_agg(json_build_object('oid', p.oid, 'relid', p.polrelid, 'name', p.polname,
      'permissive', p.polpermissive, 'cmd', p.polcmd,
      'roles', (select json_agg(case when r = 0 then 'PUBLIC' else pg_get_userbyid(r) end) from unnest(p.polroles) r),
      'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid),
      'comment', obj_description(p.oid, 'pg_policy'))), '[]')
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)),
  'rules', (select coalesce(json_agg(json_build_object('oid', r.oid, 'relid', r.ev_class, 'name', r.rulename,
      'def', pg_get_ruledef(r.oid), 'enabled', r.ev_enabled, 'comment', obj_description(r.oid, 'pg_rewrite'))), '[]')
    from pg_rewrite r join pg_class c on c.oid = r.ev_class join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and r.rulename <> '_RETURN'),
  'statistics', (select coalesce(json_agg(json_build_object('oid', s.oid, 'schema', n.nspname, 'name', s.stxname,
      'relid', s.stxrelid, 'def', pg_get_statisticsobjdef(s.oid), 'target', s.stxstattarget,
      'owner', ${ownerName('s.stxowner')}, 'comment', obj_description(s.oid, 'pg_statistic_ext'))), '[]')
    from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace
    where n.nspname = any($1) and ${notExt('pg_statistic_ext', 's.oid')}),
  'collations', (select coalesce(json_agg(json_build_object('oid', c.oid, 'schema', n.nspname, 'name', c.collname,
      'owner', ${ownerName('c.collowner')}, 'comment', obj_description(c.oid, 'pg_collation'),
      'provider', c.collprovider, 'deterministic', c.collisdeterministic, 'collate', c.collcollate, 'ctype', c.collctype,
      'locale', coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale'), 'rules', to_jsonb(c) ->> 'collicurules')), '[]')
    from pg_collation c join pg_namespace n on n.oid = c.collnamespace
    where n.nspname = any($1) and c.oid >= 16384 and ${notExt('pg_collation', 'c.oid')}),
  'tsconfigs', (select coalesce(json_agg(json_build_object('oid', c.oid, 'schema', n.nspname, 'name', c.cfgname,
      'owner', ${ownerName('c.cfgowner')}, 'comment', obj_description(c.oid, 'pg_ts_config'),
      'parser', (select quote_ident(pn.nspname) || '.' || quote_ident(p.prsname) from pg_ts_parser p join pg_namespace pn on pn.oid = p.prsnamespace where p.oid = c.cfgparser),
      'mappings', (select json_object_agg(t.alias, (select json_agg(quote_ident(dn.nspname) || '.' || quote_ident(d.dictname) order by m.mapseqno)
          from pg_ts_config_map m join pg_ts_dict d on d.oid = m.mapdict join pg_namespace dn on dn.oid = d.dictnamespace
          where m.mapcfg = c.oid and m.maptokentype = t.tokid))
        from ts_token_type(c.cfgparser) t where exists (select 1 from pg_ts_config_map m where m.mapcfg = c.oid and m.maptokentype = t.tokid)))), '[]')
    from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace
    where n.nspname = any($1) and c.oid >= 16384 and ${notExt('pg_ts_config', 'c.oid')}),
  'tsdicts', (select coalesce(json_agg(json_build_object('oid', d.oid, 'schema', n.nspname, 'name', d.dictname,
      'owner', ${ownerName('d.dictowner')}, 'comment', obj_description(d.oid, 'pg_ts_dict'),
      'template', (select quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname) from pg_ts_template t join pg_namespace tn on tn.oid = t.tmplnamespace where t.oid = d.dicttemplate),
      'options', d.dictinitoption)), '[]')
    from pg_ts_dict d join pg_namespace n on n.oid = d.dictnamespace
    where n.nspname = any($1) and d.oid >= 16384 and ${notExt('pg_ts_dict', 'd.oid')}),
  'eventTriggers', (select coalesce(json_agg(json_build_object('oid', e.oid, 'name', e.evtname, 'event', e.evtevent,
      'tags', e.evttags, 'func', e.evtfoid, 'enabled', e.evtenabled, 'owner', ${ownerName('e.evtowner')},
      'comment', obj_description(e.oid, 'pg_event_trigger'))), '[]')
    from pg_event_trigger e join pg_proc p on p.oid = e.evtfoid join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = any($1) and ${notExt('pg_event_trigger', 'e.oid')}),
  'defaultAcls', (select coalesce(json_agg(json_build_object('role', ${ownerName('d.defaclrole')}, 'schema', n.nspname,
      'type', d.defaclobjtype, 'acl', ${aclItems('d.defaclacl', 'd.defaclrole')})), '[]')
    from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
    where d.defaclnamespace = 0 or n.nspname = any($1)),
  'acls', (select coalesce(json_agg(json_build_array(x.cls, x.oid, x.sub, x.items)), '[]') from (
      select 'pg_class' as cls, c.oid, 0 as sub, ${aclItems('c.relacl', 'c.relowner')} as items
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and c.relacl is not null
      union all select 'pg_class', a.attrelid, a.attnum, ${aclItems('a.attacl', 'c.relowner')}
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and a.attacl is not null and a.attnum > 0 and not a.attisdropped
      union all select 'pg_namespace', n.oid, 0, ${aclItems('n.nspacl', 'n.nspowner')}
        from pg_namespace n where n.nspname = any($1) and n.nspacl is not null
      union all select 'pg_type', t.oid, 0, ${aclItems('t.typacl', 't.typowner')}
        from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname = any($1) and t.typacl is not null
    ) x),
  'others', (select coalesce(json_agg(json_build_object('kind', o.kind, 'name', o.name)), '[]') from (
      select 'text search parser' as kind, n.nspname || '.' || p.prsname as name, 'pg_ts_parser'::regclass as cls, p.oid
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
      union all select 'language', l.lanname, 'pg_language'::regclass, l.oid from pg_language l
      union all select 'cast', format_type(c.castsource, null) || ' AS ' || format_type(c.casttarget, null), 'pg_cast'::regclass, c.oid from pg_cast c
      union all select 'access method', a.amname, 'pg_am'::regclass, a.oid from pg_am a
      union all select 'event trigger', e.evtname, 'pg_event_trigger'::regclass, e.oid
        from pg_event_trigger e join pg_proc p on p.oid = e.evtfoid join pg_namespace n on n.oid = p.pronamespace where not (n.nspname = any($1))
      union all select 'column default of a view', n.nspname || '.' || c.relname || '.' || a.attname, 'pg_attrdef'::regclass, d.oid
        from pg_attrdef d join pg_class c on c.oid = d.adrelid join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and c.relkind = 'v'
      union all select 'column privileges of a view', n.nspname || '.' || c.relname || '.' || a.attname, 'pg_class'::regclass, c.oid
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('v','m') and a.attacl is not null
      union all select 'table access method', n.nspname || '.' || c.relname || ' USING ' || am.amname, 'pg_class'::regclass, c.oid
        from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_am am on am.oid = c.relam
        where n.nspname = any($1) and c.relkind in ('r','m') and am.amname <> 'heap'
      union all select 'typed table (OF type)', n.nspname || '.' || c.relname, 'pg_class'::regclass, c.oid
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and c.reloftype <> 0
      union all select 'column options', n.nspname || '.' || c.relname || '.' || a.attname, 'pg_class'::regclass, c.oid
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and a.attoptions is not null and a.attnum > 0 and not a.attisdropped
      union all select 'tablespace', n.nspname || '.' || c.relname, 'pg_class'::regclass, c.oid
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1) and c.reltablespace <> 0
      union all select 'security label', l.provider || ' ' || l.objoid::text, 'pg_seclabel'::regclass, l.objoid from pg_seclabel l
    ) o where o.oid >= 16384
      and not exists (select 1 from pg_depend e where e.classid = o.cls and e.objid = o.oid and e.deptype in ('e', 'i'))),
  'descriptions', (select coalesce(json_agg(json_build_array(d.classoid::regclass::text, d.objoid, d.objsubid, d.description)), '[]')
    from pg_description d where d.objoid >= 16384 or (d.classoid = 'pg_namespace'::regclass and d.objoid in (select oid from pg_namespace where nspname = any($1)))),
  'unloggedSequences', (select coalesce(json_agg(c.oid), '[]') from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and c.relkind = 'S' and c.relpersistence = 'u'),
  'depends', (select coalesce(json_agg(json_build_object(
      'classid', d.classid::regclass::text, 'objid', d.objid, 'objsubid', d.objsubid,
      'refclassid', d.refclassid::regclass::text, 'refobjid', d.refobjid, 'refobjsubid', d.refobjsubid,
      'deptype', d.deptype)), '[]')
    from pg_depend d where d.objid >= 16384 and d.deptype in ('n','a','i','e'))
)::text as supplement`;

interface Supplement {
  version: number;
  user: string;
  roles: string[];
  owners: Array<[string, number, string]>;
  attrs: Array<{ relid: number; num: number; type: string; default: string | null; collation: string | null; storage: string | null; compression: string | null }>;
  indexdefs: Array<{ oid: number; def: string; inherited: boolean; valid: boolean }>;
  condefs: Array<{ oid: number; def: string; parentSameRel: boolean }>;
  procs: Array<{ oid: number; schema: string; name: string; kind: string; identity: string; args: string; result: string; lang: string; def: string | null; owner: string | null; acl: [string, string, boolean][] | null }>;
  triggers: Array<{ oid: number; relid: number; name: string; def: string; enabled: string; comment: string | null; inherited: boolean }>;
  sequences: Array<{ relid: number; type: string; start: string; increment: string; min: string; max: string; cache: string; cycle: boolean }>;
  attrdefs: Array<{ oid: number; relid: number; num: number }>;
  rels: Array<{ oid: number; viewdef: string | null; partkey: string | null; bound: string | null; rules: number[] | null }>;
  domains: Array<{ oid: number; base: string; default: string | null; collation: string | null; constraints: { oid: number; name: string; def: string; validated: boolean }[] | null }>;
  ranges: Array<{ oid: number; multi: number | null; options: string }>;
  policies: Array<{ oid: number; relid: number; name: string; permissive: boolean; cmd: string; roles: string[] | null; using: string | null; check: string | null; comment: string | null }>;
  rules: Array<{ oid: number; relid: number; name: string; def: string; enabled: string; comment: string | null }>;
  statistics: Array<{ oid: number; schema: string; name: string; relid: number; def: string; target: number | null; owner: string | null; comment: string | null }>;
  collations: Array<{ oid: number; schema: string; name: string; owner: string | null; comment: string | null; provider: string; deterministic: boolean; collate: string | null; ctype: string | null; locale: string | null; rules: string | null }>;
  tsconfigs: Array<{ oid: number; schema: string; name: string; owner: string | null; comment: string | null; parser: string; mappings: Record<string, string[]> | null }>;
  tsdicts: Array<{ oid: number; schema: string; name: string; owner: string | null; comment: string | null; template: string; options: string | null }>;
  eventTriggers: Array<{ oid: number; name: string; event: string; tags: string[] | null; func: number; enabled: string; owner: string | null; comment: string | null }>;
  defaultAcls: Array<{ role: string | null; schema: string | null; type: string; acl: [string, string, boolean][] }>;
  acls: Array<[string, number, number, [string, string, boolean][]]>;
  others: Array<{ kind: string; name: string }>;
  descriptions: Array<[string, number, number, string]>;
  unloggedSequences: number[];
  depends: Array<{ classid: string; objid: number; objsubid: number; refclassid: string; refobjid: number; refobjsubid: number; deptype: string }>;
}

/**
 * Reads the catalog of `db`. Runs with `search_path` set to empty for the duration, so that all
 * definition text is schema-qualified (as pg_dump does), and restores it afterwards.
 * @throws the driver's error when a catalog query fails.
 */
export async function introspect(db: Db, options: IntrospectOptions = {}): Promise<Catalog> {
  const available = await db.query<SchemaRow>(SCHEMA_LIST_SQL);
  const { schemas, missing } = resolveSchemas(available, { schemas: options.schemas ?? [...DEFAULT_SCHEMAS], excludeSchemas: options.excludeSchemas ?? [] });
  const [{ search_path: savedPath }] = (await db.query<{ search_path: string }>(`select current_setting('search_path') as search_path`)) as [{ search_path: string }];
  await db.query(`select set_config('search_path', '', false)`);
  let raw: Introspection;
  let sup: Supplement;
  let foreign: ForeignRows;
  try {
    const q = makeIntrospectionQuery().trim().replace(/;\s*$/, '');
    const [row] = await db.query<{ j: string }>(`select (x.j)::text as j from (${q}) as x(j)`);
    raw = parseIntrospectionResults(row!.j, false);
    const [srow] = await db.query<{ supplement: string }>(SUPPLEMENT, [schemas]);
    sup = JSON.parse(srow!.supplement) as Supplement;
    foreign = await readForeign(db, schemas);
  } finally {
    await db.query(`select set_config('search_path', $1, false)`, [savedPath]);
  }
  const cat = normalizeCatalog(buildCatalog(raw, sup, foreign, schemas, options.exclude ?? []));
  return missing.length ? { ...cat, missingSchemas: missing } : cat;
}

const ENABLED = (e: string): 'O' | 'D' | 'R' | 'A' => (['O', 'D', 'R', 'A'].includes(e) ? e : 'O') as 'O';

function buildCatalog(raw: Introspection, sup: Supplement, foreign: ForeignRows, schemas: string[], exclude: string[]): Catalog {
  const excludeRes = exclude.map(patternRegExp);
  const isExcluded = (id: string) => excludeRes.some((r) => r.test(id));
  const objects: Record<string, CatalogObject> = {};
  const unmodelled: UnmodelledObject[] = [];
  const included = new Set(schemas);
  const version = sup.version;

  // Extension members (deptype 'e') are never diffed: the extension owns them.
  const extMember = new Set<string>();
  for (const d of sup.depends) if (d.deptype === 'e') extMember.add(`${d.classid}:${d.objid}`);

  const nsName = new Map<string, string>();
  for (const n of raw.namespaces) nsName.set(String(n._id), n.nspname);

  // (catalog, oid, subid) → identity, for mapping pg_depend and comments.
  const key = (cls: string, oid: number | string, sub = 0) => `${cls}:${oid}:${sub}`;
  const idOf = new Map<string, string>();
  const descriptions = new Map<string, string>();
  // Our own read of pg_description: pg-introspection's leaves out what it filters (trigger functions).
  for (const [cat, oid, sub, text] of sup.descriptions) descriptions.set(key(cat, oid, sub), text);
  const comment = (cat: string, oid: number | string, sub = 0) => descriptions.get(key(cat, oid, sub)) ?? null;
  const owners = new Map<string, string>();
  for (const [cls, oid, owner] of sup.owners) owners.set(key(cls, oid), owner);
  const owner = (cls: string, oid: number | string) => owners.get(key(cls, oid)) ?? null;
  const aclRows = new Map<string, [string, string, boolean][]>();
  for (const [cls, oid, sub, items] of sup.acls) aclRows.set(key(cls, oid, sub), items);
  const toRows = (items: [string, string, boolean][]): AclRow[] => items.map(([grantee, privilege, grantable]) => ({ grantee, privilege, grantable }));
  const acl = (cls: string, oid: number | string, kind: AclKind, sub = 0): string[] => {
    const items = aclRows.get(key(cls, oid, sub));
    return items ? normalizeAcl(toRows(items), kind, version) : defaultAcl(kind);
  };
  const add = (o: CatalogObject, cat: string, oid: number | string, sub = 0) => {
    if (isExcluded(o.id)) return false;
    objects[o.id] = o;
    idOf.set(key(cat, oid, sub), o.id);
    return true;
  };

  for (const n of raw.namespaces) {
    if (!included.has(n.nspname)) continue;
    add({
      id: objectId('schema', n.nspname), kind: 'schema', schema: n.nspname, name: n.nspname, comment: schemaComment(n.nspname, comment('pg_namespace', n._id)), deps: [],
      owner: owner('pg_namespace', n._id), acl: acl('pg_namespace', n._id, 'n'),
    }, 'pg_namespace', n._id);
  }
  for (const e of raw.extensions) {
    const schema = nsName.get(String(e.extnamespace)) ?? 'public';
    if (!included.has(schema)) continue;
    add({ id: objectId('extension', e.extname), kind: 'extension', schema, name: e.extname, comment: comment('pg_extension', e._id), deps: [], version: e.extversion ?? '' }, 'pg_extension', e._id);
  }

  const relName = new Map<string, { schema: string; name: string; kind: string }>();
  for (const c of raw.classes) {
    const schema = nsName.get(String(c.relnamespace));
    if (schema) relName.set(String(c._id), { schema, name: c.relname, kind: c.relkind });
  }
  const attrInfo = new Map(sup.attrs.map((a) => [`${a.relid}:${a.num}`, a]));
  const attrsOf = new Map<string, (typeof raw.attributes)[number][]>();
  for (const a of raw.attributes) {
    if (a.attisdropped || a.attnum <= 0) continue;
    const list = attrsOf.get(String(a.attrelid)) ?? [];
    list.push(a);
    attrsOf.set(String(a.attrelid), list);
  }
  for (const l of attrsOf.values()) l.sort((x, y) => x.attnum - y.attnum);

  // Types: enums, composite types, ranges and domains modelled; base and shell types reported.
  const enumLabels = new Map<string, { label: string; order: number }[]>();
  for (const e of raw.enums) {
    const list = enumLabels.get(String(e.enumtypid)) ?? [];
    list.push({ label: e.enumlabel, order: e.enumsortorder });
    enumLabels.set(String(e.enumtypid), list);
  }
  const domainInfo = new Map(sup.domains.map((d) => [String(d.oid), d]));
  const rangeInfo = new Map(sup.ranges.map((r) => [String(r.oid), r]));
  const multirangeOf = new Map<string, string>();
  for (const r of sup.ranges) if (r.multi) multirangeOf.set(String(r.multi), String(r.oid));
  for (const t of raw.types) {
    const schema = nsName.get(String(t.typnamespace));
    if (!schema || !included.has(schema) || extMember.has(`pg_type:${t._id}`)) continue;
    const base = { schema, name: t.typname, comment: comment('pg_type', t._id), deps: [] as string[], owner: owner('pg_type', t._id), acl: acl('pg_type', t._id, 'T') };
    if (t.typtype === 'e') {
      const values = (enumLabels.get(String(t._id)) ?? []).sort((a, b) => a.order - b.order).map((v) => v.label);
      add({ id: objectId('type', schema, t.typname), kind: 'type', typeKind: 'enum', ...base, values }, 'pg_type', t._id);
    } else if (t.typtype === 'd') {
      const d = domainInfo.get(String(t._id));
      const dom: DomainObject = {
        id: objectId('domain', schema, t.typname), kind: 'domain', ...base, baseType: d?.base ?? '', collation: d?.collation ?? null,
        default: d?.default ?? null, notNull: !!t.typnotnull,
        constraints: (d?.constraints ?? []).map((c) => ({ name: c.name, definition: c.def, validated: c.validated })),
      };
      if (add(dom, 'pg_type', t._id)) for (const c of d?.constraints ?? []) idOf.set(key('pg_constraint', c.oid), dom.id);
    } else if (t.typtype === 'r') {
      const r = rangeInfo.get(String(t._id));
      add({ id: objectId('type', schema, t.typname), kind: 'type', typeKind: 'range', ...base, options: r?.options ?? '' }, 'pg_type', t._id);
    } else if (t.typtype === 'c') {
      const rel = relName.get(String(t.typrelid));
      const typrelid = t.typrelid!;
      if (!rel || rel.kind !== 'c') continue; // a table's row type
      const attributes: TypeAttribute[] = [];
      const attributeComments: Record<string, string> = {};
      for (const a of attrsOf.get(String(t.typrelid)) ?? []) {
        const info = attrInfo.get(`${a.attrelid}:${a.attnum}`);
        attributes.push({ name: a.attname, type: info?.type ?? '', collation: info?.collation ?? null });
        const cm = comment('pg_class', typrelid, a.attnum);
        if (cm !== null) attributeComments[a.attname] = cm;
      }
      const ct: CompositeType = {
        id: objectId('type', schema, t.typname), kind: 'type', typeKind: 'composite', ...base, comment: comment('pg_class', typrelid) ?? base.comment,
        attributes, attributeComments,
      };
      if (add(ct, 'pg_type', t._id)) {
        idOf.set(key('pg_class', typrelid), ct.id);
        for (const a of attrsOf.get(String(typrelid)) ?? []) idOf.set(key('pg_class', typrelid, a.attnum), ct.id);
      }
    } else if (t.typtype === 'b' && !t.typelem && t.typcategory !== 'A') {
      unmodelled.push({ kind: 'base type', name: `${schema}.${t.typname}` });
    } else if (t.typtype === 'p' && Number(t._id) >= 16384) {
      unmodelled.push({ kind: 'shell type', name: `${schema}.${t.typname}` });
    }
  }
  for (const [multi, range] of multirangeOf) {
    const id = idOf.get(key('pg_type', range));
    if (id) idOf.set(key('pg_type', multi), id);
  }

  // Relations.
  const seqParams = new Map(sup.sequences.map((s) => [String(s.relid), s]));
  const relInfo = new Map(sup.rels.map((r) => [String(r.oid), r]));
  const identitySeq = new Map<string, string>(); // table oid:attnum → sequence oid (deptype 'i')
  const ownedSeq = new Map<string, { relid: number; num: number }>(); // sequence oid → owning column (deptype 'a')
  for (const d of sup.depends) {
    if (d.classid === 'pg_class' && d.refclassid === 'pg_class' && d.refobjsubid > 0 && seqParams.has(String(d.objid))) {
      if (d.deptype === 'i') identitySeq.set(`${d.refobjid}:${d.refobjsubid}`, String(d.objid));
      if (d.deptype === 'a') ownedSeq.set(String(d.objid), { relid: d.refobjid, num: d.refobjsubid });
    }
  }
  const identitySeqOids = new Set(identitySeq.values());
  const unloggedSeq = new Set(sup.unloggedSequences.map(Number));
  const tables = new Map<string, TableObject>();
  const views = new Map<string, ViewObject | MatviewObject>();
  const parents = new Map<string, { parent: string; seq: number }[]>();
  for (const h of raw.inherits) {
    const list = parents.get(String(h.inhrelid)) ?? [];
    list.push({ parent: String(h.inhparent), seq: h.inhseqno ?? 0 });
    parents.set(String(h.inhrelid), list);
  }
  const replIdentIndex = new Map<string, string>(); // table oid → index oid
  const clusterIndex = new Map<string, string>(); // table oid → index oid
  for (const i of raw.indexes) {
    if (i.indisreplident) replIdentIndex.set(String(i.indrelid), String(i.indexrelid));
    if (i.indisclustered) clusterIndex.set(String(i.indrelid), String(i.indexrelid));
  }
  for (const c of raw.classes) {
    const schema = nsName.get(String(c.relnamespace));
    if (!schema || !included.has(schema) || extMember.has(`pg_class:${c._id}`)) continue;
    const oid = String(c._id);
    const info = relInfo.get(oid);
    const base = { schema, name: c.relname, comment: comment('pg_class', oid), deps: [objectId('schema', schema)], owner: owner('pg_class', oid) };
    switch (c.relkind) {
      case 'r':
      case 'p':
      case 'f': {
        const ft = c.relkind === 'f' ? foreignTableInfo(foreign, oid, (o) => foreign.servers.find((x) => x.oid === o)?.name) : undefined;
        const t: TableObject = {
          id: objectId('table', schema, c.relname), kind: 'table', ...base, acl: acl('pg_class', oid, 'r'),
          persistence: c.relpersistence === 'u' ? 'u' : 'p', columns: [],
          partitionKey: info?.partkey ?? null, partitionOf: null, partitionBound: c.relispartition ? info?.bound ?? null : null, inherits: [],
          rowSecurity: !!c.relrowsecurity, forceRowSecurity: !!c.relforcerowsecurity,
          replicaIdentity: (['d', 'n', 'f', 'i'].includes(c.relreplident ?? 'd') ? c.relreplident ?? 'd' : 'd') as 'd',
          replicaIndex: null, options: [...(c.reloptions ?? [])], clusterIndex: null, ...(ft ? { foreign: ft } : {}),
        };
        if (add(t, 'pg_class', oid)) tables.set(oid, t);
        break;
      }
      case 'S': {
        if (identitySeqOids.has(oid)) break;
        const p = seqParams.get(oid);
        if (!p) break;
        add({
          id: objectId('sequence', schema, c.relname), kind: 'sequence', ...base, acl: acl('pg_class', oid, 's'),
          dataType: p.type, start: p.start, increment: p.increment, min: p.min, max: p.max, cache: p.cache, cycle: p.cycle, ownedBy: null,
          persistence: unloggedSeq.has(Number(oid)) ? 'u' : 'p',
        }, 'pg_class', oid);
        break;
      }
      case 'v':
      case 'm': {
        const columns: ViewColumn[] = [];
        const columnComments: Record<string, string> = {};
        for (const a of attrsOf.get(oid) ?? []) {
          const ai = attrInfo.get(`${oid}:${a.attnum}`);
          columns.push({ name: a.attname, type: ai?.type ?? '', collation: ai?.collation ?? null });
          const cm = comment('pg_class', oid, a.attnum);
          if (cm !== null) columnComments[a.attname] = cm;
        }
        const v = {
          id: objectId(c.relkind === 'v' ? 'view' : 'matview', schema, c.relname), kind: c.relkind === 'v' ? 'view' : 'matview', ...base,
          acl: acl('pg_class', oid, 'r'), definition: (info?.viewdef ?? '').trim(), columns, options: [...(c.reloptions ?? [])], columnComments,
        } as ViewObject | MatviewObject;
        if (add(v, 'pg_class', oid)) {
          views.set(oid, v);
          for (const r of info?.rules ?? []) idOf.set(key('pg_rewrite', r), v.id);
        }
        break;
      }
      case 'i':
      case 'I':
      case 'c':
        break; // indexes with pg_index below; composite types with the types
      default: break;
    }
  }
  // Inheritance and partitioning.
  for (const [oid, t] of tables) {
    const list = (parents.get(oid) ?? []).sort((a, b) => a.seq - b.seq);
    const ids = list.map((p) => relName.get(p.parent)).filter((r): r is NonNullable<typeof r> => !!r).map((r) => objectId('table', r.schema, r.name));
    if (t.partitionBound !== null) {
      t.partitionOf = ids[0] ?? null;
      if (t.partitionOf && !t.deps.includes(t.partitionOf)) t.deps.push(t.partitionOf);
    } else {
      t.inherits = ids;
      for (const p of ids) if (!t.deps.includes(p)) t.deps.push(p);
    }
  }

  // Columns.
  const seqById = new Map<string, string>(); // sequence oid → id
  for (const [oid, n] of relName) if (n.kind === 'S' && objects[objectId('sequence', n.schema, n.name)]) seqById.set(oid, objectId('sequence', n.schema, n.name));
  for (const [relid, attrs] of attrsOf) {
    const t = tables.get(relid);
    if (!t) continue;
    for (const a of attrs) {
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
        collation: info?.collation ?? null, acl: acl('pg_class', a.attrelid, 'c', a.attnum), inherited: (a.attinhcount ?? 0) > 0,
        storage: info?.storage ?? null, statistics: normalizeStatisticsTarget(a.attstattarget), compression: info?.compression ?? null,
      };
      const fdwOptions = t.foreign ? foreignColumnOptions(foreign, a.attrelid, a.attnum) : undefined;
      if (fdwOptions) col.fdwOptions = fdwOptions;
      if (add(col, 'pg_class', a.attrelid, a.attnum)) t.columns.push(col.id);
    }
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

  // Constraints (NOT NULL rows of PostgreSQL ≥ 18 are folded into the column's notNull; the
  // per-partition rows of a foreign key that references a partitioned table are internal).
  const condef = new Map(sup.condefs.map((c) => [String(c.oid), c]));
  const constraintIndex = new Map<string, string>(); // index oid → constraint id (p, u, x own their index)
  const conParent = new Map<string, string>(); // constraint id → parent constraint oid
  for (const c of raw.constraints) {
    const t = tables.get(String(c.conrelid));
    if (!t || !['p', 'u', 'c', 'f', 'x'].includes(c.contype)) continue;
    const cd = condef.get(String(c._id));
    if (!cd || cd.parentSameRel) continue;
    let references: string | null = null;
    if (c.contype === 'f') {
      const r = relName.get(String(c.confrelid));
      references = r ? objectId('table', r.schema, r.name) : null;
    }
    const con: ConstraintObject = {
      id: objectId('constraint', t.schema, t.name, c.conname), kind: 'constraint', schema: t.schema, name: c.conname,
      comment: comment('pg_constraint', c._id), deps: [t.id], table: t.id, type: c.contype as ConstraintObject['type'],
      definition: cd.def, validated: c.convalidated !== false, references, inherited: (c.coninhcount ?? 0) > 0, parent: null,
      indexComment: c.conindid && ['p', 'u', 'x'].includes(c.contype) ? comment('pg_class', c.conindid) : null,
    };
    if (con.inherited && c.conparentid && Number(c.conparentid) !== 0) conParent.set(con.id, String(c.conparentid));
    if (add(con, 'pg_constraint', c._id) && ['p', 'u', 'x'].includes(c.contype) && c.conindid) {
      constraintIndex.set(String(c.conindid), con.id);
      idOf.set(key('pg_class', c.conindid), con.id);
    }
  }

  // Indexes (those behind a constraint belong to the constraint), on tables and materialized views.
  const indexdef = new Map(sup.indexdefs.map((i) => [String(i.oid), i]));
  for (const i of raw.indexes) {
    const owner = tables.get(String(i.indrelid)) ?? views.get(String(i.indrelid));
    const oid = String(i.indexrelid);
    if (!owner || constraintIndex.has(oid)) continue;
    const rel = relName.get(oid);
    if (!rel) continue;
    const d = indexdef.get(oid);
    add({
      id: objectId('index', rel.schema, rel.name), kind: 'index', schema: rel.schema, name: rel.name, comment: comment('pg_class', oid),
      deps: [owner.id], table: owner.id, definition: d?.def ?? '', inherited: !!d?.inherited, parent: null,
      ...(d && !d.valid ? { invalid: true as const } : {}),
    }, 'pg_class', oid);
  }
  // Parents of inherited indexes and constraints.
  for (const h of raw.inherits) {
    const child = idOf.get(key('pg_class', h.inhrelid));
    const o = child ? objects[child] : undefined;
    const parent = idOf.get(key('pg_class', h.inhparent));
    if (!o || !parent) continue;
    if (o.kind === 'index' && o.inherited) o.parent = parent;
    if (o.kind === 'constraint' && o.inherited) o.parent = parent;
  }
  for (const [id, poid] of conParent) {
    const o = objects[id];
    const parent = idOf.get(key('pg_constraint', poid));
    if (o && o.kind === 'constraint' && parent) o.parent = parent;
  }
  for (const o of Object.values(objects)) {
    if (o.kind !== 'constraint' || !o.inherited || o.parent) continue;
    const t = objects[o.table];
    if (!t || t.kind !== 'table') continue;
    for (const p of t.partitionOf ? [t.partitionOf] : t.inherits) {
      const candidate = `constraint:${p.slice('table:'.length)}.${o.name}`;
      if (objects[candidate]) { o.parent = candidate; break; }
    }
  }
  // Replica identity index.
  for (const [oid, t] of tables) {
    const ix = replIdentIndex.get(oid);
    if (t.replicaIdentity === 'i' && ix) t.replicaIndex = idOf.get(key('pg_class', ix)) ?? null;
    const cl = clusterIndex.get(oid);
    if (cl) t.clusterIndex = idOf.get(key('pg_class', cl)) ?? null;
  }

  // Functions, procedures, aggregates.
  for (const p of sup.procs) {
    if (p.def === null) continue;
    const kindChar = (['f', 'p', 'a', 'w'].includes(p.kind) ? p.kind : 'f') as FunctionObject['prokind'];
    add({
      id: objectId('function', p.schema, `${p.name}(${p.identity})`), kind: 'function', schema: p.schema, name: p.name,
      comment: comment('pg_proc', p.oid), deps: [objectId('schema', p.schema)], identityArgs: p.identity, args: p.args,
      returns: p.result, prokind: kindChar, language: p.lang, definition: p.def, owner: p.owner,
      acl: p.acl ? normalizeAcl(toRows(p.acl), 'f', version) : defaultAcl('f'),
    }, 'pg_proc', p.oid);
  }
  const relOwner = (relid: number) => tables.get(String(relid)) ?? views.get(String(relid));

  // Triggers (on tables and views).
  for (const tg of sup.triggers) {
    const t = relOwner(tg.relid);
    if (!t) continue;
    add({
      id: objectId('trigger', t.schema, t.name, tg.name), kind: 'trigger', schema: t.schema, name: tg.name, comment: tg.comment,
      deps: [t.id], table: t.id, definition: tg.def, enabled: ENABLED(tg.enabled), inherited: tg.inherited,
    }, 'pg_trigger', tg.oid);
  }
  // Policies.
  for (const p of sup.policies) {
    const t = tables.get(String(p.relid));
    if (!t) continue;
    add({
      id: objectId('policy', t.schema, t.name, p.name), kind: 'policy', schema: t.schema, name: p.name, comment: p.comment, deps: [t.id], table: t.id,
      permissive: p.permissive, command: (['r', 'a', 'w', 'd', '*'].includes(p.cmd) ? p.cmd : '*') as '*', roles: [...(p.roles ?? ['PUBLIC'])].sort(),
      using: p.using, check: p.check,
    }, 'pg_policy', p.oid);
  }
  // Rules.
  for (const r of sup.rules) {
    const t = relOwner(r.relid);
    if (!t) continue;
    add({
      id: objectId('rule', t.schema, t.name, r.name), kind: 'rule', schema: t.schema, name: r.name, comment: r.comment, deps: [t.id], table: t.id,
      definition: r.def.trim().replace(/;$/, ''), enabled: ENABLED(r.enabled),
    }, 'pg_rewrite', r.oid);
  }
  // Extended statistics.
  for (const s of sup.statistics) {
    const t = relOwner(s.relid);
    if (!t) continue;
    add({
      id: objectId('statistics', s.schema, s.name), kind: 'statistics', schema: s.schema, name: s.name, comment: s.comment, deps: [t.id, objectId('schema', s.schema)],
      table: t.id, definition: s.def, target: normalizeStatisticsTarget(s.target), owner: s.owner,
    }, 'pg_statistic_ext', s.oid);
  }
  // Collations.
  for (const c of sup.collations) {
    const render = (icuLocale: (l: string) => string) => {
      const parts: string[] = [];
      if (c.provider === 'i') parts.push('provider = icu', `locale = ${lit(icuLocale(c.locale ?? c.collate ?? ''))}`);
      else if (c.provider === 'b') parts.push('provider = builtin', `locale = ${lit(c.locale ?? '')}`);
      else if (c.collate === c.ctype) parts.push('provider = libc', `locale = ${lit(c.collate ?? '')}`);
      else parts.push('provider = libc', `lc_collate = ${lit(c.collate ?? '')}`, `lc_ctype = ${lit(c.ctype ?? '')}`);
      if (!c.deterministic) parts.push('deterministic = false');
      if (c.rules) parts.push(`rules = ${lit(c.rules)}`);
      return parts.join(', ');
    };
    add({
      id: objectId('collation', c.schema, c.name), kind: 'collation', schema: c.schema, name: c.name, comment: c.comment,
      deps: [objectId('schema', c.schema)], owner: c.owner, options: render((l) => l), comparableOptions: render((l) => normalizeIcuLocale(l, version)),
    }, 'pg_collation', c.oid);
  }
  // Text search.
  for (const d of sup.tsdicts) {
    add({
      id: objectId('tsdict', d.schema, d.name), kind: 'tsdict', schema: d.schema, name: d.name, comment: d.comment,
      deps: [objectId('schema', d.schema)], owner: d.owner, template: d.template, options: d.options,
    }, 'pg_ts_dict', d.oid);
  }
  for (const c of sup.tsconfigs) {
    add({
      id: objectId('tsconfig', c.schema, c.name), kind: 'tsconfig', schema: c.schema, name: c.name, comment: c.comment,
      deps: [objectId('schema', c.schema)], owner: c.owner, parser: c.parser, mappings: sortKeys(c.mappings ?? {}),
    }, 'pg_ts_config', c.oid);
  }
  // Event triggers (database-wide; included when their function is).
  for (const e of sup.eventTriggers) {
    add({
      id: objectId('event_trigger', e.name), kind: 'event_trigger', schema: '', name: e.name, comment: e.comment, deps: [],
      owner: e.owner, event: e.event, tags: e.tags ? [...e.tags] : null, function: '', enabled: ENABLED(e.enabled),
    }, 'pg_event_trigger', e.oid);
  }
  for (const e of sup.eventTriggers) {
    const et = objects[objectId('event_trigger', e.name)];
    const fn = idOf.get(key('pg_proc', e.func));
    if (et && et.kind === 'event_trigger' && fn) et.function = fn;
  }
  // Default privileges.
  for (const d of sup.defaultAcls) {
    const objectType = (['r', 'S', 'f', 'T', 'n'].includes(d.type) ? d.type : 'r') as DefaultAclObject['objectType'];
    const kind: AclKind = objectType === 'S' ? 's' : objectType;
    const obj: CatalogObject = {
      id: objectId('default_acl', d.role ?? '', d.schema ?? '', objectType), kind: 'default_acl', schema: d.schema ?? '',
      name: `${d.role ?? 'CURRENT_USER'} ${objectType}`, comment: null, deps: d.schema ? [objectId('schema', d.schema)] : [],
      role: d.role, inSchema: d.schema, objectType, acl: normalizeAcl(toRows(d.acl), kind, version),
    };
    if (!isExcluded(obj.id)) objects[obj.id] = obj;
  }

  // Types of tables and views (row types) and arrays resolve to their owner, for pg_depend mapping.
  for (const t of raw.types) {
    const tid = String(t._id);
    if (t.typrelid && Number(t.typrelid) !== 0 && !idOf.has(key('pg_type', tid))) {
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

  // Publications, subscriptions, foreign-data wrappers, servers, user mappings (catalog/foreign.ts).
  addForeignObjects(foreign, {
    add, alias: (cls, oid, id) => idOf.set(key(cls, oid), id), tableId: (oid) => tables.get(String(oid))?.id,
    included: (n) => included.has(n), has: (id) => id in objects, comment, unmodelled, version,
  });

  // pg_depend → deps (sequence ownership is modelled as ownedBy, not as a dependency).
  const outside = outOfScopeNames(raw, nsName, included, extMember);
  const members = extensionMembers(raw, sup, nsName);
  const external = new Map<string, ExternalDependency>();
  for (const d of sup.depends) {
    if (d.deptype === 'e') continue;
    const from = idOf.get(key(d.classid, d.objid, d.objsubid));
    const to = idOf.get(key(d.refclassid, d.refobjid, d.refobjsubid)) ?? idOf.get(key(d.refclassid, d.refobjid, 0));
    if (from && !to && d.deptype === 'n') {
      const ref = outside.get(`${d.refclassid}:${d.refobjid}`);
      if (ref && !isExcluded(from)) external.set(`${from} ${ref.kind} ${ref.name}`, { from, ...ref });
    }
    if (!from || !to || from === to) continue;
    const obj = objects[from];
    if (!obj) continue;
    if (obj.kind === 'sequence' && d.deptype === 'a') continue;
    if (!obj.deps.includes(to)) obj.deps.push(to);
  }
  for (const o of Object.values(objects)) o.deps = o.deps.filter((d) => d in objects && d !== o.id).sort();

  for (const o of sup.others) unmodelled.push({ kind: o.kind, name: o.name });
  return {
    serverVersion: version, schemas: [...schemas], objects, currentUser: sup.user, roles: sup.roles,
    outside: [...new Set([...outside.values()].map((o) => o.name))].sort(),
    ...(Object.keys(members).length ? { extensionMembers: members } : {}),
    ...(external.size ? { external: [...external.values()].filter((e) => e.from in objects).sort((a, b) => (a.from + a.name).localeCompare(b.from + b.name)) } : {}),
    unmodelled: unmodelled.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name)),
  };
}

/**
 * The types and functions each in-scope extension owns, as schema-qualified quoted names
 * (`public.citext`), for following an extension that moves to another schema.
 */
function extensionMembers(raw: Introspection, sup: Supplement, nsName: Map<string, string>): Record<string, string[]> {
  const extName = new Map(raw.extensions.map((e) => [String(e._id), e.extname]));
  const types = new Map(raw.types.map((t) => [String(t._id), t]));
  const procs = new Map(raw.procs.map((p) => [String(p._id), p]));
  const out: Record<string, Set<string>> = {};
  for (const d of sup.depends) {
    if (d.deptype !== 'e' || d.refclassid !== 'pg_extension') continue;
    const ext = extName.get(String(d.refobjid));
    const t = d.classid === 'pg_type' ? types.get(String(d.objid)) : undefined;
    const p = d.classid === 'pg_proc' ? procs.get(String(d.objid)) : undefined;
    const ns = nsName.get(String(t?.typnamespace ?? p?.pronamespace));
    if (!ext || !ns || (!t && !p)) continue;
    (out[ext] ??= new Set()).add(qualified(ns, t ? t.typname : p!.proname));
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/**
 * Relations, types and functions in schemas outside the scope (system schemas and extension members
 * left out), keyed `<catalog>:<oid>` as pg_depend names them, for recording what in-scope objects
 * depend on beyond the scope.
 */
function outOfScopeNames(raw: Introspection, nsName: Map<string, string>, included: Set<string>, extMember: Set<string>): Map<string, { kind: string; name: string }> {
  const out = new Map<string, { kind: string; name: string }>();
  const outside = (ns: unknown) => {
    const n = nsName.get(String(ns));
    return n !== undefined && !included.has(n) && !/^pg_/.test(n) && n !== 'information_schema' ? n : undefined;
  };
  const REL: Record<string, string> = { r: 'table', p: 'table', v: 'view', m: 'materialized view', S: 'sequence', f: 'foreign table', c: 'type' };
  for (const c of raw.classes) {
    const n = outside(c.relnamespace);
    if (n && REL[c.relkind] && !extMember.has(`pg_class:${c._id}`)) out.set(`pg_class:${c._id}`, { kind: REL[c.relkind]!, name: `${n}.${c.relname}` });
  }
  for (const t of raw.types) {
    const n = outside(t.typnamespace);
    if (n && !extMember.has(`pg_type:${t._id}`)) out.set(`pg_type:${t._id}`, { kind: t.typtype === 'd' ? 'domain' : 'type', name: `${n}.${t.typname}` });
  }
  for (const p of raw.procs) {
    const n = outside(p.pronamespace);
    if (n && !extMember.has(`pg_proc:${p._id}`)) out.set(`pg_proc:${p._id}`, { kind: 'function', name: `${n}.${p.proname}` });
  }
  return out;
}

/**
 * A schema's comment, with the comment `initdb` gives schema `public` ('standard public schema')
 * read as none: it is the default, as the default ACLs are (pg_dump leaves it out too).
 */
function schemaComment(name: string, text: string | null): string | null {
  return name === 'public' && text === 'standard public schema' ? null : text;
}

function lit(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}
