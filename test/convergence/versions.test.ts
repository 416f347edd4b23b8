/**
 * Catalog output that differs between PostgreSQL majors is normalised in one place
 * (src/catalog/normalize.ts), so the same schema read from the default test server (PostgreSQL 15, or SCHEMAPLAN_TEST_MAJOR's), a PostgreSQL 18
 * server and the embedded PGlite shadow (PostgreSQL 18) diffs to nothing: a schema using every kind
 * schemaplan models, and the corpus schemas that load on both majors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Catalog } from '../../src/catalog/model.js';
import { connect } from '../../src/db/connect.js';
import { pgliteShadow } from '../../src/db/shadow.js';
import type { Db } from '../../src/db/types.js';
import { diff } from '../../src/diff/index.js';
import { differingObjects, fingerprint, objectHashes } from '../../src/catalog/fingerprint.js';
import { executeScript } from '../../src/sql/execute.js';
import { corpusSkip, corpusTestName } from '../support/corpus-majors.js';
import { createDatabase, nameFor, serverMajor, serverOlderThan, serverUrl } from '../support/db.js';

const ROLES = ['sp_reader', 'sp_writer', 'sp_owner'];
beforeAll(async () => {
  for (const major of [15, 18] as const) {
    const admin = await connect(serverUrl(major));
    try {
      for (const r of ROLES) await admin.exec(`DO $$ BEGIN CREATE ROLE ${r}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    } finally {
      await admin.close();
    }
  }
});

/** Every modelled kind, with the spellings that print differently on 15 and 18. */
const ALL_KINDS = `
CREATE SCHEMA app;
CREATE EXTENSION citext;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE app.pair AS (a int, b text);
CREATE TYPE app.span AS RANGE (SUBTYPE = int4);
CREATE DOMAIN app.posint AS int NOT NULL DEFAULT 1 CONSTRAINT posint_check CHECK (VALUE > 0);
CREATE DOMAIN app.code AS varchar(10) CHECK (VALUE IN ('a', 'b'));
CREATE COLLATION app.ci (provider = icu, locale = '@colStrength=secondary', deterministic = false);
CREATE COLLATION app.c_posix (locale = 'POSIX');
CREATE TEXT SEARCH DICTIONARY app.stem (TEMPLATE = snowball, language = 'english');
CREATE TEXT SEARCH CONFIGURATION app.cfg (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION app.cfg ALTER MAPPING FOR asciiword WITH app.stem;
CREATE SEQUENCE app.seq AS integer START 10;
CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x + 1 $$;
CREATE FUNCTION app.g(x int) RETURNS int LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT x * 2; END;
CREATE PROCEDURE app.p() LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
CREATE FUNCTION app.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION app.evt() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER sp_evt ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION app.evt();
CREATE TABLE app.t (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL COLLATE app.ci,
  m app.mood DEFAULT 'ok',
  p app.posint,
  n int DEFAULT app.f(1) CHECK (n > 0),
  g int GENERATED ALWAYS AS (n * 2) STORED,
  code varchar(10) CHECK (code IN ('a', 'b')),
  s int DEFAULT nextval('app.seq'),
  UNIQUE (n)
) WITH (fillfactor = 90);
CREATE TABLE app.c (tid int NOT NULL REFERENCES app.t ON DELETE CASCADE, x int, pr app.pair, sp app.span, body text);
ALTER TABLE app.c ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN x SET STATISTICS 200;
CREATE UNIQUE INDEX c_tid ON app.c (tid);
CREATE INDEX t_lower ON app.t (lower(name)) WHERE n > 0;
CREATE INDEX c_fts ON app.c USING gin (to_tsvector('app.cfg', body));
CREATE TRIGGER t_tg BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.tg();
CREATE VIEW app.v WITH (security_barrier) AS SELECT id, name FROM app.t WHERE n > 0;
CREATE VIEW app.v2 AS SELECT t.id, c.x FROM app.t t JOIN app.c c ON c.tid = t.id UNION ALL SELECT 1, NULL;
CREATE VIEW app.v3 WITH (security_invoker = true) AS SELECT v.id, (SELECT count(*) FROM app.c WHERE c.tid = v.id) AS n FROM app.v v WHERE v.name IN ('a', 'b') WITH CASCADED CHECK OPTION;
CREATE MATERIALIZED VIEW app.mv AS SELECT id, n FROM app.t;
CREATE INDEX mv_n ON app.mv (n);
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
CREATE POLICY pol ON app.t FOR SELECT TO sp_reader USING (n > 0);
CREATE RULE r AS ON DELETE TO app.c DO INSTEAD NOTHING;
CREATE STATISTICS app.st ON name, n FROM app.t;
CREATE TABLE app.m (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.m1 PARTITION OF app.m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX m_id ON app.m (id);
CREATE TABLE app.base (id int NOT NULL, CHECK (id > 0));
CREATE TABLE app.kid (k int) INHERITS (app.base);
ALTER TABLE app.c REPLICA IDENTITY USING INDEX c_tid;
GRANT USAGE ON SCHEMA app TO sp_reader;
GRANT SELECT ON app.t TO sp_reader;
GRANT ALL ON app.c TO sp_writer;
GRANT SELECT (x) ON app.c TO sp_reader;
REVOKE EXECUTE ON FUNCTION app.f(int) FROM PUBLIC;
GRANT USAGE ON TYPE app.mood TO sp_writer;
ALTER TABLE app.kid OWNER TO sp_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO sp_reader;
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO sp_writer;
COMMENT ON TABLE app.t IS 'every kind';
COMMENT ON COLUMN app.v.name IS 'the name';
`;

