/**
 * The five migration systems teams ran before schemaplan, each moved over in one step as a new user
 * would, through the compiled CLI on PostgreSQL 15: the history's first file applied by the old
 * system's own rules (its tracking table, or by hand with `psql -f`), then `import`, `up` (or
 * `baseline` for the history applied by hand), `status --exit-code` and `check` (also `check --url`).
 * Every step must pass; the tracking table is read back (each file recorded once, the old rows kept)
 * and the rows written before the move are read back after it.
 *
 * Fixtures (test/fixtures/seeds/<system>/), each built from its team's documented examples and conventions:
 * - psql-by-hand: a destructive `src/db/schema.sql` (DROP TABLE IF EXISTS, then CREATE TABLE) and
 *   hyphen-named up-only files `scripts/migrations/NNN-description.sql`, no tracking table;
 * - goose: `YYYYMMDDHHMMSS_description.sql` with `-- +goose Up/Down`, StatementBegin/End and
 *   NO TRANSACTION, and `goose_db_version` (with its `id serial` sequence);
 * - updown-id: `-- UP`/`-- DOWN` files and an id-keyed `schema_migrations(id, name, executed_at, checksum)`;
 * - dbmate: `db/migrations/NNNN_description.sql` and dbmate's `schema_migrations(version)`;
 * - sequential-self-recording: up-only `NNN_description.sql` files that insert their own row into
 *   `schema_migrations(version, applied_at, description)`.
 * For the two up-only histories, `import` writes every file's down section, and `check` proves each.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { parseMigration } from '../../src/migrations/index.js';
import { loadParser, splitStatements } from '../../src/sql/split.js';
import { createDatabase } from '../support/db.js';
import { cli, copyDir, leaks, query } from '../runner/support.js';
import type { RunResult } from './support.js';
import { runInTransaction } from '../support/legacy.js';

const SEEDS = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));

/** Runs the statements of `text` one by one, each committed on its own (as `psql -f` does). */
async function runByHand(url: string, text: string): Promise<void> {
  await loadParser();
  const db = await connect(url);
  try {
    for (const s of splitStatements(text)) await db.exec(s.sql);
  } finally {
    await db.close();
  }
}

/** The last line a command printed (stdout, else stderr), for the test log. */
function last(r: RunResult): string {
  const lines = (r.stdout.trim() || r.stderr.trim()).split('\n');
  return lines[lines.length - 1]!;
}

