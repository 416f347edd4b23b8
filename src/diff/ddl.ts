/**
 * DDL text for creating, dropping and commenting on each modelled object kind, built from catalog
 * definitions (never by deparsing a parse tree: FACTS.md records silent deparser bugs).
 */
import type { Catalog, CatalogObject, ColumnObject, IdentitySpec, SequenceObject } from '../catalog/model.js';
import { qualified, quoteIdent, quoteLiteral } from '../db/quote.js';

/** `schema.table` of a column/constraint/index/trigger's table identity (`table:s.t`). */
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
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.generated}) STORED`);
  if (c.identity) parts.push(identityClause(c.identity));
  if (c.default !== null) parts.push(`DEFAULT ${c.default}`);
  if (c.notNull) parts.push('NOT NULL');
  return parts.join(' ');
}

/** The `COMMENT ON <target>` target of an object, e.g. `COLUMN public.leads.email`. */
export function commentTarget(cat: Catalog, o: CatalogObject): string {
  switch (o.kind) {
    case 'schema': return `SCHEMA ${quoteIdent(o.name)}`;
    case 'extension': return `EXTENSION ${quoteIdent(o.name)}`;
    case 'type': return `TYPE ${qualified(o.schema, o.name)}`;
    case 'sequence': return `SEQUENCE ${qualified(o.schema, o.name)}`;
    case 'table': return `TABLE ${qualified(o.schema, o.name)}`;
    case 'column': return `COLUMN ${tableName(cat, o.table)}.${quoteIdent(o.name)}`;
    case 'constraint': return `CONSTRAINT ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
    case 'index': return `INDEX ${qualified(o.schema, o.name)}`;
    case 'function': return `${o.prokind === 'p' ? 'PROCEDURE' : 'FUNCTION'} ${qualified(o.schema, o.name)}(${o.identityArgs})`;
    case 'trigger': return `TRIGGER ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
  }
}

/** `COMMENT ON … IS '…'` (or `IS NULL`). */
export function commentSql(cat: Catalog, o: CatalogObject, text: string | null): string {
  return `COMMENT ON ${commentTarget(cat, o)} IS ${text === null ? 'NULL' : quoteLiteral(text)}`;
}

/** CREATE statement(s) of a standalone object (not columns, which belong to their table). */
export function createSql(cat: Catalog, o: CatalogObject): string[] {
  switch (o.kind) {
    case 'schema': return [`CREATE SCHEMA ${quoteIdent(o.name)}`];
    case 'extension': return [`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(o.name)} WITH SCHEMA ${quoteIdent(o.schema)}`];
    case 'type': return [`CREATE TYPE ${qualified(o.schema, o.name)} AS ENUM (${o.values.map(quoteLiteral).join(', ')})`];
    case 'sequence': {
      const opts = sequenceOptions(o);
      return [`CREATE SEQUENCE ${qualified(o.schema, o.name)}${o.dataType === 'bigint' ? '' : ` AS ${o.dataType}`}${opts ? ` ${opts}` : ''}`];
    }
    case 'table': {
      const cols = o.columns.map((id) => cat.objects[id] as ColumnObject).filter(Boolean).sort((a, b) => a.position - b.position);
      const body = cols.map((c) => '    ' + columnDefinition(c)).join(',\n');
      return [`CREATE ${o.persistence === 'u' ? 'UNLOGGED ' : ''}TABLE ${qualified(o.schema, o.name)} (${cols.length ? '\n' + body + '\n' : ''})`];
    }
    case 'column': return [`ALTER TABLE ${tableName(cat, o.table)} ADD COLUMN ${columnDefinition(o)}`];
    case 'constraint': return [`ALTER TABLE ${tableName(cat, o.table)} ADD CONSTRAINT ${quoteIdent(o.name)} ${o.definition}`];
    case 'index': return [o.definition];
    case 'function': return [o.definition.trim()];
    case 'trigger': {
      const out = [o.definition];
      if (o.enabled !== 'O') out.push(triggerEnableSql(cat, o.table, o.name, o.enabled));
      return out;
    }
  }
}

/** `ALTER TABLE … ENABLE/DISABLE [REPLICA|ALWAYS] TRIGGER …`. */
export function triggerEnableSql(cat: Catalog, tableId: string, name: string, enabled: 'O' | 'D' | 'R' | 'A'): string {
  const verb = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[enabled];
  return `ALTER TABLE ${tableName(cat, tableId)} ${verb} TRIGGER ${quoteIdent(name)}`;
}

/** DROP statement of an object. */
export function dropSql(cat: Catalog, o: CatalogObject): string {
  switch (o.kind) {
    case 'schema': return `DROP SCHEMA ${quoteIdent(o.name)}`;
    case 'extension': return `DROP EXTENSION ${quoteIdent(o.name)}`;
    case 'type': return `DROP TYPE ${qualified(o.schema, o.name)}`;
    case 'sequence': return `DROP SEQUENCE ${qualified(o.schema, o.name)}`;
    case 'table': return `DROP TABLE ${qualified(o.schema, o.name)}`;
    case 'column': return `ALTER TABLE ${tableName(cat, o.table)} DROP COLUMN ${quoteIdent(o.name)}`;
    case 'constraint': return `ALTER TABLE ${tableName(cat, o.table)} DROP CONSTRAINT ${quoteIdent(o.name)}`;
    case 'index': return `DROP INDEX ${qualified(o.schema, o.name)}`;
    case 'function': return `DROP ${o.prokind === 'p' ? 'PROCEDURE' : 'FUNCTION'} ${qualified(o.schema, o.name)}(${o.identityArgs})`;
    case 'trigger': return `DROP TRIGGER ${quoteIdent(o.name)} ON ${tableName(cat, o.table)}`;
  }
}
