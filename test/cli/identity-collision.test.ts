/**
 * End to end, default settings: names holding a dot. Schema "a.b" with table c and schema a with
 * table "b.c" once had the same identity (`table:a.b.c`), as had their columns, constraints, the
 * two indexes and the two functions below; with quoted identity parts they are distinct objects. `diff` from an empty
 * database creates both, the database then converges, and a change to one of them is planned for
 * that one only.
 */
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { afterComparedLine, emptyFolder, query, run, sql } from './support.js';

const BOTH = `
CREATE SCHEMA "a.b";
CREATE TABLE "a.b".c (
    id int CONSTRAINT pk PRIMARY KEY,
    x text NOT NULL CONSTRAINT x_nonempty CHECK (x <> '')
);
CREATE INDEX c_idx ON "a.b".c (x);
CREATE SCHEMA a;
CREATE TABLE a."b.c" (
    id bigint CONSTRAINT pk PRIMARY KEY,
    y int,
    z date
);
CREATE INDEX "b.c_idx" ON a."b.c" (y);
CREATE FUNCTION "a.b".f(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
CREATE FUNCTION a."b.f"(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 2';
`;

/** Column names of a relation, in order (`rel` is a regclass text such as `a."b.c"`). */
async function columnsOf(url: string, rel: string): Promise<string[]> {
  const rows = await query<{ c: string }>(url, `SELECT attname AS c FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [rel]);
  return rows.map((r) => r.c);
}

/** Index and constraint names of a relation, sorted. */
async function membersOf(url: string, rel: string): Promise<{ indexes: string[]; constraints: string[] }> {
  const indexes = await query<{ n: string }>(url, `SELECT c.relname AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass ORDER BY 1`, [rel]);
  const constraints = await query<{ n: string }>(url, `SELECT conname AS n FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY 1`, [rel]);
  return { indexes: indexes.map((r) => r.n), constraints: constraints.map((r) => r.n) };
}

/** What each function of the pair returns for 1 (2 from "a.b".f, 3 from a."b.f"). */
async function functionResults(url: string): Promise<{ one: number; two: number }[]> {
  return query(url, `SELECT "a.b".f(1) AS one, a."b.f"(1) AS two`);
}

/** `diff --from --to` until nothing is left: the printed SQL is empty and `--exit-code` says the same, both ways. */
async function expectConverged(dir: string, a: string, b: string): Promise<void> {
  const same = await run(dir, ['diff', '--from', a, '--to', b, '--exit-code']);
  expect(afterComparedLine(same.stderr)).toBe('');
  expect(same.stdout).toBe('');
  expect(same.code).toBe(0);
  const back = await run(dir, ['diff', '--from', b, '--to', a, '--exit-code']);
  expect(back.stdout).toBe('');
  expect(back.code).toBe(0);
}

describe('names with dots: schema "a.b" table c and schema a table "b.c"', { timeout: 600_000 }, () => {
  it('diff creates both, converges, and a change to one table is planned for it only', async () => {
    const dir = emptyFolder();
    const empty = await createDatabase('ident_from');
    const target = await createDatabase('ident_to');
    await sql(target, BOTH);

    const create = await run(dir, ['diff', '--from', empty, '--to', target]);
    expect(create.code, create.stderr).toBe(0);
    expect(afterComparedLine(create.stderr)).toBe('');
    await sql(empty, create.stdout);
    await expectConverged(dir, empty, target);

    for (const url of [empty, target]) {
      expect(await columnsOf(url, '"a.b".c')).toEqual(['id', 'x']);
      expect(await columnsOf(url, 'a."b.c"')).toEqual(['id', 'y', 'z']);
      expect(await membersOf(url, '"a.b".c')).toEqual({ indexes: ['c_idx', 'pk'], constraints: ['pk', 'x_nonempty'] });
      expect(await membersOf(url, 'a."b.c"')).toEqual({ indexes: ['b.c_idx', 'pk'], constraints: ['pk'] });
      expect(await functionResults(url)).toEqual([{ one: 2, two: 3 }]);
    }

    // One table changes: the plan names objects of that table only, and applying it converges.
    await sql(target, `ALTER TABLE a."b.c" ADD COLUMN w text; CREATE INDEX w_idx ON a."b.c" (w);`);
    const json = await run(dir, ['diff', '--from', empty, '--to', target, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { changes: { kind: string; object: string }[] };
    expect(doc.changes.map((c) => `${c.kind}:${c.object}`).sort()).toEqual(['column:a."b.c".w', 'index:a.w_idx']);
    const change = await run(dir, ['diff', '--from', empty, '--to', target]);
    expect(change.code, change.stderr).toBe(0);
    await sql(empty, change.stdout);
    await expectConverged(dir, empty, target);
    expect(await columnsOf(empty, '"a.b".c')).toEqual(['id', 'x']);
    expect(await columnsOf(empty, 'a."b.c"')).toEqual(['id', 'y', 'z', 'w']);
    expect(await membersOf(empty, '"a.b".c')).toEqual({ indexes: ['c_idx', 'pk'], constraints: ['pk', 'x_nonempty'] });
    expect((await membersOf(empty, 'a."b.c"')).indexes).toEqual(['b.c_idx', 'pk', 'w_idx']);
  });
});
