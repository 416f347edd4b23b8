/**
 * The runner end to end through the compiled CLI, on PostgreSQL 15: eight concurrent `up` processes,
 * SIGKILL during transactional and non-transactional migrations, imported histories of the four seed
 * formats, identifiers that need quoting (plan → up → down), the remaining commands with --dry-run and
 * --format json, libpq connection conventions, and — last — no password in any output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { loadHistory } from '../../src/migrations/index.js';
import { replay } from '../../src/runner/index.js';
import { createDatabase, serverUrl } from '../support/db.js';
import { fingerprint } from '../cli/support.js';
import {
  cli, copyDir, exists, leaks, mig, outputs, project, query, secret, serverPassword, spawnCli, sql, trackingRows, waitFor,
} from './support.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));

/** Parts of the test server URL, for the libpq environment tests. */
function serverParts(): { host: string; port: string; user: string; password: string } {
  const u = serverUrl(15);
  const q = new URLSearchParams(u.slice(u.indexOf('?') + 1));
  return { host: q.get('host')!, port: q.get('port')!, user: /^postgres:\/\/([^:@]+)/.exec(u)![1]!, password: serverPassword() };
}

describe('concurrency and crashes', { timeout: 300_000 }, () => {
  it('eight `up` processes against one database with 50 pending migrations: each applied exactly once, all exit 0', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 50; i++) {
      const v = `2026010100${String(Math.floor(i / 60)).padStart(2, '0')}${String(i % 60).padStart(2, '0')}`;
      files[`${v}_m${i}.sql`] = mig(`CREATE TABLE t${i} (id int);\nINSERT INTO applied_log VALUES (${i});`, `DROP TABLE t${i};\nDELETE FROM applied_log WHERE n = ${i};`);
    }
    const dir = project(files);
    const url = await createDatabase('eight');
    await sql(url, 'CREATE TABLE applied_log (n int NOT NULL)');
    const t0 = Date.now();
    const runs = await Promise.all(Array.from({ length: 8 }, () => cli(dir, ['up', '--url', url])));
    const ms = Date.now() - t0;
    console.log(`eight concurrent runners, 50 migrations: ${ms} ms`);
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const appliedLines = runs.flatMap((r) => r.stdout.split('\n').filter((l) => /^applied \d{14}_m\d+ in \d+ ms$/.test(l)));
    expect(appliedLines).toHaveLength(50);
    expect(runs.filter((r) => r.stdout.includes('Nothing to apply')).length).toBeGreaterThanOrEqual(1);
    expect(await query(url, 'SELECT count(*)::int AS n, count(DISTINCT n)::int AS d FROM applied_log')).toEqual([{ n: 50, d: 50 }]);
    expect(await query(url, 'SELECT count(*)::int AS n, count(DISTINCT version)::int AS d FROM schema_migrations WHERE error IS NULL')).toEqual([{ n: 50, d: 50 }]);
    expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
  });

  /** Starts `up`, waits until its backend sleeps inside the migration, SIGKILLs it, and waits until the server noticed. */
  async function killDuringSleep(dir: string, url: string): Promise<{ result: Awaited<ReturnType<typeof spawnCli>['done']>; noticedMs: number; terminated: boolean }> {
    const { child, done } = spawnCli(dir, ['up', '--url', url]);
    const pid = await waitFor(async () => (await query<{ pid: number }>(url,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'schemaplan up' AND state = 'active' AND query LIKE 'SELECT pg_sleep%'`))[0]?.pid, 20_000);
    expect(pid).toBeDefined();
    child.kill('SIGKILL');
    const result = await done;
    // The runner sets client_connection_check_interval = 1s: the server notices the dead client during
    // pg_sleep, rolls back and ends the backend (which frees the advisory lock). Only if it did not
    // would we terminate the backend ourselves — the test reports which happened.
    const t0 = Date.now();
    const gone = await waitFor(async () => (await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid]))[0]!.n === 0, 5000);
    let terminated = false;
    if (!gone) {
      console.log('the server kept the killed runner\'s session alive; terminating it with pg_terminate_backend');
      await query(url, 'SELECT pg_terminate_backend($1)', [pid]);
      terminated = true;
    }
    return { result, noticedMs: Date.now() - t0, terminated };
  }

  it('SIGKILL during a long transactional migration leaves no partial schema and no row; the next up completes it', async () => {
    const dir = project({
      '20260101000000_first.sql': mig('CREATE TABLE first (id int);', 'DROP TABLE first;'),
      '20260102000000_slow.sql': mig('CREATE TABLE killed_tx (id int);\nSELECT pg_sleep((SELECT secs FROM sleep_control));', 'DROP TABLE killed_tx;'),
    });
    const url = await createDatabase('killtx');
    await sql(url, 'CREATE TABLE sleep_control (secs float8); INSERT INTO sleep_control VALUES (60);');
    const k = await killDuringSleep(dir, url);
    expect(k.result.code).toBeNull(); // killed
    expect(k.terminated).toBe(false);
    console.log(`server noticed the killed transactional runner after ${k.noticedMs} ms`);
    expect(await exists(url, 'killed_tx')).toBe(false);
    expect(await trackingRows(url)).toEqual([{ version: '20260101000000', error: null }]);
    await sql(url, 'UPDATE sleep_control SET secs = 0');
    const again = await cli(dir, ['up', '--url', url, '--lock-wait', '10s']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('applied 20260102000000_slow');
    expect(await exists(url, 'killed_tx')).toBe(true);
    expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
  });

  it('SIGKILL during a transaction:false migration leaves a failed record that blocks; status explains it; resolve settles it', async () => {
    const dir = project({
      '20260101000000_slow_ntx.sql': mig('CREATE TABLE nt_a (id int);\nSELECT pg_sleep((SELECT secs FROM sleep_control));\nCREATE TABLE nt_b (id int);', 'DROP TABLE IF EXISTS nt_b;\nDROP TABLE IF EXISTS nt_a;', ' transaction:false'),
    });
    const url = await createDatabase('killntx');
    await sql(url, 'CREATE TABLE sleep_control (secs float8); INSERT INTO sleep_control VALUES (60);');
    const k = await killDuringSleep(dir, url);
    expect(k.result.code).toBeNull();
    expect(k.terminated).toBe(false);
    expect(await exists(url, 'nt_a')).toBe(true); // statement 1 ran in autocommit
    expect(await exists(url, 'nt_b')).toBe(false);
    const [row] = await query<{ error: string; statement_index: number }>(url, 'SELECT error, statement_index FROM schema_migrations');
    expect(row).toMatchObject({ statement_index: 2 });
    expect(row!.error).toMatch(/^unfinished: the run stopped/);
    await sql(url, 'UPDATE sleep_control SET secs = 0');

    const blocked = await cli(dir, ['up', '--url', url]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/^error: migrations\/20260101000000_slow_ntx\.sql: migration 20260101000000 is recorded as failed at statement 2 in public\.schema_migrations \(unfinished: .*schemaplan resolve 20260101000000 --applied.*--rolled-back/);
    expect(await exists(url, 'nt_b')).toBe(false);
    const st = await cli(dir, ['status', '--url', url, '--exit-code']);
    expect(st.code).toBe(1);
    expect(st.stdout).toMatch(/^failed +20260101000000_slow_ntx applied \S+ — failed at statement 2 of 3: unfinished: /m);
    expect(st.stdout).toMatch(/It stopped at statement 2 of 3; it ran without a transaction, so the statements before that stay applied\. No run is in progress, so it will not finish by itself\. Every up, down and redo refuses until it is resolved\./);
    const json = JSON.parse((await cli(dir, ['status', '--url', url, '--format', 'json'])).stdout);
    expect(json.entries[0]).toMatchObject({ state: 'failed', statementIndex: 2, statements: 3 });

    // Undo by hand, then settle as rolled back: the next up runs it again, to the end.
    await sql(url, 'DROP TABLE nt_a');
    const res = await cli(dir, ['resolve', '20260101000000', '--rolled-back', '--url', url]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('deleted the failed row of 20260101000000');
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.code).toBe(0);
    expect(await exists(url, 'nt_b')).toBe(true);
    expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
  });
});

describe('imported histories (test/fixtures/histories/<format>)', { timeout: 300_000 }, () => {
  for (const format of ['goose', 'dbmate', 'updown', 'sequential']) {
    it(`${format}: import, status shows the old tool's state, up adopts the tracking table, status is clean`, async () => {
      const meta = JSON.parse(fs.readFileSync(path.join(FIXTURES, format, 'meta.json'), 'utf8')) as { from: string; table: string | null; applied: string[]; pending: string[]; trackingTable: string };
      const dir = copyDir(path.join(FIXTURES, format));
      fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'migrations: migrations\n');
      const url = await createDatabase(`imp_${format}`);
      // The database as the old tool left it: the applied files' up sections, and its tracking table.
      const original = loadHistory(path.join(dir, 'migrations'), { root: dir });
      const db = await connect(url);
      try {
        await replay(db, original.filter((m) => meta.applied.includes(m.version)));
        const tracking = fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8')
          .replace(/\{\{md5:([^}]+)\}\}/g, (_, f: string) => createHash('md5').update(fs.readFileSync(path.join(dir, 'migrations', f))).digest('hex'));
        await db.exec(tracking);
      } finally {
        await db.close();
      }
      const before = fingerprint(dir, ['migrations']);
      const dry = await cli(dir, ['import', '--from', meta.from, '--dry-run', ...(meta.table ? ['--table', meta.table] : [])]);
      expect(dry.code).toBe(0);
      expect(fingerprint(dir, ['migrations'])).toEqual(before);

      const imp = await cli(dir, ['import', '--from', meta.from, ...(meta.table ? ['--table', meta.table] : [])]);
      expect(imp.stderr).toBe('');
      expect(imp.code).toBe(0);
      const converted = format === 'dbmate' ? 0 : original.length;
      expect(imp.stdout).toContain(`converted ${converted} of ${original.length} file(s); versions and file names unchanged`);
      const after = loadHistory(path.join(dir, 'migrations'), { root: dir });
      expect(after.map((m) => [m.version, m.parsed.format])).toEqual(original.map((m) => [m.version, 'dbmate']));
      expect((await cli(dir, ['hash', '--dry-run'])).stdout.trim()).toBe(fs.readFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'utf8').trim());

      const st = await cli(dir, ['status', '--url', url, '--format', 'json']);
      expect(st.code).toBe(0);
      const report = JSON.parse(st.stdout);
      expect(report.entries.map((e: { version: string; state: string }) => [e.version, e.state])).toEqual([
        ...meta.applied.map((v) => [v, 'applied']), ...meta.pending.map((v) => [v, 'pending']),
      ]);
      expect(report.tracking.adopted).toBe(false);

      const up = await cli(dir, ['up', '--url', url]);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      expect(up.stdout).toMatch(new RegExp(`adopted the (goose|dbmate|custom|sequential) tracking table public\\.${meta.trackingTable} in place: added column\\(s\\) `));
      expect(up.stdout).toMatch(/record the checksum of \d+ applied migration\(s\)|re-record \d+ checksum\(s\) written by the previous tool/);
      expect(up.stdout).toContain(`applied ${meta.pending.length} migration(s)`);
      const clean = await cli(dir, ['status', '--url', url, '--exit-code']);
      expect(clean.stdout).toContain(`${meta.applied.length + meta.pending.length} applied`);
      expect(clean.code).toBe(0);

      if (format === 'goose') {
        // goose's own reading of its table agrees: the latest row of every version is applied.
        expect(await query(url, `SELECT version_id::int AS v FROM (SELECT DISTINCT ON (version_id) version_id, is_applied FROM goose_db_version ORDER BY version_id, id DESC) g WHERE is_applied ORDER BY 1`))
          .toEqual([0, 1, 2, 3, 4].map((v) => ({ v })));
        // The plpgsql body and the function with a quoted body stayed single statements.
        expect(await query(url, `SELECT order_total(1) AS t`)).toEqual([{ t: '0' }]);
      }
      if (format !== 'sequential') {
        // The imported down sections run, and the adopted table keeps working both ways.
        const down = await cli(dir, ['down', '--url', url]);
        expect(down.code).toBe(0);
        expect((await cli(dir, ['status', '--url', url])).stdout).toMatch(new RegExp(`^pending +${meta.pending.at(-1)}_`, 'm'));
        const redo = await cli(dir, ['redo', '--url', url]);
        expect(redo.code).toBe(0);
        expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
        expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
      } else {
        // import wrote the down sections of the up-only files: 004's drops the index it created; 003
        // changes data only, so its down section is empty and down stops there.
        const down = await cli(dir, ['down', '--url', url]);
        expect(down.code).toBe(0);
        expect(await query(url, `SELECT to_regclass('public.users_role_idx')::text AS i`)).toEqual([{ i: null }]);
        const refused = await cli(dir, ['down', '--url', url]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/its down section is empty \(the change is not reversible as written\)/);
        expect(await query(url, `SELECT count(*)::int AS n FROM roles`)).toEqual([{ n: 2 }]);
        expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
        expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
      }
    });
  }
});

