/**
 * Convergence per object kind: small schema pairs A and B; each case checks A→B and B→A (apply up,
 * catalogs match, re-plan is empty, down restores the start) on a fresh pair of databases.
 */
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { buildPlan } from '../../src/plan/plan.js';
import { applySection, converge, convergenceCases, loadedDatabase, script } from '../support/converge.js';

const cases = convergenceCases;

const T = 'CREATE TABLE t (id int);';

cases('schemas', [
  { name: 'create / drop a schema', a: '', b: 'CREATE SCHEMA app;', opts: { schemas: ['public', 'app'] } },
  {
    name: 'schema with a table and a comment',
    a: '',
    b: `CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY); COMMENT ON SCHEMA app IS 'the app';`,
    opts: { schemas: ['public', 'app'] },
  },
  {
    name: 'cross-schema foreign key',
    a: 'CREATE SCHEMA app; CREATE TABLE app.p (id int PRIMARY KEY);',
    b: 'CREATE SCHEMA app; CREATE TABLE app.p (id int PRIMARY KEY); CREATE TABLE public.c (pid int REFERENCES app.p);',
    opts: { schemas: ['public', 'app'] },
  },
]);

cases('extensions', [
  { name: 'citext', a: '', b: 'CREATE EXTENSION citext;' },
  { name: 'citext with a column using it', a: T, b: 'CREATE EXTENSION citext; CREATE TABLE t (id int, email citext);' },
  { name: 'pg_trgm with a trigram index', a: 'CREATE TABLE t (name text);', b: 'CREATE EXTENSION pg_trgm; CREATE TABLE t (name text); CREATE INDEX t_name_trgm ON t USING gin (name gin_trgm_ops);' },
]);

