/**
 * The runner behind PgBouncer in transaction pooling mode (`pool_mode = transaction`,
 * `default_pool_size = 4`), through the compiled CLI: eight concurrent `up` processes against 30
 * pending migrations (one of them `transaction:false`, CREATE INDEX CONCURRENTLY), three times on a
 * fresh database; the other commands through the pooler; a session lock stranded on a pooled server
 * connection. Skips, saying why, when the `pgbouncer` binary is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { lockKey, transactionLockKey } from '../../src/runner/lock.js';
import { createDatabase, serverUrl } from '../support/db.js';
import { pgbouncerBinary, startPgbouncer, type Pgbouncer } from '../support/pgbouncer.js';
import { cli, leaks, mig, project, query, spawnCli, sql, waitFor } from './support.js';

const bin = pgbouncerBinary();
if (!bin) console.log('skipping the PgBouncer tests: no pgbouncer binary on PATH or in /usr/sbin (Debian/Ubuntu: apt-get install pgbouncer)');

const table = { schema: 'public', name: 'schema_migrations' };
/** The pooler warning the runner prints on stderr, one line. */
const POOLER_LINE = /^warning: postgres:\/\/postgres:\*\*\*@\/\w+\?\S+ is reached through a connection pooler \(the server process running its statements \(\d+\) is not the one announced at connection \(-?\d+\)\): schemaplan takes its migration lock in each transaction, claims transaction:false migrations with an expiring lease, and makes no session-level setting$/;

/**
 * 30 migrations, each creating a table and logging itself in applied_log; number 15 builds an index
 * concurrently, outside a transaction, after a 1 s sleep (so other runners meet its lease).
 */
function thirty(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 30; i++) {
    const v = `202601010000${String(i).padStart(2, '0')}`;
    files[`${v}_m${i}.sql`] = i === 15
      ? mig('SELECT pg_sleep(1);\nCREATE INDEX CONCURRENTLY applied_log_n_idx ON applied_log (n);\nINSERT INTO applied_log VALUES (15);', 'DROP INDEX CONCURRENTLY applied_log_n_idx;\nDELETE FROM applied_log WHERE n = 15;', ' transaction:false')
      : mig(`CREATE TABLE t${i} (id int);\nINSERT INTO applied_log VALUES (${i});`, `DROP TABLE t${i};\nDELETE FROM applied_log WHERE n = ${i};`);
  }
  return files;
}

