/**
 * Introspection: one database → Catalog, read by catalog queries of our own restricted to the
 * schemas in scope. One round trip reads the schema list; then come the publications,
 * subscriptions, foreign-data wrappers, servers, user mappings and foreign-table options of
 * catalog/foreign.ts (a probe, then a query built for the reading role's privileges), and two
 * queries back to back: the structural rows (queries/structure.ts: schemas, extensions, relations,
 * attributes, types, enum labels, constraints, indexes, inheritance) and the definition rows
 * (queries/definitions.ts: definition text from `pg_get_*def`, `pg_get_expr` and `format_type`,
 * functions, triggers, views, policies, rules, extended statistics, collations, text search
 * objects, event triggers, privileges, default privileges, sequence parameters and the `pg_depend`
 * graph).
 * Objects of kinds not modelled are listed in `Catalog.unmodelled`.
 */
import type { Db } from '../db/types.js';
import {
  childId,
  functionId,
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
import { DEFINITIONS_SQL, parseDefinitions, type DefinitionRows } from './queries/definitions.js';
import { parseStructure, STRUCTURE_SQL, type StructureRows } from './queries/structure.js';
import { DEFAULT_SCHEMAS, patternRegExp, resolveSchemas, SCHEMA_LIST_SQL, type SchemaRow } from './scope.js';


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
  /**
   * Called as the read moves on: `schemas`, `foreign`, `structure` (relations, attributes, types …),
   * `definitions` (PostgreSQL's definition text, the dependency graph) and `building`
   * (the catalog assembled in this process). For progress displays; it must not throw.
   */
  onStage?: (stage: IntrospectStage) => void;
}

/** The stages of {@link introspect}, in order. */
export type IntrospectStage = 'schemas' | 'foreign' | 'structure' | 'definitions' | 'building';

/**
 * Reads the catalog of `db`. Runs with `search_path` set to empty for the duration, so that all
 * definition text is schema-qualified (as pg_dump does), and `jit` off, and restores both afterwards.
 * @throws the driver's error when a catalog query fails.
 */
export async function introspect(db: Db, options: IntrospectOptions = {}): Promise<Catalog> {
  const stage = options.onStage ?? (() => undefined);
  stage('schemas');
  const available = await db.query<SchemaRow>(SCHEMA_LIST_SQL);
  const { schemas, missing } = resolveSchemas(available, { schemas: options.schemas ?? [...DEFAULT_SCHEMAS], excludeSchemas: options.excludeSchemas ?? [] });
  const [{ search_path: savedPath, jit: savedJit }] = (await db.query<{ search_path: string; jit: string }>(
    `select current_setting('search_path') as search_path, current_setting('jit') as jit`,
  )) as [{ search_path: string; jit: string }];
  // JIT off: the catalog queries evaluate many small expressions once each, and on a server built
  // with LLVM a large catalog's definitions query costs more than jit_above_cost, so compiling them
  // would take longer than running them (PostgreSQL docs, "When to JIT?").
  await db.query(`select set_config('search_path', '', false), set_config('jit', 'off', false)`);
  let raw: StructureRows;
  let sup: DefinitionRows;
  let foreign: ForeignRows;
  try {
    // The foreign rows first: two small queries, answered while this process has nothing else to do.
    // Then the structure and the definitions back to back: the definitions query is sent the moment
    // the structure rows arrive, before they are parsed, so Node parses them while the server prints
    // definitions. (One query at a time on the connection, as node-postgres requires.)
    stage('foreign');
    foreign = await readForeign(db, schemas);
    stage('structure');
    const structureRow = db.query<{ structure: string }>(`select (${STRUCTURE_SQL})::text as structure`, [schemas]);
    const definitionsRow = structureRow.then(() => (stage('definitions'), db.query<{ definitions: string }>(`select (${DEFINITIONS_SQL})::text as definitions`, [schemas])));
    const structure = structureRow.then(([row]) => parseStructure(row!.structure));
    const definitions = definitionsRow.then(([row]) => parseDefinitions(row!.definitions));
    [raw, sup] = await Promise.all([structure, definitions]);
  } finally {
    await db.query(`select set_config('search_path', $1, false), set_config('jit', $2, false)`, [savedPath, savedJit]);
  }
  stage('building');
  const cat = normalizeCatalog(buildCatalog(raw, sup, foreign, schemas, options.exclude ?? []));
  return missing.length ? { ...cat, missingSchemas: missing } : cat;
}

const ENABLED = (e: string): 'O' | 'D' | 'R' | 'A' => (['O', 'D', 'R', 'A'].includes(e) ? e : 'O') as 'O';