cases('enums', [
  { name: 'create / drop', a: '', b: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');` },
  { name: 'value added at the end', a: `CREATE TYPE mood AS ENUM ('sad', 'ok');`, b: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');` },
  { name: 'value added in the middle', a: `CREATE TYPE mood AS ENUM ('sad', 'happy');`, b: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');` },
  { name: 'values added at both ends', a: `CREATE TYPE mood AS ENUM ('ok');`, b: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'elated');` },
  {
    name: 'value added, used by a column with a default',
    a: `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (m mood DEFAULT 'ok');`,
    b: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood DEFAULT 'ok');`,
    opts: { seed: { a: `INSERT INTO t VALUES ('sad');` } },
  },
  {
    name: 'value removed and values reordered, column with a default and an index',
    a: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood NOT NULL DEFAULT 'ok', n mood[]); CREATE INDEX t_m ON t (m);`,
    b: `CREATE TYPE mood AS ENUM ('happy', 'ok'); CREATE TABLE t (m mood NOT NULL DEFAULT 'ok', n mood[]); CREATE INDEX t_m ON t (m);`,
    opts: { seed: { a: `INSERT INTO t VALUES ('ok'), ('happy');`, b: `INSERT INTO t VALUES ('ok');` } },
  },
  {
    name: 'enum used by two tables',
    a: `CREATE TYPE mood AS ENUM ('a', 'b', 'c'); CREATE TABLE t1 (m mood); CREATE TABLE t2 (m mood DEFAULT 'b');`,
    b: `CREATE TYPE mood AS ENUM ('c', 'b'); CREATE TABLE t1 (m mood); CREATE TABLE t2 (m mood DEFAULT 'b');`,
  },
  {
    name: 'value removed while functions, constraints, indexes and triggers use the enum',
    a: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE FUNCTION best() RETURNS mood LANGUAGE sql IMMUTABLE AS $$ SELECT 'happy'::mood $$;
        CREATE FUNCTION is_ok(m mood) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT m = 'ok' $$;
        CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE t (id int, m mood DEFAULT best() CHECK (m <> 'sad' OR id > 0), g boolean GENERATED ALWAYS AS (m = 'ok') STORED);
        CREATE INDEX t_ok ON t (id) WHERE m = 'ok';
        CREATE INDEX t_f ON t (is_ok(m));
        CREATE TRIGGER t_m BEFORE UPDATE OF m ON t FOR EACH ROW EXECUTE FUNCTION tf();
        COMMENT ON TYPE mood IS 'how it feels';`,
    b: `CREATE TYPE mood AS ENUM ('ok', 'happy');
        CREATE FUNCTION best() RETURNS mood LANGUAGE sql IMMUTABLE AS $$ SELECT 'happy'::mood $$;
        CREATE FUNCTION is_ok(m mood) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT m = 'ok' $$;
        CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE t (id int, m mood DEFAULT best() CHECK (m <> 'happy' OR id > 0), g boolean GENERATED ALWAYS AS (m = 'ok') STORED);
        CREATE INDEX t_ok ON t (id) WHERE m = 'ok';
        CREATE INDEX t_f ON t (is_ok(m));
        CREATE TRIGGER t_m BEFORE UPDATE OF m ON t FOR EACH ROW EXECUTE FUNCTION tf();
        COMMENT ON TYPE mood IS 'how it feels';`,
    opts: { seed: { a: `INSERT INTO t (id, m) VALUES (1, 'ok'), (2, 'happy');`, b: `INSERT INTO t (id, m) VALUES (1, 'ok');` } },
  },
  {
    name: 'new enum and a new column using it on an existing table',
    a: T,
    b: `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (id int, m mood DEFAULT 'ok' NOT NULL);`,
  },
]);

cases('sequences', [
  { name: 'create / drop', a: '', b: 'CREATE SEQUENCE s START 10 INCREMENT 5;' },
  {
    name: 'parameters changed',
    a: 'CREATE SEQUENCE s;',
    b: 'CREATE SEQUENCE s AS integer INCREMENT 2 MINVALUE 0 MAXVALUE 1000 START 5 CACHE 10 CYCLE;',
  },
  { name: 'descending sequence', a: 'CREATE SEQUENCE s;', b: 'CREATE SEQUENCE s INCREMENT -1;' },
  { name: 'OWNED BY set / removed', a: `${T} CREATE SEQUENCE s;`, b: `${T} CREATE SEQUENCE s OWNED BY t.id;` },
  { name: 'sequence used by a default', a: T, b: `CREATE SEQUENCE s; CREATE TABLE t (id int DEFAULT nextval('s'));` },
  { name: 'serial table', a: '', b: 'CREATE TABLE t (id serial PRIMARY KEY, name text);' },
  { name: 'serial column added', a: T, b: 'CREATE TABLE t (id int, n bigserial);' },
  { name: 'serial → bigserial', a: 'CREATE TABLE t (id serial);', b: 'CREATE TABLE t (id bigserial);' },
]);

cases('tables', [
  { name: 'create / drop', a: '', b: `CREATE TABLE t (id int, name text NOT NULL DEFAULT '', at timestamptz DEFAULT now());` },
  { name: 'table without columns', a: '', b: 'CREATE TABLE t ();' },
  { name: 'logged ↔ unlogged', a: T, b: 'CREATE UNLOGGED TABLE t (id int);' },
  { name: 'two tables with a foreign key', a: '', b: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, p int REFERENCES p);' },
  {
    name: 'self-referencing and mutually referencing tables',
    a: '',
    b: `CREATE TABLE a (id int PRIMARY KEY, parent int REFERENCES a, b int);
        CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a);
        ALTER TABLE a ADD FOREIGN KEY (b) REFERENCES b;`,
  },
  {
    name: 'three tables in a reference cycle',
    a: 'CREATE TABLE keep (id int);',
    b: `CREATE TABLE keep (id int);
        CREATE TABLE a (id int PRIMARY KEY, c int); CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a);
        CREATE TABLE c (id int PRIMARY KEY, b int REFERENCES b, keep int); ALTER TABLE a ADD FOREIGN KEY (c) REFERENCES c;`,
  },
  {
    name: 'drop a table that a kept table references',
    a: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p);',
    b: 'CREATE TABLE c (pid int);',
  },
]);