/** What PGlite can hold of it: no ICU collations, and roles created in it. */
const PGLITE_KINDS = `CREATE ROLE sp_reader; CREATE ROLE sp_writer; CREATE ROLE sp_owner;
${ALL_KINDS.replace(/CREATE COLLATION app\.ci [^;]*;/, `CREATE COLLATION app.ci (locale = 'C');`)}`;

async function catalogOf(db: Db, sql: string, file: string, schemas = ['public', 'app']): Promise<Catalog> {
  await executeScript(db, sql, file);
  return introspect(db, { schemas });
}

async function onServer<T>(major: 15 | 18, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await connect(await createDatabase(`v${major}`, major));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const describeDiff = (a: Catalog, b: Catalog) => diff(a, b).map((c) => `${c.description}: ${c.sql.join('; ')}`);

/** The drift check of `up` compares fingerprints and per-object hashes: they agree across majors too. */
function expectSameFingerprint(a: Catalog, b: Catalog): void {
  expect(differingObjects(objectHashes(a), b)).toEqual([]);
  expect(fingerprint(a)).toBe(fingerprint(b));
}

describe.concurrent('catalogs of different majors compare equal', () => {
  // The schema of every kind uses PostgreSQL 15's NULLS NOT DISTINCT and security_invoker.
  it.skipIf(serverOlderThan(15))(nameFor(`every modelled kind: PostgreSQL ${serverMajor()} and 18`, 15), async () => {
    const [c15, c18] = await Promise.all([
      onServer(15, (db) => catalogOf(db, ALL_KINDS, 'all.sql')),
      onServer(18, (db) => catalogOf(db, ALL_KINDS, 'all.sql')),
    ]);
    expect(Math.floor(c15.serverVersion / 10000)).toBe(serverMajor());
    expect(c18.serverVersion).toBeGreaterThanOrEqual(180000);
    expect(c15.unmodelled).toEqual([]);
    expect(describeDiff(c15, c18)).toEqual([]);
    expect(describeDiff(c18, c15)).toEqual([]);
    expectSameFingerprint(c15, c18);
    // The kinds are really there (a catalog missing them on both sides would compare equal too).
    const kinds = new Set(Object.values(c15.objects).map((o) => o.kind));
    for (const k of ['schema', 'extension', 'type', 'domain', 'collation', 'sequence', 'table', 'column', 'constraint', 'index', 'function', 'trigger', 'view', 'matview', 'policy', 'rule', 'statistics', 'tsconfig', 'tsdict', 'event_trigger', 'default_acl']) {
      expect(kinds, k).toContain(k);
    }
  });

  it.skipIf(serverOlderThan(15))(nameFor(`every modelled kind: PostgreSQL ${serverMajor()} and the embedded PGlite shadow`, 15), async () => {
    const shadow = await pgliteShadow();
    let lite: Catalog;
    try {
      lite = await catalogOf(shadow.db, PGLITE_KINDS.replace('CREATE EXTENSION citext;', ''), 'all.sql');
    } finally {
      await shadow.dispose();
    }
    const c15 = await onServer(15, (db) => catalogOf(db, PGLITE_KINDS.replace(/CREATE ROLE [^;]*;/g, '').replace('CREATE EXTENSION citext;', ''), 'all.sql'));
    expect(describeDiff(c15, lite)).toEqual([]);
    expect(describeDiff(lite, c15)).toEqual([]);
    expectSameFingerprint(c15, lite);
  });

  const here = path.dirname(fileURLToPath(import.meta.url));
  const corpusDir = path.resolve(here, '../../../shared/corpus/schemas');
  // chado does not load on PostgreSQL 18 (a SQL function body calls create_point(bigint, bigint)).
  for (const name of ['pagila', 'openstreetmap', 'synapse', 'sourcegraph-frontend', 'musicbrainz']) {
    const file = path.join(corpusDir, `${name}.sql`);
    const run = fs.existsSync(file) ? it.skipIf(corpusSkip(name) !== null) : it.skip;
    run(corpusTestName(`corpus ${name}: PostgreSQL ${serverMajor()} and 18${fs.existsSync(file) ? '' : ` (skipped: ${file} not found)`}`, name), async () => {
      const sql = fs.readFileSync(file, 'utf8');
      const schemasOf = async (db: Db) => (await db.query<{ n: string }>(`SELECT nspname AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'`)).map((r) => r.n);
      const load = async (db: Db) => {
        await executeScript(db, sql, `${name}.sql`);
        return introspect(db, { schemas: await schemasOf(db) });
      };
      const [c15, c18] = await Promise.all([onServer(15, load), onServer(18, load)]);
      expect(describeDiff(c15, c18)).toEqual([]);
      expect(describeDiff(c18, c15)).toEqual([]);
      expectSameFingerprint(c15, c18);
    });
  }
});
