/**
 * The runner's data-loss guard through the library API on PostgreSQL 15: what each kind of
 * statement would delete is counted in the database (rows read back before and after), a count
 * that times out falls back to the planner's estimate, and `down`/`up` refuse or let through.
 */
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { countLosses, down, redo, RunnerError, up, type DataLoss } from '../../src/runner/index.js';
import { isBaseline, parseMigration, renderMigration } from '../../src/migrations/index.js';
import { loadParser, splitStatements } from '../../src/sql/split.js';
import { createDatabase, openDb } from '../support/db.js';
import { mig, project, table } from '../support/history.js';
import type { Db } from '../../src/db/types.js';

/** Counts what the statements of `sql` would delete, as a down section of a file `f.sql`. */
async function count(db: Db, sql: string, timeout?: string): Promise<Array<Pick<DataLoss, 'kind' | 'object' | 'count' | 'estimated'>>> {
  await loadParser();
  const losses = await countLosses(db, [{ file: 'f.sql', version: '1', section: 'down', statements: splitStatements(sql), firstLine: 1 }],
    { inTransaction: false, ...(timeout ? { timeout } : {}) });
  return losses.map(({ kind, object, count: n, estimated }) => ({ kind, object, count: n, estimated }));
}

describe('counting what a section would delete', () => {
  it('counts rows, non-NULL values, schemas and types dropped with CASCADE; missing objects count 0; nothing is changed', async () => {
    const db = await openDb(await createDatabase('loss'));
    await db.exec(`
      CREATE TABLE t (id int, note text);
      INSERT INTO t SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' END FROM generate_series(1, 40) g;
      CREATE TABLE "it's" (id int); INSERT INTO "it's" SELECT generate_series(1, 3);
      CREATE TABLE parent (id int); CREATE TABLE child () INHERITS (parent);
      INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (3);
      CREATE SCHEMA "Side"; CREATE TABLE "Side".a (id int); CREATE TABLE "Side".b (id int); INSERT INTO "Side".a VALUES (1), (2);
      CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE m (id int, mood mood, moods mood[]);
      INSERT INTO m VALUES (1, 'ok', '{sad}'), (2, NULL, NULL), (3, 'sad', NULL);
      CREATE TABLE empty (id int);`);
    expect(await count(db, `
      DROP TABLE IF EXISTS t, "it's", nowhere, empty;
      ALTER TABLE t DROP COLUMN IF EXISTS note, DROP COLUMN IF EXISTS ghost;
      TRUNCATE ONLY parent; TRUNCATE parent;
      DROP SCHEMA "Side" CASCADE; DROP SCHEMA IF EXISTS gone CASCADE;
      DROP TYPE mood CASCADE;
      DELETE FROM t; UPDATE t SET note = NULL;`)).toEqual([
      { kind: 'table', object: 'public.t', count: 40, estimated: false },
      { kind: 'table', object: `public."it's"`, count: 3, estimated: false },
      { kind: 'column', object: 'public.t.note', count: 30, estimated: false },
      { kind: 'truncate', object: 'public.parent', count: 2, estimated: false },
      { kind: 'truncate', object: 'public.parent', count: 3, estimated: false },
      { kind: 'schema', object: '"Side".a', count: 2, estimated: false },
      { kind: 'type', object: 'public.m.mood', count: 2, estimated: false },
      { kind: 'type', object: 'public.m.moods', count: 1, estimated: false },
    ]);
    expect(await db.query('SELECT count(*)::int AS n, count(note)::int AS v FROM t')).toEqual([{ n: 40, v: 30 }]);
    expect(await db.query(`SELECT to_regnamespace('"Side"') IS NOT NULL AS s, to_regtype('mood') IS NOT NULL AS ty`)).toEqual([{ s: true, ty: true }]);
  });

  it('a count that times out (here: waiting for a lock) falls back to the planner estimate and says so', async () => {
    const url = await createDatabase('loss');
    const db = await openDb(url);
    await db.exec(`CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 1000); ANALYZE big;`);
    const holder = await connect(url);
    try {
      await holder.exec('BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE;');
      const t0 = Date.now();
      expect(await count(db, 'DROP TABLE big', '200ms')).toEqual([{ kind: 'table', object: 'public.big', count: 1000, estimated: true }]);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      await holder.exec('ROLLBACK');
      await holder.close();
    }
  });
});

