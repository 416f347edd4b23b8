/**
 * Convergence per object kind beyond tables and functions (kinds.test.ts): views and materialized
 * views, routines, types, domains, collations, text search, row-level security, privileges and
 * ownership, rules, extended statistics, partitions and inheritance, and the dependency cascades
 * between them. Each case checks A→B and B→A (apply up, catalogs match, re-plan is empty, down
 * restores the start).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { connect } from '../../src/db/connect.js';
import { buildPlan } from '../../src/plan/plan.js';
import { converge, loadedDatabase, script, type ConvergeOptions } from '../support/converge.js';
import { nameFor, serverOlderThan, serverUrl } from '../support/db.js';

interface Case {
  name: string;
  a: string;
  b: string;
  opts?: ConvergeOptions;
  /** Checks on the A→B plan's up SQL. */
  up?: (sql: string) => void;
  /** The PostgreSQL major that added a feature the case uses: skipped on an older default server. */
  minMajor?: number;
}

const cases = (group: string, list: Case[]) =>
  describe.concurrent(group, () => {
    for (const c of list) {
      it.skipIf(serverOlderThan(c.minMajor))(nameFor(c.name, c.minMajor), async () => {
        const r = await converge(c.a, c.b, c.opts);
        c.up?.(script(r.plan.up));
      });
    }
  });

/** Roles the privilege and ownership cases grant to (roles are server-wide; schemaplan never creates them). */
const ROLES = ['sp_reader', 'sp_writer', 'sp_owner'];
beforeAll(async () => {
  const admin = await connect(serverUrl(15));
  try {
    for (const r of ROLES) await admin.exec(`DO $$ BEGIN CREATE ROLE ${r}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  } finally {
    await admin.close();
  }
});

const T = 'CREATE TABLE t (id int PRIMARY KEY, name text, n int);';

cases('views', [
  { name: 'create / drop', a: T, b: `${T} CREATE VIEW v AS SELECT id, name FROM t WHERE n > 0;` },
  {
    name: 'options: security_barrier, security_invoker, check_option',
    a: `${T} CREATE VIEW v AS SELECT id, n FROM t;`,
    b: `${T} CREATE VIEW v WITH (security_barrier, security_invoker = on) AS SELECT id, n FROM t WHERE n > 0 WITH LOCAL CHECK OPTION;`,
    minMajor: 15,
  },
  {
    name: 'options changed in place',
    a: `${T} CREATE VIEW v WITH (security_barrier = true) AS SELECT id, n FROM t;`,
    b: `${T} CREATE VIEW v WITH (security_invoker = true, check_option = cascaded) AS SELECT id, n FROM t;`,
    up: (sql) => expect(sql).toMatch(/ALTER VIEW public\.v (SET|RESET)/),
    minMajor: 15,
  },
  {
    name: 'query changed, same columns (CREATE OR REPLACE)',
    a: `${T} CREATE VIEW v AS SELECT id, name FROM t;`,
    b: `${T} CREATE VIEW v AS SELECT id, name FROM t WHERE id > 10;`,
    up: (sql) => expect(sql).toMatch(/CREATE OR REPLACE VIEW public\.v/),
  },
  {
    name: 'columns appended (CREATE OR REPLACE) one way, removed (re-create) the other',
    a: `${T} CREATE VIEW v AS SELECT id FROM t; CREATE VIEW w AS SELECT id FROM v;`,
    b: `${T} CREATE VIEW v AS SELECT id, name, n FROM t; CREATE VIEW w AS SELECT id FROM v;`,
    up: (sql) => expect(sql).toMatch(/CREATE OR REPLACE VIEW public\.v/),
  },
  {
    name: 'column renamed in a view with a dependent view (drop and re-create both)',
    a: `${T} CREATE VIEW v AS SELECT id, name FROM t; CREATE VIEW w AS SELECT id FROM v; COMMENT ON VIEW w IS 'kept';`,
    b: `${T} CREATE VIEW v AS SELECT id, name AS label FROM t; CREATE VIEW w AS SELECT id FROM v; COMMENT ON VIEW w IS 'kept';`,
  },
  {
    name: 'column type change under a dependent view',
    a: `${T} CREATE VIEW v AS SELECT id, n + 1 AS m FROM t; CREATE VIEW w AS SELECT m FROM v;`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name text, n bigint); CREATE VIEW v AS SELECT id, n + 1 AS m FROM t; CREATE VIEW w AS SELECT m FROM v;`,
    opts: { seed: { a: `INSERT INTO t VALUES (1, 'a', 2);` } },
  },
  {
    name: 'column type change under a view that does not change',
    a: `${T} CREATE VIEW v AS SELECT id, name FROM t;`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name varchar(200), n int); CREATE VIEW v AS SELECT id, name FROM t;`,
  },
  {
    name: 'column type change under a materialized view with an index',
    a: `${T} CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t; CREATE UNIQUE INDEX mv_id ON mv (id); CREATE INDEX mv_n ON mv (n);`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name text, n numeric); CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t; CREATE UNIQUE INDEX mv_id ON mv (id); CREATE INDEX mv_n ON mv (n);`,
    opts: { seed: { a: `INSERT INTO t VALUES (1, 'a', 2); REFRESH MATERIALIZED VIEW mv;` } },
  },
  {
    name: 'materialized view create / drop with indexes, options and comments',
    a: T,
    b: `${T} CREATE MATERIALIZED VIEW mv WITH (fillfactor = 70) AS SELECT id, name FROM t; CREATE INDEX mv_name ON mv (name);
        COMMENT ON MATERIALIZED VIEW mv IS 'mv'; COMMENT ON COLUMN mv.name IS 'the name';`,
  },
  {
    name: 'materialized view query changed (indexes re-created)',
    a: `${T} CREATE MATERIALIZED VIEW mv AS SELECT id, name FROM t; CREATE INDEX mv_name ON mv (name);`,
    b: `${T} CREATE MATERIALIZED VIEW mv AS SELECT id, name FROM t WHERE n > 0; CREATE INDEX mv_name ON mv (name);`,
  },
  {
    name: 'dropped column used by a view that stops using it',
    a: `${T} CREATE VIEW v AS SELECT id, n FROM t;`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name text); CREATE VIEW v AS SELECT id, 0 AS n FROM t;`,
  },
  {
    name: 'view on a function whose return type changes',
    a: `CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$; ${T} CREATE VIEW v AS SELECT id, f(n) AS d FROM t; CREATE VIEW w AS SELECT d FROM v;`,
    b: `CREATE FUNCTION f(x int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2::bigint $$; ${T} CREATE VIEW v AS SELECT id, f(n) AS d FROM t; CREATE VIEW w AS SELECT d FROM v;`,
  },
  {
    name: 'view column comments and INSTEAD OF trigger',
    a: `${T} CREATE VIEW v AS SELECT id, name FROM t;`,
    b: `${T} CREATE VIEW v AS SELECT id, name FROM t; COMMENT ON COLUMN v.name IS 'label';
        CREATE FUNCTION v_ins() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t (id, name) VALUES (NEW.id, NEW.name); RETURN NEW; END $$;
        CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION v_ins();`,
  },
  {
    name: 'SQL-standard function over a view whose column type changes',
    a: `${T} CREATE VIEW v AS SELECT id, n FROM t; CREATE FUNCTION total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(n) FROM v; END;`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name text, n smallint); CREATE VIEW v AS SELECT id, n FROM t; CREATE FUNCTION total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT sum(n) FROM v; END;`,
  },
  {
    name: 'recursive view and a view over several schemas',
    a: `CREATE SCHEMA app; ${T}`,
    b: `CREATE SCHEMA app; ${T} CREATE TABLE app.u (id int, tid int);
        CREATE VIEW app.j AS SELECT u.id, t.name FROM app.u JOIN public.t ON t.id = u.tid;
        CREATE RECURSIVE VIEW nums (k) AS SELECT 1 UNION ALL SELECT k + 1 FROM nums WHERE k < 5;`,
    opts: { schemas: ['public', 'app'] },
  },
]);

