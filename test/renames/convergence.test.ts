/**
 * Rename hints end to end on PostgreSQL 15, proved by convergence with data: schema A (with rows)
 * and schema B (with `-- schemaplan:renamed-from` hints) are loaded; the hints are applied in a
 * shadow holding A (project/states.ts `applyRenames`), the plan is the diff from that renamed state;
 * up on A must reach B's catalog with every row and value kept, planning again must yield nothing
 * (the hints are spent), and down must restore A's catalog and the same rows under the old names.
 */
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Db } from '../../src/db/types.js';
import { buildPlan, type Plan } from '../../src/plan/plan.js';
import { resolveRenames } from '../../src/plan/hinted-renames.js';
import { applyRenames, materialize } from '../../src/project/states.js';
import { renameHints } from '../../src/sql/hints.js';
import { loadParser } from '../../src/sql/split.js';
import { applySection, catalogDifferences, loadedDatabase, script } from '../support/converge.js';

interface Case {
  /** Rows to insert into A before planning. */
  seed?: string;
  /** A query over A's names whose rows must come back from `after` (B's names) after up, and from itself after down. */
  before?: string;
  after?: string;
  schemas?: string[];
  /** Copy A's catalog into an empty shadow first (the path a live database takes) instead of loading A's text. */
  viaCopy?: boolean;
}

async function rows(db: Db, sql: string): Promise<unknown[]> {
  return db.query(sql);
}

/** Plans A→B with B's hints, applies up and down on A, and checks catalogs and data; returns the plan. */
async function renameConverge(a: string, b: string, c: Case = {}): Promise<Plan> {
  await loadParser();
  const opts = { schemas: c.schemas ?? ['public'], exclude: [] };
  const [A, B, S] = await Promise.all([
    loadedDatabase(a, 'A.sql', c.seed), loadedDatabase(b, 'B.sql'), loadedDatabase(c.viaCopy ? '' : a, 'A.sql'),
  ]);
  try {
    const [catA, catB] = await Promise.all([introspect(A.db, opts), introspect(B.db, opts)]);
    const hints = renameHints(b, 'B.sql');
    expect(hints.length).toBeGreaterThan(0);
    let shadowCat = catA;
    if (c.viaCopy) {
      await materialize(S.db, catA, opts);
      shadowCat = await introspect(S.db, opts);
    }
    const state = await applyRenames(S.db, shadowCat, catB, hints, opts);
    const plan = buildPlan(state.renamed, catB, { renames: { original: catA, renames: state.renames } });
    const ctx = `--- up ---\n${script(plan.up)}--- down ---\n${script(plan.down)}`;
    expect(state.warnings, ctx).toEqual([]);
    expect(plan.blocked, ctx).toEqual([]);
    expect(plan.up.filter((x) => x.destructive).map((x) => x.description), ctx).toEqual([]);
    expect(plan.up.some((x) => x.op === 'rename'), ctx).toBe(true);

    const kept = c.before ? await rows(A.db, c.before) : [];
    if (c.before) expect(kept.length, 'the test seeds rows').toBeGreaterThan(0);
    await applySection(A.db, plan.up, 'up');
    const after = await introspect(A.db, opts);
    expect(catalogDifferences(after, catB), `${ctx}\ncatalog after up differs from B`).toEqual([]);
    if (c.after) expect(await rows(A.db, c.after), 'rows after up').toEqual(kept);
    // The hints are spent: planning again from the migrated state yields nothing.
    expect(resolveRenames(hints, after, catB).renames).toEqual([]);
    expect(script(buildPlan(after, catB).up), 're-plan').toBe('');

    await applySection(A.db, plan.down, 'down');
    const back = await introspect(A.db, opts);
    expect(catalogDifferences(back, catA), `${ctx}\ncatalog after down differs from A`).toEqual([]);
    if (c.before) expect(await rows(A.db, c.before), 'rows after down').toEqual(kept);
    return plan;
  } finally {
    await Promise.all([A.dispose(), B.dispose(), S.dispose()]);
  }
}