function buildCatalog(raw: StructureRows, sup: DefinitionRows, foreign: ForeignRows, schemas: string[], exclude: string[]): Catalog {
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

  // (catalog, oid, subid) → identity, for mapping pg_depend and comments. The key is one number
  // (catalog index · 2^32 + oid) · 2^11 + subid, exact in a double (subid ≤ 1600 columns): no
  // string is built per lookup, which matters with a quarter of a million pg_depend rows.
  const catalogIndex = new Map<string, number>();
  const key = (cls: string, oid: number | string, sub = 0): number => {
    let c = catalogIndex.get(cls);
    if (c === undefined) catalogIndex.set(cls, (c = catalogIndex.size));
    return (c * 2 ** 32 + Number(oid)) * 2048 + Number(sub);
  };
  const idOf = new Map<number, string>();
  const descriptions = new Map<number, string>();
  for (const [cat, oid, sub, text] of sup.descriptions) descriptions.set(key(cat, oid, sub), text);
  const comment = (cat: string, oid: number | string, sub = 0) => descriptions.get(key(cat, oid, sub)) ?? null;
  const owners = new Map<number, string>();
  for (const [cls, oid, owner] of sup.owners) owners.set(key(cls, oid), owner);
  const owner = (cls: string, oid: number | string) => owners.get(key(cls, oid)) ?? null;
  const aclRows = new Map<number, [string, string, boolean][]>();
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
  const attrsOf = new Map<string, (typeof raw.attributes)[number][]>();
  for (const a of raw.attributes) {
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
        attributes.push({ name: a.attname, type: a.type, collation: a.collation });
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
          columns.push({ name: a.attname, type: a.type, collation: a.collation });
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
      const generated = a.attgenerated === 's' ? a.default : null;
      let identity: IdentitySpec | null = null;
      if (a.attidentity === 'a' || a.attidentity === 'd') {
        const s = seqParams.get(identitySeq.get(`${a.attrelid}:${a.attnum}`) ?? '');
        identity = { kind: a.attidentity, dataType: s?.type ?? '', start: s?.start ?? '1', increment: s?.increment ?? '1', min: s?.min ?? '', max: s?.max ?? '', cache: s?.cache ?? '1', cycle: s?.cycle ?? false };
      }
      const col: ColumnObject = {
        id: objectId('column', t.schema, t.name, a.attname), kind: 'column', schema: t.schema, name: a.attname,
        comment: comment('pg_class', a.attrelid, a.attnum), deps: [t.id], table: t.id, position: a.attnum,
        type: a.type, notNull: a.attnotnull, default: generated ? null : a.default, identity, generated,
        collation: a.collation, acl: acl('pg_class', a.attrelid, 'c', a.attnum), inherited: a.attinhcount > 0,
        storage: a.storage, statistics: normalizeStatisticsTarget(a.attstattarget), compression: a.compression,
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
  // OWNED BY. A sequence owned by a column of an excluded table (a serial column of the history
  // table, such as goose's goose_db_version.id) is part of that table and left out with it.
  for (const [seqOid, col] of ownedSeq) {
    const seqId = seqById.get(seqOid);
    const colId = idOf.get(key('pg_class', col.relid, col.num));
    const seq = seqId ? objects[seqId] : undefined;
    if (seq && seq.kind === 'sequence' && colId) seq.ownedBy = colId;
    const owner = relName.get(String(col.relid));
    if (seqId && seq && owner && isExcluded(objectId('table', owner.schema, owner.name))) delete objects[seqId];
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
      const candidate = childId('constraint', p, o.name);
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
      id: functionId(p.schema, p.name, p.identity), kind: 'function', schema: p.schema, name: p.name,
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
  // Dependencies on objects outside the catalog (or on itself) are dropped; the lists are sorted.
  // Most lists are short and already clean: they are sorted in place, not copied.
  for (const id in objects) {
    const o = objects[id]!;
    const deps = o.deps;
    if (deps.length === 0) continue;
    let clean = true;
    for (let i = 0; clean && i < deps.length; i++) clean = deps[i]! in objects && deps[i] !== id;
    o.deps = clean ? deps.sort() : deps.filter((d) => d in objects && d !== id).sort();
  }

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
function extensionMembers(raw: StructureRows, sup: DefinitionRows, nsName: Map<string, string>): Record<string, string[]> {
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
function outOfScopeNames(raw: StructureRows, nsName: Map<string, string>, included: Set<string>, extMember: Set<string>): Map<string, { kind: string; name: string }> {
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