const agg = (sfunc = 'int4pl', init = '0') => `CREATE AGGREGATE total(int) (SFUNC = ${sfunc}, STYPE = int, INITCOND = '${init}');`;
cases('routines', [
  { name: 'aggregate create / drop', a: '', b: agg() },
  { name: 'aggregate changed', a: agg(), b: agg('int4larger', '-1') },
  {
    name: 'aggregate with a final function over a user function, used by a view',
    a: T,
    b: `${T} CREATE FUNCTION acc(s text[], v text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT s || v $$;
        CREATE FUNCTION fin(s text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_string(s, ',') $$;
        CREATE AGGREGATE concat_all(text) (SFUNC = acc, STYPE = text[], FINALFUNC = fin, INITCOND = '{}', PARALLEL = SAFE);
        CREATE VIEW names AS SELECT concat_all(name) AS all_names FROM t;
        COMMENT ON AGGREGATE concat_all(text) IS 'joins';`,
  },
  { name: 'aggregate without arguments and ordered-set aggregate', a: '', b: `CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = int8, INITCOND = '0');` },
  { name: 'procedure body change', a: `CREATE PROCEDURE p(a int) LANGUAGE sql AS $$ SELECT a $$;`, b: `CREATE PROCEDURE p(a int) LANGUAGE sql AS $$ SELECT a + 1 $$;` },
  {
    name: 'event trigger create / drop / disable',
    a: `CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;`,
    b: `CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
        CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION on_ddl();
        ALTER EVENT TRIGGER log_ddl DISABLE;`,
  },
  {
    name: 'function used by a column default created first',
    a: '',
    b: `CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$; CREATE TABLE t (c int DEFAULT next_code() CHECK (c > 0));`,
  },
]);

