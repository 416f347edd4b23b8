/**
 * The definition rows of a catalog: what PostgreSQL prints for objects in scope — definition text
 * from `pg_get_*def`, `pg_get_expr` and `format_type`; functions (including trigger functions and
 * aggregates), triggers, views, policies, rules, extended statistics, collations, text search
 * objects, event triggers, privileges (`aclexplode`), default privileges, owners, comments,
 * sequence parameters, the `pg_depend` graph, and objects of kinds not modelled. Read in the same
 * round trip as `structure.ts`; parameter `$1` is the in-scope schema names (`text[]`).
 */


/** `is not an extension member` for a catalog row (`cls` the catalog, `o` the oid expression). */
const notExt = (cls: string, o: string) => `not exists (select 1 from pg_depend xd where xd.classid = '${cls}'::regclass and xd.objid = ${o} and xd.deptype = 'e')`;
const ownerName = (col: string) => `nullif(pg_get_userbyid(${col}), current_user)`;
const aclItems = (acl: string, owner: string) =>
  `(select coalesce(json_agg(json_build_array(case when e.grantee = ${owner} then '@owner' when e.grantee = 0 then 'PUBLIC' else pg_get_userbyid(e.grantee) end, e.privilege_type, e.is_grantable)), '[]') from aclexplode(${acl}) e)`;
const finalModify = (c: string) => `case ${c} when 'r' then 'READ_ONLY' when 's' then 'SHAREABLE' else 'READ_WRITE' end`;

/**
 * The `pg_depend` rows as columns: one array per column (`array_agg`, every aggregate reading the
 * rows in the same order) and the deptypes as one string, a character per row. Per-row JSON arrays
 * cost the server twice as long (21 against 11 ms for musicbrainz's 15,000 rows) and Node one
 * small array each. Oids are cast to `int8`, which JSON prints as numbers (an `oid` prints as a
 * string). Catalogs are oids: printing a `regclass` costs a catalog lookup per row;
 * `parseDefinitions` names them from `catalogs`.
 */
const DEPENDS = `(select json_build_array(array_agg(d.classid::int8), array_agg(d.objid::int8), array_agg(d.objsubid),
      array_agg(d.refclassid::int8), array_agg(d.refobjid::int8), array_agg(d.refobjsubid), string_agg(d.deptype::text, ''))
    from pg_depend d where d.objid >= 16384 and d.deptype in ('n','a','i','e')
      and not (d.classid = 'pg_trigger'::regclass and d.deptype = 'i')
      and not (d.classid = 'pg_type'::regclass and d.deptype = 'i')
      and not (d.classid = 'pg_attrdef'::regclass and d.deptype = 'a'))`;

/**
 * One SQL expression (a `json` object) reading the definition rows; {@link parseDefinitions}
 * turns its text into {@link DefinitionRows}. Parameter `$1`: the in-scope schema names (`text[]`).
 */