const renamesOf = (plan: Plan) => plan.up.filter((c) => c.op === 'rename').map((c) => c.sql.join('; '));

describe('rename hints converge and keep the data', { timeout: 120_000 }, () => {
  const COLUMN_A = `
    CREATE TABLE t (id serial PRIMARY KEY, mail text NOT NULL CHECK (mail <> ''), n int);
    CREATE INDEX t_mail_idx ON t (mail);
    CREATE UNIQUE INDEX t_lower_mail_idx ON t (lower(mail));
    CREATE VIEW v AS SELECT id, mail FROM t WHERE n > 0;`;
  const COLUMN_B = `
    CREATE TABLE t (
      id serial PRIMARY KEY,
      email text NOT NULL CHECK (email <> ''), -- schemaplan:renamed-from mail
      n int);
    CREATE INDEX t_email_idx ON t (email);
    CREATE UNIQUE INDEX t_lower_email_idx ON t (lower(email));
    CREATE VIEW v AS SELECT id, email AS mail FROM t WHERE n > 0;`;
  const COLUMN_DATA = {
    seed: "INSERT INTO t (mail, n) SELECT 'user' || g || '@example.com', g % 3 FROM generate_series(1, 2000) g;",
    before: 'SELECT id, mail, n FROM t ORDER BY id', after: 'SELECT id, email AS mail, n FROM t ORDER BY id',
  };

  it('a column: RENAME COLUMN keeps 2000 rows and their values; its index, check and expression index follow', async () => {
    const plan = await renameConverge(COLUMN_A, COLUMN_B, COLUMN_DATA);
    expect(renamesOf(plan)).toEqual([
      'ALTER TABLE public.t RENAME COLUMN mail TO email',
      'ALTER TABLE public.t RENAME CONSTRAINT t_mail_check TO t_email_check',
      'ALTER INDEX public.t_lower_mail_idx RENAME TO t_lower_email_idx',
      'ALTER INDEX public.t_mail_idx RENAME TO t_email_idx',
    ]);
    // No column is dropped or added, no index rebuilt.
    expect(plan.up.filter((c) => c.kind === 'column' || c.kind === 'index').every((c) => c.op === 'rename')).toBe(true);
    expect(plan.down.slice(-4).map((c) => c.sql.join('; '))).toContain('ALTER TABLE public.t RENAME COLUMN email TO mail');
  });

  it('the same through a copy of the current state (the path of a live database)', async () => {
    await renameConverge(COLUMN_A, COLUMN_B, { ...COLUMN_DATA, viaCopy: true });
  });

  it('a table with a serial key, an index and a foreign key pointing at it; the sequence keeps counting', async () => {
    const plan = await renameConverge(`
      CREATE TABLE people (id serial PRIMARY KEY, name text);
      CREATE INDEX people_name_idx ON people (name);
      CREATE TABLE notes (id int PRIMARY KEY, person_id int REFERENCES people (id), body text);`, `
      -- schemaplan:renamed-from people
      CREATE TABLE persons (
        id serial PRIMARY KEY,
        full_name text -- schemaplan:renamed-from name
      );
      CREATE INDEX persons_full_name_idx ON persons (full_name);
      CREATE TABLE notes (id int PRIMARY KEY, person_id int REFERENCES persons (id), body text);`, {
      seed: "INSERT INTO people (name) SELECT 'p' || g FROM generate_series(1, 500) g; INSERT INTO notes SELECT g, g, 'n' || g FROM generate_series(1, 500) g;",
      before: 'SELECT p.id, p.name, n.body FROM people p JOIN notes n ON n.person_id = p.id ORDER BY p.id',
      after: 'SELECT p.id, p.full_name AS name, n.body FROM persons p JOIN notes n ON n.person_id = p.id ORDER BY p.id',
    });
    expect(renamesOf(plan)).toEqual([
      'ALTER TABLE public.people RENAME TO persons',
      'ALTER TABLE public.persons RENAME COLUMN name TO full_name',
      'ALTER TABLE public.persons RENAME CONSTRAINT people_pkey TO persons_pkey',
      'ALTER INDEX public.people_name_idx RENAME TO persons_full_name_idx',
      'ALTER SEQUENCE public.people_id_seq RENAME TO persons_id_seq',
    ]);
  });

  it('a table moved to another schema and renamed', async () => {
    const plan = await renameConverge(`
      CREATE SCHEMA old; CREATE SCHEMA app;
      CREATE TABLE old.t0 (id int PRIMARY KEY, x text);`, `
      CREATE SCHEMA old; CREATE SCHEMA app;
      -- schemaplan:renamed-from old.t0
      CREATE TABLE app.t (id int PRIMARY KEY, x text);`, {
      schemas: ['old', 'app'], seed: "INSERT INTO old.t0 SELECT g, 'x' || g FROM generate_series(1, 100) g;",
      before: 'SELECT * FROM old.t0 ORDER BY id', after: 'SELECT * FROM app.t ORDER BY id',
    });
    expect(renamesOf(plan)[0]).toBe('ALTER TABLE old.t0 SET SCHEMA app; ALTER TABLE app.t0 RENAME TO t');
  });

  it('an index, named constraints (check, unique), a trigger and a policy', async () => {
    const fn = 'CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;';
    const plan = await renameConverge(`${fn}
      CREATE TABLE t (id int PRIMARY KEY, a int, CONSTRAINT a_positive CHECK (a > 0), CONSTRAINT t_a_uniq UNIQUE (a));
      CREATE INDEX t_idx ON t (a, id);
      CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
      ALTER TABLE t ENABLE ROW LEVEL SECURITY;
      CREATE POLICY p ON t USING (a > 0);`, `${fn}
      CREATE TABLE t (
        id int PRIMARY KEY, a int,
        CONSTRAINT t_a_check CHECK (a > 0), -- schemaplan:renamed-from a_positive
        -- schemaplan:renamed-from t_a_uniq
        CONSTRAINT t_a_key UNIQUE (a));
      CREATE INDEX t_a_id_idx ON t (a, id); -- schemaplan:renamed-from t_idx
      -- schemaplan:renamed-from tg
      CREATE TRIGGER t_before_insert BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION trg();
      ALTER TABLE t ENABLE ROW LEVEL SECURITY;
      CREATE POLICY positive_only ON t USING (a > 0); -- schemaplan:renamed-from p`, {
      seed: 'INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;', before: 'SELECT * FROM t ORDER BY id', after: 'SELECT * FROM t ORDER BY id',
    });
    expect(renamesOf(plan)).toEqual([
      'ALTER INDEX public.t_idx RENAME TO t_a_id_idx',
      'ALTER TABLE public.t RENAME CONSTRAINT a_positive TO t_a_check',
      'ALTER TABLE public.t RENAME CONSTRAINT t_a_uniq TO t_a_key',
      'ALTER TRIGGER tg ON public.t RENAME TO t_before_insert',
      'ALTER POLICY p ON public.t RENAME TO positive_only',
    ]);
  });

  it('a view, a materialized view, a function used by a view, a procedure, an aggregate and a sequence behind a default', async () => {
    const plan = await renameConverge(`
      CREATE SEQUENCE counter START 100;
      CREATE TABLE t (id int PRIMARY KEY DEFAULT nextval('counter'), x int);
      CREATE FUNCTION double_it(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v * 2';
      CREATE PROCEDURE bump(n int) LANGUAGE sql AS 'UPDATE t SET x = x + n';
      CREATE AGGREGATE total(int) (sfunc = int4pl, stype = int);
      CREATE VIEW doubled AS SELECT id, double_it(x) AS d FROM t;
      CREATE MATERIALIZED VIEW sums AS SELECT total(x) AS s FROM t;
      CREATE UNIQUE INDEX sums_s_idx ON sums (s);`, `
      -- schemaplan:renamed-from counter
      CREATE SEQUENCE t_ids START 100;
      CREATE TABLE t (id int PRIMARY KEY DEFAULT nextval('t_ids'), x int);
      -- schemaplan:renamed-from double_it
      CREATE FUNCTION twice(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v * 2';
      -- schemaplan:renamed-from bump
      CREATE PROCEDURE add_to_x(n int) LANGUAGE sql AS 'UPDATE t SET x = x + n';
      -- schemaplan:renamed-from total
      CREATE AGGREGATE sum_int(int) (sfunc = int4pl, stype = int);
      CREATE VIEW t_doubled AS SELECT id, twice(x) AS d FROM t; -- schemaplan:renamed-from doubled
      -- schemaplan:renamed-from sums
      CREATE MATERIALIZED VIEW t_sums AS SELECT sum_int(x) AS s FROM t;
      CREATE UNIQUE INDEX t_sums_s_idx ON t_sums (s); -- schemaplan:renamed-from sums_s_idx`, {
      seed: 'INSERT INTO t (x) SELECT g FROM generate_series(1, 50) g; REFRESH MATERIALIZED VIEW sums;',
      before: 'SELECT d, (SELECT s FROM sums) AS s FROM doubled ORDER BY id', after: 'SELECT d, (SELECT s FROM t_sums) AS s FROM t_doubled ORDER BY id',
    });
    expect(renamesOf(plan)).toEqual([
      'ALTER SEQUENCE public.counter RENAME TO t_ids',
      'ALTER FUNCTION public.double_it(v integer) RENAME TO twice',
      'ALTER PROCEDURE public.bump(IN n integer) RENAME TO add_to_x',
      'ALTER AGGREGATE public.total(integer) RENAME TO sum_int',
      'ALTER VIEW public.doubled RENAME TO t_doubled',
      'ALTER MATERIALIZED VIEW public.sums RENAME TO t_sums',
      'ALTER INDEX public.sums_s_idx RENAME TO t_sums_s_idx',
    ]);
    // Nothing is re-created: the views keep their definitions through the renames.
    expect(plan.up.every((c) => c.op === 'rename')).toBe(true);
  });

  it('renames mixed with other changes on the same objects: a widened renamed column, a new column, an online index and NOT NULL', async () => {
    const plan = await renameConverge(`
      CREATE TABLE orders (id bigint PRIMARY KEY, qty int, note text);`, `
      -- schemaplan:renamed-from orders
      CREATE TABLE purchases (
        id bigint PRIMARY KEY,
        quantity bigint NOT NULL, -- schemaplan:renamed-from qty
        note text,
        placed_at timestamptz
      );
      CREATE INDEX purchases_quantity_idx ON purchases (quantity);`, {
      seed: 'INSERT INTO orders SELECT g, g * 3, \'n\' || g FROM generate_series(1, 1000) g;',
      before: 'SELECT id, qty::bigint AS q, note FROM orders ORDER BY id', after: 'SELECT id, quantity AS q, note FROM purchases ORDER BY id',
    });
    expect(renamesOf(plan).slice(0, 3)).toEqual([
      'ALTER TABLE public.orders RENAME TO purchases',
      'ALTER TABLE public.purchases RENAME COLUMN qty TO quantity',
      'ALTER TABLE public.purchases RENAME CONSTRAINT orders_pkey TO purchases_pkey',
    ]);
    // The renames run first, in the first (transactional) file; the index is built concurrently after them.
    expect(plan.up.slice(0, 3).every((c) => c.op === 'rename' && c.transactional)).toBe(true);
    expect(plan.up.find((c) => c.id === 'index:public.purchases_quantity_idx')!.sql[0]).toMatch(/^CREATE INDEX CONCURRENTLY/);
    expect(plan.up.some((c) => c.sql.some((q) => /ALTER COLUMN quantity TYPE bigint/.test(q)))).toBe(true);
  });

  it('types: an enum and its labels (rows follow the new label), a composite attribute, a domain and its constraint, a range', async () => {
    const plan = await renameConverge(`
      CREATE TYPE state AS ENUM ('new', 'in progress', 'done');
      CREATE TYPE pair AS (a0 int, b int);
      CREATE DOMAIN positive AS int CONSTRAINT positive_check CHECK (VALUE > 0);
      CREATE TYPE span AS RANGE (subtype = int);
      CREATE TABLE t (id int PRIMARY KEY, s state, p pair, n positive, r span);`, `
      -- schemaplan:renamed-from state
      CREATE TYPE status AS ENUM (
        'new',
        'active', -- schemaplan:renamed-from 'in progress'
        'done');
      CREATE TYPE pair AS (
        a int, -- schemaplan:renamed-from a0
        b int);
      -- schemaplan:renamed-from positive
      CREATE DOMAIN pos_int AS int
        CONSTRAINT pos_int_check CHECK (VALUE > 0); -- schemaplan:renamed-from positive_check
      CREATE TYPE int_span AS RANGE (subtype = int); -- schemaplan:renamed-from span
      CREATE TABLE t (id int PRIMARY KEY, s status, p pair, n pos_int, r int_span);`, {
      seed: "INSERT INTO t SELECT g, (ARRAY['new', 'in progress', 'done'])[g % 3 + 1]::state, ROW(g, g)::pair, g, int4range(g, g + 5)::text::span FROM generate_series(1, 90) g;",
      before: "SELECT id, replace(s::text, 'in progress', 'active') AS s, (p).a0 AS a, n, r::text FROM t ORDER BY id",
      after: 'SELECT id, s::text AS s, (p).a AS a, n, r::text FROM t ORDER BY id',
    });
    expect(renamesOf(plan)).toEqual([
      'ALTER TYPE public.state RENAME TO status',
      'ALTER DOMAIN public.positive RENAME TO pos_int',
      'ALTER TYPE public.span RENAME TO int_span',
      "ALTER TYPE public.status RENAME VALUE 'in progress' TO 'active'",
      'ALTER TYPE public.pair RENAME ATTRIBUTE a0 TO a',
      'ALTER DOMAIN public.pos_int RENAME CONSTRAINT positive_check TO pos_int_check',
      'ALTER TYPE public.span_multirange RENAME TO int_span_multirange',
    ]);
  });
});