/** Advisory locks of the runner's two keys held in database `url` (seen directly, not through the pooler). */
async function ourLocks(url: string): Promise<number> {
  const keys = [lockKey(table), transactionLockKey(table)].map((k) => BigInt.asUintN(64, k));
  const [{ n }] = await query<{ n: number }>(url,
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((classid::bigint << 32) | objid::bigint) = ANY($1::bigint[])`,
    [keys.map((k) => BigInt.asIntN(64, k).toString())]);
  return n;
}

/** `lock_timeout` on each of the pool's 4 server connections: 4 clients each hold a transaction open, so each has its own. */
async function poolSettings(url: string): Promise<string[]> {
  const dbs = await Promise.all([1, 2, 3, 4].map(() => connect(url)));
  try {
    const seen: Array<{ pid: number; lt: string }> = [];
    for (const db of dbs) await db.exec('BEGIN');
    for (const db of dbs) seen.push((await db.query<{ pid: number; lt: string }>(`SELECT pg_backend_pid() AS pid, current_setting('lock_timeout') AS lt`))[0]!);
    expect(new Set(seen.map((s) => s.pid)).size).toBe(4);
    return seen.map((s) => s.lt);
  } finally {
    for (const db of dbs) await db.close();
  }
}

describe.skipIf(!bin)('behind PgBouncer, pool_mode = transaction, default_pool_size = 4', { timeout: 600_000 }, () => {
  let bouncer: Pgbouncer;
  beforeAll(async () => {
    bouncer = await startPgbouncer(serverUrl(15), { poolMode: 'transaction', poolSize: 4 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it('eight `up` processes, 30 pending migrations (one transaction:false), three fresh databases: all exit 0, each applied exactly once, no lock or lease left', async () => {
    const dir = project(thirty());
    let leaseWaits = 0;
    for (let run = 1; run <= 3; run++) {
      const direct = await createDatabase(`pool${run}`);
      await sql(direct, 'CREATE TABLE applied_log (n int NOT NULL)');
      const url = bouncer.through(direct);
      const t0 = Date.now();
      const runs = await Promise.all(Array.from({ length: 8 }, () => cli(dir, ['up', '--url', url])));
      const ms = Date.now() - t0;
      const applied = runs.map((r) => r.stdout.split('\n').filter((l) => /^applied \d{14}_m\d+ in \d+ ms$/.test(l)).length);
      const skipped = runs.map((r) => r.stdout.split('\n').filter((l) => /^already applied by another run: /.test(l)).length);
      leaseWaits += runs.filter((r) => /^waiting for a run applying the transaction:false migration 20260101000015 \(lease: run [0-9a-f]{12}, renewed every 5 s, claimed or renewed at \S+\) to finish/m.test(r.stdout)).length;
      console.log(`PgBouncer run ${run}: exit codes ${runs.map((r) => r.code).join(',')}; applied per runner ${applied.join(',')}; ` +
        `skipped as already applied ${skipped.join(',')}; ${ms} ms`);
      for (const r of runs) {
        expect(r.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(POOLER_LINE)]);
        expect(r.code).toBe(0);
      }
      expect(applied.reduce((a, b) => a + b, 0)).toBe(30);
      expect(await query(direct, 'SELECT count(*)::int AS n, count(DISTINCT n)::int AS d FROM applied_log')).toEqual([{ n: 30, d: 30 }]);
      expect(await query(direct, 'SELECT count(*)::int AS n, count(DISTINCT version)::int AS d, count(error)::int AS e FROM schema_migrations')).toEqual([{ n: 30, d: 30, e: 0 }]);
      expect(await query(direct, `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'applied_log_n_idx'::regclass`)).toEqual([{ valid: true }]);
      expect(await ourLocks(direct)).toBe(0);
      const st = await cli(dir, ['status', '--url', url, '--exit-code']);
      expect(st.code).toBe(0);
      expect(st.stdout).toContain('30 applied');
    }
    console.log(`runners that waited for the lease of the transaction:false migration: ${leaseWaits}`);
    expect(leaseWaits).toBeGreaterThan(0);
  });

  it('status, down, redo, resolve and baseline work through the pooler', async () => {
    const dir = project({
      '20260101000001_a.sql': mig('CREATE TABLE a (id int);\nDO $$ BEGIN EXECUTE format(\'COMMENT ON TABLE a IS %L\', current_setting(\'lock_timeout\')); END $$;', 'DROP TABLE a;'),
      '20260101000002_idx.sql': mig('CREATE INDEX CONCURRENTLY a_id_idx ON a (id);', 'DROP INDEX CONCURRENTLY a_id_idx;', ' transaction:false'),
      '20260101000003_b.sql': mig('CREATE TABLE b (id int);', 'DROP TABLE b;'),
    });
    const direct = await createDatabase('poolcmd');
    const url = bouncer.through(direct);
    const states = async () => (JSON.parse((await cli(dir, ['status', '--url', url, '--format', 'json'])).stdout) as { entries: Array<{ state: string }> }).entries.map((e) => e.state);
    const first = await cli(dir, ['up', '--url', url, '--to', '20260101000002', '--lock-timeout', '1234ms']);
    expect(first.code).toBe(0);
    expect(await states()).toEqual(['applied', 'applied', 'pending']);
    // The run's setting applied inside the migration's transaction, and stayed on no server connection of the pool.
    expect(await query(direct, `SELECT obj_description('a'::regclass, 'pg_class') AS lt`)).toEqual([{ lt: '1234ms' }]);
    expect(await poolSettings(url)).toEqual(['0', '0', '0', '0']);
    const down = await cli(dir, ['down', '2', '--url', url]);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/^reverted 20260101000002_idx in \d+ ms$/m);
    expect(await states()).toEqual(['pending', 'pending', 'pending']);
    expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
    const redo = await cli(dir, ['redo', '--url', url]);
    expect(redo.code).toBe(0);
    expect(redo.stdout).toMatch(/^reverted 20260101000003_b in \d+ ms$/m);
    expect(redo.stdout).toMatch(/^applied 20260101000003_b in \d+ ms$/m);
    // A failed transaction:false migration, settled with resolve through the pooler.
    await sql(direct, `UPDATE schema_migrations SET error = 'failed by hand', statement_index = 1 WHERE version = '20260101000002'`);
    expect(await states()).toEqual(['applied', 'failed', 'applied']);
    expect((await cli(dir, ['up', '--url', url])).code).toBe(1);
    const res = await cli(dir, ['resolve', '20260101000002', '--applied', '--url', url]);
    expect(res.code).toBe(0);
    expect(await states()).toEqual(['applied', 'applied', 'applied']);
    // Baseline on another database: recorded, nothing run.
    const other = await createDatabase('poolbase');
    const base = await cli(dir, ['baseline', '--url', bouncer.through(other)]);
    expect(base.code).toBe(0);
    expect(await query(other, 'SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: 3 }]);
    expect(await query(other, `SELECT to_regclass('a')::text AS a`)).toEqual([{ a: null }]);
    expect(await ourLocks(direct)).toBe(0);
    expect(await ourLocks(other)).toBe(0);
    expect(await poolSettings(url)).toEqual(['0', '0', '0', '0']);
  });

  it('a session lock stranded on a pooled server connection blocks neither a pooled nor (after 10 s idle) a direct run', async () => {
    const dir = project(Object.fromEntries(Object.entries(thirty()).slice(0, 3)));
    const direct = await createDatabase('poolstrand');
    await sql(direct, 'CREATE TABLE applied_log (n int NOT NULL)');
    const url = bouncer.through(direct);
    // What a runner that trusted its session did: the lock stays with the server connection after the client left.
    await sql(url, `SELECT pg_advisory_lock(${lockKey(table)})`);
    expect(await ourLocks(direct)).toBe(1);
    const t0 = Date.now();
    const pooled = await cli(dir, ['up', '--url', url, '--to', '20260101000002']);
    expect(pooled.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(pooled.stdout).toMatch(/^applied 2 migration\(s\)$/m);
    const t1 = Date.now();
    const plain = await cli(dir, ['up', '--url', direct]);
    const waited = Date.now() - t1;
    console.log(`direct run past a stranded session lock: exit ${plain.code} after ${waited} ms`);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^warning: the migration lock of public\.schema_migrations is held by backend pid \d+ \([^\n]*\), idle for \d+ s: taken to be stranded on a pooled server connection; this run goes on without it, under the per-transaction lock\n$/);
    expect(plain.stdout).toMatch(/^applied 20260101000003_m3 in \d+ ms$/m);
    expect(await query(direct, 'SELECT count(*)::int AS n FROM applied_log')).toEqual([{ n: 3 }]);
  });

  it('SIGKILL during a transaction:false migration: others wait for its lease, which expires; then it blocks as failed, and resolve settles it', async () => {
    const dir = project({
      '20260101000001_first.sql': mig('CREATE TABLE first (id int);', 'DROP TABLE first;'),
      '20260101000002_slow_ntx.sql': mig('CREATE TABLE nt_a (id int);\nSELECT pg_sleep((SELECT secs FROM sleep_control));\nCREATE TABLE nt_b (id int);', 'DROP TABLE IF EXISTS nt_b;\nDROP TABLE IF EXISTS nt_a;', ' transaction:false'),
    });
    const direct = await createDatabase('poolkill');
    await sql(direct, 'CREATE TABLE sleep_control (secs float8); INSERT INTO sleep_control VALUES (120);');
    const url = bouncer.through(direct);
    const { child, done } = spawnCli(dir, ['up', '--url', url]);
    const pid = await waitFor(async () => (await query<{ pid: number }>(direct,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep%'`))[0]?.pid, 20_000);
    expect(pid).toBeDefined();
    await new Promise((r) => setTimeout(r, 6000)); // past one renewal
    child.kill('SIGKILL');
    expect((await done).code).toBeNull();
    // Behind the pooler the server process is not the runner's: it sleeps on. End it, as an operator would.
    await query(direct, 'SELECT pg_terminate_backend($1)', [pid]);
    const killedAt = Date.now();
    const [row] = await query<{ error: string }>(direct, `SELECT error FROM schema_migrations WHERE version = '20260101000002'`);
    expect(row!.error).toMatch(/^unfinished: the run stopped .* \[lease: run [0-9a-f]{12}, renewed every 5 s\]$/);
    const during = await cli(dir, ['status', '--url', url]);
    expect(during.stdout).toMatch(/A run is in progress right now \(a run applying the transaction:false migration 20260101000002 \(lease: run [0-9a-f]{12}, renewed every 5 s, claimed or renewed at \S+\)\); wait for it before acting\./);
    await sql(direct, 'UPDATE sleep_control SET secs = 0');
    const next = await cli(dir, ['up', '--url', url, '--lock-wait', '90s']);
    const waited = Date.now() - killedAt;
    console.log(`the next pooled up waited ${waited} ms for the dead runner's lease, then exited ${next.code}`);
    expect(next.code).toBe(1);
    expect(next.stdout).toMatch(/^waiting for a run applying the transaction:false migration 20260101000002 /m);
    expect(next.stderr).toMatch(/migration 20260101000002 is recorded as failed at statement 2 in public\.schema_migrations \(unfinished: .*schemaplan resolve 20260101000002 --applied.*--rolled-back/);
    expect(waited).toBeGreaterThan(15_000);
    const after = await cli(dir, ['status', '--url', url]);
    expect(after.stdout).toMatch(/No run is in progress, so it will not finish by itself\./);
    await sql(direct, 'DROP TABLE nt_a');
    expect((await cli(dir, ['resolve', '20260101000002', '--rolled-back', '--url', url])).code).toBe(0);
    expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
    expect(await query(direct, `SELECT count(*)::int AS n, count(error)::int AS e FROM schema_migrations`)).toEqual([{ n: 2, e: 0 }]);
    expect(await ourLocks(direct)).toBe(0);
  });

  it('prints no password', () => {
    expect(leaks()).toEqual([]);
  });
});
