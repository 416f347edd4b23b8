/**
 * DDL text for creating, dropping, commenting on, owning and granting each modelled object kind,
 * built from catalog definitions (never by deparsing a parse tree: the deparsers have silent
 * bugs).
 */
import type {
  Catalog,
  CatalogObject,
  ColumnObject,
  DomainObject,
  FunctionObject,
  IdentitySpec,
  PolicyObject,
  SequenceObject,
  TableObject,
  TsConfigObject,
} from '../catalog/model.js';
import { parseId } from '../catalog/identity.js';
import { qualified, quoteIdent, quoteLiteral } from '../db/quote.js';
import { mappingRole, optionsClause, publicationSql, serverSql, subscriptionSql, userMappingSql, wrapperSql } from './foreign-sql.js';

/** `schema.table` of a column/constraint/index/trigger/policy/rule's table (or view) identity. */
export function tableName(cat: Catalog, tableId: string): string {
  const t = cat.objects[tableId];
  if (!t) throw new Error(`internal: unknown table ${tableId}`);
  return qualified(t.schema, t.name);
}

/** Identity sequence options, e.g. `START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE`. */
export function sequenceOptions(s: Pick<SequenceObject, 'dataType' | 'start' | 'increment' | 'min' | 'max' | 'cache' | 'cycle'>): string {
  // Options equal to PostgreSQL's defaults for the data type are left out (CREATE SEQUENCE docs:
  // ascending min 1 / max type max, descending min type min / max -1, start at the bound, cache 1).
  const range = TYPE_RANGE[s.dataType];
  const ascending = !s.increment.startsWith('-');
  const defMin = ascending ? '1' : range?.[0];
  const defMax = ascending ? range?.[1] : '-1';
  const parts: string[] = [];
  if (s.start !== (ascending ? s.min : s.max)) parts.push(`START WITH ${s.start}`);
  if (s.increment !== '1') parts.push(`INCREMENT BY ${s.increment}`);
  if (s.min !== defMin) parts.push(`MINVALUE ${s.min}`);
  if (s.max !== defMax) parts.push(`MAXVALUE ${s.max}`);
  if (s.cache !== '1') parts.push(`CACHE ${s.cache}`);
  if (s.cycle) parts.push('CYCLE');
  return parts.join(' ');
}

/** Value ranges of the sequence data types, as text (`pg_sequence` stores int8 values). */
const TYPE_RANGE: Record<string, [string, string]> = {
  smallint: ['-32768', '32767'],
  integer: ['-2147483648', '2147483647'],
  bigint: ['-9223372036854775808', '9223372036854775807'],
};

/** `GENERATED ALWAYS AS IDENTITY (…)`. */
export function identityClause(id: IdentitySpec): string {
  const opts = sequenceOptions(id);
  return `GENERATED ${id.kind === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY${opts ? ` (${opts})` : ''}`;
}

