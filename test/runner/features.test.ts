/**
 * The runner's library functions on PostgreSQL 15: adopting other tools' tracking tables (goose's
 * semantics, integer versions, foreign checksums), out-of-order files, lock-timeout retries,
 * non-transactional failures and `resolve`, `baseline`, `redo`, `fresh`, a lost connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/types.js';
import {
  baseline, down, fresh, lockHolder, MigrationError, readApplied, redo, replay, resolve, RunnerError, statusReport, up, type RunEvent,
} from '../../src/runner/index.js';
import { createDatabase, openDb } from '../support/db.js';
import { mig, project, table } from '../support/history.js';

async function rel(db: Db, name: string): Promise<boolean> {
  const [r] = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return r!.t !== null;
}

async function columns(db: Db, t: string): Promise<string[]> {
  return (await db.query<{ c: string }>(`SELECT attname AS c FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [t])).map((r) => r.c);
}

describe('adopting other tools\' tracking tables', () => {
  it('goose_db_version: latest row per version decides; up inserts applied rows, down deletes them, a failed one is is_applied = false', async () => {
    const db = await openDb(await createDatabase('goose'));
    const goose = { schema: 'public', name: 'goose_db_version' };
    const p = project({
      '00001_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
      '00002_b.sql': '-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n',
      '00003_c.sql': '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION c() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\n-- +goose StatementEnd\n-- +goose Down\nDROP FUNCTION c();\n',
      '00004_d.sql': '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE d (id int);\nCREATE INDEX CONCURRENTLY d_idx ON d (nope);\n-- +goose Down\nDROP TABLE d;\n',
    });
    await db.exec(`CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
      INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (2, false);
      CREATE TABLE a (id int);`);
    const h = p.history();
    const st = await statusReport(db, h, goose);
    expect(st.entries.map((e) => [e.version, e.state])).toEqual([['00001', 'applied'], ['00002', 'pending'], ['00003', 'pending'], ['00004', 'pending']]);
    expect(st.tracking).toMatchObject({ origin: 'goose', adopted: false, missingColumns: ['name', 'checksum', 'execution_ms', 'error', 'statement_index'] });
    expect(st.notes.join('\n')).toMatch(/goose tracking table; the next up adopts it in place by adding column\(s\) name, checksum, execution_ms, error, statement_index and recording the checksums of 1 applied/);

    const err = await up(db, h, { table: goose }).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    // 2 and 3 applied; 4 ran without a transaction and failed at its second statement.
    const rows = await db.query<{ version_id: string; is_applied: boolean; error: string | null; statement_index: number | null }>(
      `SELECT DISTINCT ON (version_id) version_id::text, is_applied, error, statement_index FROM goose_db_version ORDER BY version_id, id DESC`);
    expect(rows.map((r) => [r.version_id, r.is_applied, r.statement_index])).toEqual([['0', true, null], ['1', true, null], ['2', true, null], ['3', true, null], ['4', false, 2]]);
    expect(rows[4]!.error).toMatch(/^up failed at statement 2 of 2 \(migrations\/00004_d\.sql:4:\d+\): column "nope" does not exist \(SQLSTATE 42703\)/);
    expect(await db.query(`SELECT c() AS v`)).toEqual([{ v: 1 }]);
    // Checksum of the adopted row 1 was backfilled.
    expect((await readApplied(db, goose)).find((r) => r.version === '1')).toMatchObject({ checksum: h[0]!.checksum, name: 'a' });

    await db.exec('DROP TABLE d');
    await resolve(db, h, '00004', 'rolled-back', { table: goose });
    expect(await db.query(`SELECT count(*)::int AS n FROM goose_db_version WHERE version_id = 4`)).toEqual([{ n: 0 }]);
    fs.writeFileSync(path.join(p.dir, '00004_d.sql'), '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE d (id int);\nCREATE INDEX CONCURRENTLY d_idx ON d (id);\n-- +goose Down\nDROP TABLE d;\n');
    expect((await up(db, p.history(), { table: goose })).applied.map((r) => r.version)).toEqual(['00004']);
    const back = await down(db, p.history(), { table: goose, steps: 2 });
    expect(back.reverted.map((r) => r.version)).toEqual(['00004', '00003']);
    // goose v3 semantics: reverting deletes the version's rows.
    expect((await db.query<{ v: string }>(`SELECT DISTINCT version_id::text AS v FROM goose_db_version ORDER BY 1`)).map((r) => r.v)).toEqual(['0', '1', '2']);
    expect((await statusReport(db, p.history(), goose)).entries.map((e) => e.state)).toEqual(['applied', 'applied', 'pending', 'pending']);
  });

  it('a sequential runner\'s table: integer version matches 001_, description is filled, the column widens for timestamp versions', async () => {
    const db = await openDb(await createDatabase('seq'));
    const t = { schema: 'public', name: 'schema_version' };
    await db.exec(`CREATE TABLE schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO schema_version (version, description) VALUES (1, 'one'); CREATE TABLE one (id int);`);
    const p = project({ '001_one.sql': 'CREATE TABLE one (id int);\n', '002_two.sql': 'CREATE TABLE two (id int);\n' });
    const res = await up(db, p.history(), { table: t });
    expect(res.applied.map((r) => r.version)).toEqual(['002']);
    expect(res.tracking.join('\n')).toMatch(/adopted the sequential tracking table public\.schema_version in place: added column\(s\) name, checksum, execution_ms, error, statement_index/);
    expect(await db.query(`SELECT version, description, name FROM schema_version ORDER BY 1`)).toEqual([
      { version: 1, description: 'one', name: 'one' }, { version: 2, description: 'two', name: 'two' },
    ]);
    fs.writeFileSync(path.join(p.dir, '20260101000000_three.sql'), mig('CREATE TABLE three (id int);', 'DROP TABLE three;'));
    const res2 = await up(db, p.history(), { table: t });
    expect(res2.tracking).toEqual(['widened public.schema_version.version from integer to bigint so timestamp versions fit']);
    const st = await statusReport(db, p.history(), t);
    expect(st.clean).toBe(true);
    expect(st.entries.map((e) => e.version)).toEqual(['001', '002', '20260101000000']);
  });

  it('a custom table\'s checksums (md5 of the file) are verified and re-recorded; one that does not match is reported as modified until resolved', async () => {
    const db = await openDb(await createDatabase('custom'));
    const files = { '20240101000000_a.sql': '-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n', '20240102000000_b.sql': '-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n' };
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    await db.exec(`CREATE TABLE schema_migrations (version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
      INSERT INTO schema_migrations VALUES ('20240101000000', 'a', '${md5(files['20240101000000_a.sql'])}'), ('20240102000000', 'b', 'deadbeef');
      CREATE TABLE a (id int); CREATE TABLE b (id int);`);
    const h = project(files).history();
    const st = await statusReport(db, h, table);
    expect(st.entries.map((e) => e.state)).toEqual(['applied', 'modified']);
    // A refused run (modified file) leaves even the adoption undone: DDL is in the same transaction.
    const err = await up(db, h, { table }).catch((e) => e);
    expect(err).toMatchObject({ code: 'modified' });
    expect(await columns(db, 'schema_migrations')).toEqual(['version', 'name', 'checksum', 'applied_at']);
    const r = await resolve(db, h, '20240102000000', 'applied', { table });
    expect(r.action).toMatch(/accepted migrations\/20240102000000_b\.sql as it is now/);
    const rows = await readApplied(db, table);
    expect(rows.map((x) => x.checksum)).toEqual([h[0]!.checksum, h[1]!.checksum]);
    expect((await statusReport(db, h, table)).clean).toBe(true);
  });
});

describe('integrity and failure semantics', () => {
  it('refuses out-of-order pending files unless allowed, and status marks them', async () => {
    const db = await openDb(await createDatabase('ooo'));
    const p = project({ '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;'), '20260103000000_c.sql': mig('CREATE TABLE c (id int);', 'DROP TABLE c;') });
    await up(db, p.history(), { table });
    fs.writeFileSync(path.join(p.dir, '20260102000000_b.sql'), mig('CREATE TABLE b (id int);', 'DROP TABLE b;'));
    const h = p.history();
    const st = await statusReport(db, h, table);
    expect(st.entries[1]).toMatchObject({ version: '20260102000000', state: 'pending', outOfOrder: true });
    expect(st.notes.join('\n')).toMatch(/20260102000000_b\.sql: pending but older than the newest applied migration .*--allow-out-of-order/);
    const err = await up(db, h, { table }).catch((e) => e);
    expect(err).toBeInstanceOf(RunnerError);
    expect(err.code).toBe('out_of_order');
    expect(err.message).toMatch(/1 pending migration\(s\) are older than the newest applied migration 20260103000000: migrations\/20260102000000_b\.sql/);
    expect(await rel(db, 'b')).toBe(false);
    const ok = await up(db, h, { table, allowOutOfOrder: true });
    expect(ok.applied.map((x) => x.version)).toEqual(['20260102000000']);
    expect(ok.warnings[0]).toMatch(/applied out of order/);
  });

  it('retries a transactional migration after lock timeouts (55P03), with a bound', async () => {
    const url = await createDatabase('retry');
    const [db, holder] = [await openDb(url), await openDb(url)];
    await db.exec('CREATE TABLE busy (id int)');
    const h = project({ '20260101000000_alter.sql': mig('CREATE TABLE side (id int);\nALTER TABLE busy ADD COLUMN x int;', 'ALTER TABLE busy DROP COLUMN x;\nDROP TABLE side;') }).history();
    await holder.exec('BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE');
    const events: RunEvent[] = [];
    // Never released: gives up after 1 + 2 attempts, rolled back, not recorded.
    const t0 = Date.now();
    const err = await up(db, h, { table, lockTimeout: '100ms', lockRetries: 2, lockRetryDelayMs: 50, onEvent: (e) => events.push(e) }).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.sqlstate).toBe('55P03');
    expect(err.message).toMatch(/hit lock_timeout on each of 3 attempt\(s\)/);
    expect(events.filter((e) => e.type === 'retry').map((e) => (e as { delayMs: number }).delayMs)).toEqual([50, 100]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await readApplied(db, table)).toEqual([]);
    expect(await rel(db, 'side')).toBe(false);
    // Released during the retries: succeeds.
    setTimeout(() => void holder.exec('COMMIT'), 400);
    const res = await up(db, h, { table, lockTimeout: '100ms', lockRetries: 5, lockRetryDelayMs: 150 });
    expect(res.applied.map((r) => r.version)).toEqual(['20260101000000']);
    expect(await columns(db, 'busy')).toEqual(['id', 'x']);
  });

  it('a failed transaction:false migration records the statement reached and blocks; resolve settles it either way', async () => {
    const db = await openDb(await createDatabase('ntx'));
    const p = project({
      '20260101000000_t.sql': mig('CREATE TABLE t (a int);', 'DROP TABLE t;'),
      '20260102000000_idx.sql': mig('CREATE INDEX CONCURRENTLY t_a ON t (a);\nCREATE INDEX CONCURRENTLY t_b ON t (b);\nCREATE INDEX CONCURRENTLY t_a2 ON t (a);', 'SELECT 1;', ' transaction:false'),
    });
    const h = p.history();
    const err = await up(db, h, { table }).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/^migrations\/20260102000000_idx\.sql:3:\d+: applying migration 20260102000000 failed: column "b" does not exist \(SQLSTATE 42703\) in statement 2 of 3 "CREATE INDEX CONCURRENTLY t_b ON t \(b\)"\. .*recorded as failed at statement 2 of 3/);
    const rows = await readApplied(db, table);
    expect(rows[1]).toMatchObject({ version: '20260102000000', statementIndex: 2 });
    const st = await statusReport(db, h, table);
    expect(st.entries[1]).toMatchObject({ state: 'failed', statementIndex: 2, statements: 3 });
    expect(st.notes[0]).toMatch(/It stopped at statement 2 of 3; .*No run is in progress.*schemaplan resolve 20260102000000 --applied.*--rolled-back/);
    for (const run of [() => up(db, h, { table }), () => down(db, h, { table }), () => redo(db, h, { table })]) {
      expect(await run().catch((e) => e)).toMatchObject({ code: 'failed' });
    }
    expect(await resolve(db, h, '20260101000000', 'rolled-back', { table }).catch((e) => e)).toMatchObject({ code: 'not_failed' });
    // Dry run changes nothing.
    await resolve(db, h, '20260102000000', 'applied', { table, dryRun: true });
    expect((await readApplied(db, table))[1]!.error).not.toBeNull();
    // Accept it as applied after creating the missing index by hand.
    await db.exec('CREATE INDEX t_a2 ON t (a)');
    await resolve(db, h, '20260102000000', 'applied', { table });
    expect((await statusReport(db, h, table)).clean).toBe(true);
    // A pending file can be recorded without running; rolled-back needs a row.
    fs.writeFileSync(path.join(p.dir, '20260103000000_x.sql'), mig('CREATE TABLE x (id int);', 'DROP TABLE x;'));
    expect(await resolve(db, p.history(), '20260103000000', 'rolled-back', { table }).catch((e) => e)).toMatchObject({ code: 'not_recorded' });
    await resolve(db, p.history(), '20260103000000', 'applied', { table });
    expect(await rel(db, 'x')).toBe(false);
    expect((await statusReport(db, p.history(), table)).clean).toBe(true);
  });

  it('a connection lost during a transactional migration leaves neither schema nor row', async () => {
    const url = await createDatabase('lost');
    const [db, admin] = [await openDb(url), await openDb(url)];
    const h = project({ '20260101000000_slow.sql': mig('CREATE TABLE half (id int);\nSELECT pg_sleep(20);', 'DROP TABLE half;') }).history();
    const running = up(db, h, { table }).catch((e) => e);
    let pid: number | undefined;
    for (let i = 0; i < 200 && pid === undefined; i++) {
      const r = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(20)%' AND pid <> pg_backend_pid()`);
      pid = r[0]?.pid;
      if (pid === undefined) await new Promise((res) => setTimeout(res, 25));
    }
    expect(pid).toBeDefined();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const err = await running;
    expect(String(err.message)).toMatch(/20260101000000_slow\.sql.*(terminating connection due to administrator command|lost the connection)/);
    expect(await rel(admin, 'half')).toBe(false);
    expect(await readApplied(admin, table)).toEqual([]);
  });
});

describe('beforeApply (the drift check of `up`)', () => {
  it('runs under the migration lock with the pending migrations; when it throws, nothing is applied', async () => {
    const db = await openDb(await createDatabase('before'));
    const p = project({
      '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;'),
      '20260101000001_b.sql': mig('CREATE TABLE b (id int);', 'DROP TABLE b;'),
    });
    const seen: { versions: string[]; holder: string | undefined }[] = [];
    const err = await up(db, p.history(), {
      table,
      beforeApply: async (pending) => {
        seen.push({ versions: pending.map((m) => m.version), holder: await lockHolder(db, table) });
        throw new Error('drifted');
      },
    }).catch((e) => e);
    expect(err.message).toBe('drifted');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.versions).toEqual(['20260101000000', '20260101000001']);
    // The lock is held while it runs (by this very session), so no other `up` can change the database in between.
    const [{ pid }] = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
    expect(seen[0]!.holder).toMatch(new RegExp(`^backend pid ${pid}\\b`));
    expect(await rel(db, 'a')).toBe(false);
    expect((await statusReport(db, p.history(), table)).entries.map((e) => e.state)).toEqual(['pending', 'pending']);
    expect(await lockHolder(db, table)).toBeUndefined();
    // Passing: the run goes on.
    const ok = await up(db, p.history(), { table, beforeApply: async () => undefined });
    expect(ok.applied.map((r) => r.version)).toEqual(['20260101000000', '20260101000001']);
  });
});

describe('baseline, redo, fresh', () => {
  it('baseline records an existing database without running anything; later files then apply', async () => {
    const db = await openDb(await createDatabase('base'));
    const p = project({
      '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;'),
      '20260102000000_b.sql': mig('CREATE TABLE b (id int);', 'DROP TABLE b;'),
      '20260103000000_c.sql': mig('CREATE TABLE c (id int);', 'DROP TABLE c;'),
    });
    const h = p.history();
    await db.exec('CREATE TABLE a (id int); CREATE TABLE b (id int);');
    expect(await baseline(db, h, { table, version: '20260109000000' }).catch((e) => e)).toMatchObject({ code: 'unknown_version' });
    const dry = await baseline(db, h, { table, version: '20260102000000', dryRun: true });
    expect(dry.recorded.map((r) => r.version)).toEqual(['20260101000000', '20260102000000']);
    expect(await rel(db, 'schema_migrations')).toBe(false);
    const res = await baseline(db, h, { table, version: '20260102000000' });
    expect(res.recorded.map((r) => r.version)).toEqual(['20260101000000', '20260102000000']);
    expect((await readApplied(db, table)).map((r) => [r.version, r.executionMs, r.checksum])).toEqual([
      ['20260101000000', null, h[0]!.checksum], ['20260102000000', null, h[1]!.checksum],
    ]);
    expect((await up(db, h, { table })).applied.map((r) => r.version)).toEqual(['20260103000000']);
    expect(await baseline(db, h, { table, version: '20260101000000' }).catch((e) => e)).toMatchObject({ code: 'refused' });
  });

  it('redo reverts and re-applies the newest migration under one lock', async () => {
    const db = await openDb(await createDatabase('redo'));
    const h = project({ '20260101000000_a.sql': mig('CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);', 'DROP TABLE a;') }).history();
    expect(await redo(db, h, { table }).catch((e) => e)).toMatchObject({ code: 'refused' });
    await up(db, h, { table });
    await db.exec('INSERT INTO a VALUES (2)');
    // The down section drops the table with its two rows: refused unless allowed.
    expect(await redo(db, h, { table }).catch((e) => e)).toMatchObject({ code: 'would_lose_data' });
    expect(await db.query('SELECT id FROM a ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    const r = await redo(db, h, { table, allowDestructive: true });
    expect([r.reverted.map((x) => x.version), r.applied.map((x) => x.version)]).toEqual([['20260101000000'], ['20260101000000']]);
    expect(await db.query('SELECT id FROM a')).toEqual([{ id: 1 }]);
  });

  it('fresh drops every schema and rebuilds from the history, keeping public\'s owner and privileges', async () => {
    const db = await openDb(await createDatabase('fresh'));
    const h = project({
      '20260101000000_a.sql': mig('CREATE SCHEMA app;\nCREATE TABLE app.a (id int);\nCREATE TABLE b (id int);', 'DROP TABLE b;\nDROP SCHEMA app CASCADE;'),
    }).history();
    await up(db, h, { table });
    await db.exec(`INSERT INTO app.a VALUES (1); CREATE SCHEMA "Stray Schema"; CREATE TABLE "Stray Schema".junk (x int); CREATE TABLE leftover (x int);`);
    const acl = `SELECT nspowner::regrole::text AS owner, nspacl::text AS acl, obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = 'public'`;
    const before = await db.query(acl);
    const dry = await fresh(db, h, { table, dryRun: true });
    expect(dry.dropped).toEqual(['Stray Schema', 'app', 'public']);
    expect(await rel(db, 'leftover')).toBe(true);
    const res = await fresh(db, h, { table });
    expect(res.applied.map((r) => r.version)).toEqual(['20260101000000']);
    expect(await rel(db, 'leftover')).toBe(false);
    expect(await rel(db, '"Stray Schema".junk')).toBe(false);
    expect(await db.query('SELECT count(*)::int AS n FROM app.a')).toEqual([{ n: 0 }]);
    expect(await db.query(acl)).toEqual(before);
    expect((await statusReport(db, h, table)).clean).toBe(true);
  });

  it('replay reports progress events', async () => {
    const db = await openDb(await createDatabase('replay'));
    const h = project({ '001_a.sql': 'CREATE TABLE a (id int);\n', '002_b.sql': 'CREATE TABLE b (id int);\n' }).history();
    const events: RunEvent[] = [];
    await replay(db, h, { onEvent: (e) => events.push(e) });
    expect(events.map((e) => `${e.type} ${(e as { index: number }).index}/${(e as { total: number }).total}`)).toEqual(['start 1/2', 'done 1/2', 'start 2/2', 'done 2/2']);
  });
});
