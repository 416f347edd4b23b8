/**
 * Online index replacement and removal, end to end through the CLI with default settings: a changed
 * index on a 200,000-row table is planned as a concurrent build under a temporary name, a concurrent
 * drop of the old index and a rename; a dropped index as DROP INDEX CONCURRENTLY. `up` applies while
 * a writer keeps inserting with lock_timeout = 2s and none of its writes fails or waits that long;
 * no INVALID index is left; re-planning yields nothing; `down` restores the previous indexes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSync } from 'libpg-query';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { parseMigration } from '../../src/migrations/index.js';
import { loadParser } from '../../src/sql/split.js';
import { createDatabase } from '../support/db.js';
import { emptyFolder, filesIn, query, run, sql } from './support.js';

const ROWS = 200_000;
const TABLE = 'CREATE TABLE items (id bigint PRIMARY KEY, code text NOT NULL, n int NOT NULL);';
const BEFORE = `${TABLE}\nCREATE INDEX items_n_idx ON items (n);\nCREATE INDEX items_code_idx ON items (code);\n`;
const AFTER = `${TABLE}\nCREATE INDEX items_n_idx ON items (n, code) WHERE n > 10;\n`;

/** The statements of a section as parse trees (PostgreSQL's parser). */
function statements(text: string): Record<string, any>[] {
  return (parseSync(text).stmts ?? []).map((s: any) => s.stmt);
}

/** `name → pg_get_indexdef` and validity of the indexes on public.items. */
async function indexes(url: string): Promise<Record<string, { def: string; valid: boolean }>> {
  const rows = await query<{ name: string; def: string; valid: boolean }>(url, `
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisvalid AS valid
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'public.items'::regclass ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [r.name, { def: r.def, valid: r.valid }]));
}

describe('online index replacement and removal', { timeout: 600_000 }, () => {
  it('a changed and a dropped index on a busy 200,000-row table: concurrent up without lock waits, nothing left INVALID, re-plan empty, down restores', async () => {
    await loadParser();
    const dir = emptyFolder('schemaplan-online-index-');
    expect((await run(dir, ['init'])).code).toBe(0);
    const schemaFile = path.join(dir, 'schema/schema.sql');
    fs.appendFileSync(schemaFile, BEFORE);
    const url = await createDatabase('online_idx');
    const first = await run(dir, ['plan', 'items']);
    expect(first.code, first.all).toBe(0);
    expect((await run(dir, ['up', '--url', url])).code).toBe(0);
    await sql(url, `INSERT INTO items SELECT g, 'c' || g, g % 1000 FROM generate_series(1, ${ROWS}) g; ANALYZE items;`);
    const before = await indexes(url);
    expect(Object.keys(before)).toEqual(['items_code_idx', 'items_n_idx', 'items_pkey']);

    // Change one index, drop the other (a drop is destructive: allowed explicitly).
    fs.writeFileSync(schemaFile, fs.readFileSync(schemaFile, 'utf8').replace(BEFORE, AFTER));
    const plan = await run(dir, ['plan', 'reindex', '--allow-destructive']);
    expect(plan.code, plan.all).toBe(0);
    // The written files pass lint and check (history replayed, each down section in its mode).
    const check = await run(dir, ['check']);
    expect(check.code, check.all).toBe(0);
    const files = filesIn(dir, 'migrations', '.sql').filter((f) => f.endsWith('_reindex.sql'));
    expect(files.length).toBeGreaterThan(0);
    const parsed = files.map((f) => parseMigration(fs.readFileSync(path.join(dir, 'migrations', f), 'utf8'), f));
    const ups = parsed.flatMap((p) => statements(p.up).map((s) => ({ s, transactional: p.transactional })));
    const creates = ups.filter((u) => u.s.IndexStmt);
    const drops = ups.filter((u) => u.s.DropStmt?.removeType === 'OBJECT_INDEX');
    // A concurrent build of the changed index, concurrent drops of the old one and of the dropped
    // one, all in transaction:false files; no plain DROP INDEX and no plain CREATE INDEX in up.
    expect(creates.map((u) => [u.s.IndexStmt.concurrent, u.transactional])).toEqual([[true, false]]);
    expect(drops.map((u) => [u.s.DropStmt.concurrent, u.transactional])).toEqual([[true, false], [true, false]]);
    const renames = ups.filter((u) => u.s.RenameStmt?.renameType === 'OBJECT_INDEX');
    expect(renames.map((u) => u.s.RenameStmt.newname)).toEqual(['items_n_idx']);
    // The down sections are concurrent as well, in transaction:false sections.
    const downs = parsed.flatMap((p) => statements(p.down ?? '').map((s) => ({ s, transactional: p.downTransactional })));
    expect(downs.filter((d) => d.s.IndexStmt).map((d) => [d.s.IndexStmt.concurrent, d.transactional])).toEqual([[true, false], [true, false]]);
    expect(downs.filter((d) => d.s.DropStmt?.removeType === 'OBJECT_INDEX').map((d) => [d.s.DropStmt.concurrent, d.transactional])).toEqual([[true, false]]);

    // A writer inserts throughout, with lock_timeout = 2s: any write waiting that long errors.
    const writer = await connect(url);
    await writer.exec("SET lock_timeout = '2s'");
    let done = false;
    let n = 0;
    const errors: string[] = [];
    let maxMs = 0;
    const loop = (async () => {
      while (!done) {
        n++;
        const t0 = performance.now();
        try {
          await writer.query('INSERT INTO items (id, code, n) VALUES ($1, $2, $3)', [ROWS + n, `w${n}`, n % 1000]);
        } catch (e) {
          errors.push((e as Error).message);
        }
        maxMs = Math.max(maxMs, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    let up;
    try {
      await new Promise((r) => setTimeout(r, 100));
      up = await run(dir, ['up', '--url', url]);
    } finally {
      done = true;
      await loop;
      await writer.close();
    }
    expect(up.code, up.all).toBe(0);
    expect(errors).toEqual([]);
    expect(n).toBeGreaterThan(10);
    expect(maxMs).toBeLessThan(2000);
    console.log(`online index replacement: ${n} concurrent inserts, max latency ${maxMs.toFixed(1)} ms (lock_timeout 2000 ms)`);

    const after = await indexes(url);
    expect(Object.keys(after)).toEqual(['items_n_idx', 'items_pkey']);
    expect(Object.values(after).every((i) => i.valid)).toBe(true);
    expect(after.items_n_idx!.def).toBe('CREATE INDEX items_n_idx ON public.items USING btree (n, code) WHERE (n > 10)');
    // Every row is there: the seeded ones and each insert of the writer.
    expect(await query(url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: ROWS + n }]);

    // Re-planning yields nothing, against the history and against the database.
    const again = await run(dir, ['plan', 'again']);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('No changes');
    const live = await run(dir, ['diff', '--from', url, '--to', 'schema/']);
    expect(live.code, live.all).toBe(0);
    expect(live.stdout).toBe('');

    // down restores both indexes as they were (valid), and keeps the rows.
    const itemsVersion = filesIn(dir, 'migrations', '.sql').filter((f) => f.endsWith('_items.sql')).pop()!.slice(0, 14);
    const down = await run(dir, ['down', '--url', url, '--to', itemsVersion]);
    expect(down.code, down.all).toBe(0);
    expect(await indexes(url)).toEqual(before);
    expect(await query(url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: ROWS + n }]);
  });
});