/** A column definition as in CREATE TABLE / ADD COLUMN. */
export function columnDefinition(c: ColumnObject): string {
  const parts = [quoteIdent(c.name), c.type];
  if (c.fdwOptions?.length) parts.push(optionsClause(c.fdwOptions).trim());
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.generated}) STORED`);
  if (c.identity) parts.push(identityClause(c.identity));
  if (c.default !== null) parts.push(`DEFAULT ${c.default}`);
  if (c.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

const STORAGE: Record<string, string> = { p: 'PLAIN', e: 'EXTERNAL', m: 'MAIN', x: 'EXTENDED' };

/** `ALTER TABLE … ALTER COLUMN … SET STORAGE` / `SET STATISTICS` for a column's non-default settings. */
export function columnSettingsSql(cat: Catalog, c: ColumnObject): string[] {
  const out: string[] = [];
  const alter = (s: string) => `ALTER TABLE ${tableName(cat, c.table)} ALTER COLUMN ${quoteIdent(c.name)} ${s}`;
  if (c.storage) out.push(alter(`SET STORAGE ${STORAGE[c.storage] ?? 'EXTENDED'}`));
  if (c.statistics !== null) out.push(alter(`SET STATISTICS ${c.statistics}`));
  if (c.compression) out.push(alter(`SET COMPRESSION ${c.compression}`));
  return out;
}

/** `ALTER … SET STORAGE` back to the type's default (storage null → the type's own, which is unknown here: EXTENDED for varlena). */
export function storageName(code: string | null): string {
  return code ? STORAGE[code] ?? 'EXTENDED' : 'EXTENDED';
}

/** The SQL keyword naming a relation-like object in ALTER/DROP/COMMENT (`TABLE`, `VIEW`, …). */
export function relationKeyword(o: CatalogObject): string {
  switch (o.kind) {
    case 'view': return 'VIEW';
    case 'matview': return 'MATERIALIZED VIEW';
    case 'sequence': return 'SEQUENCE';
    default: return 'TABLE';
  }
}

/** `FUNCTION`, `PROCEDURE` or `AGGREGATE`. */
function routineKeyword(f: FunctionObject): string {
  return f.prokind === 'p' ? 'PROCEDURE' : f.prokind === 'a' ? 'AGGREGATE' : 'FUNCTION';
}

/** `s.f(args)`; an aggregate without arguments is `s.f(*)`. */
function routineSignature(f: FunctionObject): string {
  return `${qualified(f.schema, f.name)}(${f.prokind === 'a' && f.identityArgs === '' ? '*' : f.identityArgs})`;
}

/**
 * The name of an object as ALTER/COMMENT/DROP statements spell it, with its keyword, e.g.
 * `TABLE public.t`, `FUNCTION public.f(integer)`, `POLICY p ON public.t`, `COLUMN public.t.c`.
 */
export function objectTarget(cat: Catalog, o: CatalogObject): string {
  switch (o.kind) {
    case 'schema': return `SCHEMA ${quoteIdent(o.name)}`;
    case 'extension': return `EXTENSION ${quoteIdent(o.name)}`;
    case 'type': return `TYPE ${qualified(o.schema, o.name)}`;
    case 'domain': return `DOMAIN ${qualified(o.schema, o.name)}`;
    case 'collation': return `COLLATION ${qualified(o.schema, o.name)}`;
    case 'sequence': return `SEQUENCE ${qualified(o.schema, o.name)}`;
    case 'table': return `${o.foreign ? 'FOREIGN TABLE' : 'TABLE'} ${qualified(o.schema, o.name)}`;
    case 'view': return `VIEW ${qualified(o.schema, o.name)}`;
    case 'matview': return `MATERIALIZED VIEW ${qualified(o.schema, o.name)}`;
    case 'column': return `COLUMN ${tableName(cat, o.table)}.${quoteIdent(o.name)}`;
    case 'constraint': return `CONSTRAINT ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
    case 'index': return `INDEX ${qualified(o.schema, o.name)}`;
    case 'function': return `${routineKeyword(o)} ${routineSignature(o)}`;
    case 'trigger': return `TRIGGER ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
    case 'policy': return `POLICY ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
    case 'rule': return `RULE ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
    case 'statistics': return `STATISTICS ${qualified(o.schema, o.name)}`;
    case 'tsconfig': return `TEXT SEARCH CONFIGURATION ${qualified(o.schema, o.name)}`;
    case 'tsdict': return `TEXT SEARCH DICTIONARY ${qualified(o.schema, o.name)}`;
    case 'event_trigger': return `EVENT TRIGGER ${quoteIdent(o.name)}`;
    case 'default_acl': return `DEFAULT PRIVILEGES ${o.name}`;
    case 'publication': return `PUBLICATION ${quoteIdent(o.name)}`;
    case 'subscription': return `SUBSCRIPTION ${quoteIdent(o.name)}`;
    case 'foreign_data_wrapper': return `FOREIGN DATA WRAPPER ${quoteIdent(o.name)}`;
    case 'server': return `SERVER ${quoteIdent(o.name)}`;
    case 'user_mapping': return `USER MAPPING FOR ${mappingRole(o)} SERVER ${quoteIdent(o.server)}`;
  }
}

/** The `COMMENT ON <target>` target of an object, e.g. `COLUMN public.leads.email`. */
export function commentTarget(cat: Catalog, o: CatalogObject): string {
  return objectTarget(cat, o);
}

/** `COMMENT ON … IS '…'` (or `IS NULL`). */
export function commentSql(cat: Catalog, o: CatalogObject, text: string | null): string {
  return `COMMENT ON ${commentTarget(cat, o)} IS ${text === null ? 'NULL' : quoteLiteral(text)}`;
}

/** `COMMENT ON COLUMN` of a view/matview column or a composite type attribute. */
export function subCommentSql(o: CatalogObject, column: string, text: string | null): string {
  return `COMMENT ON COLUMN ${qualified(o.schema, o.name)}.${quoteIdent(column)} IS ${text === null ? 'NULL' : quoteLiteral(text)}`;
}

/** A role in GRANT/OWNER TO/FOR ROLE: null is the role running the migration. */
export function roleSql(role: string | null): string {
  if (role === null) return 'CURRENT_USER';
  if (role === 'PUBLIC') return 'PUBLIC';
  return quoteIdent(role);
}

/** `CREATE POLICY …`. */
export function policySql(cat: Catalog, p: PolicyObject): string {
  const cmd = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' }[p.command];
  let s = `CREATE POLICY ${quoteIdent(p.name)} ON ${tableName(cat, p.table)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${cmd} TO ${p.roles.map(roleSql).join(', ')}`;
  if (p.using !== null) s += ` USING (${p.using})`;
  if (p.check !== null) s += ` WITH CHECK (${p.check})`;
  return s;
}

/** `ALTER TEXT SEARCH CONFIGURATION … ADD MAPPING FOR …` statements, token types with the same dictionaries grouped. */
export function tsMappingSql(c: TsConfigObject, tokens: string[], verb: 'ADD' | 'ALTER'): string[] {
  const groups = new Map<string, string[]>();
  for (const t of tokens) {
    const k = (c.mappings[t] ?? []).join(', ');
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  return [...groups].map(([dicts, toks]) => `ALTER TEXT SEARCH CONFIGURATION ${qualified(c.schema, c.name)} ${verb} MAPPING FOR ${toks.map(quoteIdent).join(', ')} WITH ${dicts}`);
}

/** `ALTER TABLE … ENABLE/DISABLE ROW LEVEL SECURITY` or `FORCE/NO FORCE ROW LEVEL SECURITY`. */
export function rlsSql(t: TableObject, what: 'enable' | 'force', on: boolean): string {
  const name = qualified(t.schema, t.name);
  return what === 'enable' ? `ALTER TABLE ${name} ${on ? 'ENABLE' : 'DISABLE'} ROW LEVEL SECURITY` : `ALTER TABLE ${name} ${on ? 'FORCE' : 'NO FORCE'} ROW LEVEL SECURITY`;
}

/** `ALTER TABLE … REPLICA IDENTITY …`. */
export function replicaIdentitySql(cat: Catalog, t: TableObject): string {
  const name = qualified(t.schema, t.name);
  if (t.replicaIdentity === 'i' && t.replicaIndex) {
    const ix = cat.objects[t.replicaIndex];
    // A constraint owns an index of the same name.
    return `ALTER TABLE ${name} REPLICA IDENTITY USING INDEX ${quoteIdent(ix?.name ?? '')}`;
  }
  return `ALTER TABLE ${name} REPLICA IDENTITY ${{ d: 'DEFAULT', n: 'NOTHING', f: 'FULL', i: 'DEFAULT' }[t.replicaIdentity]}`;
}

/** `ALTER TABLE … CLUSTER ON …` / `SET WITHOUT CLUSTER`. */
export function clusterSql(cat: Catalog, t: TableObject): string {
  const ix = t.clusterIndex ? cat.objects[t.clusterIndex] : undefined;
  return ix ? `ALTER TABLE ${qualified(t.schema, t.name)} CLUSTER ON ${quoteIdent(ix.name)}` : `ALTER TABLE ${qualified(t.schema, t.name)} SET WITHOUT CLUSTER`;
}

/** `ALTER DOMAIN … ADD CONSTRAINT …`. */
export function domainConstraintSql(d: DomainObject, name: string, definition: string): string {
  return `ALTER DOMAIN ${qualified(d.schema, d.name)} ADD CONSTRAINT ${quoteIdent(name)} ${definition}`;
}

/** `WITH (…)` storage parameters in their stored order and spelling, values quoted (as pg_dump writes them). */
export function reloptionsSql(options: readonly string[]): string {
  return options.map((o) => {
    const eq = o.indexOf('=');
    return eq < 0 ? o : `${o.slice(0, eq)}=${quoteLiteral(o.slice(eq + 1))}`;
  }).join(', ');
}

/** A view's or matview's query text as CREATE … AS takes it. */
export function viewQuery(definition: string): string {
  return definition.trim().replace(/;\s*$/, '');
}

/** `CREATE [OR REPLACE] VIEW …` / `CREATE MATERIALIZED VIEW …`. */
export function viewSql(o: Extract<CatalogObject, { kind: 'view' | 'matview' }>, orReplace = false): string {
  const opts = o.options.length ? ` WITH (${reloptionsSql(o.options)})` : '';
  if (o.kind === 'matview') return `CREATE MATERIALIZED VIEW ${qualified(o.schema, o.name)}${opts} AS\n${viewQuery(o.definition)}`;
  return `CREATE ${orReplace ? 'OR REPLACE ' : ''}VIEW ${qualified(o.schema, o.name)}${opts} AS\n${viewQuery(o.definition)}`;
}

/** The table's CREATE statement: a partition or an INHERITS child is created standalone (it is attached afterwards, see `diff/inheritance.ts`). */
function tableSql(cat: Catalog, o: TableObject): string[] {
  const cols = o.columns.map((id) => cat.objects[id] as ColumnObject).filter(Boolean).sort((a, b) => a.position - b.position).filter((c) => !c.inherited);
  const body = cols.map((c) => '    ' + columnDefinition(c)).join(',\n');
  let s = `CREATE ${o.persistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${qualified(o.schema, o.name)} (${cols.length ? '\n' + body + '\n' : ''})`;
  // Only a partition re-created with its partitioned table keeps `partitionOf` here (see diff/inheritance.ts).
  if (o.partitionOf) s = `CREATE ${o.persistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${qualified(o.schema, o.name)} PARTITION OF ${tableName(cat, o.partitionOf)} ${o.partitionBound}`;
  if (o.inherits.length) s += ` INHERITS (${o.inherits.map((p) => tableName(cat, p)).join(', ')})`;
  if (o.foreign) s = `CREATE FOREIGN TABLE${s.slice(s.indexOf(' TABLE ') + ' TABLE'.length)} SERVER ${quoteIdent(cat.objects[o.foreign.server]?.name ?? parseId(o.foreign.server).parts[0]!)}${optionsClause(o.foreign.options)}`;
  if (o.partitionKey) s += ` PARTITION BY ${o.partitionKey}`;
  if (o.options.length) s += ` WITH (${reloptionsSql(o.options)})`;
  const out = [s];
  for (const c of cols) out.push(...columnSettingsSql(cat, c));
  if (o.rowSecurity) out.push(rlsSql(o, 'enable', true));
  if (o.forceRowSecurity) out.push(rlsSql(o, 'force', true));
  return out;
}

/** CREATE statement(s) of a standalone object (not columns, which belong to their table). */
export function createSql(cat: Catalog, o: CatalogObject): string[] {
  switch (o.kind) {
    case 'schema': return [`CREATE SCHEMA ${quoteIdent(o.name)}`];
    case 'extension': return [`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(o.name)} WITH SCHEMA ${quoteIdent(o.schema)}`];
    case 'type':
      switch (o.typeKind) {
        case 'enum': return [`CREATE TYPE ${qualified(o.schema, o.name)} AS ENUM (${o.values.map(quoteLiteral).join(', ')})`];
        case 'composite': return [`CREATE TYPE ${qualified(o.schema, o.name)} AS (${o.attributes.map((a) => `${quoteIdent(a.name)} ${a.type}${a.collation ? ` COLLATE ${a.collation}` : ''}`).join(', ')})`];
        case 'range': return [`CREATE TYPE ${qualified(o.schema, o.name)} AS RANGE (${o.options})`];
      }
      break;
    case 'domain': {
      let s = `CREATE DOMAIN ${qualified(o.schema, o.name)} AS ${o.baseType}`;
      if (o.collation) s += ` COLLATE ${o.collation}`;
      if (o.default !== null) s += ` DEFAULT ${o.default}`;
      if (o.notNull) s += ' NOT NULL';
      for (const c of o.constraints) if (c.validated) s += ` CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
      return [s, ...o.constraints.filter((c) => !c.validated).map((c) => domainConstraintSql(o, c.name, c.definition))];
    }
    case 'collation': return [`CREATE COLLATION ${qualified(o.schema, o.name)} (${o.options})`];
    case 'sequence': {
      const opts = sequenceOptions(o);
      return [`CREATE ${o.persistence === 'u' ? 'UNLOGGED ' : ''}SEQUENCE ${qualified(o.schema, o.name)}${o.dataType === 'bigint' ? '' : ` AS ${o.dataType}`}${opts ? ` ${opts}` : ''}`];
    }
    case 'table': return tableSql(cat, o);
    case 'column': return [`ALTER TABLE ${tableName(cat, o.table)} ADD COLUMN ${columnDefinition(o)}`, ...columnSettingsSql(cat, o)];
    case 'constraint': return [`ALTER TABLE ${tableName(cat, o.table)} ADD CONSTRAINT ${quoteIdent(o.name)} ${o.definition}`];
    // `ON ONLY` (a partitioned table's index as pg_get_indexdef prints it) would leave the partitions
    // without it: PostgreSQL creates (or adopts existing matching) partition indexes without ONLY.
    case 'index': return [o.definition.replace(' ON ONLY ', ' ON ')];
    case 'function': return [o.definition.trim()];
    case 'trigger': {
      const out = [o.definition];
      if (o.enabled !== 'O') out.push(triggerEnableSql(cat, o.table, o.name, o.enabled));
      return out;
    }
    case 'view':
    case 'matview': return [viewSql(o)];
    case 'policy': return [policySql(cat, o)];
    case 'rule': {
      const out = [o.definition];
      if (o.enabled !== 'O') out.push(ruleEnableSql(cat, o.table, o.name, o.enabled));
      return out;
    }
    case 'statistics': return [o.definition, ...(o.target !== null ? [`ALTER STATISTICS ${qualified(o.schema, o.name)} SET STATISTICS ${o.target}`] : [])];
    case 'tsdict': return [`CREATE TEXT SEARCH DICTIONARY ${qualified(o.schema, o.name)} (TEMPLATE = ${o.template}${o.options ? `, ${o.options}` : ''})`];
    case 'tsconfig': return [`CREATE TEXT SEARCH CONFIGURATION ${qualified(o.schema, o.name)} (PARSER = ${o.parser})`, ...tsMappingSql(o, Object.keys(o.mappings), 'ADD')];
    case 'event_trigger': {
      const fn = cat.objects[o.function];
      const fname = fn && fn.kind === 'function' ? qualified(fn.schema, fn.name) : o.function;
      const out = [`CREATE EVENT TRIGGER ${quoteIdent(o.name)} ON ${o.event}${o.tags ? ` WHEN TAG IN (${o.tags.map(quoteLiteral).join(', ')})` : ''} EXECUTE FUNCTION ${fname}()`];
      if (o.enabled !== 'O') out.push(`ALTER EVENT TRIGGER ${quoteIdent(o.name)} ${ENABLE_VERB[o.enabled]}`);
      return out;
    }
    case 'default_acl': return [];
    case 'publication': return [publicationSql(o, (id) => tableName(cat, id))];
    case 'subscription': return subscriptionSql(o);
    case 'foreign_data_wrapper': return [wrapperSql(o)];
    case 'server': return [serverSql(o)];
    case 'user_mapping': return [userMappingSql(o)];
  }
  return [];
}