describe('down and up refuse to delete data unless allowed', () => {
  it('down: refused naming the column and count, nothing changes; dry run reports; allowDestructive reverts', async () => {
    const db = await openDb(await createDatabase('loss'));
    const p = project({
      '20260101000000_t.sql': mig('CREATE TABLE t (id int);', 'DROP TABLE t;'),
      '20260102000000_note.sql': mig('ALTER TABLE t ADD COLUMN note text;', 'ALTER TABLE t DROP COLUMN note;'),
    });
    await up(db, p.history(), { table });
    await db.exec(`INSERT INTO t SELECT g, 'x' FROM generate_series(1, 7) g`);
    const err = await down(db, p.history(), { table }).catch((e) => e);
    expect(err).toBeInstanceOf(RunnerError);
    expect(err.code).toBe('would_lose_data');
    expect(err.message).toContain('down would delete 7 non-NULL value(s) of column public.t.note (statement 1 of the down section of migrations/20260102000000_note.sql, line 4)');
    expect(await db.query('SELECT count(note)::int AS v FROM t')).toEqual([{ v: 7 }]);
    expect(await db.query('SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: 2 }]);

    const dry = await down(db, p.history(), { table, dryRun: true });
    expect(dry.losses.map((l) => [l.object, l.count])).toEqual([['public.t.note', 7]]);
    // Two steps: both down sections are counted before either runs (the table's rows, too).
    const two = await down(db, p.history(), { table, steps: 2 }).catch((e) => e);
    expect(two.message).toMatch(/7 non-NULL value\(s\) of column public\.t\.note .*; 7 row\(s\) of table public\.t /);
    const r = await redo(db, p.history(), { table }).catch((e) => e);
    expect(r.code).toBe('would_lose_data');

    const ok = await down(db, p.history(), { table, allowDestructive: true });
    expect(ok.reverted.map((x) => x.version)).toEqual(['20260102000000']);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'note'`)).toEqual([{ n: 0 }]);
    expect(await db.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 7 }]);
  });

  it('up: TRUNCATE without a DESTRUCTIVE header is refused; DELETE is not; the header lets a drop through', async () => {
    const db = await openDb(await createDatabase('loss'));
    await db.exec(`CREATE TABLE keep (id int); INSERT INTO keep VALUES (1), (2);`);
    const p = project({
      '20260101000000_trunc.sql': mig('DELETE FROM keep WHERE id = 1;\nTRUNCATE keep;', ''),
    });
    const err = await up(db, p.history(), { table }).catch((e) => e);
    expect(err.code).toBe('would_lose_data');
    expect(err.message).toContain('2 row(s) of table public.keep (TRUNCATE) (statement 2 of the up section');
    expect(err.message).toContain('-- DESTRUCTIVE:');
    expect(await db.query('SELECT count(*)::int AS n FROM keep')).toEqual([{ n: 2 }]);
    const marked = project({ '20260101000000_trunc.sql': `-- DESTRUCTIVE: empties keep\n${mig('DELETE FROM keep WHERE id = 1;\nTRUNCATE keep;', '')}` });
    expect((await up(db, marked.history(), { table })).applied).toHaveLength(1);
    expect(await db.query('SELECT count(*)::int AS n FROM keep')).toEqual([{ n: 0 }]);
  });
});

describe('baselines', () => {
  it('the directive is written with an empty down section and read back, in every marker format', () => {
    const text = renderMigration({ version: '20260101000000', name: 'baseline', planFile: 'plans/p.yaml', up: ['CREATE TABLE t (id int)'], down: [], transactional: true, baseline: true });
    const parsed = parseMigration(text, 'b.sql');
    expect(parsed).toMatchObject({ baseline: true, up: 'CREATE TABLE t (id int);' });
    expect(parsed.down).toMatch(/^-- A baseline is never reverted/);
    expect(isBaseline({ name: 'anything', parsed })).toBe(true);
    expect(() => renderMigration({ version: '1', name: 'b', up: [], down: ['DROP TABLE t'], transactional: true, baseline: true })).toThrow(/never reverted/);
    expect(parseMigration('-- schemaplan:baseline\n-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\n', 'g.sql').baseline).toBe(true);
    expect(parseMigration('-- schemaplan:baseline\nCREATE TABLE t (id int);\n', 'u.sql').baseline).toBe(true);
    expect(parseMigration(mig('CREATE TABLE t (id int);', ''), 'm.sql').baseline).toBeUndefined();
  });

  it('an older adopted baseline (named baseline, with a -- Plan: header, a drop-everything down) is not reverted either', async () => {
    const db = await openDb(await createDatabase('base'));
    const p = project({
      '20260101000000_baseline.sql': `-- Migration: 20260101000000_baseline\n-- Plan: plans/20260101000000_baseline.yaml\n${mig('CREATE TABLE kept (id int);', 'DROP TABLE kept;')}`,
      '20260102000000_next.sql': mig('CREATE TABLE next (id int);', 'DROP TABLE next;'),
    });
    await up(db, p.history(), { table });
    const err = await down(db, p.history(), { table, to: '0', allowDestructive: true }).catch((e) => e);
    expect(err).toMatchObject({ code: 'baseline' });
    expect(err.message).toContain('down --to 20260101000000');
    expect(await db.query(`SELECT to_regclass('kept') IS NOT NULL AS kept, to_regclass('next') IS NOT NULL AS next`)).toEqual([{ kept: true, next: true }]);
    expect(await db.query('SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: 2 }]);
    // A hand-written file that happens to be called baseline (no -- Plan: header) is an ordinary migration.
    const plain = project({ '20260101000000_baseline.sql': mig('CREATE TABLE plain (id int);', 'DROP TABLE plain;') });
    const db2 = await openDb(await createDatabase('base'));
    await up(db2, plain.history(), { table });
    expect((await down(db2, plain.history(), { table })).reverted).toHaveLength(1);
  });
});