cases('types', [
  { name: 'composite create / drop', a: '', b: `CREATE TYPE pair AS (a int, b text COLLATE "C"); COMMENT ON COLUMN pair.b IS 'second';` },
  { name: 'composite attribute added, dropped and retyped', a: `CREATE TYPE pair AS (a int, b text, c int);`, b: `CREATE TYPE pair AS (a bigint, c int, d date);` },
  {
    name: 'composite attribute retyped while a column uses it',
    a: `CREATE TYPE pair AS (a int, b text); CREATE TABLE t (p pair, q pair[]); CREATE VIEW v AS SELECT (p).a FROM t;`,
    b: `CREATE TYPE pair AS (a bigint, b text, c int); CREATE TABLE t (p pair, q pair[]); CREATE VIEW v AS SELECT (p).a FROM t;`,
    opts: { seed: { a: `INSERT INTO t VALUES (ROW(1, 'x'), ARRAY[ROW(2, 'y')::pair]);` } },
  },
  { name: 'composite attributes reordered', a: `CREATE TYPE pair AS (a int, b text);`, b: `CREATE TYPE pair AS (b text, a int);` },
  {
    name: 'composite used by a function',
    a: '',
    b: `CREATE TYPE pair AS (a int, b text); CREATE FUNCTION mk(x int) RETURNS pair LANGUAGE sql AS $$ SELECT x, 'v'::text $$;`,
  },
  { name: 'range create / drop', a: '', b: `CREATE TYPE floatrange AS RANGE (SUBTYPE = float8, SUBTYPE_DIFF = float8mi);` },
  { name: 'range changed', a: `CREATE TYPE r AS RANGE (SUBTYPE = int4);`, b: `CREATE TYPE r AS RANGE (SUBTYPE = int8, MULTIRANGE_TYPE_NAME = r_many);` },
  { name: 'range used by a column', a: T, b: `CREATE TYPE r AS RANGE (SUBTYPE = date); CREATE TABLE t (id int PRIMARY KEY, name text, n int, during r);` },
]);

cases('domains', [
  { name: 'create / drop', a: '', b: `CREATE DOMAIN posint AS int NOT NULL DEFAULT 1 CONSTRAINT posint_check CHECK (VALUE > 0); COMMENT ON DOMAIN posint IS 'positive';` },
  {
    name: 'default, not null and constraints altered',
    a: `CREATE DOMAIN d AS int CONSTRAINT d_pos CHECK (VALUE > 0) CONSTRAINT d_small CHECK (VALUE < 100);`,
    b: `CREATE DOMAIN d AS int NOT NULL DEFAULT 5 CONSTRAINT d_pos CHECK (VALUE >= 0) CONSTRAINT d_even CHECK (VALUE % 2 = 0);`,
  },
  {
    name: 'NOT VALID constraint validated',
    a: `CREATE DOMAIN d AS int; ALTER DOMAIN d ADD CONSTRAINT d_pos CHECK (VALUE > 0) NOT VALID;`,
    b: `CREATE DOMAIN d AS int CONSTRAINT d_pos CHECK (VALUE > 0);`,
  },
  {
    name: 'domain used by columns, base type changed (recast)',
    a: `CREATE DOMAIN code AS varchar(10); CREATE TABLE t (c code, d code[]);`,
    b: `CREATE DOMAIN code AS text; CREATE TABLE t (c code, d code[]);`,
    opts: { seed: { a: `INSERT INTO t VALUES ('x', '{y}');` } },
  },
  {
    name: 'domain constraint calling a function',
    a: '',
    b: `CREATE FUNCTION ok(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT x > 0 $$; CREATE DOMAIN d AS int CHECK (ok(VALUE)); CREATE TABLE t (v d);`,
  },
]);

cases('collations and text search', [
  { name: 'ICU collation create / drop', a: '', b: `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);` },
  { name: 'libc collation used by a column', a: T, b: `CREATE COLLATION mine (locale = 'C'); CREATE TABLE t (id int PRIMARY KEY, name text COLLATE mine, n int);` },
  { name: 'collation changed', a: `CREATE COLLATION c1 (provider = icu, locale = 'de');`, b: `CREATE COLLATION c1 (provider = icu, locale = 'fr');` },
  {
    name: 'text search dictionary and configuration',
    a: '',
    b: `CREATE TEXT SEARCH DICTIONARY my_stem (TEMPLATE = snowball, language = 'english');
        CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = pg_catalog.simple);
        ALTER TEXT SEARCH CONFIGURATION my_cfg ALTER MAPPING FOR word, asciiword WITH my_stem, simple;
        COMMENT ON TEXT SEARCH CONFIGURATION my_cfg IS 'mine';`,
  },
  {
    name: 'text search mappings changed',
    a: `CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = pg_catalog.english);`,
    b: `CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = pg_catalog.english); ALTER TEXT SEARCH CONFIGURATION my_cfg DROP MAPPING FOR email, url;
        ALTER TEXT SEARCH CONFIGURATION my_cfg ALTER MAPPING FOR asciiword WITH simple;`,
  },
  {
    name: 'configuration used by an index',
    a: `CREATE TABLE doc (body text);`,
    b: `CREATE TEXT SEARCH CONFIGURATION my_cfg (COPY = pg_catalog.simple); CREATE TABLE doc (body text); CREATE INDEX doc_fts ON doc USING gin (to_tsvector('my_cfg', body));`,
  },
]);

