import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../src/db/connect.js';
import type { Db } from '../src/db/types.js';
import {
  acquireMigrationLock, down, LockTimeoutError, MigrationError, readApplied, replay, resolveFailed, RunnerError, status, up,
} from '../src/runner/index.js';
import { createDatabase, openDb } from './support/db.js';
import { mig, project, table } from './support/history.js';

const BASIC = {
  '20260101000000_create_a.sql': mig('CREATE TABLE a (id int PRIMARY KEY);', 'DROP TABLE a;'),
  '20260102000000_create_b.sql': mig('CREATE TABLE b (id int REFERENCES a);', 'DROP TABLE b;'),
  '20260103000000_add_c.sql': mig('ALTER TABLE b ADD COLUMN c text;', 'ALTER TABLE b DROP COLUMN c;'),
};

async function tables(db: Db): Promise<string[]> {
  const rows = await db.query<{ t: string }>(`SELECT relname AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`);
  return rows.map((r) => r.t);
}

describe('runner on PostgreSQL', () => {
  it('applies pending migrations in order and records rows with checksums', async () => {
    const db = await openDb(await createDatabase());
    const p = project(BASIC);
    const h = p.history();
    const lines: string[] = [];
    const res = await up(db, h, { table, log: (l) => lines.push(l) });
    expect(res.applied.map((r) => r.version)).toEqual(['20260101000000', '20260102000000', '20260103000000']);
    expect(res.applied.every((r) => typeof r.executionMs === 'number' && r.executionMs >= 0)).toBe(true);
    const rows = await readApplied(db, table);
    expect(rows.map((r) => [r.version, r.name, r.checksum, r.error])).toEqual(h.map((m) => [m.version, m.name, m.checksum, null]));
    expect(rows.every((r) => r.appliedAt instanceof Date && typeof r.executionMs === 'number')).toBe(true);
    expect(await tables(db)).toEqual(['a', 'b', 'schema_migrations']);
    expect(lines.some((l) => /applied 20260103000000_add_c in \d+ ms/.test(l))).toBe(true);
    // A second run has nothing to do.
    expect((await up(db, h, { table })).applied).toEqual([]);
  });

  it('rolls back a failing migration and records no row for it', async () => {
    const db = await openDb(await createDatabase());
    const p = project({
      '20260101000000_ok.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;'),
      '20260102000000_bad.sql': mig('CREATE TABLE b (id int);\n\nINSERT INTO nope VALUES (1);', 'DROP TABLE b;'),
      '20260103000000_later.sql': mig('CREATE TABLE c (id int);', 'DROP TABLE c;'),
    });
    const err = await up(db, p.history(), { table }).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/^migrations\/20260102000000_bad\.sql:4:13: applying migration 20260102000000 failed: relation "nope" does not exist \(SQLSTATE 42P01\) in statement 2 of 2 "INSERT INTO nope VALUES \(1\)"\. It was rolled back/);
    expect(err).toMatchObject({ sqlstate: '42P01', line: 4, file: 'migrations/20260102000000_bad.sql' });
    expect((await readApplied(db, table)).map((r) => r.version)).toEqual(['20260101000000']);
    expect(await tables(db)).toEqual(['a', 'schema_migrations']);
  });

  it('hints at transaction:false for statements that cannot run in a transaction', async () => {
    const db = await openDb(await createDatabase());
    const h = project({ '20260101000000_idx.sql': mig('CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);', 'DROP TABLE t;') }).history();
    const err = await up(db, h, { table }).catch((e) => e);
    expect(err.message).toMatch(/:3:1: applying migration 20260101000000 failed: CREATE INDEX CONCURRENTLY cannot run inside a transaction block \(SQLSTATE 25001\).*Hint: .*transaction:false/);
    expect(await tables(db)).toEqual(['schema_migrations']);
  });

  it('reverts newest first', async () => {
    const db = await openDb(await createDatabase());
    const h = project(BASIC).history();
    await up(db, h, { table });
    const r1 = await down(db, h, { table, steps: 2 });
    expect(r1.reverted.map((r) => r.version)).toEqual(['20260103000000', '20260102000000']);
    expect((await readApplied(db, table)).map((r) => r.version)).toEqual(['20260101000000']);
    expect(await tables(db)).toEqual(['a', 'schema_migrations']);
    await up(db, h, { table, to: '20260102000000' });
    expect((await readApplied(db, table)).map((r) => r.version)).toEqual(['20260101000000', '20260102000000']);
    const r2 = await down(db, h, { table, to: '0' });
    expect(r2.reverted.map((r) => r.version)).toEqual(['20260102000000', '20260101000000']);
    expect(await readApplied(db, table)).toEqual([]);
    expect(await tables(db)).toEqual(['schema_migrations']);
    await expect(down(db, h, { table })).resolves.toMatchObject({ reverted: [] });
  });

  it('reports pending, applied, modified and missing; refuses modified files unless allowed', async () => {
    const db = await openDb(await createDatabase());
    const p = project(BASIC);
    await up(db, p.history(), { table, to: '20260102000000' });
    fs.appendFileSync(path.join(p.dir, '20260101000000_create_a.sql'), '-- an edit\n');
    fs.rmSync(path.join(p.dir, '20260102000000_create_b.sql'));
    const h = p.history();
    const st = await status(db, h, table);
    expect(st.map((s) => [s.version, s.state])).toEqual([
      ['20260101000000', 'modified'], ['20260102000000', 'missing'], ['20260103000000', 'pending'],
    ]);
    expect(st[1]).toMatchObject({ name: 'create_b' });
    expect(st[1]!.file).toBeUndefined();
    const err = await up(db, h, { table }).catch((e) => e);
    expect(err).toBeInstanceOf(RunnerError);
    expect(err.code).toBe('modified');
    expect(err.message).toMatch(/migrations\/20260101000000_create_a\.sql \(recorded [0-9a-f]{12}…, file now [0-9a-f]{12}…\)/);
    const res = await up(db, h, { table, allowModified: true });
    expect(res.applied.map((r) => r.version)).toEqual(['20260103000000']);
    expect(res.warnings.join('\n')).toMatch(/modified after it was applied[\s\S]*has no file any more/);
    expect((await status(db, h, table)).map((s) => s.state)).toEqual(['modified', 'missing', 'applied']);
  });

  it('changes nothing in a dry run', async () => {
    const db = await openDb(await createDatabase());
    const h = project(BASIC).history();
    const lines: string[] = [];
    const res = await up(db, h, { table, dryRun: true, log: (l) => lines.push(l) });
    expect(res).toMatchObject({ dryRun: true });
    expect(res.applied.map((r) => [r.version, r.executionMs, r.statements])).toEqual([
      ['20260101000000', null, 1], ['20260102000000', null, 1], ['20260103000000', null, 1],
    ]);
    expect(lines).toContain('-- would apply migrations/20260101000000_create_a.sql');
    expect(lines).toContain('CREATE TABLE a (id int PRIMARY KEY);');
    expect(await tables(db)).toEqual([]);
    await up(db, h, { table });
    const d = await down(db, h, { table, steps: 3, dryRun: true });
    expect(d.reverted.map((r) => r.version)).toEqual(['20260103000000', '20260102000000', '20260101000000']);
    expect((await readApplied(db, table)).length).toBe(3);
  });

  it('applies each migration exactly once when two runners start together', async () => {
    const url = await createDatabase();
    const [db1, db2] = [await openDb(url), await openDb(url)];
    const files: Record<string, string> = {};
    for (let i = 1; i <= 4; i++) files[`2026010${i}000000_m${i}.sql`] = mig(`CREATE TABLE t${i} (id int);\nSELECT pg_sleep(0.1);`, `DROP TABLE t${i};`);
    const h = project(files).history();
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const [r1, r2] = await Promise.all([up(db1, h, { table, log }), up(db2, h, { table, log })]);
    expect(lines.some((l) => l.startsWith('waiting for the migration lock of public.schema_migrations, held by backend pid'))).toBe(true);
    expect(r1.applied.length + r2.applied.length).toBe(4);
    expect([r1.applied.length, r2.applied.length]).toContain(0);
    expect((await readApplied(db1, table)).map((r) => r.version)).toEqual(h.map((m) => m.version));
  });

  it('fails clearly when the lock is not free within the bound', async () => {
    const url = await createDatabase();
    const [holder, db] = [await openDb(url), await openDb(url)];
    const release = await acquireMigrationLock(holder, table);
    const t0 = Date.now();
    const err = await up(db, project(BASIC).history(), { table, lockWaitMs: 300 }).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(err.message).toMatch(/could not take the migration lock of public\.schema_migrations .* within 300 ms: another migration run is in progress \(backend pid \d+ \(application "schemaplan", role postgres, client on the local socket, connected since \S+Z[^()]*\)\)/);
    await release();
    expect((await up(db, project(BASIC).history(), { table, lockWaitMs: 300 })).applied.length).toBe(3);
  });

  it('runs transaction:false migrations (CREATE INDEX CONCURRENTLY); a failed one blocks until resolved', async () => {
    const db = await openDb(await createDatabase());
    const p = project({
      '20260101000000_t.sql': mig('CREATE TABLE t (a int, b int);', 'DROP TABLE t;'),
      '20260102000000_idx.sql': mig('CREATE INDEX CONCURRENTLY t_a_idx ON t (a);', 'DROP INDEX CONCURRENTLY t_a_idx;', ' transaction:false'),
    });
    const res = await up(db, p.history(), { table });
    expect(res.applied.map((r) => [r.version, r.transactional])).toEqual([['20260101000000', true], ['20260102000000', false]]);
    expect(await db.query(`SELECT indexrelid::regclass::text AS i FROM pg_index WHERE indisvalid AND indrelid = 't'::regclass`)).toEqual([{ i: 't_a_idx' }]);
    expect((await readApplied(db, table))[1]).toMatchObject({ error: null, checksum: p.history()[1]!.checksum });
    await down(db, p.history(), { table });
    expect(await db.query(`SELECT 1 FROM pg_index WHERE indrelid = 't'::regclass`)).toEqual([]);

    fs.writeFileSync(path.join(p.dir, '20260103000000_bad.sql'),
      mig('CREATE INDEX CONCURRENTLY t_b_idx ON t (b);\nCREATE INDEX CONCURRENTLY t_c_idx ON t (c);', 'SELECT 1;', ' transaction:false'));
    const h = p.history();
    const err = await up(db, h, { table }).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/20260103000000_bad\.sql:3:\d+: applying migration 20260103000000 failed: column "c" does not exist \(SQLSTATE 42703\).*recorded as failed/);
    expect((await status(db, h, table)).map((s) => s.state)).toEqual(['applied', 'applied', 'failed']);
    // Blocks until resolved.
    const blocked = await up(db, h, { table }).catch((e) => e);
    expect(blocked).toMatchObject({ code: 'failed' });
    expect(blocked.message).toMatch(/recorded as failed at statement 2 in public\.schema_migrations .*schemaplan resolve 20260103000000 --applied.*--rolled-back/);
    await db.exec('DROP INDEX t_b_idx');
    fs.writeFileSync(path.join(p.dir, '20260103000000_bad.sql'), mig('CREATE INDEX CONCURRENTLY t_b_idx ON t (b);', 'SELECT 1;', ' transaction:false'));
    await resolveFailed(db, table, '20260103000000', 'retry');
    expect((await up(db, p.history(), { table })).applied.map((r) => r.version)).toEqual(['20260103000000']);
  });

  it('refuses transaction control in a transactional file, but runs a BEGIN/COMMIT-wrapped file in its own transaction', async () => {
    const db = await openDb(await createDatabase());
    const p = project({ '001_init.sql': 'BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n', '002_more.sql': 'BEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\nCREATE TABLE c (id int);\n' });
    const err = await up(db, p.history(), { table }).catch((e) => e);
    expect(err).toMatchObject({ code: 'transaction_control' });
    expect(err.message).toMatch(/^migrations\/002_more\.sql:1:1: "BEGIN" controls the transaction/);
    // Every pending section is checked before anything runs.
    expect(await readApplied(db, table)).toEqual([]);
    fs.writeFileSync(path.join(p.dir, '002_more.sql'), 'CREATE TABLE b (id int);\n');
    expect((await up(db, p.history(), { table })).applied.map((r) => r.statements)).toEqual([1, 1]);
    expect(await tables(db)).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('adopts a dbmate tracking table', async () => {
    const db = await openDb(await createDatabase());
    await db.exec(`CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES ('20260101000000'); CREATE TABLE a (id int PRIMARY KEY);`);
    const h = project(BASIC).history();
    expect((await status(db, h, table)).map((s) => s.state)).toEqual(['applied', 'pending', 'pending']);
    const res = await up(db, h, { table });
    expect(res.applied.map((r) => r.version)).toEqual(['20260102000000', '20260103000000']);
    expect(res.tracking.join('\n')).toMatch(/adopted the dbmate tracking table public\.schema_migrations in place: added column\(s\) name, checksum, applied_at, execution_ms, error, statement_index\n.*record the checksum of 1 applied migration/);
    const rows = await readApplied(db, table);
    expect(rows[0]).toMatchObject({ version: '20260101000000', name: 'create_a', checksum: h[0]!.checksum, appliedAt: null });
  });

  it('uses a tracking table in another schema and per-file timeouts', async () => {
    const db = await openDb(await createDatabase());
    const t = { schema: 'ops', name: 'History' };
    const h = project({
      '20260101000000_slow.sql': '-- statement_timeout: 50ms\n' + mig('SELECT pg_sleep(1);', 'SELECT 1;'),
    }).history();
    const err = await up(db, h, { table: t, statementTimeout: '10s' }).catch((e) => e);
    expect(err).toMatchObject({ sqlstate: '57014' });
    expect(await readApplied(db, t)).toEqual([]);
    expect(await db.query(`SELECT current_setting('statement_timeout') AS s`)).toEqual([{ s: '0' }]);
  });

  it('replays a history and names file:line on failure', async () => {
    const db = await openDb(await createDatabase());
    const h = project({ ...BASIC, '20260104000000_bad.sql': mig('-- comment\nALTER TABLE b ADD COLUMN c text;', 'SELECT 1;') }).history();
    const err = await replay(db, h).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/^migrations\/20260104000000_bad\.sql:3:1: replaying migration 20260104000000 failed: column "c" of relation "b" already exists \(SQLSTATE 42701\)/);
    expect(await tables(db)).toEqual(['a', 'b']);
  });
});

describe('runner on PGlite', () => {
  it('applies and reverts', async () => {
    const db = await connect('pglite:memory');
    try {
      const h = project({
        ...BASIC,
        '20260104000000_idx.sql': mig('CREATE INDEX CONCURRENTLY b_c_idx ON b (c);', 'DROP INDEX CONCURRENTLY b_c_idx;', ' transaction:false'),
      }).history();
      expect((await up(db, h, { table, to: '20260103000000' })).applied.length).toBe(3);
      expect((await up(db, h, { table })).applied.map((r) => r.transactional)).toEqual([false]);
      expect((await down(db, h, { table })).reverted.map((r) => r.version)).toEqual(['20260104000000']);
      expect((await status(db, h, table)).map((s) => s.state)).toEqual(['applied', 'applied', 'applied', 'pending']);
      expect((await down(db, h, { table, steps: 3 })).reverted.map((r) => r.version)).toEqual(['20260103000000', '20260102000000', '20260101000000']);
      expect(await tables(db)).toEqual(['schema_migrations']);
    } finally {
      await db.close();
    }
  });
});