cases('columns', [
  { name: 'add / drop', a: T, b: `CREATE TABLE t (id int, name text NOT NULL DEFAULT 'x');`, opts: { seed: { a: 'INSERT INTO t VALUES (1);' } } },
  { name: 'int → bigint', a: T, b: 'CREATE TABLE t (id bigint);', opts: { seed: { a: 'INSERT INTO t VALUES (1);', b: 'INSERT INTO t VALUES (2);' } } },
  { name: 'varchar(10) → text', a: 'CREATE TABLE t (s varchar(10));', b: 'CREATE TABLE t (s text);' },
  { name: 'text → varchar(5) (narrowing)', a: 'CREATE TABLE t (s text);', b: 'CREATE TABLE t (s varchar(5));', opts: { seed: { a: `INSERT INTO t VALUES ('abc');` } } },
  { name: 'numeric precision', a: 'CREATE TABLE t (n numeric(10,2));', b: 'CREATE TABLE t (n numeric(12,4));' },
  { name: 'text → integer with a cast', a: 'CREATE TABLE t (n text);', b: 'CREATE TABLE t (n integer);', opts: { seed: { a: `INSERT INTO t VALUES ('42');` } } },
  { name: 'type change with a default', a: 'CREATE TABLE t (n int DEFAULT 0);', b: `CREATE TABLE t (n bigint DEFAULT 7);` },
  { name: 'type change with an index and a check', a: 'CREATE TABLE t (n int CHECK (n > 0)); CREATE INDEX t_n ON t (n);', b: 'CREATE TABLE t (n bigint CHECK (n > 0)); CREATE INDEX t_n ON t (n);' },
  { name: 'default set / drop', a: T, b: 'CREATE TABLE t (id int DEFAULT 1);' },
  { name: 'default changed', a: 'CREATE TABLE t (id int DEFAULT 1);', b: 'CREATE TABLE t (id int DEFAULT 2);' },
  { name: 'expression default', a: 'CREATE TABLE t (at timestamptz);', b: `CREATE TABLE t (at timestamptz DEFAULT (now() + interval '1 day'));` },
  { name: 'NOT NULL set / drop', a: T, b: 'CREATE TABLE t (id int NOT NULL);', opts: { seed: { a: 'INSERT INTO t VALUES (1);' } } },
  { name: 'identity add / drop', a: 'CREATE TABLE t (id int NOT NULL);', b: 'CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);' },
  { name: 'identity on a nullable column', a: T, b: 'CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY);' },
  { name: 'identity ALWAYS ↔ BY DEFAULT', a: 'CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);', b: 'CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY);' },
  {
    name: 'identity options changed',
    a: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY);',
    b: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10 CACHE 5 CYCLE));',
  },
  { name: 'identity column int → bigint', a: 'CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);', b: 'CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY);' },
  { name: 'serial default ↔ identity', a: 'CREATE TABLE t (id serial);', b: 'CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY);' },
  { name: 'generated column add / drop', a: 'CREATE TABLE t (a int);', b: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);' },
  { name: 'generated expression changed', a: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);', b: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) STORED);' },
  { name: 'generated ↔ plain column', a: 'CREATE TABLE t (a int, b int);', b: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a + 1) STORED);' },
  {
    name: 'generated column on a column whose type changes',
    a: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED); CREATE INDEX t_b ON t (b);',
    b: 'CREATE TABLE t (a bigint, b bigint GENERATED ALWAYS AS (a * 2) STORED); CREATE INDEX t_b ON t (b);',
    opts: { seed: { a: 'INSERT INTO t (a) VALUES (1);' } },
  },
  {
    name: 'generated expression changed, with an index and a comment on it',
    a: `CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED); CREATE INDEX t_b ON t (b); COMMENT ON COLUMN t.b IS 'doubled';`,
    b: `CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 3) STORED); CREATE INDEX t_b ON t (b); COMMENT ON COLUMN t.b IS 'doubled';`,
  },
  {
    name: 'generated column using a function that is replaced',
    a: `${'CREATE FUNCTION dbl(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;'} CREATE TABLE t (a int, b int GENERATED ALWAYS AS (dbl(a)) STORED);`,
    b: `${'CREATE FUNCTION dbl(x integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2::bigint $$;'} CREATE TABLE t (a int, b bigint GENERATED ALWAYS AS (dbl(a)) STORED);`,
  },
  { name: 'generated → plain while its base column changes type', a: 'CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);', b: 'CREATE TABLE t (a bigint, b int);' },
  {
    name: 'drop a column used by a trigger and a function body',
    a: `CREATE TABLE t (id int, x int); ${'CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;'}
        CREATE TRIGGER t_x BEFORE UPDATE OF x ON t FOR EACH ROW EXECUTE FUNCTION tf();
        CREATE FUNCTION sx() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(x) FROM t; END;`,
    b: `CREATE TABLE t (id int); ${'CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;'}
        CREATE TRIGGER t_x BEFORE UPDATE OF id ON t FOR EACH ROW EXECUTE FUNCTION tf();
        CREATE FUNCTION sx() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(id) FROM t; END;`,
  },
  { name: 'collation changed', a: 'CREATE TABLE t (s text);', b: 'CREATE TABLE t (s text COLLATE "C");' },
  { name: 'collation and type changed', a: 'CREATE TABLE t (s varchar(10) COLLATE "POSIX");', b: 'CREATE TABLE t (s text COLLATE "C");' },
  { name: 'array column', a: T, b: 'CREATE TABLE t (id int, tags text[] NOT NULL DEFAULT \'{}\');' },
]);