describe('rename hints that do not apply', { timeout: 120_000 }, () => {
  it('an old name missing from the current state is a warning and the object is created; a spent hint is silent', async () => {
    await loadParser();
    const opts = { schemas: ['public'], exclude: [] };
    const b = 'CREATE TABLE t (id int, email text); -- schemaplan:renamed-from tt\nCREATE TABLE u (\n  id int,\n  x int -- schemaplan:renamed-from y\n);';
    const [A, B] = await Promise.all([loadedDatabase('CREATE TABLE t (id int, email text);', 'A.sql'), loadedDatabase(b, 'B.sql')]);
    try {
      const [catA, catB] = await Promise.all([introspect(A.db, opts), introspect(B.db, opts)]);
      const r = resolveRenames(renameHints(b, 'schema.sql'), catA, catB);
      expect(r.renames).toEqual([]);
      expect(r.warnings).toEqual(['rename hint at schema.sql:4:9: table public.u is not in the current state; it is created with its column x']);
      // A hint after a one-line CREATE TABLE is on the table; when it names one of its columns, the warning says so.
      const one = 'CREATE TABLE t (id int, mail2 text); -- schemaplan:renamed-from email';
      const [C] = [await loadedDatabase(one.replace(' -- schemaplan:renamed-from email', ''), 'C.sql')];
      try {
        const w = resolveRenames(renameHints(one, 'schema.sql'), catA, await introspect(C.db, opts)).warnings;
        expect(w).toEqual(['rename hint at schema.sql:1:38 is on table public.t, not on a column; for column email, put the hint on the column\'s own line (the line before it, or the end of its line in a CREATE TABLE of several lines)']);
      } finally {
        await C.dispose();
      }
    } finally {
      await Promise.all([A.dispose(), B.dispose()]);
    }
  });
});