describe('identifiers that need quoting', { timeout: 300_000 }, () => {
  it('quotes, spaces, capitals, unicode and reserved words round-trip through plan, up and down (tracking table too)', async () => {
    // Shadow databases on the test server (about 1 s) rather than PGlite (about 10 s on this machine).
    const dir = project({}, `schemas: [public, 'Sales "EU"']\ntable: '"Ops Schema"."Migration ""Log"""'\nshadow: '${serverUrl(15)}'\n`);
    fs.writeFileSync(path.join(dir, 'schema/schema.sql'), [
      'CREATE SCHEMA "Sales ""EU""";',
      'CREATE TABLE "Sales ""EU"""."Order Items" ("Id" bigint PRIMARY KEY, "select" text, "größe" numeric, "user" text NOT NULL DEFAULT \'it\'\'s\');',
      'CREATE INDEX "Idx ""q""" ON "Sales ""EU"""."Order Items" ("select");',
      'CREATE TABLE public."Customer" ("Name" text NOT NULL, "order" int, "Größe ü" int);',
      '',
    ].join('\n'));
    const plan = await cli(dir, ['plan', 'init']);
    expect(plan.stderr).not.toMatch(/^error/m);
    expect(plan.code).toBe(0);
    const url = await createDatabase('quoted');
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('created the tracking table "Ops Schema"."Migration ""Log"""');
    const cols = await query<{ t: string; c: string }>(url, `SELECT attrelid::regclass::text AS t, attname AS c FROM pg_attribute
       WHERE attrelid IN ('"Sales ""EU"""."Order Items"'::regclass, 'public."Customer"'::regclass) AND attnum > 0 ORDER BY attrelid::regclass::text, attnum`);
    expect(cols.map((r) => `${r.t}.${r.c}`)).toEqual([
      '"Customer".Name', '"Customer".order', '"Customer".Größe ü',
      '"Sales ""EU"""."Order Items".Id', '"Sales ""EU"""."Order Items".select', '"Sales ""EU"""."Order Items".größe', '"Sales ""EU"""."Order Items".user',
    ]);
    expect(await exists(url, '"Sales ""EU"""."Idx ""q"""')).toBe(true);
    expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
    expect((await cli(dir, ['check', '--url', url])).code).toBe(0);
    const down = await cli(dir, ['down', '--url', url]);
    expect(down.code).toBe(0);
    expect(await exists(url, 'public."Customer"')).toBe(false);
    expect(await query(url, `SELECT nspname FROM pg_namespace WHERE nspname = 'Sales "EU"'`)).toEqual([]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM "Ops Schema"."Migration ""Log"""')).toEqual([{ n: 0 }]);
  });
});

describe('commands: new, baseline, resolve, fresh, redo; --dry-run and --format json', { timeout: 300_000 }, () => {
  it('new keeps the history\'s format and names feature, date and author', async () => {
    const dir = project({ '00001_init.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n' });
    const dry = await cli(dir, ['new', 'add_billing', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'migrations'))).toEqual(['00001_init.sql']);
    const r = await cli(dir, ['new', 'add_billing', '--format', 'json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res).toMatchObject({ ok: true, format: 'goose', name: 'add_billing' });
    const text = fs.readFileSync(path.join(dir, res.file), 'utf8');
    expect(text).toMatch(new RegExp(`^-- Migration: ${res.version}_add_billing\n-- Feature: add billing\n-- Date: \\d{4}-\\d{2}-\\d{2}\n-- Author: \\S.*\n-- \\+goose Up\n-- \\+goose Down\n$`));
    expect(fs.readFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'utf8')).toContain(path.basename(res.file));
  });

  it('baseline, resolve, redo, down, up: --dry-run changes nothing; --format json answers', async () => {
    const dir = project({
      '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;'),
      '20260102000000_b.sql': mig('CREATE TABLE b (id int);', 'DROP TABLE b;'),
      '20260103000000_c.sql': mig('CREATE TABLE c (id int);', 'DROP TABLE c;'),
    });
    const url = await createDatabase('cmds');
    await sql(url, 'CREATE TABLE a (id int)');
    const files = fingerprint(dir, ['migrations']);
    for (const args of [['up'], ['baseline', '--version', '20260101000000'], ['resolve', '20260101000000', '--applied'], ['fresh']]) {
      const r = await cli(dir, [...args, '--url', url, '--dry-run']);
      expect(r.code).toBe(0);
      expect(await trackingRows(url)).toBeNull();
    }
    const dryUp = JSON.parse((await cli(dir, ['up', '--url', url, '--dry-run', '--format', 'json'])).stdout);
    expect(dryUp).toMatchObject({ ok: true, dryRun: true, tracking: ['would create the tracking table public.schema_migrations'] });
    expect(dryUp.applied.map((a: { version: string; sql: string }) => [a.version, a.sql.trim()])).toEqual([
      ['20260101000000', 'CREATE TABLE a (id int);'], ['20260102000000', 'CREATE TABLE b (id int);'], ['20260103000000', 'CREATE TABLE c (id int);'],
    ]);
    const base = JSON.parse((await cli(dir, ['baseline', '--version', '20260101000000', '--url', url, '--format', 'json'])).stdout);
    expect(base).toMatchObject({ ok: true, version: '20260101000000', recorded: [{ version: '20260101000000' }] });
    const up = JSON.parse((await cli(dir, ['up', '--url', url, '--to', '20260102000000', '--format', 'json'])).stdout);
    expect(up.applied.map((a: { version: string }) => a.version)).toEqual(['20260102000000']);
    expect(typeof up.applied[0].executionMs).toBe('number');
    for (const args of [['down'], ['redo']]) {
      const before = await query(url, 'SELECT version, applied_at FROM schema_migrations ORDER BY 1');
      expect((await cli(dir, [...args, '--url', url, '--dry-run'])).code).toBe(0);
      expect(await query(url, 'SELECT version, applied_at FROM schema_migrations ORDER BY 1')).toEqual(before);
    }
    const redo = JSON.parse((await cli(dir, ['redo', '--url', url, '--format', 'json'])).stdout);
    expect(redo).toMatchObject({ ok: true, reverted: [{ version: '20260102000000' }], applied: [{ version: '20260102000000' }] });
    // Applied by hand, then recorded: resolve --applied on a pending migration does not run it.
    await sql(url, 'CREATE TABLE c (id int, by_hand boolean)');
    const res = await cli(dir, ['resolve', '20260103000000', '--applied', '--url', url, '--format', 'json']);
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: true, version: '20260103000000', action: expect.stringMatching(/recorded 20260103000000_c as applied .* without running it/) });
    expect(await query(url, `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = 'c'::regclass AND attname = 'by_hand'`)).toEqual([{ n: 1 }]);
    const down = JSON.parse((await cli(dir, ['down', '2', '--url', url, '--format', 'json'])).stdout);
    expect(down.reverted.map((r: { version: string }) => r.version)).toEqual(['20260103000000', '20260102000000']);
    // An existing sum file gates every run; --no-sum-check lets a run through.
    fs.writeFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'h1:x\n');
    expect((await cli(dir, ['up', '--url', url, '--dry-run'])).stderr).toMatch(/^error: migrations\/schemaplan\.sum disagrees with the migration files: /);
    expect((await cli(dir, ['up', '--url', url, '--dry-run', '--no-sum-check'])).code).toBe(0);
    fs.rmSync(path.join(dir, 'migrations/schemaplan.sum'));
    const err = await cli(dir, ['down', '--url', url, '--to', '99', '--format', 'json']);
    expect(err.code).toBe(1);
    expect(JSON.parse(err.stdout)).toMatchObject({ ok: false, error: { code: 'unknown_version' } });
    expect(fingerprint(dir, ['migrations'])).toEqual(files);
  });

  it('fresh rebuilds a development database only with --yes and never one marked production', async () => {
    const dir = project({ '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;') });
    const url = await createDatabase('fresh');
    await sql(url, 'CREATE TABLE precious (x int); INSERT INTO precious VALUES (1);');
    const no = await cli(dir, ['fresh', '--url', url]);
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/^error: fresh drops every schema of postgres:\/\/postgres:\*\*\*@\/fresh_\w+\?host=.* Re-run with --yes to confirm/);
    fs.appendFileSync(path.join(dir, 'schemaplan.yaml'), 'database:\n  production: true\n');
    const prod = await cli(dir, ['fresh', '--url', url, '--yes']);
    expect(prod.code).toBe(1);
    expect(prod.stderr).toMatch(/marks this project's database as production \(database\.production: true\)/);
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'migrations: migrations\ndatabase:\n  production_urls: ["*/fresh_*"]\n');
    const pat = await cli(dir, ['fresh', '--url', url, '--yes']);
    expect(pat.code).toBe(1);
    expect(pat.stderr).toMatch(/matches the production pattern "\*\/fresh_\*"/);
    expect(await query(url, 'SELECT x FROM precious')).toEqual([{ x: 1 }]);
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'migrations: migrations\ndatabase:\n  production_urls: ["*prod*"]\n');
    const ok = await cli(dir, ['fresh', '--url', url, '--yes']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('dropped 1 schema(s) (public) and applied 1 migration(s)');
    expect(await exists(url, 'precious')).toBe(false);
    expect(await exists(url, 'a')).toBe(true);
  });
});