cases('constraints', [
  { name: 'primary key add / drop', a: T, b: 'CREATE TABLE t (id int PRIMARY KEY);' },
  { name: 'primary key on a NOT NULL column', a: 'CREATE TABLE t (id int NOT NULL);', b: 'CREATE TABLE t (id int NOT NULL PRIMARY KEY);' },
  { name: 'unique add / drop', a: 'CREATE TABLE t (a int, b int);', b: 'CREATE TABLE t (a int, b int, UNIQUE (a, b));' },
  { name: 'unique nulls not distinct', a: 'CREATE TABLE t (a int, UNIQUE (a));', b: 'CREATE TABLE t (a int, UNIQUE NULLS NOT DISTINCT (a));', minMajor: 15 },
  { name: 'check add / drop', a: 'CREATE TABLE t (a int);', b: 'CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));' },
  { name: 'check changed', a: 'CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));', b: 'CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a >= 0 AND a < 100));' },
  {
    name: 'foreign key with actions, deferrable',
    a: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p);',
    b: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED);',
  },
  {
    name: 'foreign key add / drop',
    a: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int);',
    b: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int CONSTRAINT c_fk REFERENCES p ON DELETE SET DEFAULT);',
  },
  {
    name: 'exclusion constraint using gist (btree_gist)',
    a: 'CREATE TABLE r (room int, during tsrange);',
    b: 'CREATE EXTENSION btree_gist; CREATE TABLE r (room int, during tsrange, EXCLUDE USING gist (room WITH =, during WITH &&));',
  },
  {
    name: 'NOT VALID check and foreign key',
    a: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int, a int);',
    b: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int, a int);
        ALTER TABLE c ADD CONSTRAINT c_a CHECK (a > 0) NOT VALID;
        ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p NOT VALID;`,
    opts: { seed: { a: 'INSERT INTO c VALUES (7, -1);' } },
  },
  {
    name: 'NOT VALID ↔ validated',
    a: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int, a int);
        ALTER TABLE c ADD CONSTRAINT c_a CHECK (a > 0) NOT VALID;
        ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p NOT VALID;`,
    b: `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int, a int);
        ALTER TABLE c ADD CONSTRAINT c_a CHECK (a > 0);
        ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p;`,
  },
  {
    name: 'primary key changed while a foreign key references it',
    a: 'CREATE TABLE p (id int PRIMARY KEY, name text); CREATE TABLE c (pid int REFERENCES p);',
    b: 'CREATE TABLE p (id int, name text, PRIMARY KEY (id) INCLUDE (name)); CREATE TABLE c (pid int REFERENCES p);',
  },
  {
    name: 'referenced unique constraint changed',
    a: 'CREATE TABLE p (id int, code text, CONSTRAINT p_code UNIQUE (code)); CREATE TABLE c (code text REFERENCES p (code));',
    b: 'CREATE TABLE p (id int, code text, CONSTRAINT p_code UNIQUE (code) DEFERRABLE); CREATE TABLE c (code text);',
  },
  {
    name: 'composite primary key and foreign key replaced',
    a: 'CREATE TABLE p (id int PRIMARY KEY, v int); CREATE TABLE c (pid int, v int, FOREIGN KEY (pid) REFERENCES p);',
    b: 'CREATE TABLE p (id int, v int, PRIMARY KEY (id, v)); CREATE TABLE c (pid int, v int, FOREIGN KEY (pid, v) REFERENCES p);',
  },
  {
    name: 'referenced column type widened',
    a: 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p);',
    b: 'CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (pid bigint REFERENCES p);',
  },
]);

