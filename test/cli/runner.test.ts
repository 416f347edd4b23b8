/**
 * End to end: `schemaplan up` / `down` / `status` / `new` / `check` on a copy of the worked example
 * against real databases of the test server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { columns, copyExample, exampleVersions, filesIn, query, run, tables } from './support.js';

const TABLE = 'public.schema_migrations';

async function appliedVersions(url: string): Promise<string[]> {
  const rows = await query<{ version: string }>(url, `SELECT version FROM ${TABLE} ORDER BY version`);
  return rows.map((r) => r.version);
}

async function tableExists(url: string, name: string): Promise<boolean> {
  const rows = await query<{ t: string | null }>(url, 'SELECT to_regclass($1)::text AS t', [name]);
  return rows[0]!.t !== null;
}

describe('schemaplan up / down / status / new on a copy of the worked example', { timeout: 600_000 }, () => {
  it('two `up` processes started together apply each migration exactly once, and both exit 0', async () => {
    const dir = copyExample();
    // A last migration that takes a while, so the two runs surely overlap.
    fs.writeFileSync(path.join(dir, 'migrations/99990101000000_slow.sql'), '-- migrate:up\nSELECT pg_sleep(3);\n-- migrate:down\nSELECT 1;\n');
    expect((await run(dir, ['hash'])).code).toBe(0); // up refuses files the sum does not list
    const url = await createDatabase('cli');
    const [a, b] = await Promise.all([run(dir, ['up', '--url', url]), run(dir, ['up', '--url', url])]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    // One of them waited for the other's lock.
    expect(a.stdout + b.stdout).toContain('waiting for the migration lock of public.schema_migrations');
    const versions = [...exampleVersions(), '99990101000000'];
    // Each migration was applied by exactly one of the two processes...
    const appliedLines = (a.stdout + b.stdout).split('\n').filter((l) => /^applied \d{14}_/.test(l));
    expect(appliedLines).toHaveLength(versions.length);
    for (const v of versions) expect(appliedLines.filter((l) => l.startsWith(`applied ${v}_`))).toHaveLength(1);
    // ...and recorded once.
    const rows = await query<{ version: string; n: string }>(url, `SELECT version, count(*)::text AS n FROM ${TABLE} GROUP BY version ORDER BY version`);
    expect(rows).toEqual(versions.map((v) => ({ version: v, n: '1' })));
    expect(await tables(url)).toEqual(['interactions', 'leads', 'schema_migrations', 'users']);
    expect(await columns(url, 'leads')).toContain('ai_summary_text');
    expect(await columns(url, 'interactions')).toContain('lead_id');
    const st = await run(dir, ['status', '--url', url, '--exit-code']);
    expect(st.code).toBe(0);
  });

  it('status, down (then pending), up --dry-run changes nothing, up again; -C and DATABASE_URL work', async () => {
    const dir = copyExample();
    const url = await createDatabase('cli');
    const versions = exampleVersions();
    const newest = filesIn(dir, 'migrations', '.sql').at(-1)!.replace(/\.sql$/, '');

    // Fresh database: everything pending, and `status` creates nothing.
    const fresh = await run(dir, ['status', '--url', url, '--exit-code']);
    expect(fresh.code).toBe(1);
    expect(fresh.stdout).toContain(`${versions.length} pending`);
    expect(await tableExists(url, TABLE)).toBe(false);

    // up --dry-run prints the SQL, changes nothing.
    const dry = await run(dir, ['up', '--url', url, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('CREATE TABLE public.users');
    expect(dry.stdout).toContain(`would apply ${versions.length} migration(s)`);
    expect(await tables(url)).toEqual([]);

    // DATABASE_URL is the database when there is no --url; -C names the project folder.
    const up = await run(os.tmpdir(), ['-C', dir, 'up'], { DATABASE_URL: url });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await appliedVersions(url)).toEqual(versions);

    const again = await run(dir, ['up', '--url', url]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('Nothing to apply: the database is up to date.');

    const st = await run(dir, ['status', '--url', url, '--exit-code']);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(new RegExp(`^applied +${newest} applied `, 'm'));

    const down = await run(dir, ['down', '--url', url]);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('reverted 1 migration(s)');
    // The newest file of the worked example builds the AI summaries index CONCURRENTLY; its down drops it.
    expect(await query(url, `SELECT 1 FROM pg_class WHERE relname = 'leads_unsummarized_idx'`)).toEqual([]);
    expect(await columns(url, 'leads')).toContain('ai_summary_text');
    expect(await appliedVersions(url)).toEqual(versions.slice(0, -1));

    const pending = await run(dir, ['status', '--url', url]);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(new RegExp(`^pending +${newest}$`, 'm'));
    expect((await run(dir, ['status', '--url', url, '--exit-code'])).code).toBe(1);
    const json = await run(dir, ['status', '--url', url, '--format', 'json']);
    expect(JSON.parse(json.stdout).entries.map((r: { state: string }) => r.state)).toEqual([...versions.slice(0, -1).map(() => 'applied'), 'pending']);

    const dry2 = await run(dir, ['up', '--url', url, '--dry-run']);
    expect(dry2.code).toBe(0);
    expect(dry2.stdout).toContain('CREATE INDEX CONCURRENTLY leads_unsummarized_idx');
    // A dry run changes nothing: the index is still absent.
    expect(await query(url, `SELECT 1 FROM pg_class WHERE relname = 'leads_unsummarized_idx'`)).toEqual([]);
    expect(await columns(url, 'leads')).toContain('ai_summary_text');
    expect(await appliedVersions(url)).toEqual(versions.slice(0, -1));

    const up2 = await run(dir, ['up', '--url', url]);
    expect(up2.code).toBe(0);
    expect(await columns(url, 'leads')).toContain('ai_summary_text');
    expect((await run(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
    const live = await run(dir, ['check', '--url', url]);
    expect(live.all).toContain('check: clean');
    expect(live.code).toBe(0);

    // down --to reverts everything newer than the version; then nothing is left to revert.
    const downAll = await run(dir, ['down', '--url', url, '--to', versions[0]!]);
    expect(downAll.code).toBe(0);
    expect(await appliedVersions(url)).toEqual(versions.slice(0, 1));
    expect(await tables(url)).toEqual(['leads', 'schema_migrations', 'users']);
    const behind = await run(dir, ['check', '--url', url]);
    expect(behind.code).toBe(1);
    expect(behind.stderr).toMatch(new RegExp(`\\[live\\]: ${newest}: pending on the live database`));
  });

  it('new writes a template that keeps check clean; an edited applied file fails check (sum) and shows as modified', async () => {
    const dir = copyExample();
    const url = await createDatabase('cli');
    expect((await run(dir, ['up', '--url', url])).code).toBe(0);

    const made = await run(dir, ['new', 'backfill_scores']);
    expect(made.code).toBe(0);
    const file = filesIn(dir, 'migrations', '.sql').find((f) => f.endsWith('_backfill_scores.sql'))!;
    expect(file).toBeDefined();
    expect(made.stdout).toContain(`wrote migrations/${file}`);
    const text = fs.readFileSync(path.join(dir, 'migrations', file), 'utf8');
    expect(text).toMatch(/^-- migrate:up$/m);
    expect(text).toMatch(/^-- migrate:down$/m);
    expect(fs.readFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'utf8')).toContain(file);
    // A second `new` in the same second still gets a later version.
    const made2 = await run(dir, ['new', 'second_one']);
    expect(made2.code).toBe(0);
    const files = filesIn(dir, 'migrations', '.sql');
    expect(files.at(-1)).toMatch(/_second_one\.sql$/);
    expect(files.at(-2)).toBe(file);

    const check = await run(dir, ['check']);
    expect(check.all).toContain('check: clean');
    expect(check.code).toBe(0);
    // The empty template applies (and is recorded) like any migration.
    const up = await run(dir, ['up', '--url', url]);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('applied 2 migration(s)');

    // Edit an applied migration.
    const edited = exampleVersions()[1]!;
    const editedFile = filesIn(dir, 'migrations', '.sql').find((f) => f.startsWith(edited))!;
    fs.appendFileSync(path.join(dir, 'migrations', editedFile), '-- an afterthought\n');
    const bad = await run(dir, ['check']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[sum]');
    expect(bad.stderr).toContain(editedFile);
    const st = await run(dir, ['status', '--url', url]);
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(new RegExp(`^modified +${editedFile.replace(/\.sql$/, '')} `, 'm'));
    expect((await run(dir, ['status', '--url', url, '--exit-code'])).code).toBe(1);
    const refused = await run(dir, ['up', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(editedFile);
  });

  it('without a database: a clear error, exit 1', async () => {
    const dir = copyExample();
    const r = await run(dir, ['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no database');
  });
});
