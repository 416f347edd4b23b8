/**
 * Nothing loses data silently, through the compiled CLI on PostgreSQL 15 with default settings:
 * `down` and `up` refuse sections that would delete rows or column values (naming each and its
 * count, leaving everything in place) unless `--allow-destructive`, `--dry-run` prints the counts,
 * and a baseline adopted by `init --from-url` is never reverted by `down`, `down --to 0` or `redo`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { cli, leaks, mig, project, query, sql, trackingRows } from './support.js';

describe('down and up never lose data silently', { timeout: 120_000 }, () => {
  it('down of an added column holding 500 values: refused (exit 1) naming the column and 500; --dry-run counts; --allow-destructive reverts', async () => {
    const dir = project({
      '20260101000000_t.sql': mig('CREATE TABLE t (id int PRIMARY KEY);', 'DROP TABLE t;'),
      '20260102000000_note.sql': mig('ALTER TABLE t ADD COLUMN note text;', 'ALTER TABLE t DROP COLUMN note;'),
    });
    const url = await createDatabase('safe');
    expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
    await sql(url, `INSERT INTO t SELECT g, 'note ' || g FROM generate_series(1, 500) g; INSERT INTO t VALUES (501, NULL);`);

    const refused = await cli(dir, ['down', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('down would delete 500 non-NULL value(s) of column public.t.note');
    expect(refused.stderr).toContain('migrations/20260102000000_note.sql');
    expect(refused.stderr).toContain('--allow-destructive');
    expect(await query(url, `SELECT count(note)::int AS v, min(note) AS first FROM t`)).toEqual([{ v: 500, first: 'note 1' }]);
    expect((await trackingRows(url))!.map((r) => r.version)).toEqual(['20260101000000', '20260102000000']);

    const dry = await cli(dir, ['down', '--url', url, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('-- would delete 500 non-NULL value(s) of column public.t.note');
    const json = JSON.parse((await cli(dir, ['down', '--url', url, '--dry-run', '--format', 'json'])).stdout);
    expect(json.losses).toMatchObject([{ kind: 'column', object: 'public.t.note', count: 500, estimated: false }]);
    expect(await query(url, `SELECT count(note)::int AS v FROM t`)).toEqual([{ v: 500 }]);

    const ok = await cli(dir, ['down', '--url', url, '--allow-destructive']);
    expect(ok.code, ok.all).toBe(0);
    expect(await query(url, `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'`)).toEqual([{ n: 0 }]);
    expect(await query(url, `SELECT count(*)::int AS n FROM t`)).toEqual([{ n: 501 }]);
    expect((await trackingRows(url))!.map((r) => r.version)).toEqual(['20260101000000']);

    // The next down drops the table with its 501 rows: refused, naming the row count.
    const table = await cli(dir, ['down', '--url', url]);
    expect(table.code).toBe(1);
    expect(table.stderr).toContain('down would delete 501 row(s) of table public.t');
    expect(await query(url, `SELECT count(*)::int AS n FROM t`)).toEqual([{ n: 501 }]);
  });

  it('an up section dropping a table with rows, without a DESTRUCTIVE header, is refused and not recorded; with the header it applies', async () => {
    const file = '20260101000000_drop_legacy.sql';
    const body = mig('DROP TABLE IF EXISTS legacy;', 'CREATE TABLE legacy (id int);');
    const dir = project({ '20251231000000_first.sql': mig('CREATE TABLE other (id int);', 'DROP TABLE other;'), [file]: body });
    const url = await createDatabase('safe');
    await sql(url, 'CREATE TABLE legacy (id int); INSERT INTO legacy SELECT generate_series(1, 42);');
    expect((await cli(dir, ['up', '--to', '20251231000000', '--url', url])).code).toBe(0);
    const first = { version: '20251231000000', error: null };

    const refused = await cli(dir, ['up', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('up would delete 42 row(s) of table public.legacy');
    expect(refused.stderr).toContain('-- DESTRUCTIVE:');
    expect(await query(url, 'SELECT count(*)::int AS n FROM legacy')).toEqual([{ n: 42 }]);
    expect(await trackingRows(url)).toEqual([first]);

    fs.writeFileSync(path.join(dir, 'migrations', file), `-- DESTRUCTIVE: drops legacy\n${body}`);
    const ok = await cli(dir, ['up', '--url', url]);
    expect(ok.code, ok.all).toBe(0);
    expect(await query(url, `SELECT to_regclass('legacy') IS NULL AS gone`)).toEqual([{ gone: true }]);
    expect(await trackingRows(url)).toEqual([first, { version: '20260101000000', error: null }]);
  });
});

describe('a baseline is never reverted', { timeout: 300_000 }, () => {
  it('init --from-url, then down, down --to 0 and redo refuse naming the baseline; every table and row stays; check passes', async () => {
    const url = await createDatabase('adopted');
    await sql(url, `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), total numeric);
      INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 30) g;
      INSERT INTO orders SELECT g, 1 + g % 30, g * 1.5 FROM generate_series(1, 90) g;`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-baseline-'));
    try {
      const init = await cli(dir, ['init', '--from-url', url]);
      expect(init.code, init.all).toBe(0);
      const [file] = fs.readdirSync(path.join(dir, 'migrations')).filter((f) => f.endsWith('.sql'));
      expect(file).toMatch(/^\d{14}_baseline\.sql$/);
      const version = file!.slice(0, 14);
      const counts = () => query(url, `SELECT (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM orders) AS orders`);

      for (const args of [['down'], ['down', '--to', '0'], ['redo'], ['down', '--allow-destructive']]) {
        const r = await cli(dir, [...args, '--url', url]);
        expect(r.code, `${args.join(' ')}: ${r.all}`).toBe(1);
        expect(r.stderr).toContain(`migrations/${file}: migration ${version} is a baseline`);
        expect(r.stderr).toContain('never reverted');
        expect(r.stderr).toContain('schemaplan fresh');
        expect(await counts()).toEqual([{ customers: 30, orders: 90 }]);
        expect(await trackingRows(url)).toEqual([{ version, error: null }]);
      }
      const check = await cli(dir, ['check']);
      expect(check.code, check.all).toBe(0);
      const lint = await cli(dir, ['lint']);
      expect(lint.code, lint.all).toBe(0);

      // A migration after the baseline reverts as usual; down --to <baseline> is the way to revert everything after it.
      fs.appendFileSync(path.join(dir, 'schema/schema.sql'), '\nCREATE TABLE public.notes (id int);\n');
      expect((await cli(dir, ['plan', 'add_notes'])).code).toBe(0);
      expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
      const back = await cli(dir, ['down', '--to', version, '--url', url]);
      expect(back.code, back.all).toBe(0);
      expect(await query(url, `SELECT to_regclass('notes') IS NULL AS gone`)).toEqual([{ gone: true }]);
      expect(await counts()).toEqual([{ customers: 30, orders: 90 }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no output printed a password', () => {
    expect(leaks()).toEqual([]);
  });
});
