/**
 * Plans that know the data, end to end through the CLI on real PostgreSQL:
 * - `plan --url` counts what existing rows put in the way of a change (a NOT NULL column without a
 *   default, SET NOT NULL, UNIQUE, CHECK): with something in the way it exits 3, writes nothing and
 *   names the table, column and count; without, it writes a migration that `up` applies and a new
 *   plan finds nothing left to do;
 * - a plan made against the history records its assumptions as `-- schemaplan:check` lines, and
 *   `up` refuses before any statement runs when one does not hold;
 * - a statement that times out waiting for a lock names the session holding it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { connect } from '../../src/db/connect.js';
import type { PlanDocument } from '../../src/plan/document.js';
import { createDatabase } from '../support/db.js';
import { emptyFolder, filesIn, fingerprint, query, run, sql } from './support.js';

/** A project folder with schema/schema.sql holding `schema`. */
function project(schema: string): string {
  const dir = emptyFolder('schemaplan-data-');
  fs.mkdirSync(path.join(dir, 'schema'));
  fs.writeFileSync(path.join(dir, 'schema/schema.sql'), schema);
  return dir;
}

function setSchema(dir: string, schema: string): void {
  fs.writeFileSync(path.join(dir, 'schema/schema.sql'), schema);
}

/** `plan <name>` (against the history) then `up --url`: both must succeed. */
async function planAndUp(dir: string, name: string, url: string): Promise<void> {
  const p = await run(dir, ['plan', name]);
  expect(p.code, p.all).toBe(0);
  const u = await run(dir, ['up', '--url', url]);
  expect(u.code, u.all).toBe(0);
}

/** Whether public.<table>.<column> is NOT NULL in the catalog. */
async function notNull(url: string, table: string, column: string): Promise<boolean> {
  const [r] = await query<{ n: boolean }>(url, `SELECT attnotnull AS n FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`, [`public.${table}`, column]);
  return r!.n;
}

/** Constraint names of public.<table>, sorted. */
async function constraints(url: string, table: string): Promise<string[]> {
  const rows = await query<{ c: string }>(url, `SELECT conname AS c FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY 1`, [`public.${table}`]);
  return rows.map((r) => r.c);
}

/** Index names of public.<table>, sorted. */
async function indexes(url: string, table: string): Promise<string[]> {
  const rows = await query<{ i: string }>(url, `SELECT indexrelid::regclass::text AS i FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`, [`public.${table}`]);
  return rows.map((r) => r.i);
}

/** Versions recorded in the tracking table, in order. */
async function recorded(url: string): Promise<string[]> {
  const rows = await query<{ v: string }>(url, `SELECT version::text AS v FROM public.schema_migrations ORDER BY 1`);
  return rows.map((r) => r.v);
}

const BASE = `CREATE TABLE orders (id bigint PRIMARY KEY, customer text, note text, code text, vendor_id bigint);
CREATE TABLE vendors (id bigint PRIMARY KEY, name text);
`;