describe('libpq connection conventions', { timeout: 120_000 }, () => {
  it('PG* variables without a URL, PGPASSWORD, a password file, sslmode', async () => {
    const dir = project({ '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;') });
    const url = await createDatabase('libpq');
    const db = url.slice(url.indexOf('@/') + 2, url.indexOf('?'));
    const s = serverParts();
    const env = { PGHOST: s.host, PGPORT: s.port, PGUSER: s.user, PGDATABASE: db };
    const viaEnv = await cli(dir, ['up'], { ...env, PGPASSWORD: s.password });
    expect(viaEnv.stderr).toBe('');
    expect(viaEnv.code).toBe(0);
    expect(await exists(url, 'a')).toBe(true);
    // ~/.pgpass (PGPASSFILE), mode 0600, host field = the socket folder as libpq matches it.
    const passfile = path.join(dir, 'pgpass');
    fs.writeFileSync(passfile, `*:${s.port}:${db}:${s.user}:${s.password.replace(/[:\\]/g, '\\$&')}\n`, { mode: 0o600 });
    const viaFile = await cli(dir, ['status', '--exit-code', '--format', 'json'], { ...env, PGPASSWORD: undefined, PGPASSFILE: passfile, HOME: dir });
    expect(viaFile.stderr).toBe('');
    expect(viaFile.code).toBe(0);
    expect(JSON.parse(viaFile.stdout).database).toBe(`the libpq environment (PGHOST=${s.host} PGPORT=${s.port} PGUSER=${s.user} PGDATABASE=${db})`);
    const wrongPw = secret('not-the-password-4711');
    fs.writeFileSync(passfile, `*:*:*:*:${wrongPw}\n`, { mode: 0o600 });
    const bad = await cli(dir, ['status'], { ...env, PGPASSWORD: undefined, PGPASSFILE: passfile, HOME: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/password authentication failed for user "postgres" \(SQLSTATE 28P01\)\. Check the password given in the URL, PGPASSWORD or the password file/);
    // sslmode: libpq ignores it on Unix sockets; an unknown mode is an error.
    expect((await cli(dir, ['status', '--url', `${url}&sslmode=require`])).code).toBe(0);
    expect((await cli(dir, ['status', '--url', url], { PGSSLMODE: 'verify-full' })).code).toBe(0);
    const unknown = await cli(dir, ['status', '--url', `${url}&sslmode=sometimes`]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown sslmode "sometimes": use one of disable, allow, prefer, require, verify-ca, verify-full\n$/);
  });
});

describe('passwords', () => {
  it('no output of the CLI runs of this file contains a password (URL, PGPASSWORD, password file)', () => {
    expect(outputs.length).toBeGreaterThan(60);
    expect(leaks()).toEqual([]);
  });
});