const ENABLE_VERB = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' } as const;

/** `ALTER TABLE … ENABLE/DISABLE [REPLICA|ALWAYS] TRIGGER …`. */
export function triggerEnableSql(cat: Catalog, tableId: string, name: string, enabled: 'O' | 'D' | 'R' | 'A'): string {
  return `ALTER TABLE ${tableName(cat, tableId)} ${ENABLE_VERB[enabled]} TRIGGER ${quoteIdent(name)}`;
}

/** `ALTER TABLE … ENABLE/DISABLE [REPLICA|ALWAYS] RULE …`. */
export function ruleEnableSql(cat: Catalog, tableId: string, name: string, enabled: 'O' | 'D' | 'R' | 'A'): string {
  return `ALTER TABLE ${tableName(cat, tableId)} ${ENABLE_VERB[enabled]} RULE ${quoteIdent(name)}`;
}

/** `ALTER EVENT TRIGGER … ENABLE/DISABLE …`. */
export function eventTriggerEnableSql(name: string, enabled: 'O' | 'D' | 'R' | 'A'): string {
  return `ALTER EVENT TRIGGER ${quoteIdent(name)} ${ENABLE_VERB[enabled]}`;
}

/** DROP statement of an object. */
export function dropSql(cat: Catalog, o: CatalogObject): string {
  switch (o.kind) {
    case 'column': return `ALTER TABLE ${tableName(cat, o.table)} DROP COLUMN ${quoteIdent(o.name)}`;
    case 'constraint': return `ALTER TABLE ${tableName(cat, o.table)} DROP CONSTRAINT ${quoteIdent(o.name)}`;
    case 'default_acl': return '';
    default: return `DROP ${objectTarget(cat, o)}`;
  }
}

