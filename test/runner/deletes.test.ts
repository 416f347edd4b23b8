/**
 * The data-loss classifier (src/runner/deletes.ts) on PostgreSQL's parse trees: which statements
 * would delete rows or column values, and what they name. No database; the counting queries it
 * generates are run against PostgreSQL in test/runner/data-loss.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { wouldDelete } from '../../src/runner/deletes.js';
import { loadParser, splitStatements } from '../../src/sql/split.js';

beforeAll(() => loadParser());

/** What each statement of `sql` would delete, without the generated queries. */
function classify(sql: string) {
  return splitStatements(sql).map((s) => wouldDelete(s.node).map(({ countQuery, ...rest }) => {
    expect(countQuery).toMatch(/^SELECT /);
    return rest;
  }));
}

describe('wouldDelete', () => {
  it('DROP TABLE: every name, qualified or not, with IF EXISTS and CASCADE', () => {
    expect(classify('DROP TABLE t; DROP TABLE IF EXISTS public.a, "Odd Schema"."T x", b CASCADE;')).toEqual([
      [{ kind: 'table', object: 't', table: { schema: null, name: 't' } }],
      [
        { kind: 'table', object: 'public.a', table: { schema: 'public', name: 'a' } },
        { kind: 'table', object: '"Odd Schema"."T x"', table: { schema: 'Odd Schema', name: 'T x' } },
        { kind: 'table', object: 'b', table: { schema: null, name: 'b' } },
      ],
    ]);
  });

  it('TRUNCATE: each table, ONLY or not', () => {
    expect(classify('TRUNCATE a, s."B" RESTART IDENTITY CASCADE; TRUNCATE TABLE ONLY c;')).toEqual([
      [
        { kind: 'truncate', object: 'a', table: { schema: null, name: 'a' } },
        { kind: 'truncate', object: 's."B"', table: { schema: 's', name: 'B' } },
      ],
      [{ kind: 'truncate', object: 'c', table: { schema: null, name: 'c' } }],
    ]);
  });

  it('ALTER TABLE … DROP COLUMN: each dropped column, IF EXISTS, quoted names; other commands are not findings', () => {
    expect(classify('ALTER TABLE IF EXISTS ONLY s.t DROP COLUMN IF EXISTS "Note", ADD COLUMN x int, DROP c2 CASCADE;')).toEqual([[
      { kind: 'column', object: 's.t."Note"', table: { schema: 's', name: 't' }, column: 'Note' },
      { kind: 'column', object: 's.t.c2', table: { schema: 's', name: 't' }, column: 'c2' },
    ]]);
    expect(classify('ALTER TABLE t ALTER COLUMN c SET NOT NULL, DROP CONSTRAINT t_c_check; ALTER TABLE t RENAME COLUMN a TO b;')).toEqual([[], []]);
  });

  it('DROP SCHEMA and DROP TYPE / DOMAIN count only with CASCADE (without it PostgreSQL refuses to drop what holds data)', () => {
    expect(classify('DROP SCHEMA IF EXISTS a, "B" CASCADE; DROP SCHEMA c; DROP TYPE IF EXISTS mood, s."T" CASCADE; DROP TYPE m; DROP DOMAIN d CASCADE;')).toEqual([
      [
        { kind: 'schema', object: 'a', target: { schema: null, name: 'a' } },
        { kind: 'schema', object: '"B"', target: { schema: null, name: 'B' } },
      ],
      [],
      [
        { kind: 'type', object: 'mood', target: { schema: null, name: 'mood' } },
        { kind: 'type', object: 's."T"', target: { schema: 's', name: 'T' } },
      ],
      [],
      [{ kind: 'type', object: 'd', target: { schema: null, name: 'd' } }],
    ]);
  });

  it('DELETE, UPDATE, DROP INDEX/VIEW/FUNCTION and statements that merely mention a table are not findings', () => {
    expect(classify(`DELETE FROM t; UPDATE t SET c = NULL; DROP INDEX i; DROP VIEW v; DROP FUNCTION f();
      SELECT 'DROP TABLE t'; CREATE TABLE t2 AS SELECT * FROM t; COMMENT ON TABLE t IS 'TRUNCATE me';`)).toEqual([[], [], [], [], [], [], [], []]);
  });
});
