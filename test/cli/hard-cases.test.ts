/**
 * Classes of schema changes that other diff tools' test suites single out as hard to order or to
 * replace, run as a user would: `schemaplan diff --from URL --to URL` with no configuration, between
 * two live databases, in both directions. Each direction converges: the printed SQL applies, diffing
 * again (destructive changes included) prints nothing, and the rows seeded on both sides are still
 * there, read back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { createDatabase, serverUrl } from '../support/db.js';
import { emptyFolder, query, run, sql } from './support.js';

interface Case {
  name: string;
  a: string;
  b: string;
  /** A query whose result must be the same before and after each direction (rows survive). */
  rows?: string;
}

const CASES: Case[] = [
  {
    name: 'an extension moved to another schema while a column uses its type',
    a: `CREATE EXTENSION citext; CREATE TABLE t (id int PRIMARY KEY, e citext); INSERT INTO t VALUES (1, 'Ab'), (2, 'cD');`,
    b: `CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; CREATE TABLE t (id int PRIMARY KEY, e ext.citext); INSERT INTO t VALUES (1, 'Ab'), (2, 'cD');`,
    rows: `SELECT id, e::text FROM t ORDER BY id`,
  },
  {
    name: 'a domain CHECK calling a function whose signature is replaced',
    a: `CREATE FUNCTION ok(x int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT x > 0'; CREATE DOMAIN pos AS int CHECK (ok(VALUE)); CREATE TABLE t (v pos); INSERT INTO t VALUES (3);`,
    b: `CREATE FUNCTION ok(x bigint) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT x > 0'; CREATE DOMAIN pos AS int CHECK (ok(VALUE)); CREATE TABLE t (v pos); INSERT INTO t VALUES (3);`,
    rows: `SELECT v FROM t`,
  },
  {
    name: 'a domain CHECK calling a function whose result type changes',
    a: `CREATE FUNCTION ok(x int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT x > 0'; CREATE DOMAIN pos AS int CHECK (ok(VALUE)); CREATE TABLE t (v pos); INSERT INTO t VALUES (3);`,
    b: `CREATE FUNCTION ok(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'; CREATE DOMAIN pos AS int CHECK (ok(VALUE) = 1); CREATE TABLE t (v pos); INSERT INTO t VALUES (3);`,
    rows: `SELECT v FROM t`,
  },
  {
    name: 'a policy that uses a view created in the same plan',
    a: `CREATE TABLE t (id int, owner text); ALTER TABLE t ENABLE ROW LEVEL SECURITY; INSERT INTO t VALUES (1, 'ann');`,
    b: `CREATE TABLE t (id int, owner text); ALTER TABLE t ENABLE ROW LEVEL SECURITY; INSERT INTO t VALUES (1, 'ann');
        CREATE TABLE users (name text); CREATE VIEW allowed AS SELECT name FROM users; CREATE POLICY p ON t USING (owner IN (SELECT name FROM allowed));`,
    rows: `SELECT id, owner FROM t`,
  },
  {
    name: 'a table converted to a partitioned table and back',
    a: `CREATE TABLE m (id int NOT NULL, at date NOT NULL, v text);`,
    b: `CREATE TABLE m (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at); CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`,
  },
  {
    name: 'a partitioned index across schemas, created on the parent',
    a: `CREATE SCHEMA parts; CREATE TABLE m (id int, at date) PARTITION BY RANGE (at); CREATE TABLE parts.m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); INSERT INTO m VALUES (1, '2024-05-01');`,
    b: `CREATE SCHEMA parts; CREATE TABLE m (id int, at date) PARTITION BY RANGE (at); CREATE TABLE parts.m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); INSERT INTO m VALUES (1, '2024-05-01'); CREATE INDEX m_at_idx ON m (at);`,
    rows: `SELECT id, at::text FROM m`,
  },
  {
    name: "a partition's own index in another schema attached to a new parent index",
    a: `CREATE SCHEMA parts; CREATE TABLE m (id int, at date) PARTITION BY RANGE (at); CREATE TABLE parts.m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); CREATE INDEX m_2024_at ON parts.m_2024 (at);`,
    b: `CREATE SCHEMA parts; CREATE TABLE m (id int, at date) PARTITION BY RANGE (at); CREATE TABLE parts.m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); CREATE INDEX m_2024_at ON parts.m_2024 (at);
        CREATE INDEX m_at_idx ON ONLY m (at); ALTER INDEX m_at_idx ATTACH PARTITION parts.m_2024_at;`,
  },
  {
    name: 'an enum type renamed (same labels) while a column and its default use it',
    a: `CREATE TYPE status AS ENUM ('a', 'b'); CREATE TABLE t (id int, s status DEFAULT 'a'); INSERT INTO t VALUES (1, 'b'), (2, 'a');`,
    b: `CREATE TYPE state AS ENUM ('a', 'b'); CREATE TABLE t (id int, s state DEFAULT 'a'); INSERT INTO t VALUES (1, 'b'), (2, 'a');`,
    rows: `SELECT id, s::text FROM t ORDER BY id`,
  },
  {
    name: 'column-level grants (not emitted again on a second run)',
    a: `CREATE TABLE t (id int, secret text);`,
    b: `CREATE TABLE t (id int, secret text); GRANT SELECT (id) ON t TO hard_cases_reader; GRANT UPDATE (id, secret) ON t TO hard_cases_reader;`,
  },
  {
    name: 'partial indexes with IN lists on varchar',
    a: `CREATE TABLE t (id int, kind varchar(20));`,
    b: `CREATE TABLE t (id int, kind varchar(20)); CREATE INDEX t_kind ON t (id) WHERE kind IN ('a', 'b', 'c'); CREATE INDEX t_kind2 ON t (id) WHERE kind::text = ANY (ARRAY['x', 'y']);`,
  },
];

let dir = '';
beforeAll(async () => {
  dir = emptyFolder('schemaplan-hard-');
  await sql(serverUrl(), `DO $$ BEGIN CREATE ROLE hard_cases_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
});

/** Applies printed SQL as one script. */
async function apply(url: string, text: string): Promise<void> {
  const db = await connect(url);
  try {
    await db.exec(text);
  } finally {
    await db.close();
  }
}

describe.concurrent('hard cases through diff, both ways', { timeout: 120_000 }, () => {
  for (const c of CASES) {
    for (const [way, x, y] of [['A → B', c.a, c.b], ['B → A', c.b, c.a]] as const) {
      it(`${c.name}: ${way}`, async () => {
        const [from, to] = await Promise.all([createDatabase('hard_from'), createDatabase('hard_to')]);
        await Promise.all([sql(from, x), sql(to, y)]);
        const before = c.rows ? await query(from, c.rows) : [];
        const r = await run(dir, ['diff', '--from', from, '--to', to, '--allow-destructive']);
        expect(r.code, r.stderr).toBe(0);
        await apply(from, r.stdout);
        const again = await run(dir, ['diff', '--from', from, '--to', to, '--allow-destructive']);
        expect(again.stdout, `re-planning after applying:\n${r.stdout}`).toBe('');
        if (c.rows) expect(await query(from, c.rows)).toEqual(before);
      });
    }
  }
});