export const DEFINITIONS_SQL = `json_build_object(
  'version', current_setting('server_version_num')::int,
  'catalogs', (select json_object_agg(c.oid, c.relname) from pg_class c where c.relnamespace = 'pg_catalog'::regnamespace and c.relkind = 'r'),
  'user', current_user,
  'roles', (select json_agg(rolname order by rolname) from pg_roles),
  'owners', (select coalesce(json_agg(json_build_array(x.cls, x.oid, x.owner)), '[]') from (
      select 'pg_namespace' as cls, n.oid, ${ownerName('n.nspowner')} as owner from pg_namespace n where n.nspname = any($1)
      union all select 'pg_class', c.oid, ${ownerName('c.relowner')} from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind in ('r','p','v','m','S','c','f')
      union all select 'pg_type', t.oid, ${ownerName('t.typowner')} from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = any($1) and t.typtype in ('e','d','r','c')
    ) x where x.owner is not null),
  'indexdefs', (select coalesce(json_agg(json_build_object('oid', i.indexrelid, 'def', pg_get_indexdef(i.indexrelid),
      'inherited', exists (select 1 from pg_inherits h where h.inhrelid = i.indexrelid), 'valid', i.indisvalid)), '[]')
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1)
      /* An index behind a primary key, unique or exclusion constraint is the constraint's (its
         definition is pg_get_constraintdef's): no pg_get_indexdef, about half of all calls. */
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.conrelid = i.indrelid and k.contype in ('p','u','x'))),
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
      union all select 'language', l.lanname, 'pg_language'::regclass, l.oid from pg_language l where l.oid >= 16384
      union all select 'cast', format_type(c.castsource, null) || ' AS ' || format_type(c.casttarget, null), 'pg_cast'::regclass, c.oid from pg_cast c where c.oid >= 16384
      union all select 'access method', a.amname, 'pg_am'::regclass, a.oid from pg_am a where a.oid >= 16384
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
  'descriptions', (select coalesce(json_agg(json_build_array(d.classoid, d.objoid, d.objsubid, d.description)), '[]')
    from pg_description d where d.objoid >= 16384 or (d.classoid = 'pg_namespace'::regclass and d.objoid in (select oid from pg_namespace where nspname = any($1)))),
  'unloggedSequences', (select coalesce(json_agg(c.oid), '[]') from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1) and c.relkind = 'S' and c.relpersistence = 'u'),
  'depends', ${DEPENDS}
)`;

/**
 * A `pg_depend` row on an object created after initdb (oid ≥ 16384), deptype n, a, i or e; not the
 * internal rows of triggers (those of foreign keys' system triggers, which are not modelled: a
 * fifth of the rows on musicbrainz), nor the rows that tie an object to the one it is read as:
 * a type's internal rows (an array type to its element, a row type to its relation, a multirange
 * to its range) and a column default's automatic row to its column (introspection maps each of
 * these objects to the identity of the other, so the row would depend on itself).
 */
export interface DependRow {
  classid: string;
  objid: number;
  objsubid: number;
  refclassid: string;
  refobjid: number;
  refobjsubid: number;
  deptype: string;
}

/** The rows read by {@link DEFINITIONS_SQL}, as {@link parseDefinitions} returns them. */
export interface DefinitionRows {
  version: number;
  user: string;
  roles: string[];
  owners: Array<[string, number, string]>;
  /** Indexes that belong to no primary key, unique or exclusion constraint. */
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
  depends: DependRow[];
}

/**
 * Parses the text of {@link DEFINITIONS_SQL}'s result, turning the `pg_depend` columns into rows.
 * @throws SyntaxError when `text` is not JSON
 */
export function parseDefinitions(text: string): DefinitionRows {
  type Column = number[] | null;
  const raw = JSON.parse(text) as Omit<DefinitionRows, 'depends' | 'descriptions'> & {
    catalogs: Record<string, string>; depends: [Column, Column, Column, Column, Column, Column, string | null]; descriptions: [number, number, number, string][];
  };
  const { catalogs, ...rest } = raw;
  // A catalog oid not in the map (none in practice) keeps its number as text: it matches no reader's catalog name.
  const name = (oid: number) => catalogs[oid] ?? String(oid);
  // The columns of DEPENDS become rows; every column is null when there are none.
  const [classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptypes] = raw.depends;
  const depends: DependRow[] = new Array(deptypes?.length ?? 0);
  for (let i = 0; i < depends.length; i++) {
    depends[i] = {
      classid: name(classid![i]!), objid: objid![i]!, objsubid: objsubid![i]!,
      refclassid: name(refclassid![i]!), refobjid: refobjid![i]!, refobjsubid: refobjsubid![i]!, deptype: deptypes![i]!,
    };
  }
  // Each description row's catalog oid becomes its name in place (the rows are not copied).
  const rows = raw.descriptions as unknown as [number | string, number, number, string][];
  for (const d of rows) d[0] = name(d[0] as number);
  const named = rows as [string, number, number, string][];
  return {
    ...rest,
    depends,
    descriptions: named,
  };
}