describe('plan --url counts the rows in the way', { timeout: 600_000 }, () => {
  it('blocks (exit 3, nothing written, table/column/count named) when rows are in the way, writes a plan up applies when none are', async () => {
    const dir = project(BASE);
    const url = await createDatabase('datacheck');
    await planAndUp(dir, 'create', url);
    // 3 orders: customer NULL twice, note all distinct and set, code 'x' twice, vendor_id 1, NULL, 2 (vendors is empty).
    await sql(url, `INSERT INTO orders VALUES (1, 'acme', 'n1', 'x', 1), (2, NULL, 'n2', 'x', NULL), (3, NULL, 'n3', 'y', 2)`);
    const [{ n: rows }] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM orders');
    const [{ n: nulls }] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM orders WHERE customer IS NULL');
    const [{ n: dupes }] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM (SELECT code FROM orders GROUP BY code HAVING count(*) > 1) d');
    expect([rows, nulls, dupes]).toEqual([3, 2, 1]);

    const blocked = async (schema: string, name: string, ...expected: RegExp[]) => {
      setSchema(dir, schema);
      const before = fingerprint(dir);
      const r = await run(dir, ['plan', name, '--url', url]);
      expect(r.code, r.all).toBe(3);
      for (const e of expected) expect(r.stderr).toMatch(e);
      expect(r.stderr).toContain('nothing written');
      expect(r.stderr).toContain('schemaplan new');
      expect(fingerprint(dir)).toEqual(before);
    };
    const applies = async (schema: string, name: string): Promise<PlanDocument> => {
      setSchema(dir, schema);
      const r = await run(dir, ['plan', name, '--url', url]);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toContain('wrote migrations/');
      const planFile = /wrote (plans\/\S+\.yaml)/.exec(r.stdout)![1]!;
      const doc = YAML.parse(fs.readFileSync(path.join(dir, planFile), 'utf8')) as PlanDocument;
      const u = await run(dir, ['up', '--url', url]);
      expect(u.code, u.all).toBe(0);
      const again = await run(dir, ['plan', `${name}_again`, '--url', url]);
      expect(again.code, again.all).toBe(0);
      expect(again.stdout).toContain('No changes');
      return doc;
    };

    // A new NOT NULL column without a default: every row is in the way.
    await blocked(BASE.replace('vendor_id bigint)', 'vendor_id bigint, region text NOT NULL)'), 'add_region',
      new RegExp(`public\\.orders \\(region\\): ${rows} row\\(s\\) in the way`));
    // The same on the empty table is planned and applied; its rows are kept as they are.
    await applies(BASE.replace('name text)', 'name text, region text NOT NULL)'), 'vendor_region');
    expect(await notNull(url, 'vendors', 'region')).toBe(true);
    const withRegion = BASE.replace('name text)', 'name text, region text NOT NULL)');

    // SET NOT NULL on a column holding NULLs.
    await blocked(withRegion.replace('customer text', 'customer text NOT NULL'), 'customer_not_null',
      new RegExp(`public\\.orders \\(customer\\): ${nulls} row\\(s\\) holding NULL in the way`));
    // SET NOT NULL on a column without NULLs.
    const noteNotNull = withRegion.replace('note text', 'note text NOT NULL');
    const [size] = await query<{ bytes: string; rows: number }>(url, `SELECT pg_total_relation_size('public.orders') AS bytes, reltuples::int AS rows FROM pg_class WHERE oid = 'public.orders'::regclass`);
    const doc = await applies(noteNotNull, 'note_not_null');
    expect(await notNull(url, 'orders', 'note')).toBe(true);
    // The change that scans orders (validating the temporary NOT NULL check) carries the table's size and estimated rows.
    const scans = doc.changes.filter((c) => c.hazards.some((h) => h.kind === 'validation_scan'));
    expect(scans.length).toBeGreaterThan(0);
    for (const c of scans) expect(c.table_size).toEqual({ table: 'public.orders', bytes: Number(size!.bytes), size: expect.any(String), estimated_rows: size!.rows });

    // UNIQUE over duplicates.
    await blocked(noteNotNull.replace('code text', 'code text UNIQUE'), 'code_unique',
      new RegExp(`public\\.orders \\(code\\): ${dupes} duplicate key value\\(s\\) in the way`));
    // CHECK that one row violates.
    await blocked(noteNotNull.replace('code text', `code text CHECK (code <> 'y')`), 'code_check',
      /public\.orders \(code\): 1 row\(s\) violating the check in the way/);
    // A foreign key to the empty vendors: the two non-NULL vendor_id have no referenced row (NULL passes).
    await blocked(noteNotNull.replace('vendor_id bigint', 'vendor_id bigint REFERENCES vendors (id)'), 'vendor_fk',
      /public\.orders \(vendor_id\): 2 row\(s\) without a referenced row in the way/);
    // UNIQUE over distinct values.
    const noteUnique = noteNotNull.replace('note text NOT NULL', 'note text NOT NULL UNIQUE');
    await applies(noteUnique, 'note_unique');
    expect(await constraints(url, 'orders')).toContain('orders_note_key');

    // Rows are all still there and unchanged.
    expect(await query(url, 'SELECT id::int, customer, note, code, vendor_id::int FROM orders ORDER BY id')).toEqual([
      { id: 1, customer: 'acme', note: 'n1', code: 'x', vendor_id: 1 }, { id: 2, customer: null, note: 'n2', code: 'x', vendor_id: null },
      { id: 3, customer: null, note: 'n3', code: 'y', vendor_id: 2 },
    ]);
  });
});

