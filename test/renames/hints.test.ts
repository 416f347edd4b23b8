/**
 * Reading rename hints from schema text (sql/hints.ts): which object each comment is on, the old
 * name as SQL spells it, and a clear error at file:line:column for a hint that is malformed or on
 * nothing that can be renamed. Pure (the parser only).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HintError, renameHints } from '../../src/sql/hints.js';
import { lexicalTokens } from '../../src/sql/lexical.js';
import { loadParser } from '../../src/sql/split.js';

beforeAll(() => loadParser());

/** The hints of `text` as `target ← from` lines. */
function read(text: string): string[] {
  return renameHints(text, 'schema.sql').map((h) => {
    const t = h.target;
    const on = 'object' in t ? `${t.kind} ${t.object.schema ? `${t.object.schema}.` : ''}${t.object.name}` : `${t.kind} ${t.parent.name}.${t.name}`;
    return `${on} <- ${h.from.schema ? `${h.from.schema}.` : ''}${h.from.name} @${h.line}:${h.column}`;
  });
}

function error(text: string): HintError {
  try {
    renameHints(text, 'schema.sql');
  } catch (e) {
    expect(e).toBeInstanceOf(HintError);
    return e as HintError;
  }
  throw new Error('expected a HintError');
}

describe('rename hints', () => {
  it('a comment on its own line applies to what follows; after code, to what the line belongs to', () => {
    expect(read(`-- schemaplan:renamed-from people
CREATE TABLE persons (
    id bigint PRIMARY KEY,
    -- schemaplan:renamed-from mail
    email text NOT NULL,
    full_name text, -- schemaplan:renamed-from name
    nick text
        NOT NULL, -- schemaplan:renamed-from nickname
    CONSTRAINT persons_email_check CHECK (email <> '') -- schemaplan:renamed-from email_not_blank
);
CREATE INDEX persons_email_idx ON persons (email); -- schemaplan:renamed-from people_mail_idx
`)).toEqual([
      'table persons <- people @1:1',
      'column persons.email <- mail @4:5',
      'column persons.full_name <- name @6:21',
      'column persons.nick <- nickname @8:19',
      'constraint persons.persons_email_check <- email_not_blank @9:56',
      'index persons_email_idx <- people_mail_idx @11:52',
    ]);
  });

  it('every kind of statement it can be placed on', () => {
    expect(read(`
/* schemaplan:renamed-from "Old View" */
CREATE VIEW app.v AS SELECT 1 AS x;
-- schemaplan:renamed-from old_mv
CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;
-- schemaplan:renamed-from old_schema.f
CREATE FUNCTION f(a int, OUT b int) LANGUAGE sql AS 'select a';
-- schemaplan:renamed-from p0
CREATE PROCEDURE p(int, text) LANGUAGE sql AS '';
-- schemaplan:renamed-from agg0
CREATE AGGREGATE agg(int) (sfunc = int4pl, stype = int);
-- schemaplan:renamed-from seq0
CREATE SEQUENCE seq;
-- schemaplan:renamed-from r0
CREATE TYPE r AS RANGE (subtype = int);
CREATE TYPE pair AS (
    -- schemaplan:renamed-from a0
    a int,
    b int -- schemaplan:renamed-from b0
);
CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (VALUE > 0); -- schemaplan:renamed-from positive
CREATE DOMAIN pos2 AS int
    -- schemaplan:renamed-from positive
    CONSTRAINT pos2_check CHECK (VALUE > 0);
CREATE DOMAIN pos3 AS int
    CONSTRAINT pos3_check CHECK (VALUE > 0); -- schemaplan:renamed-from positive3
-- schemaplan:renamed-from trg0
CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
CREATE POLICY pol ON t USING (true); -- schemaplan:renamed-from pol0
ALTER TABLE t ADD COLUMN c int; -- schemaplan:renamed-from c0
-- schemaplan:renamed-from k0
ALTER TABLE t ADD CONSTRAINT k UNIQUE (c);
`)).toEqual([
      'view app.v <- Old View @2:1',
      'matview mv <- old_mv @4:1',
      'function f <- old_schema.f @6:1',
      'function p <- p0 @8:1',
      'function agg <- agg0 @10:1',
      'sequence seq <- seq0 @12:1',
      'type r <- r0 @14:1',
      'attribute pair.a <- a0 @17:5',
      'attribute pair.b <- b0 @19:11',
      'domain pos <- positive @21:66',
      'domain_constraint pos2.pos2_check <- positive @23:5',
      // After the end of a statement of several lines: on what starts on that line.
      'domain_constraint pos3.pos3_check <- positive3 @26:46',
      'trigger t.trg <- trg0 @27:1',
      'policy t.pol <- pol0 @29:38',
      'column t.c <- c0 @30:33',
      'constraint t.k <- k0 @31:1',
    ]);
    const [f, p, agg] = renameHints(`-- schemaplan:renamed-from g
CREATE FUNCTION f(a int, OUT b int) LANGUAGE sql AS 'select a';
-- schemaplan:renamed-from q
CREATE PROCEDURE p(int, INOUT text) LANGUAGE sql AS '';
-- schemaplan:renamed-from a
CREATE AGGREGATE agg(int, int) (sfunc = int4pl, stype = int);`, 'x.sql').map((h) => h.target);
    expect(f).toMatchObject({ kind: 'function', routine: 'function', argCount: 1 });
    expect(p).toMatchObject({ kind: 'function', routine: 'procedure', argCount: 2 });
    expect(agg).toMatchObject({ kind: 'function', routine: 'aggregate', argCount: 2 });
  });

  it('enum labels, in the list or on ADD VALUE; quoted names keep their case, bare ones fold', () => {
    expect(read(`CREATE TYPE "Status" AS ENUM (
    'new',
    -- schemaplan:renamed-from 'in progress'
    'active', 'done', -- schemaplan:renamed-from 'Finished'
    'it''s'
);
ALTER TYPE "Status" ADD VALUE 'archived'; -- schemaplan:renamed-from 'old'
-- schemaplan:renamed-from OldTable
CREATE TABLE "New" (x int);
`)).toEqual([
      'enum_value Status.active <- in progress @3:5',
      'enum_value Status.done <- Finished @4:23',
      'enum_value Status.archived <- old @7:43',
      'table New <- oldtable @8:1',
    ]);
  });

  it('ignores look-alikes in strings, function bodies and ordinary comments', () => {
    expect(read(`CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
  -- schemaplan:renamed-from g
  RETURN '-- schemaplan:renamed-from h';
END $body$;
COMMENT ON TABLE t IS '-- schemaplan:renamed-from x';
-- see the schemaplan:renamed-from docs
CREATE TABLE t (x int);`)).toEqual([]);
  });

  it('a malformed or misplaced hint is an error at its file:line:column', () => {
    let e = error('CREATE TABLE t (x int);\n\n-- schemaplan:renamed-from\nCREATE TABLE u (x int);');
    expect(e.message).toBe('schema.sql:3:1: schemaplan:renamed-from: the old name is missing');
    e = error('-- schemaplan:renamed-from a b\nCREATE TABLE t (x int);');
    expect(e.message).toMatch(/^schema\.sql:1:1: .*unexpected text after the name: "b"/);
    e = error('-- schemaplan:renamed_from a\nCREATE TABLE t (x int);');
    expect(e.message).toMatch(/^schema\.sql:1:1: unknown directive "schemaplan:renamed_from"/);
    e = error('-- schemaplan:renamed-from a\nCOMMENT ON TABLE t IS \'x\';');
    expect(e.message).toMatch(/^schema\.sql:1:1: schemaplan:renamed-from is not placed on an object it can rename/);
    e = error('CREATE TABLE t (\n  x int\n  -- schemaplan:renamed-from y\n);');
    expect([e.line, e.column]).toEqual([3, 3]);
    e = error('CREATE TABLE t (\n  -- schemaplan:renamed-from s.y\n  x int);');
    expect(e.message).toMatch(/a column is renamed within its table: write the old name only/);
    e = error('-- schemaplan:renamed-from "unclosed\nCREATE TABLE t (x int);');
    expect(e.message).toMatch(/unclosed " in the name/);
    e = error("CREATE TYPE e AS ENUM (\n  -- schemaplan:renamed-from a.b\n  'x');");
    expect(e.message).toMatch(/an enum label is one string/);
  });

  it('the lexical scan finds comments and strings as PostgreSQL\'s scanner does', () => {
    const text = `SELECT E'a\\'b', 'c''d', "e--f", $$ -- g $$, $t$x$t$, $1, a$b, U&'h' /* i /* j */ k */ -- l`;
    const toks = lexicalTokens(text).map((t) => `${t.type}:${text.slice(t.start, t.end)}`);
    expect(toks).toEqual([
      "string:E'a\\'b'", "string:'c''d'", 'string:$$ -- g $$', 'string:$t$x$t$', "string:U&'h'", 'comment:/* i /* j */ k */', 'comment:-- l',
    ]);
    expect(lexicalTokens(text).filter((t) => t.type === 'string').map((t) => t.value)).toEqual(["a'b", "c'd", ' -- g ', 'x', 'h']);
  });
});