cases('indexes', [
  { name: 'btree', a: 'CREATE TABLE t (a int, b text);', b: 'CREATE TABLE t (a int, b text); CREATE INDEX t_a ON t (a, b);' },
  { name: 'gin on jsonb', a: 'CREATE TABLE t (j jsonb);', b: 'CREATE TABLE t (j jsonb); CREATE INDEX t_j ON t USING gin (j jsonb_path_ops);' },
  { name: 'gist', a: 'CREATE TABLE t (p point);', b: 'CREATE TABLE t (p point); CREATE INDEX t_p ON t USING gist (p);' },
  { name: 'hash', a: 'CREATE TABLE t (s text);', b: 'CREATE TABLE t (s text); CREATE INDEX t_s ON t USING hash (s);' },
  { name: 'partial', a: 'CREATE TABLE t (a int, done bool);', b: 'CREATE TABLE t (a int, done bool); CREATE INDEX t_open ON t (a) WHERE NOT done;' },
  { name: 'expression', a: 'CREATE TABLE t (s text);', b: 'CREATE TABLE t (s text); CREATE INDEX t_lower ON t (lower(s));' },
  { name: 'INCLUDE', a: 'CREATE TABLE t (a int, b int);', b: 'CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a) INCLUDE (b);' },
  { name: 'unique', a: 'CREATE TABLE t (a int);', b: 'CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a ON t (a);' },
  { name: 'DESC NULLS FIRST', a: 'CREATE TABLE t (a int, b int);', b: 'CREATE TABLE t (a int, b int); CREATE INDEX t_ab ON t (a DESC NULLS LAST, b NULLS FIRST);' },
  { name: 'definition changed', a: 'CREATE TABLE t (a int, b int); CREATE INDEX t_i ON t (a);', b: 'CREATE TABLE t (a int, b int); CREATE INDEX t_i ON t (b, a) WHERE a > 0;' },
  { name: 'index with collation and opclass', a: 'CREATE TABLE t (s text);', b: 'CREATE TABLE t (s text); CREATE INDEX t_s ON t (s COLLATE "C" text_pattern_ops);' },
  { name: 'index on a dropped column', a: 'CREATE TABLE t (a int, b int); CREATE INDEX t_b ON t (b);', b: 'CREATE TABLE t (a int);' },
]);

const addOne = (ret = 'integer', body = 'SELECT $1 + 1') => `CREATE FUNCTION add_one(x integer) RETURNS ${ret} LANGUAGE sql IMMUTABLE AS $$ ${body} $$;`;
const plpgsql = (body: string) => `CREATE FUNCTION bump(x integer) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN ${body} END $$;`;
cases('functions', [
  { name: 'sql function create / drop', a: '', b: addOne() },
  { name: 'plpgsql function create / drop', a: '', b: plpgsql('RETURN x + 1;') },
  { name: 'body change (CREATE OR REPLACE)', a: plpgsql('RETURN x + 1;'), b: plpgsql('RETURN x + 2;') },
  { name: 'volatility and attributes change', a: addOne(), b: `CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog AS $$ SELECT $1 + 1 $$;` },
  { name: 'return type change (drop + create)', a: addOne(), b: addOne('bigint') },
  { name: 'argument name change (drop + create)', a: addOne(), b: `CREATE FUNCTION add_one(y integer) RETURNS integer LANGUAGE sql AS $$ SELECT $1 + 1 $$;` },
  { name: 'argument default added', a: addOne(), b: `CREATE FUNCTION add_one(x integer DEFAULT 0) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + 1 $$;` },
  {
    name: 'overloads',
    a: `${addOne()} CREATE FUNCTION add_one(x text) RETURNS text LANGUAGE sql AS $$ SELECT x || '1' $$;`,
    b: `${addOne()} CREATE FUNCTION add_one(x integer, y integer) RETURNS integer LANGUAGE sql AS $$ SELECT x + y + 1 $$;`,
  },
  { name: 'procedure', a: '', b: 'CREATE PROCEDURE p(a int) LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE \'%\', a; END $$;' },
  { name: 'set-returning function', a: T, b: `${T} CREATE FUNCTION ids() RETURNS SETOF t LANGUAGE sql AS $$ SELECT * FROM t $$;` },
  { name: 'SQL-standard body depending on a table', a: T, b: `${T} CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;` },
  {
    name: 'function used by a column default, replaced',
    a: `CREATE FUNCTION next_code() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$; CREATE TABLE t (c integer DEFAULT next_code());`,
    b: `CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS $$ SELECT 2::bigint $$; CREATE TABLE t (c bigint DEFAULT next_code());`,
  },
  {
    name: 'function used by a column default, body changed',
    a: `CREATE FUNCTION next_code() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$; CREATE TABLE t (c integer DEFAULT next_code());`,
    b: `CREATE FUNCTION next_code() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$; CREATE TABLE t (c integer DEFAULT next_code());`,
  },
  {
    name: 'function used by a column default, return type changed, column kept',
    a: `CREATE FUNCTION next_code() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$; CREATE TABLE t (c bigint DEFAULT next_code());`,
    b: `CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS $$ SELECT 2::bigint $$; CREATE TABLE t (c bigint DEFAULT next_code());`,
  },
  {
    name: 'function used in a CHECK constraint, replaced',
    a: `${addOne()} CREATE TABLE t (a int CHECK (add_one(a) > 0));`,
    b: `${addOne('bigint')} CREATE TABLE t (a int CHECK (add_one(a) > 0));`,
  },
  {
    name: 'function used in a CHECK constraint, body changed',
    a: `${addOne()} CREATE TABLE t (a int CHECK (add_one(a) > 0));`,
    b: `${addOne('integer', 'SELECT $1 + 2')} CREATE TABLE t (a int CHECK (add_one(a) > 0));`,
  },
  {
    name: 'function used by an expression index, replaced',
    a: `${addOne()} CREATE TABLE t (a int); CREATE INDEX t_f ON t (add_one(a));`,
    b: `${addOne('bigint')} CREATE TABLE t (a int); CREATE INDEX t_f ON t (add_one(a));`,
  },
  {
    name: 'SQL-standard body on a column whose type changes',
    a: `${T} CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(id) FROM t; END;`,
    b: `CREATE TABLE t (id bigint); CREATE FUNCTION n() RETURNS numeric LANGUAGE sql BEGIN ATOMIC SELECT sum(id) FROM t; END;`,
  },
  {
    name: 'SQL-standard body on a column whose type changes, function unchanged',
    a: `${T} CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(id) FROM t; END;`,
    b: `CREATE TABLE t (id bigint); CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(id) FROM t; END;`,
  },
  {
    name: 'function using an enum type',
    a: '',
    b: `CREATE TYPE mood AS ENUM ('a', 'b'); CREATE FUNCTION first_mood() RETURNS mood LANGUAGE sql AS $$ SELECT 'a'::mood $$;`,
  },
]);

