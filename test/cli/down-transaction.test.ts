/**
 * A down section runs in its own transaction mode (`-- migrate:down transaction:false`, as dbmate
 * reads it): `check` runs each down section as `down` will, so DROP INDEX CONCURRENTLY in a down
 * section left transactional fails check naming the file and the fix; marked `transaction:false`,
 * check passes and `up` then `down` on a real database build and drop the index concurrently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { emptyFolder, query, run, sql } from './support.js';

describe('down sections in their transaction mode', { timeout: 600_000 }, () => {
  it('check fails on DROP INDEX CONCURRENTLY in a transactional down section, passes with -- migrate:down transaction:false; up and down run it', async () => {
    const dir = emptyFolder('schemaplan-down-tx-');
    expect((await run(dir, ['init'])).code).toBe(0);
    const schemaFile = path.join(dir, 'schema/schema.sql');
    fs.appendFileSync(schemaFile, 'CREATE TABLE items (id bigint PRIMARY KEY, n int);\n');
    const first = await run(dir, ['plan', 'items']);
    expect(first.code, first.all).toBe(0);

    // A hand-written migration: the index built concurrently (up transaction:false), its down
    // dropping it concurrently but left in a transaction.
    fs.appendFileSync(schemaFile, 'CREATE INDEX items_n_idx ON items (n);\n');
    const made = await run(dir, ['new', 'items_n_index', '--format', 'json']);
    expect(made.code, made.all).toBe(0);
    const file = JSON.parse(made.stdout).file as string;
    const abs = path.join(dir, file);
    const template = fs.readFileSync(abs, 'utf8');
    expect(template).toContain('-- migrate:up\n');
    expect(template).toContain('-- migrate:down\n');
    fs.writeFileSync(abs, template
      .replace('-- migrate:up\n', '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY items_n_idx ON items (n);\n')
      .replace('-- migrate:down\n', '-- migrate:down\nDROP INDEX CONCURRENTLY items_n_idx;\n'));

    const failing = await run(dir, ['check']);
    expect(failing.code, failing.all).toBe(1);
    expect(failing.stderr).toContain(`down section of ${file} fails: ${file}:`);
    expect(failing.stderr).toContain('DROP INDEX CONCURRENTLY cannot run inside a transaction block');
    expect(failing.stderr).toContain('mark it `-- migrate:down transaction:false`');

    fs.writeFileSync(abs, fs.readFileSync(abs, 'utf8').replace('-- migrate:down\n', '-- migrate:down transaction:false\n'));
    const passing = await run(dir, ['check']);
    expect(passing.code, passing.all).toBe(0);

    // The runner takes the down section's mode from its marker: up, then down of the index file.
    const url = await createDatabase('down_tx');
    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    await sql(url, 'INSERT INTO items SELECT g, g FROM generate_series(1, 1000) g');
    const indexes = () => query<{ name: string }>(url, "SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'items'::regclass ORDER BY 1");
    expect(await indexes()).toEqual([{ name: 'items_n_idx' }, { name: 'items_pkey' }]);
    const down = await run(dir, ['down', '--url', url]);
    expect(down.code, down.all).toBe(0);
    expect(await indexes()).toEqual([{ name: 'items_pkey' }]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 1000 }]);
  });
});
