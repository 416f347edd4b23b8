/**
 * Histories of two systems teams ran before schemaplan, moved over in one step as a new user would:
 * `import`, `up`, `status --exit-code`, `check`, through the compiled CLI on PostgreSQL 15, each proven
 * by reading the tracking table back. Fixtures (test/fixtures/seeds/<system>/): the migration files,
 * `tracking.sql` (the old tool's table as it creates it), `schema/` (the state after every file) and
 * `schemaplan.yaml`.
 * - sequential-self-recording: `NNN_description.sql` files that insert their own row into
 *   `schema_migrations(version, applied_at, description)` (`ON CONFLICT (version) DO NOTHING`);
 * - updown-id: `-- UP` / `-- DOWN` files and an id-keyed `schema_migrations(id, name, executed_at,
 *   checksum)` whose `id` is `<timestamp>_<name>` and whose checksum is the SHA-256 of the file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { cli, copyDir, leaks, query } from './support.js';
import { runInTransaction } from '../support/legacy.js';

const SEEDS = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));

describe('sequential runner whose files record themselves (NNN_description.sql)', { timeout: 300_000 }, () => {
  it('import, up, status --exit-code, check: every file recorded once, old rows kept, the runner completes the row a file inserted', async () => {
    const dir = copyDir(path.join(SEEDS, 'sequential-self-recording'));
    const url = await createDatabase('seq_self');
    // As the sequential runner left it: its table, then 001 run in a transaction (it records itself).
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'migrations/001_initial_schema.sql'), 'utf8'));
    const [old] = await query<{ applied_at: Date; description: string }>(url, `SELECT applied_at, description FROM public.schema_migrations WHERE version = '001'`);

    const imp = await cli(dir, ['import', '--from', 'sequential', '--table', 'public.schema_migrations']);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('migrations/002_add_conversations_tables.sql recorded itself in public.schema_migrations; completed its row');
    expect(up.stdout).toContain('applied 2 migration(s)');
    const status = await cli(dir, ['status', '--url', url, '--exit-code']);
    expect(status.code).toBe(0);
    const check = await cli(dir, ['check']);
    expect(check.stderr + check.stdout).toContain('check: clean');
    expect(check.code).toBe(0);
    console.log(`sequential-self-recording, check printed: ${(check.stdout + check.stderr).trim()}`);

    const rows = await query<{ version: string; description: string; name: string | null; checksum: string | null; execution_ms: number | null; applied_at: Date }>(url,
      `SELECT version, description, name, checksum, execution_ms, applied_at FROM public.schema_migrations ORDER BY version`);
    expect(rows.map((r) => r.version)).toEqual(['001', '002', '003']);
    // 001: the old runner's row, kept (its applied_at and description), its checksum recorded.
    expect(rows[0]!.applied_at).toEqual(old!.applied_at);
    expect(rows[0]!.description).toBe(old!.description);
    expect(rows[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.execution_ms).toBeNull();
    // 002 inserted its own row; the runner completed it, keeping the file's description.
    expect(rows[1]!.description).toBe('Add conversations and conversation messages tables for persistent chat history');
    expect(rows[1]!.name).toBe('add_conversations_tables');
    expect(rows[1]!.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[1]!.execution_ms).not.toBeNull();
    // 003 did not record itself: the runner's row, its name as the description.
    expect(rows[2]!).toMatchObject({ description: 'add_new_feature', name: 'add_new_feature' });
    expect(rows[2]!.execution_ms).not.toBeNull();
    expect(await query(url, `SELECT count(*)::int AS n FROM conversation_messages`)).toEqual([{ n: 0 }]);
  });

  it('a fresh database: the table schemaplan creates has the column the files write, so they run', async () => {
    const dir = copyDir(path.join(SEEDS, 'sequential-self-recording'));
    const url = await createDatabase('seq_fresh');
    expect((await cli(dir, ['import', '--from', 'sequential'])).code).toBe(0);
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await query(url, `SELECT version, description FROM public.schema_migrations ORDER BY version`)).toEqual([
      { version: '001', description: 'Create initial database schema with users and sessions' },
      { version: '002', description: 'Add conversations and conversation messages tables for persistent chat history' },
      { version: '003', description: 'add_new_feature' },
    ]);
    expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
  });

  it('an error raised while recording names the file and the statement', async () => {
    const dir = copyDir(path.join(SEEDS, 'sequential-self-recording'));
    const url = await createDatabase('seq_err');
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    // A table the runner cannot complete: a trigger refuses every change of a row's name.
    await runInTransaction(url, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'rows are read-only'; END $$;
      CREATE TRIGGER refuse BEFORE UPDATE ON public.schema_migrations FOR EACH ROW EXECUTE FUNCTION refuse()`);
    expect((await cli(dir, ['import', '--from', 'sequential'])).code).toBe(0);
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/migrations\/001_initial_schema\.sql:\d+:1: applying migration 001 failed: rows are read-only \(SQLSTATE P0001\) in statement "UPDATE public\.schema_migrations SET name = /);
    expect(up.stderr).toContain('The error came from recording the migration in public.schema_migrations after its statements ran. It was rolled back and not recorded');
    expect(await query(url, `SELECT count(*)::int AS n FROM public.schema_migrations`)).toEqual([{ n: 0 }]);
    expect(await query(url, `SELECT to_regclass('users')::text AS t`)).toEqual([{ t: null }]);
  });
});

describe('custom runner of -- UP / -- DOWN files with an id-keyed checksum table', { timeout: 300_000 }, () => {
  const FIRST = '20241201120000_create_users_table.sql';
  /** The database as that runner leaves it after its first file: its table, the UP section run, its row with the file's SHA-256. */
  async function asTheOldRunnerLeftIt(dir: string, url: string): Promise<string> {
    const text = fs.readFileSync(path.join(dir, 'migrations', FIRST), 'utf8');
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    await runInTransaction(url, text.slice(text.indexOf('-- UP'), text.indexOf('-- DOWN')));
    const sum = createHash('sha256').update(fs.readFileSync(path.join(dir, 'migrations', FIRST))).digest('hex');
    await query(url, `INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, 'Create Users Table', $2)`, ['20241201120000_create_users_table', sum]);
    return sum;
  }

  it('import, up, status --exit-code, check: the table is adopted in place, its checksums kept and verified, the old runner still works on it', async () => {
    const dir = copyDir(path.join(SEEDS, 'updown-id'));
    const url = await createDatabase('updown_id');
    const firstSum = await asTheOldRunnerLeftIt(dir, url);
    const originals = Object.fromEntries(fs.readdirSync(path.join(dir, 'migrations')).map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, 'migrations', f))).digest('hex')]));

    const imp = await cli(dir, ['import', '--from', 'updown']);
    expect(imp.stderr).toBe('');
    expect(imp.code).toBe(0);
    const before = await cli(dir, ['status', '--url', url, '--format', 'json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).entries.map((e: { version: string; state: string }) => [e.version, e.state])).toEqual([
      ['20241201120000', 'applied'], ['20241201120001', 'pending'], ['20241201120002', 'pending'],
    ]);
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('adopted the custom tracking table public.schema_migrations in place: added column(s) schemaplan_checksum, execution_ms, error, statement_index');
    expect(up.stdout).toContain('record schemaplan\'s checksum of 1 applied migration(s) in schemaplan_checksum, beside the previous tool\'s (kept)');
    expect(up.stdout).toContain('applied 2 migration(s)');
    const status = await cli(dir, ['status', '--url', url, '--exit-code']);
    expect(status.stdout).toContain('3 applied');
    expect(status.code).toBe(0);
    const check = await cli(dir, ['check']);
    expect(check.stderr + check.stdout).toContain('check: clean');
    expect(check.code).toBe(0);
    console.log(`updown-id, check printed: ${(check.stdout + check.stderr).trim()}`);

    const files = Object.fromEntries(fs.readdirSync(path.join(dir, 'migrations')).filter((f) => f.endsWith('.sql')).map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(dir, 'migrations', f))).digest('hex')]));
    const rows = await query<{ id: string; name: string; checksum: string; schemaplan_checksum: string; execution_ms: number | null; executed_at: Date | null }>(url,
      `SELECT id, name, checksum, schemaplan_checksum, execution_ms, executed_at FROM schema_migrations ORDER BY id`);
    expect(rows.map((r) => [r.id, r.name, r.checksum, r.schemaplan_checksum])).toEqual([
      // The old runner's row: its name and checksum kept; schemaplan's checksum of the imported file beside it.
      ['20241201120000_create_users_table', 'Create Users Table', firstSum, files[FIRST]],
      // Rows schemaplan wrote: the old runner's id, and in its checksum column what it computes for its file.
      ['20241201120001_create_agent_definitions', 'create_agent_definitions', originals['20241201120001_create_agent_definitions.sql'], files['20241201120001_create_agent_definitions.sql']],
      ['20241201120002_create_example_table', 'create_example_table', originals['20241201120002_create_example_table.sql'], files['20241201120002_create_example_table.sql']],
    ]);
    expect(rows.every((r) => r.executed_at !== null)).toBe(true);
    expect(rows.slice(1).every((r) => r.execution_ms !== null)).toBe(true);

    // The old runner keeps working on the table: its insert (id, name, checksum) and its reading of every row.
    await query(url, `INSERT INTO schema_migrations (id, name, checksum) VALUES ('20241201120003_hotfix', 'Hotfix', $1)`, ['0'.repeat(64)]);
    expect((await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM schema_migrations WHERE id IS NOT NULL AND name IS NOT NULL AND executed_at IS NOT NULL AND checksum IS NOT NULL`))[0]!.n).toBe(4);
    await query(url, `DELETE FROM schema_migrations WHERE id = '20241201120003_hotfix'`);

    // down and up run through the same rows.
    expect((await cli(dir, ['down', '--url', url])).code).toBe(0);
    expect(await query(url, `SELECT count(*)::int AS n FROM schema_migrations`)).toEqual([{ n: 2 }]);
    expect((await cli(dir, ['up', '--url', url])).code).toBe(0);
    expect((await cli(dir, ['status', '--url', url, '--exit-code'])).code).toBe(0);
  });

  it('a checksum of the old runner that does not match the file shows as modified and blocks up', async () => {
    const dir = copyDir(path.join(SEEDS, 'updown-id'));
    const url = await createDatabase('updown_mod');
    await asTheOldRunnerLeftIt(dir, url);
    await query(url, `UPDATE schema_migrations SET checksum = $1`, ['f'.repeat(64)]);
    expect((await cli(dir, ['import', '--from', 'updown'])).code).toBe(0);
    const status = await cli(dir, ['status', '--url', url, '--format', 'json']);
    expect(JSON.parse(status.stdout).entries[0]).toMatchObject({ version: '20241201120000', state: 'modified' });
    const up = await cli(dir, ['up', '--url', url]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('migrations/20241201120000_create_users_table.sql (recorded ffffffffffff…');
    expect(await query(url, `SELECT count(*)::int AS n FROM schema_migrations`)).toEqual([{ n: 1 }]);
  });
});

describe('passwords', () => {
  it('no output of the CLI runs of this file contains a password', () => {
    expect(leaks()).toEqual([]);
  });
});