/** Asserts a command succeeded without writing to stderr. */
function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.all}`);
  return r;
}

/**
 * `import` (with `importArgs`), then `up` or `baseline` + `up`, `status --exit-code`, `check`,
 * `check --url`; every step must exit 0. Returns the outputs and logs the last line of each.
 */
async function move(system: string, dir: string, url: string, importArgs: string[], baselineVersion?: string): Promise<Record<string, RunResult>> {
  const steps: Record<string, RunResult> = {};
  steps.import = ok(await cli(dir, ['import', ...importArgs]), 'import');
  expect(steps.import.stderr).toBe('');
  if (baselineVersion) steps.baseline = ok(await cli(dir, ['baseline', '--version', baselineVersion, '--url', url]), 'baseline');
  steps.up = ok(await cli(dir, ['up', '--url', url]), 'up');
  steps.status = ok(await cli(dir, ['status', '--url', url, '--exit-code']), 'status --exit-code');
  steps.check = ok(await cli(dir, ['check']), 'check');
  expect(steps.check.stdout).toContain('check: clean');
  steps.checkUrl = ok(await cli(dir, ['check', '--url', url]), 'check --url');
  expect(steps.checkUrl.stdout).toContain('check: clean');
  console.log(`${system}: ${Object.entries(steps).map(([k, r]) => `${k} → ${last(r)}`).join(' | ')}`);
  return steps;
}

/** Every file of `folder` has a down section with at least one statement. */
function downSections(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(folder).filter((x) => x.endsWith('.sql')).sort()) {
    const p = parseMigration(fs.readFileSync(path.join(folder, f), 'utf8'), f);
    out[f] = p.down ?? '';
  }
  return out;
}

describe('seed systems moved to schemaplan in one step', { timeout: 300_000 }, () => {
  it('000 psql by hand: hyphenated up-only files, destructive schema.sql; import writes proven down sections, baseline records what was applied by hand', async () => {
    const dir = copyDir(path.join(SEEDS, 'psql-by-hand'));
    const url = await createDatabase('seed_psql');
    const migrations = path.join(dir, 'scripts/migrations');
    const originals = Object.fromEntries(fs.readdirSync(migrations).map((f) => [f, fs.readFileSync(path.join(migrations, f), 'utf8')]));
    // `psql $DATABASE_URL -f scripts/migrations/001-initial-leads-table.sql`, then the team's data.
    await runByHand(url, originals['001-initial-leads-table.sql']!);
    await query(url, `INSERT INTO leads (name, email) VALUES ('Ada', 'ada@example.com'), ('Grace', 'grace@example.com')`);

    const steps = await move('000 psql-by-hand', dir, url, ['--from', 'sequential'], '001');
    expect(steps.import!.stdout).toContain("set lint.start_after: '003' in schemaplan.yaml");
    expect(steps.baseline!.stdout).toContain('001');
    expect(steps.up!.stdout).toContain('applied 2 migration(s)');
    expect(steps.check!.stdout).toContain('down sections restore');

    // Each imported file: its up statements as written, and a down section; reverting a file that
    // created a table or columns loses data, which the section says.
    await loadParser();
    const downs = downSections(migrations);
    for (const [f, text] of Object.entries(originals)) {
      const now = parseMigration(fs.readFileSync(path.join(migrations, f), 'utf8'), f);
      expect(splitStatements(now.up).map((s) => s.sql)).toEqual(splitStatements(text).map((s) => s.sql));
      expect(splitStatements(downs[f]!).length).toBeGreaterThan(0);
      expect(downs[f]).toMatch(/^-- DESTRUCTIVE: reverting loses /m);
    }

    // Recorded once each (001 by baseline, not run again: the rows written by hand are still there).
    expect((await query<{ version: string }>(url, 'SELECT version FROM public.schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(['001', '002', '003']);
    expect(await query(url, 'SELECT name FROM leads ORDER BY name')).toEqual([{ name: 'Ada' }, { name: 'Grace' }]);
    await query(url, `UPDATE leads SET ai_summary_text = 'Prefers e-mail' WHERE name = 'Ada'`);
    await query(url, `INSERT INTO interactions (lead_id, kind) SELECT id, 'call' FROM leads WHERE name = 'Ada'`);

    // down of 003 would drop a table that holds a row: refused, nothing run; with --allow-destructive it runs.
    const refused = await cli(dir, ['down', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('would delete 1 row(s) of table public.interactions');
    expect(await query(url, 'SELECT count(*)::int AS n FROM interactions')).toEqual([{ n: 1 }]);
    ok(await cli(dir, ['down', '--url', url, '--allow-destructive']), 'down --allow-destructive');
    expect(await query(url, `SELECT to_regclass('public.interactions')::text AS t`)).toEqual([{ t: null }]);
    // down of 002 would drop a column holding a value: refused too.
    const refused2 = await cli(dir, ['down', '--url', url]);
    expect(refused2.code).toBe(1);
    expect(refused2.stderr).toContain('non-NULL value(s) of column public.leads.ai_summary_text');
    // up again: the database is at the head, and the history and the database agree.
    ok(await cli(dir, ['up', '--url', url]), 'up');
    ok(await cli(dir, ['status', '--url', url, '--exit-code']), 'status');
    expect((await cli(dir, ['check', '--url', url])).stdout).toContain('check: clean');

    // The old `pnpm db:migrate` (schema.sql with DROP TABLE) becomes `fresh`: refused without --yes
    // and on a database the project marks as production; with --yes it rebuilds from the history.
    const unconfirmed = await cli(dir, ['fresh', '--url', url]);
    expect(unconfirmed.code).toBe(1);
    expect(await query(url, 'SELECT count(*)::int AS n FROM leads')).toEqual([{ n: 2 }]);
    fs.appendFileSync(path.join(dir, 'schemaplan.yaml'), 'database:\n  production: true\n');
    const production = await cli(dir, ['fresh', '--yes', '--url', url]);
    expect(production.code).toBe(1);
    expect(await query(url, 'SELECT count(*)::int AS n FROM leads')).toEqual([{ n: 2 }]);
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), fs.readFileSync(path.join(dir, 'schemaplan.yaml'), 'utf8').replace('database:\n  production: true\n', ''));
    ok(await cli(dir, ['fresh', '--yes', '--url', url]), 'fresh --yes');
    expect(await query(url, 'SELECT count(*)::int AS n FROM leads')).toEqual([{ n: 0 }]);
    ok(await cli(dir, ['status', '--url', url, '--exit-code']), 'status after fresh');
  });

  it('000: a down section that does not restore the state before its file fails check, naming the file', async () => {
    const dir = copyDir(path.join(SEEDS, 'psql-by-hand'));
    ok(await cli(dir, ['import', '--from', 'sequential']), 'import');
    const file = path.join(dir, 'scripts/migrations/002-add-summary-columns.sql');
    // Drop one statement of the written down section: the column would survive a revert.
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace('ALTER TABLE public.leads DROP COLUMN ai_summary_metadata;', ''));
    ok(await cli(dir, ['hash']), 'hash');
    const check = await cli(dir, ['check']);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toContain('down section of scripts/migrations/002-add-summary-columns.sql does not restore the state before it');
  });

  it('000: import --no-down leaves the down sections of up-only files empty (no replay)', async () => {
    const dir = copyDir(path.join(SEEDS, 'psql-by-hand'));
    const res = JSON.parse(ok(await cli(dir, ['import', '--from', 'sequential', '--no-down', '--format', 'json']), 'import --no-down').stdout);
    expect(res.files.map((f: { down?: unknown }) => f.down)).toEqual([undefined, undefined, undefined]);
    await loadParser();
    for (const down of Object.values(downSections(path.join(dir, 'scripts/migrations')))) expect(splitStatements(down)).toEqual([]);
  });

  it('000: after the import, the team\'s checklist stays enforced for new files (no DROP TABLE without a DESTRUCTIVE header, a header, schema.sql updated)', async () => {
    const dir = copyDir(path.join(SEEDS, 'psql-by-hand'));
    ok(await cli(dir, ['import', '--from', 'sequential']), 'import');
    expect((await cli(dir, ['check'])).stdout).toContain('check: clean');
    const made = JSON.parse(ok(await cli(dir, ['new', 'drop interactions', '--format', 'json']), 'new').stdout);
    expect(path.basename(made.file)).toBe('004-drop-interactions.sql');
    const file = path.join(dir, made.file);
    // The body of the file written without the header and without a DESTRUCTIVE marker.
    fs.writeFileSync(file, '-- migrate:up\nDROP TABLE interactions;\n-- migrate:down\n');
    const check = await cli(dir, ['check', '--format', 'json']);
    expect(check.code).toBe(1);
    const problems = JSON.parse(check.stdout).problems as Array<{ kind: string; rule?: string; file?: string; message: string }>;
    const rules = problems.filter((p) => p.kind === 'lint').map((p) => `${p.file} ${p.rule}`);
    expect(rules).toEqual(expect.arrayContaining([
      'scripts/migrations/004-drop-interactions.sql header-comment',
      'scripts/migrations/004-drop-interactions.sql destructive-header',
      'scripts/migrations/004-drop-interactions.sql drop-table',
    ]));
    // Only the new file is linted; and src/db/schema.sql, not updated, disagrees with the history.
    expect(rules.every((r) => r.startsWith('scripts/migrations/004-'))).toBe(true);
    expect(problems.some((p) => p.kind === 'drift' && /schema\/ and the migration history disagree/.test(p.message))).toBe(true);
  });

  it('001 goose: annotations, NO TRANSACTION, goose_db_version and its sequence adopted in place', async () => {
    const dir = copyDir(path.join(SEEDS, 'goose'));
    const url = await createDatabase('seed_goose');
    // As goose left it: its table (version 0 row), the first file's Up section in a transaction, its row.
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    const first = parseMigration(fs.readFileSync(path.join(dir, 'migrations/20240101120000_initial_schema.sql'), 'utf8'), 'first');
    await runInTransaction(url, first.up);
    await query(url, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (20240101120000, true)`);
    await query(url, `INSERT INTO workflows (name) VALUES ('onboarding')`);
    const [old] = await query<{ tstamp: Date }>(url, 'SELECT tstamp FROM goose_db_version WHERE version_id = 20240101120000');

    const steps = await move('001 goose', dir, url, ['--from', 'goose']);
    expect(steps.import!.stdout).toContain('set table: public.goose_db_version in schemaplan.yaml');
    expect(steps.up!.stdout).toContain('applied 2 migration(s)');
    // goose's own sequence is part of its tracking table, not drift.
    expect(steps.checkUrl!.all).not.toContain('goose_db_version_id_seq');

    const rows = await query<{ version_id: string; is_applied: boolean; tstamp: Date }>(url, 'SELECT version_id::text, is_applied, tstamp FROM goose_db_version ORDER BY id');
    expect(rows.map((r) => [r.version_id, r.is_applied])).toEqual([['0', true], ['20240101120000', true], ['20240115143022', true], ['20240220091500', true]]);
    expect(rows[1]!.tstamp).toEqual(old!.tstamp);
    expect(await query(url, `SELECT indisvalid AS v FROM pg_index WHERE indexrelid = 'public.idx_workflows_owner_id'::regclass`)).toEqual([{ v: true }]);
    expect(await query(url, 'SELECT name FROM workflows')).toEqual([{ name: 'onboarding' }]);
  });

  it('002 -- UP/-- DOWN runner: the id-keyed checksum table adopted in place', async () => {
    const dir = copyDir(path.join(SEEDS, 'updown-id'));
    const url = await createDatabase('seed_updown');
    const firstFile = path.join(dir, 'migrations/20241201120000_create_users_table.sql');
    const text = fs.readFileSync(firstFile, 'utf8');
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    await runInTransaction(url, text.slice(text.indexOf('-- UP'), text.indexOf('-- DOWN')));
    const sum = createHash('sha256').update(fs.readFileSync(firstFile)).digest('hex');
    await query(url, `INSERT INTO schema_migrations (id, name, checksum) VALUES ('20241201120000_create_users_table', 'Create Users Table', $1)`, [sum]);

    const steps = await move('002 updown-id', dir, url, ['--from', 'updown']);
    expect(steps.up!.stdout).toContain('applied 2 migration(s)');
    const rows = await query<{ id: string; name: string; checksum: string }>(url, 'SELECT id, name, checksum FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(['20241201120000_create_users_table', '20241201120001_create_agent_definitions', '20241201120002_create_example_table']);
    expect(rows[0]).toMatchObject({ name: 'Create Users Table', checksum: sum });
  });

  it('002: init --from-history writes schema/ from the history (one file, or one per object); plan then finds nothing to do', async () => {
    for (const layout of ['single', 'by-object']) {
      // A team that had only its migrations: no schemaplan.yaml, no schema/.
      const dir = copyDir(path.join(SEEDS, 'updown-id'));
      fs.rmSync(path.join(dir, 'schema'), { recursive: true });
      fs.rmSync(path.join(dir, 'schemaplan.yaml'));
      const init = ok(await cli(dir, ['init', '--from-history', '--layout', layout]), 'init --from-history');
      expect(init.stdout).toContain('loaded in a shadow, it reproduces the history of 3 migration(s)');
      const written = fs.readdirSync(path.join(dir, 'schema'), { recursive: true }).map(String).filter((f) => f.endsWith('.sql')).sort();
      expect(written).toEqual(layout === 'single' ? ['schema.sql'] : ['public/table/agent_definitions.sql', 'public/table/example_table.sql', 'public/table/users.sql']);
      const before = fs.readdirSync(path.join(dir, 'migrations')).sort();
      const plan = ok(await cli(dir, ['plan', 'nothing']), 'plan');
      expect(plan.stdout).toContain('No changes');
      expect(fs.readdirSync(path.join(dir, 'migrations')).sort()).toEqual(before);
      ok(await cli(dir, ['import', '--from', 'updown']), 'import');
      expect((await cli(dir, ['check'])).stdout).toContain('check: clean');
      // A second run refuses: the desired state exists.
      const again = await cli(dir, ['init', '--from-history']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('the schema files already hold SQL');
    }
  });

  it('003 dbmate: files kept as they are, schema_migrations adopted in place', async () => {
    const dir = copyDir(path.join(SEEDS, 'dbmate'));
    const url = await createDatabase('seed_dbmate');
    const firstFile = path.join(dir, 'db/migrations/0001_init.sql');
    const before = fs.readFileSync(firstFile);
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    await runInTransaction(url, parseMigration(before.toString('utf8'), 'first').up);
    await query(url, `INSERT INTO schema_migrations (version) VALUES ('0001')`);
    await query(url, `INSERT INTO customers (email) VALUES ('c@example.com')`);

    const steps = await move('003 dbmate', dir, url, ['--from', 'dbmate']);
    expect(steps.import!.stdout).toContain('converted 0 of 3 file(s)');
    expect(steps.up!.stdout).toContain('applied 2 migration(s)');
    expect(fs.readFileSync(firstFile).equals(before)).toBe(true);
    expect((await query<{ version: string }>(url, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(['0001', '0002', '0003']);
    expect(await query(url, 'SELECT email FROM customers')).toEqual([{ email: 'c@example.com' }]);
  });

  it('004 sequential runner whose files record themselves: import writes proven down sections; the old row is kept', async () => {
    const dir = copyDir(path.join(SEEDS, 'sequential-self-recording'));
    const url = await createDatabase('seed_seq');
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'tracking.sql'), 'utf8'));
    await runInTransaction(url, fs.readFileSync(path.join(dir, 'migrations/001_initial_schema.sql'), 'utf8'));
    const [old] = await query<{ applied_at: Date; description: string }>(url, `SELECT applied_at, description FROM public.schema_migrations WHERE version = '001'`);

    const steps = await move('004 sequential-self-recording', dir, url, ['--from', 'sequential', '--table', 'public.schema_migrations']);
    expect(steps.up!.stdout).toContain('applied 2 migration(s)');
    expect(steps.check!.stdout).toContain('down sections restore');
    await loadParser();
    for (const [f, down] of Object.entries(downSections(path.join(dir, 'migrations')))) {
      expect(splitStatements(down).length, f).toBeGreaterThan(0);
    }
    const rows = await query<{ version: string; applied_at: Date; description: string }>(url, 'SELECT version, applied_at, description FROM public.schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(['001', '002', '003']);
    expect(rows[0]).toMatchObject({ applied_at: old!.applied_at, description: old!.description });

    // The written down sections revert the database file by file (the tables are empty: nothing is lost).
    ok(await cli(dir, ['down', '2', '--url', url]), 'down 2');
    expect(await query(url, `SELECT to_regclass('public.conversations')::text AS c, to_regclass('public.new_feature')::text AS n, to_regclass('public.users')::text AS u`)).toEqual([{ c: null, n: null, u: 'users' }]);
    expect((await query<{ version: string }>(url, 'SELECT version FROM public.schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(['001']);
    ok(await cli(dir, ['up', '--url', url]), 'up');
    expect((await cli(dir, ['check', '--url', url])).stdout).toContain('check: clean');
  });

  it('new follows the history: its format (goose, -- UP/-- DOWN, dbmate) and its naming convention (timestamps, NNN_, NNN-); lint accepts what new writes', async () => {
    const cases: Array<{ seed: string; dir: string; importFrom?: string; file: RegExp; markers: [string, string] | null }> = [
      { seed: 'goose', dir: 'migrations', file: /^\d{14}_add_roles\.sql$/, markers: ['-- +goose Up', '-- +goose Down'] },
      { seed: 'updown-id', dir: 'migrations', file: /^\d{14}_add_roles\.sql$/, markers: ['-- UP', '-- DOWN'] },
      { seed: 'dbmate', dir: 'db/migrations', file: /^0004_add_roles\.sql$/, markers: ['-- migrate:up', '-- migrate:down'] },
      { seed: 'psql-by-hand', dir: 'scripts/migrations', importFrom: 'sequential', file: /^004-add-roles\.sql$/, markers: ['-- migrate:up', '-- migrate:down'] },
      { seed: 'sequential-self-recording', dir: 'migrations', file: /^004_add_roles\.sql$/, markers: null },
    ];
    for (const c of cases) {
      const dir = copyDir(path.join(SEEDS, c.seed));
      if (c.importFrom) ok(await cli(dir, ['import', '--from', c.importFrom]), 'import');
      const made = JSON.parse(ok(await cli(dir, ['new', 'add roles', '--format', 'json']), 'new').stdout);
      const base = path.basename(made.file);
      expect(base, c.seed).toMatch(c.file);
      const text = fs.readFileSync(path.join(dir, c.dir, base), 'utf8');
      // The header names the file as written.
      expect(text, c.seed).toContain(`-- Migration: ${base.replace(/\.sql$/, '')}`);
      const lines = text.split('\n');
      if (c.markers) expect(lines.filter((l) => l.startsWith('-- ') && /(goose|UP|DOWN|migrate:)/.test(l)), c.seed).toEqual(c.markers);
      else expect(parseMigration(text, base).format, c.seed).toBe('uponly');
      // lint's file-name and header rules accept the file (its sections are the history's format).
      const lint = await cli(dir, ['lint', '--format', 'json', path.join(c.dir, base)]);
      expect(lint.stdout, `${c.seed}: ${lint.stderr}`).not.toBe('');
      const rules = JSON.parse(lint.stdout).findings.map((f: { rule: string }) => f.rule);
      expect(rules.filter((r: string) => r === 'file-name' || r === 'header-comment'), c.seed).toEqual([]);
    }
  });

  it('no output of the CLI runs of this file contains a password', () => {
    expect(leaks()).toEqual([]);
  });
});