describe('-- schemaplan:check lines: up checks what a plan assumed before it runs anything', { timeout: 600_000 }, () => {
  it('a plan made against the history that sets NOT NULL over 100 NULLs is refused by up before any statement runs', async () => {
    const schema = 'CREATE TABLE orders (id bigint PRIMARY KEY, customer text);\n';
    const dir = project(schema);
    const url = await createDatabase('assume');
    await planAndUp(dir, 'create', url);
    await sql(url, `INSERT INTO orders SELECT g, CASE WHEN g > 100 THEN 'c' || g END FROM generate_series(1, 130) g`);
    const applied = await recorded(url);
    expect(applied).toHaveLength(1);

    setSchema(dir, schema.replace('customer text', 'customer text NOT NULL'));
    const p = await run(dir, ['plan', 'customer_not_null']);
    expect(p.code, p.all).toBe(0);
    const files = filesIn(dir, 'migrations', '.sql');
    const first = fs.readFileSync(path.join(dir, 'migrations', files[1]!), 'utf8');
    // The assumption is a reviewable header line (format check only).
    expect(first).toMatch(/^-- schemaplan:check SELECT FROM public\.orders WHERE customer IS NULL$/m);

    const constraintsBefore = await constraints(url, 'orders');
    const indexesBefore = await indexes(url, 'orders');
    const u = await run(dir, ['up', '--url', url]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/100 row\(s\) in the way in public\.orders \(customer\)/);
    expect(u.stderr).toContain(files[1]!);
    expect(u.stdout).not.toMatch(/applying/);
    // Nothing ran: no tracking row, constraint (not even the NOT VALID check of the first step), index or NOT NULL.
    expect(await recorded(url)).toEqual(applied);
    expect(await constraints(url, 'orders')).toEqual(constraintsBefore);
    expect(await indexes(url, 'orders')).toEqual(indexesBefore);
    expect(await notNull(url, 'orders', 'customer')).toBe(false);

    // A hand edit that turns the check into a write is refused by the parser, naming the line; nothing runs.
    const file = path.join(dir, 'migrations', files[1]!);
    const lineNo = first.split('\n').findIndex((l) => l.startsWith('-- schemaplan:check')) + 1;
    fs.writeFileSync(file, first.replace('-- schemaplan:check SELECT FROM public.orders WHERE customer IS NULL', '-- schemaplan:check DELETE FROM public.orders WHERE customer IS NULL'));
    expect((await run(dir, ['hash'])).code).toBe(0);
    const edited = await run(dir, ['up', '--url', url]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain(`${files[1]}:${lineNo}: -- schemaplan:check must be a SELECT, found DeleteStmt`);
    const [{ n: still }] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM orders');
    expect(still).toBe(130);
    expect(await recorded(url)).toEqual(applied);
    fs.writeFileSync(file, first);
    expect((await run(dir, ['hash'])).code).toBe(0);

    // Once the rows are fixed, the same files apply and the column is NOT NULL.
    await sql(url, `UPDATE orders SET customer = 'unknown' WHERE customer IS NULL`);
    const ok = await run(dir, ['up', '--url', url]);
    expect(ok.code, ok.all).toBe(0);
    expect(await notNull(url, 'orders', 'customer')).toBe(true);
    expect(await recorded(url)).toHaveLength(files.length);
    const [{ n }] = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM orders WHERE customer = 'unknown'`);
    expect(n).toBe(100);
  });
});

describe('a lock timeout names the session holding the lock', { timeout: 600_000 }, () => {
  it('up fails after lock_timeout naming the pid and application of an idle-in-transaction session; nothing is applied or recorded', async () => {
    const schema = 'CREATE TABLE orders (id bigint PRIMARY KEY);\n';
    const dir = project(schema);
    // A team that keeps lock waits short and lets statements run longer than a lock wait.
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'online:\n  lock_timeout: 500ms\n  statement_timeout: 30s\n');
    const url = await createDatabase('blocker');
    await planAndUp(dir, 'create', url);
    setSchema(dir, schema.replace('id bigint PRIMARY KEY', 'id bigint PRIMARY KEY, note text'));
    const p = await run(dir, ['plan', 'add_note']);
    expect(p.code, p.all).toBe(0);
    const applied = await recorded(url);

    const holder = await connect(url);
    try {
      await holder.exec(`SET application_name = 'nightly-report-7f3a'`);
      await holder.exec('BEGIN');
      const [{ pid }] = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await holder.query('SELECT count(*) FROM orders');
      // Older than lock_timeout (500ms): up warns before it runs the file.
      await new Promise((r) => setTimeout(r, 1500));
      const u = await run(dir, ['up', '--url', url, '--lock-retries', '1', '--lock-retry-delay', '100ms']);
      expect(u.code).toBe(1);
      expect(u.stderr).toMatch(new RegExp(`warning: migrations/\\d+_add_note\\.sql: pid ${pid} \\(application "nightly-report-7f3a", [^)]*\\): SELECT count\\(\\*\\) FROM orders has had its transaction open longer than lock_timeout \\(500ms\\)`));
      // The warning, the retry line and the final error name the holder.
      const named = new RegExp(`pid ${pid} \\(application "nightly-report-7f3a", idle in transaction, transaction open for \\d+ s, holds public\\.orders AccessShareLock\\): SELECT count\\(\\*\\) FROM orders`, 'g');
      expect(u.all.match(named)?.length, u.all).toBe(3);
      expect(u.stderr).toMatch(/lock timeout/);
      // Rolled back: no column, no tracking row.
      const cols = await query<{ c: string }>(url, `SELECT attname AS c FROM pg_attribute WHERE attrelid = 'public.orders'::regclass AND attnum > 0 AND NOT attisdropped`);
      expect(cols.map((c) => c.c)).toEqual(['id']);
      expect(await recorded(url)).toEqual(applied);
    } finally {
      await holder.exec('ROLLBACK').catch(() => undefined);
      await holder.close();
    }
    const ok = await run(dir, ['up', '--url', url]);
    expect(ok.code, ok.all).toBe(0);
    expect(await recorded(url)).toHaveLength(applied.length + 1);
  });
});