cases('row-level security', [
  { name: 'enable / force', a: T, b: `${T} ALTER TABLE t ENABLE ROW LEVEL SECURITY; ALTER TABLE t FORCE ROW LEVEL SECURITY;` },
  {
    name: 'policies create / drop',
    a: T,
    b: `${T} ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON t FOR SELECT TO sp_reader USING (name = current_user);
        CREATE POLICY ins ON t AS RESTRICTIVE FOR INSERT WITH CHECK (n > 0);
        COMMENT ON POLICY own ON t IS 'readers see their rows';`,
  },
  {
    name: 'policy altered (roles, USING, WITH CHECK)',
    a: `${T} CREATE POLICY p ON t FOR UPDATE TO sp_reader USING (n > 0) WITH CHECK (n > 0);`,
    b: `${T} CREATE POLICY p ON t FOR UPDATE TO sp_reader, sp_writer USING (n > 1) WITH CHECK (n < 100);`,
    up: (sql) => expect(sql).toMatch(/ALTER POLICY p ON public\.t TO sp_reader, sp_writer USING \(\(n > 1\)\) WITH CHECK \(\(n < 100\)\)/),
  },
  {
    name: 'policy command changed (re-created)',
    a: `${T} CREATE POLICY p ON t FOR SELECT USING (n > 0);`,
    b: `${T} CREATE POLICY p ON t FOR ALL USING (n > 0);`,
  },
  {
    name: 'policy on a column whose type changes',
    a: `${T} CREATE POLICY p ON t USING (n > 0);`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name text, n bigint); CREATE POLICY p ON t USING (n > 0);`,
  },
  {
    name: 'policy using a function that is replaced',
    a: `CREATE FUNCTION allowed(x int) RETURNS boolean LANGUAGE sql AS $$ SELECT x > 0 $$; ${T} CREATE POLICY p ON t USING (allowed(n));`,
    b: `CREATE FUNCTION allowed(y int) RETURNS boolean LANGUAGE sql AS $$ SELECT y > 0 $$; ${T} CREATE POLICY p ON t USING (allowed(n));`,
  },
]);

cases('privileges and ownership', [
  {
    name: 'a privilege granted and one revoked',
    a: `${T} GRANT SELECT, INSERT ON t TO sp_reader;`,
    b: `${T} GRANT SELECT ON t TO sp_reader; GRANT UPDATE ON t TO sp_writer;`,
    up: (sql) => {
      expect(sql).toMatch(/REVOKE INSERT ON TABLE public\.t FROM sp_reader/);
      expect(sql).toMatch(/GRANT UPDATE ON TABLE public\.t TO sp_writer/);
    },
  },
  {
    name: 'grants on every kind',
    a: `CREATE SCHEMA app; ${T} CREATE SEQUENCE s; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
        CREATE TYPE mood AS ENUM ('a'); CREATE DOMAIN d AS int; CREATE VIEW v AS SELECT id FROM t; CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
        CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;`,
    b: `CREATE SCHEMA app; ${T} CREATE SEQUENCE s; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
        CREATE TYPE mood AS ENUM ('a'); CREATE DOMAIN d AS int; CREATE VIEW v AS SELECT id FROM t; CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
        CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;
        GRANT USAGE ON SCHEMA app TO sp_reader; GRANT ALL ON SCHEMA app TO sp_writer WITH GRANT OPTION;
        GRANT USAGE, SELECT ON SEQUENCE s TO sp_reader; REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC; GRANT EXECUTE ON FUNCTION f() TO sp_reader;
        REVOKE USAGE ON TYPE mood FROM PUBLIC; GRANT USAGE ON DOMAIN d TO sp_writer; GRANT SELECT ON v, mv TO sp_reader;
        GRANT ALL ON t TO sp_writer; REVOKE EXECUTE ON PROCEDURE p() FROM PUBLIC;`,
    opts: { schemas: ['public', 'app'] },
  },
  {
    name: 'column privileges',
    a: T,
    b: `${T} GRANT SELECT (id, name), UPDATE (name) ON t TO sp_reader; GRANT REFERENCES (id) ON t TO sp_writer WITH GRANT OPTION;`,
  },
  {
    name: 'grant option added and removed, owner privileges revoked',
    a: `${T} GRANT SELECT ON t TO sp_reader WITH GRANT OPTION;`,
    b: `${T} GRANT SELECT ON t TO sp_reader; REVOKE TRUNCATE ON t FROM CURRENT_USER;`,
  },
  {
    name: 'grants on a new table and on a re-created view',
    a: `${T} CREATE VIEW v AS SELECT id FROM t; GRANT SELECT ON v TO sp_reader;`,
    b: `${T} CREATE VIEW v AS SELECT name FROM t; GRANT SELECT ON v TO sp_reader; CREATE TABLE u (x int); GRANT INSERT ON u TO sp_writer;`,
  },
  {
    name: 'ownership',
    a: `CREATE SCHEMA app; ${T} CREATE SEQUENCE s; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; CREATE VIEW v AS SELECT id FROM t; CREATE TYPE mood AS ENUM ('a');`,
    b: `CREATE SCHEMA app; ${T} CREATE SEQUENCE s; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; CREATE VIEW v AS SELECT id FROM t; CREATE TYPE mood AS ENUM ('a');
        ALTER SCHEMA app OWNER TO sp_owner; ALTER TABLE t OWNER TO sp_owner; ALTER SEQUENCE s OWNER TO sp_owner; ALTER FUNCTION f() OWNER TO sp_owner;
        ALTER VIEW v OWNER TO sp_owner; ALTER TYPE mood OWNER TO sp_owner; GRANT SELECT ON t TO sp_reader;`,
    opts: { schemas: ['public', 'app'] },
  },
  {
    name: 'default privileges',
    a: `CREATE SCHEMA app;`,
    b: `CREATE SCHEMA app; ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO sp_reader;
        ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SEQUENCES TO sp_writer;
        ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES FOR ROLE sp_owner GRANT INSERT ON TABLES TO sp_writer;`,
    opts: { schemas: ['public', 'app'] },
  },
  {
    name: 'tables created under default privileges',
    a: `ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO sp_reader;`,
    b: `ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO sp_reader; ${T} REVOKE SELECT ON t FROM sp_reader; CREATE TABLE u (x int);`,
  },
]);

cases('rules and statistics', [
  {
    name: 'rule create / drop / disable',
    a: `${T} CREATE TABLE log (id int);`,
    b: `${T} CREATE TABLE log (id int); CREATE RULE t_log AS ON INSERT TO t DO ALSO INSERT INTO log VALUES (NEW.id);
        CREATE RULE t_nodel AS ON DELETE TO t DO INSTEAD NOTHING; ALTER TABLE t DISABLE RULE t_nodel; COMMENT ON RULE t_log ON t IS 'audit';`,
  },
  {
    name: 'rule changed',
    a: `${T} CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;`,
    b: `${T} CREATE RULE r AS ON UPDATE TO t WHERE OLD.n > 0 DO INSTEAD NOTHING;`,
  },
  {
    name: 'rule on a view',
    a: `${T} CREATE VIEW v AS SELECT id, name FROM t;`,
    b: `${T} CREATE VIEW v AS SELECT id, name FROM t; CREATE RULE v_ins AS ON INSERT TO v DO INSTEAD INSERT INTO t (id, name) VALUES (NEW.id, NEW.name);`,
  },
  { name: 'statistics create / drop', a: T, b: `${T} CREATE STATISTICS t_stats (dependencies, ndistinct) ON name, n FROM t;` },
  { name: 'statistics changed and target', a: `${T} CREATE STATISTICS s1 ON name, n FROM t;`, b: `${T} CREATE STATISTICS s1 (mcv) ON name, n FROM t; CREATE STATISTICS s2 ON id, n FROM t; ALTER STATISTICS s2 SET STATISTICS 500;` },
]);

const P = `CREATE TABLE m (id int NOT NULL, at date NOT NULL, v text, CONSTRAINT m_v CHECK (v <> ''), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
           CREATE INDEX m_v_idx ON m (v);`;
const P1 = `CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;
const P2 = `CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`;
cases('partitions and inheritance', [
  { name: 'partitioned table with partitions create / drop', a: '', b: `${P} ${P1} ${P2} CREATE TABLE m_default PARTITION OF m DEFAULT;` },
  {
    name: 'a partition attached and one detached',
    a: `${P} ${P1} CREATE TABLE m_2025 (id int NOT NULL, at date NOT NULL, v text);`,
    b: `${P} ${P2} CREATE TABLE m_2024 (id int NOT NULL, at date NOT NULL, v text, CONSTRAINT m_v CHECK (v <> ''));
        ALTER TABLE m_2024 ADD CONSTRAINT m_2024_pkey PRIMARY KEY (id, at); CREATE INDEX m_2024_v_idx ON m_2024 (v);`,
    opts: { seed: { a: `INSERT INTO m VALUES (1, '2024-05-01', 'x'); INSERT INTO m_2025 VALUES (2, '2025-05-01', 'y');` } },
  },
  {
    name: 'partition bound changed',
    a: `${P} ${P1}`,
    b: `${P} CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2023-01-01') TO ('2025-01-01');`,
  },
  {
    name: 'index and constraints added to a partitioned table',
    a: `CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE m (id int, at date, rid int) PARTITION BY LIST (at); CREATE TABLE m_a PARTITION OF m FOR VALUES IN ('2024-01-01');`,
    b: `CREATE TABLE r (id int PRIMARY KEY); CREATE TABLE m (id int, at date, rid int REFERENCES r, CHECK (id > 0), UNIQUE (id, at)) PARTITION BY LIST (at);
        CREATE TABLE m_a PARTITION OF m FOR VALUES IN ('2024-01-01'); CREATE INDEX m_rid ON m (rid);`,
  },
  {
    name: 'sub-partitioned table and partition-specific index',
    a: '',
    b: `${P} CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (id);
        CREATE TABLE m_2024_x PARTITION OF m_2024 FOR VALUES FROM (0) TO (100); CREATE INDEX m_2024_x_v ON m_2024_x (v, id);`,
  },
  {
    name: 'column added to a partitioned table and a partition default',
    a: `${P} ${P1}`,
    b: `${P} ${P1} ALTER TABLE m ADD COLUMN k int DEFAULT 0; ALTER TABLE m_2024 ALTER COLUMN k SET DEFAULT 7;`,
  },
  {
    name: 'column type change on a partitioned table under a view',
    a: `${P} ${P1} CREATE VIEW mv AS SELECT v FROM m_2024;`,
    b: `CREATE TABLE m (id int NOT NULL, at date NOT NULL, v varchar(50), CONSTRAINT m_v CHECK (v <> ''), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE INDEX m_v_idx ON m (v); ${P1} CREATE VIEW mv AS SELECT v FROM m_2024;`,
  },
  {
    name: 'triggers on a partitioned table, partition detached and attached',
    a: `${P} ${P1} CREATE TABLE m_2025 (id int NOT NULL, at date NOT NULL, v text, CONSTRAINT m_v CHECK (v <> ''));
        CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER m_tf BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION tf();`,
    b: `${P} ${P2} CREATE TABLE m_2024 (id int NOT NULL, at date NOT NULL, v text, CONSTRAINT m_v CHECK (v <> ''));
        CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER m_tf BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION tf();`,
  },
  {
    name: 'foreign key referencing a partitioned table',
    a: `${P} ${P1} ${P2}`,
    b: `${P} ${P1} ${P2} CREATE TABLE ref (id int, at date, FOREIGN KEY (id, at) REFERENCES m);`,
  },
  {
    name: 'partition key changed (re-created with its partitions, dependents re-created)',
    a: `CREATE TABLE m (id int NOT NULL, at date, v text, PRIMARY KEY (id)) PARTITION BY RANGE (id);
        CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100); CREATE INDEX m_v ON m (v);
        CREATE VIEW mv AS SELECT id, v FROM m; CREATE TABLE r (mid int REFERENCES m); COMMENT ON TABLE m IS 'm';`,
    b: `CREATE TABLE m (id int NOT NULL, at date, v text, PRIMARY KEY (id)) PARTITION BY LIST (id);
        CREATE TABLE m1 PARTITION OF m FOR VALUES IN (1, 2); CREATE INDEX m_v ON m (v);
        CREATE VIEW mv AS SELECT id, v FROM m; CREATE TABLE r (mid int REFERENCES m); COMMENT ON TABLE m IS 'm';`,
  },
  {
    name: 'plain table becomes partitioned',
    a: `CREATE TABLE m (id int NOT NULL, v text); CREATE INDEX m_v ON m (v);`,
    b: `CREATE TABLE m (id int NOT NULL, v text) PARTITION BY HASH (id); CREATE TABLE m0 PARTITION OF m FOR VALUES WITH (MODULUS 2, REMAINDER 0);
        CREATE TABLE m1 PARTITION OF m FOR VALUES WITH (MODULUS 2, REMAINDER 1); CREATE INDEX m_v ON m (v);`,
  },
  {
    name: 'table inheritance create / drop and INHERIT / NO INHERIT',
    a: `CREATE TABLE base (id int, v text CHECK (v <> '')); CREATE TABLE kid (id int, v text, extra int);`,
    b: `CREATE TABLE base (id int, v text CHECK (v <> '')); CREATE TABLE kid (extra int) INHERITS (base); CREATE TABLE kid2 (w int) INHERITS (base);`,
    opts: { dumpDiffers: 'kid exists before it inherits: its own columns and CHECK stay local as well (attislocal), which pg_dump prints' },
  },
]);

cases('table settings', [
  { name: 'replica identity full and using index', a: T, b: `CREATE TABLE t (id int PRIMARY KEY, name text, n int) WITH (fillfactor = 80); ALTER TABLE t REPLICA IDENTITY USING INDEX t_pkey; CREATE TABLE u (x int); ALTER TABLE u REPLICA IDENTITY FULL;` },
  { name: 'storage parameters', a: T, b: `${T} ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = off);` },
  { name: 'column storage and statistics', a: T, b: `${T} ALTER TABLE t ALTER COLUMN name SET STORAGE EXTERNAL, ALTER COLUMN n SET STATISTICS 500;` },
]);

cases('more', [
  {
    name: 'comment on the index of a unique constraint',
    a: `${T} ALTER TABLE t ADD CONSTRAINT t_name_key UNIQUE (name);`,
    b: `${T} ALTER TABLE t ADD CONSTRAINT t_name_key UNIQUE (name); COMMENT ON INDEX t_name_key IS 'one per name'; COMMENT ON INDEX t_pkey IS 'the key';`,
  },
  { name: 'unlogged sequence', a: 'CREATE SEQUENCE s;', b: 'CREATE UNLOGGED SEQUENCE s; CREATE UNLOGGED SEQUENCE s2;', minMajor: 15 },
  {
    name: 'enum value removed while a view uses it',
    a: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood); CREATE VIEW v AS SELECT m FROM t WHERE m <> 'sad';`,
    b: `CREATE TYPE mood AS ENUM ('ok', 'happy', 'sad2'); CREATE TABLE t (m mood); CREATE VIEW v AS SELECT m FROM t WHERE m <> 'ok';`,
  },
  {
    name: 'enum value added in the middle, used by a new view',
    a: `CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE t (m mood);`,
    b: `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (m mood); CREATE VIEW v AS SELECT m FROM t WHERE m = 'ok';`,
    up: (sql) => expect(sql).toMatch(/ALTER TYPE public\.mood ADD VALUE 'ok' BEFORE 'happy'/),
  },
  {
    name: 'aggregate replaced under a view',
    a: `${T} CREATE AGGREGATE tot(int) (SFUNC = int4pl, STYPE = int); CREATE VIEW v AS SELECT tot(n) AS s FROM t;`,
    b: `${T} CREATE AGGREGATE tot(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0'); CREATE VIEW v AS SELECT tot(n) AS s FROM t;`,
  },
  {
    name: 'domain base type change under a view and a function',
    a: `CREATE DOMAIN d AS int; CREATE TABLE t (x d); CREATE VIEW v AS SELECT x FROM t; CREATE FUNCTION f(a d) RETURNS d LANGUAGE sql AS $$ SELECT a $$;`,
    b: `CREATE DOMAIN d AS bigint; CREATE TABLE t (x d); CREATE VIEW v AS SELECT x FROM t; CREATE FUNCTION f(a d) RETURNS d LANGUAGE sql AS $$ SELECT a $$;`,
    opts: { seed: { a: 'INSERT INTO t VALUES (1);' } },
  },
  {
    name: 'table dropped under a kept view (the view changes to another table)',
    a: `${T} CREATE TABLE u (id int); CREATE VIEW v AS SELECT id FROM t;`,
    b: `CREATE TABLE u (id int); CREATE VIEW v AS SELECT id FROM u;`,
  },
  {
    name: 'function dropped while a column default and a check use it (they change)',
    a: `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; CREATE TABLE t (a int DEFAULT f() CHECK (a <> f()));`,
    b: `CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$; CREATE TABLE t (a int DEFAULT g() CHECK (a <> g()));`,
  },
  {
    name: 'default policy: a dropped view and policy are blocked, the rest converges',
    a: `${T} CREATE VIEW v AS SELECT id FROM t; CREATE VIEW w AS SELECT name FROM t; CREATE POLICY p ON t USING (n > 0);`,
    b: `CREATE TABLE t (id int PRIMARY KEY, name text, n bigint); CREATE VIEW w AS SELECT name, n FROM t; GRANT SELECT ON w TO sp_reader;`,
    opts: { allowDestructive: false },
  },
]);

cases('breadth', [
  { name: 'cluster index and column compression', a: T, b: `${T} CREATE INDEX t_n ON t (n); ALTER TABLE t CLUSTER ON t_n; ALTER TABLE t ALTER COLUMN name SET COMPRESSION pglz;` },
  { name: 'cluster index moved', a: `${T} CREATE INDEX t_n ON t (n); ALTER TABLE t CLUSTER ON t_n;`, b: `${T} CREATE INDEX t_n ON t (n); ALTER TABLE t CLUSTER ON t_pkey;` },
  {
    name: 'view and the columns it uses dropped together',
    a: `${T} CREATE VIEW v AS SELECT id, name FROM t; CREATE VIEW w AS SELECT name FROM v;`,
    b: `CREATE TABLE t (id int PRIMARY KEY, n int);`,
  },
  {
    name: 'column in a multi-column unique constraint dropped',
    a: `CREATE TABLE t (a int, b int, c int, UNIQUE (a, b)); CREATE INDEX t_bc ON t (b, c);`,
    b: `CREATE TABLE t (a int, c int);`,
  },
  {
    name: 'check constraint NO INHERIT and deferrable unique',
    a: `CREATE TABLE t (a int, b int);`,
    b: `CREATE TABLE t (a int CHECK (a > 0) NO INHERIT, b int UNIQUE DEFERRABLE INITIALLY DEFERRED);`,
  },
  {
    name: 'matview over a view that changes in place',
    a: `${T} CREATE VIEW v AS SELECT id, n FROM t; CREATE MATERIALIZED VIEW mv AS SELECT id FROM v;`,
    b: `${T} CREATE VIEW v AS SELECT id, n, name FROM t WHERE n > 0; CREATE MATERIALIZED VIEW mv AS SELECT id FROM v;`,
  },
  {
    name: 'sequence in another schema used by a default, grants on it',
    a: `CREATE SCHEMA ids;`,
    b: `CREATE SCHEMA ids; CREATE SEQUENCE ids.s; CREATE TABLE t (id bigint DEFAULT nextval('ids.s')); GRANT USAGE ON SEQUENCE ids.s TO sp_writer;`,
    opts: { schemas: ['public', 'ids'] },
  },
  {
    name: 'identity, generated and defaults on a new partitioned table',
    a: '',
    b: `CREATE TABLE m (id int NOT NULL, at date NOT NULL DEFAULT current_date, d int GENERATED ALWAYS AS (id * 2) STORED) PARTITION BY LIST (at);
        CREATE TABLE m_x PARTITION OF m DEFAULT;`,
  },
  {
    name: 'trigger function and view in one migration with a table',
    a: '',
    b: `CREATE TABLE t (id int, at timestamptz); CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;
        CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION touch();
        CREATE VIEW recent AS SELECT * FROM t WHERE at > now() - interval '1 day';`,
  },
  {
    name: 'a view over a table whose column is added, dropped and retyped at once',
    a: `CREATE TABLE t (a int, b text, c int); CREATE VIEW v AS SELECT a, b FROM t;`,
    b: `CREATE TABLE t (a bigint, c int, d text); CREATE VIEW v AS SELECT a, d FROM t;`,
  },
  {
    name: 'function overloads and a view using one',
    a: `CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS $$ SELECT x $$; CREATE FUNCTION f(x text) RETURNS text LANGUAGE sql AS $$ SELECT x $$; CREATE VIEW v AS SELECT f(1) AS a;`,
    b: `CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS $$ SELECT x + 1 $$; CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT x $$; CREATE VIEW v AS SELECT f(1) AS a;`,
  },
  {
    name: 'grant on a partitioned table and its partitions, and RLS on a partition',
    a: `${P} ${P1}`,
    b: `${P} ${P1} GRANT SELECT ON m TO sp_reader; GRANT SELECT ON m_2024 TO sp_reader; ALTER TABLE m_2024 ENABLE ROW LEVEL SECURITY;`,
  },
]);

cases('multiple schemas', [
  {
    name: 'cross-schema function default, view and foreign key',
    a: `CREATE SCHEMA a; CREATE SCHEMA b;`,
    b: `CREATE SCHEMA a; CREATE SCHEMA b; CREATE FUNCTION a.code() RETURNS int LANGUAGE sql AS $$ SELECT 7 $$;
        CREATE TABLE a.p (id int PRIMARY KEY); CREATE TABLE b.c (id int DEFAULT a.code(), pid int REFERENCES a.p);
        CREATE VIEW a.v AS SELECT c.id FROM b.c c JOIN a.p ON p.id = c.pid;`,
    opts: { schemas: ['public', 'a', 'b'] },
  },
  {
    name: 'schema dropped with its objects',
    a: `CREATE SCHEMA gone; CREATE TABLE gone.t (id int); CREATE VIEW gone.v AS SELECT id FROM gone.t; CREATE TYPE gone.e AS ENUM ('x');`,
    b: '',
    opts: { schemas: ['public', 'gone'] },
  },
]);

describe('coverage and roles', () => {
  it('reports an object of an unmodelled kind by kind and name', async () => {
    const operator = `CREATE FUNCTION sp_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
      CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = sp_eq);`;
    const [x, y] = await Promise.all([loadedDatabase('', 'A.sql'), loadedDatabase(operator, 'B.sql')]);
    try {
      const [ca, cb] = await Promise.all([introspect(x.db), introspect(y.db)]);
      const plan = buildPlan(ca, cb);
      expect(plan.warnings).toContain('not modelled: operator public.===(integer, integer)');
    } finally {
      await Promise.all([x.dispose(), y.dispose()]);
    }
  });

  it('reports a referenced role that the target server lacks', async () => {
    const [x, y] = await Promise.all([loadedDatabase(T, 'A.sql'), loadedDatabase(`${T} GRANT SELECT ON t TO sp_reader; ALTER TABLE t OWNER TO sp_owner;`, 'B.sql')]);
    try {
      const [ca, cb] = await Promise.all([introspect(x.db), introspect(y.db)]);
      expect(buildPlan(ca, cb).warnings.filter((w) => w.startsWith('role'))).toEqual([]);
      const elsewhere = { ...ca, roles: ca.roles!.filter((r) => !ROLES.includes(r)) };
      const warnings = buildPlan(elsewhere, cb).warnings.filter((w) => w.startsWith('role'));
      expect(warnings, warnings.join("\n")).toHaveLength(2);
      expect(warnings[0]).toMatch(/^role "sp_owner" does not exist on the target server \(owner of table public\.t\)/);
      expect(warnings[1]).toMatch(/^role "sp_reader" does not exist on the target server \(privileges on table public\.t\)/);
    } finally {
      await Promise.all([x.dispose(), y.dispose()]);
    }
  });

  it('leaves out excluded objects and extension members', async () => {
    const s = await loadedDatabase(`CREATE EXTENSION hstore; ${T} CREATE TABLE tmp_a (x int); CREATE VIEW tmp_v AS SELECT x FROM tmp_a;`, 'A.sql');
    try {
      const cat = await introspect(s.db, { exclude: ['table:public.tmp_*', 'view:public.tmp_*'] });
      expect(Object.keys(cat.objects).filter((id) => id.includes('tmp_'))).toEqual([]);
      expect(Object.values(cat.objects).filter((o) => o.kind === 'function' || o.kind === 'type')).toEqual([]);
      expect(cat.objects['extension:hstore']).toBeDefined();
    } finally {
      await s.dispose();
    }
  });
});