/** `ALTER <kind> <name> OWNER TO <role>` (null: the role running the migration). */
export function ownerSql(cat: Catalog, o: CatalogObject, role: string | null): string {
  return `ALTER ${objectTarget(cat, o)} OWNER TO ${roleSql(role)}`;
}

/** The object of a GRANT/REVOKE (`TABLE s.t`, `FUNCTION s.f(int)` …), or null when the kind has no privileges. */
export function grantTarget(cat: Catalog, o: CatalogObject): string | null {
  switch (o.kind) {
    case 'table':
    case 'view':
    case 'matview': return `TABLE ${qualified(o.schema, o.name)}`;
    case 'sequence': return `SEQUENCE ${qualified(o.schema, o.name)}`;
    case 'function': return `${o.prokind === 'p' ? 'PROCEDURE' : 'FUNCTION'} ${routineSignature(o)}`;
    case 'schema': return `SCHEMA ${quoteIdent(o.name)}`;
    case 'type': return `TYPE ${qualified(o.schema, o.name)}`;
    case 'domain': return `DOMAIN ${qualified(o.schema, o.name)}`;
    case 'column': return `TABLE ${tableName(cat, o.table)}`;
    case 'foreign_data_wrapper': return `FOREIGN DATA WRAPPER ${quoteIdent(o.name)}`;
    case 'server': return `FOREIGN SERVER ${quoteIdent(o.name)}`;
    default: return null;
  }
}