const trgFn = (body = 'NEW.at := now();', name = 'touch') => `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body} RETURN NEW; END $$;`;
const TT = 'CREATE TABLE t (id int, at timestamptz);';
cases('triggers', [
  { name: 'create / drop', a: `${TT} ${trgFn()}`, b: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();` },
  { name: 'trigger and its function together', a: TT, b: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();` },
  {
    name: 'definition change',
    a: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    b: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE OF id ON t FOR EACH ROW WHEN (NEW.id > 0) EXECUTE FUNCTION touch();`,
  },
  {
    name: 'disabled trigger',
    a: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    b: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch(); ALTER TABLE t DISABLE TRIGGER t_touch;`,
  },
  {
    name: 'trigger function body replaced',
    a: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    b: `${TT} ${trgFn('NEW.at := clock_timestamp();')} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
  },
  {
    name: 'trigger moved to another function',
    a: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    b: `${TT} ${trgFn('NEW.at := clock_timestamp();', 'touch2')} CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch2();`,
  },
  {
    name: 'statement trigger with transition table',
    a: TT,
    b: `${TT} CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
        CREATE TRIGGER t_audit AFTER INSERT ON t REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION audit();`,
  },
  {
    name: 'constraint trigger',
    a: `${TT} ${trgFn()}`,
    b: `${TT} ${trgFn()} CREATE CONSTRAINT TRIGGER t_check AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION touch();`,
  },
  {
    name: 'trigger on a column whose type changes',
    a: `${TT} ${trgFn()} CREATE TRIGGER t_touch BEFORE UPDATE OF id ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
    b: `CREATE TABLE t (id bigint, at timestamptz); ${trgFn()} CREATE TRIGGER t_touch BEFORE UPDATE OF id ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
  },
]);

const ALL_KINDS = `
  CREATE SCHEMA app;
  CREATE EXTENSION citext;
  CREATE TYPE mood AS ENUM ('a', 'b');
  CREATE SEQUENCE s;
  CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, m mood, CONSTRAINT t_c CHECK (id > 0));
  CREATE INDEX t_m ON t (m);
  ${trgFn()}
  CREATE TRIGGER t_touch BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();
`;
const comments = (text: string) => `${ALL_KINDS}
  COMMENT ON SCHEMA app IS '${text} schema';
  COMMENT ON EXTENSION citext IS '${text} extension';
  COMMENT ON TYPE mood IS '${text} type';
  COMMENT ON SEQUENCE s IS '${text} sequence';
  COMMENT ON TABLE t IS '${text} table';
  COMMENT ON COLUMN t.m IS '${text} column';
  COMMENT ON CONSTRAINT t_pk ON t IS '${text} pk';
  COMMENT ON CONSTRAINT t_c ON t IS '${text} check';
  COMMENT ON INDEX t_m IS '${text} index';
  COMMENT ON FUNCTION touch() IS '${text} function';
  COMMENT ON TRIGGER t_touch ON t IS '${text} trigger';
`;
cases('comments', [
  { name: 'added / removed on every kind', a: ALL_KINDS, b: comments('a'), opts: { schemas: ['public', 'app'] } },
  { name: 'changed on every kind', a: comments('a'), b: comments(`it''s the new`), opts: { schemas: ['public', 'app'] } },
  { name: 'comment on the public schema', a: '', b: `COMMENT ON SCHEMA public IS 'mine';` },
  { name: 'comment on a new table', a: '', b: `CREATE TABLE t (id int); COMMENT ON TABLE t IS 'x'; COMMENT ON COLUMN t.id IS 'y';` },
  {
    name: 'comment kept on a re-created object',
    a: `CREATE TABLE t (a int, b int); CREATE INDEX t_i ON t (a); COMMENT ON INDEX t_i IS 'kept';`,
    b: `CREATE TABLE t (a int, b int); CREATE INDEX t_i ON t (b); COMMENT ON INDEX t_i IS 'kept';`,
  },
]);

const QUOTED = `
  CREATE SCHEMA "My Schema";
  CREATE TYPE "My Schema"."Mood" AS ENUM ('it''s', 'Big "one"', 'ü');
  CREATE SEQUENCE "My Schema"."Seq-1";
  CREATE TABLE "My Schema"."user" ("Id" int CONSTRAINT "PK id" PRIMARY KEY, "order" text, "select" "My Schema"."Mood", "café" int DEFAULT nextval('"My Schema"."Seq-1"'), "a""b" text);
  CREATE TABLE "My Schema"."Child Table" ("user" int CONSTRAINT "fk user" REFERENCES "My Schema"."user" ON DELETE CASCADE);
  CREATE INDEX "Idx Order" ON "My Schema"."user" ("order", "a""b");
  CREATE FUNCTION "My Schema"."Do Thing"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
  CREATE TRIGGER "My Trigger" BEFORE INSERT ON "My Schema"."user" FOR EACH ROW EXECUTE FUNCTION "My Schema"."Do Thing"();
  COMMENT ON COLUMN "My Schema"."user"."a""b" IS 'quoted';
`;
cases('names needing quotes', [
  { name: 'create / drop everything with quoted names', a: '', b: QUOTED, opts: { schemas: ['public', 'My Schema'] } },
  {
    name: 'alter objects with quoted names',
    a: QUOTED,
    b: `${QUOTED}
      ALTER TYPE "My Schema"."Mood" ADD VALUE 'Ñew' BEFORE 'ü';
      ALTER TABLE "My Schema"."user" ADD COLUMN "Group" int NOT NULL DEFAULT 0, ALTER COLUMN "order" TYPE varchar(20), ALTER COLUMN "café" SET NOT NULL;
      ALTER TABLE "My Schema"."user" DROP COLUMN "a""b";
      ALTER TABLE "My Schema"."Child Table" ADD CONSTRAINT "Check Me" CHECK ("user" > 0);
      ALTER SEQUENCE "My Schema"."Seq-1" INCREMENT 3 OWNED BY "My Schema"."user"."café";
      ALTER TABLE "My Schema"."user" DISABLE TRIGGER "My Trigger";
      CREATE INDEX "Idx Group" ON "My Schema"."user" ("Group") WHERE "Group" > 0;
      COMMENT ON TABLE "My Schema"."Child Table" IS 'child';`,
    opts: { schemas: ['public', 'My Schema'] },
  },
  {
    name: 'reserved-word names in public',
    a: '',
    b: `CREATE TABLE "user" ("group" int PRIMARY KEY, "Select" text UNIQUE, "limit" int CHECK ("limit" > 0));
        CREATE TABLE "order" ("user" int REFERENCES "user", "table" text);
        CREATE INDEX "from" ON "order" ("table");`,
  },
]);

describe('plan shape', () => {
  const plans = async (a: string, b: string) => {
    const [x, y] = await Promise.all([loadedDatabase(a, 'A.sql'), loadedDatabase(b, 'B.sql')]);
    try {
      const [ca, cb] = await Promise.all([introspect(x.db), introspect(y.db)]);
      return { up: buildPlan(ca, cb, { allowDestructive: true }), down: buildPlan(cb, ca, { allowDestructive: true }), blockedDown: buildPlan(cb, ca) };
    } finally {
      await Promise.all([x.dispose(), y.dispose()]);
    }
  };

  it('adds an enum value inside the transaction unless the migration uses the enum', async () => {
    const unused = await plans(`CREATE TYPE e AS ENUM ('a'); CREATE TABLE t (v e);`, `CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v e);`);
    expect(unused.up.up.every((c) => c.transactional)).toBe(true);
    const used = await plans(`CREATE TYPE e AS ENUM ('a'); CREATE TABLE t (v e);`, `CREATE TYPE e AS ENUM ('a', 'b'); CREATE TABLE t (v e DEFAULT 'b');`);
    const add = used.up.up.find((c) => c.kind === 'type')!;
    expect(add.transactional).toBe(false);
    expect(add.hazards.map((h) => h.kind)).toContain('non_transactional');
    expect(used.up.up.indexOf(add)).toBeLessThan(used.up.up.findIndex((c) => c.description.startsWith('set default')));
  });

  it('drops tables in a reference cycle with their cycle foreign keys first, and blocks all of it by default', async () => {
    const p = await plans('', 'CREATE TABLE a (id int PRIMARY KEY, b int); CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a); ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b) REFERENCES b;');
    expect(script(p.down.up)).toMatch(/^ALTER TABLE public\.(a|b) DROP CONSTRAINT \w+;\nDROP TABLE/);
    expect(p.blockedDown.up).toEqual([]);
    expect(p.blockedDown.blocked.map((x) => x.id).sort()).toEqual(['constraint:public.a.a_b', 'table:public.a', 'table:public.b']);
    const plain = await plans('', 'CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (p int REFERENCES p);');
    expect(script(plain.down.up)).toBe('DROP TABLE public.c;\nDROP TABLE public.p;\n');
  });
});

describe('policy', () => {
  it('blocks a dropped column, keeps blocking it after re-planning, and still emits additive changes', async () => {
    const [a, b] = await Promise.all([
      loadedDatabase('CREATE TABLE t (id int, old text, n int);', 'A.sql', `INSERT INTO t VALUES (1, 'keep', 5);`),
      loadedDatabase('CREATE TABLE t (id int, n bigint, added text); CREATE TABLE u (id int);', 'B.sql'),
    ]);
    try {
      const [catA, catB] = await Promise.all([introspect(a.db), introspect(b.db)]);
      const plan = buildPlan(catA, catB);
      expect(plan.blocked.map((x) => x.id).sort()).toEqual(['column:public.t.old']);
      expect(plan.up.some((c) => c.destructive)).toBe(false);
      const sql = script(plan.up);
      expect(sql).not.toMatch(/DROP COLUMN/);
      expect(sql).toMatch(/ADD COLUMN added text/);
      expect(sql).toMatch(/CREATE TABLE public\.u/);
      expect(sql).toMatch(/TYPE bigint/);
      await applySection(a.db, plan.up, 'up');
      const [row] = await a.db.query<{ old: string }>('SELECT old FROM t');
      expect(row!.old).toBe('keep');
      const after = await introspect(a.db);
      const again = buildPlan(after, catB);
      expect(again.up).toEqual([]);
      expect(again.blocked.map((x) => x.id)).toEqual(['column:public.t.old']);
      expect(buildPlan(after, catB, { allowDestructive: true }).up.map((c) => c.description)).toEqual(['drop column public.t.old']);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });

  it('blocks a narrowing type change', async () => {
    const [a, b] = await Promise.all([loadedDatabase('CREATE TABLE t (n bigint, s text);', 'A.sql'), loadedDatabase('CREATE TABLE t (n int, s varchar(3));', 'B.sql')]);
    try {
      const [catA, catB] = await Promise.all([introspect(a.db), introspect(b.db)]);
      const plan = buildPlan(catA, catB);
      expect(plan.blocked.map((x) => x.id).sort()).toEqual(['column:public.t.n', 'column:public.t.s']);
      expect(plan.up).toEqual([]);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });

  it('converges to the allowed part of the difference', async () => {
    await converge(
      `CREATE TYPE mood AS ENUM ('a', 'b', 'c'); CREATE TABLE t (id int, old text, m mood); CREATE TABLE gone (id int);`,
      `CREATE TYPE mood AS ENUM ('a', 'x', 'b'); CREATE TABLE t (id bigint, m mood, new text NOT NULL DEFAULT '');`,
      { allowDestructive: false },
    );
  });
});
