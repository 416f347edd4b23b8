/**
 * End to end, as a new user would work: edit schema/schema.sql in a copy of the worked example,
 * `schemaplan check`, `schemaplan plan`, then `schemaplan up` on a fresh database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { columns, copyExample, exampleVersions, filesIn, fingerprint, replaceLine, run, tables, afterComparedLine } from './support.js';

const SCHEMA = 'schema/schema.sql';

/** Edits schema/schema.sql of `dir`: `edit(text) → text`, asserting the edit changed something. */
function editSchema(dir: string, edit: (text: string) => string): void {
  const file = path.join(dir, SCHEMA);
  const before = fs.readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  fs.writeFileSync(file, after);
}

describe('schemaplan check / plan / up on a copy of the worked example', { timeout: 600_000 }, () => {
  it('check is clean; an added column is drift that check names; plan writes one migration and one plan; up applies it', async () => {
    const dir = copyExample();
    const clean = await run(dir, ['check']);
    expect(clean.all).toContain('check: clean');
    expect(clean.code).toBe(0);

    editSchema(dir, (t) => t.replace('    ai_summarized_at timestamptz\n', '    ai_summarized_at timestamptz,\n    region text\n'));
    const drift = await run(dir, ['check']);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('[drift]');
    expect(drift.stderr).toContain('public.leads.region');

    const migBefore = filesIn(dir, 'migrations', '.sql');
    const plansBefore = filesIn(dir, 'plans', '.yaml');
    const sumBefore = fs.readFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'utf8');
    const plan = await run(dir, ['plan', 'add_x']);
    expect(afterComparedLine(plan.stderr)).toBe('');
    expect(plan.code).toBe(0);
    const migAfter = filesIn(dir, 'migrations', '.sql');
    const plansAfter = filesIn(dir, 'plans', '.yaml');
    const newMigs = migAfter.filter((f) => !migBefore.includes(f));
    const newPlans = plansAfter.filter((f) => !plansBefore.includes(f));
    expect(migAfter).toHaveLength(migBefore.length + 1);
    expect(plansAfter).toHaveLength(plansBefore.length + 1);
    expect(newMigs).toHaveLength(1);
    expect(newMigs[0]).toMatch(/^\d{14}_add_x\.sql$/);
    expect(newPlans).toEqual([newMigs[0]!.replace(/\.sql$/, '.yaml')]);
    // The new version sorts after every existing one.
    expect(migAfter[migAfter.length - 1]).toBe(newMigs[0]);
    expect(plan.stdout).toContain(`wrote migrations/${newMigs[0]}`);
    const text = fs.readFileSync(path.join(dir, 'migrations', newMigs[0]!), 'utf8');
    expect(text).toMatch(/-- migrate:up\nSET LOCAL lock_timeout = '3s';\n\nSET LOCAL statement_timeout = '3s';\n\nALTER TABLE public\.leads ADD COLUMN region text;\n-- migrate:down\nALTER TABLE public\.leads DROP COLUMN region;/);
    expect(text).toMatch(/^-- lock_timeout: 3s\n-- statement_timeout: 3s$/m);
    const sumAfter = fs.readFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'utf8');
    expect(sumAfter).not.toBe(sumBefore);
    expect(sumAfter).toContain(newMigs[0]);

    const after = await run(dir, ['check']);
    expect(after.all).toContain('check: clean');
    expect(after.code).toBe(0);

    const url = await createDatabase('cli');
    const up = await run(dir, ['up', '--url', url]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`applied ${migAfter.length} migration(s)`);
    const st = await run(dir, ['status', '--url', url, '--exit-code']);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`${migAfter.length} applied`);
    expect(await tables(url)).toEqual(['interactions', 'leads', 'schema_migrations', 'users']);
    expect(await columns(url, 'leads')).toContain('region');

    // The live database now matches schema/ (file side built in a temporary database on the same
    // server). `diff` compares two arbitrary sources whole: the history table is the one difference,
    // a drop, so it is blocked and nothing is printed on stdout.
    const same = await run(dir, ['diff', '--from', url, '--to', 'schema', '--exit-code']);
    expect(afterComparedLine(same.stderr).trim().split('\n')).toEqual([
      'blocked: drop table public.schema_migrations: drops table public.schema_migrations and all its rows (allow with --allow-destructive)',
    ]);
    expect(same.stdout).toBe('');
    expect(same.code).toBe(2);
    // ...and `plan` against the live database has nothing to do.
    const livePlan = await run(dir, ['plan', 'again', '--url', url]);
    expect(livePlan.code).toBe(0);
    expect(livePlan.stdout).toContain('No changes');
    expect(filesIn(dir, 'migrations', '.sql')).toEqual(migAfter);
  });

  it('a removed column is blocked: plan exits 3, names the drop and writes nothing; --allow-destructive writes a DESTRUCTIVE migration', async () => {
    const dir = copyExample();
    editSchema(dir, (t) => t.replace('    contact_email text,\n', ''));
    const before = fingerprint(dir);
    const blocked = await run(dir, ['plan', 'drop_contact_email']);
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(/blocked: .*public\.leads\.contact_email/);
    expect(blocked.stderr).toContain('--allow-destructive');
    expect(blocked.stdout).not.toContain('wrote');
    expect(fingerprint(dir)).toEqual(before);

    const allowed = await run(dir, ['plan', 'drop_contact_email', '--allow-destructive']);
    expect(allowed.code).toBe(0);
    const written = filesIn(dir, 'migrations', '.sql').filter((f) => !(`migrations/${f}` in before));
    expect(written).toHaveLength(1);
    const text = fs.readFileSync(path.join(dir, 'migrations', written[0]!), 'utf8');
    const first = text.split('\n')[0]!;
    expect(first.startsWith('-- DESTRUCTIVE:')).toBe(true);
    expect(first).toContain('contact_email');
    expect(text).toContain('ALTER TABLE public.leads DROP COLUMN contact_email;');
    expect(filesIn(dir, 'plans', '.yaml')).toContain(written[0]!.replace(/\.sql$/, '.yaml'));

    const check = await run(dir, ['check']);
    expect(check.all).toContain('check: clean');
    expect(check.code).toBe(0);
  });

  it('a syntax error on line 12 of schema.sql: exit 1 with schema/schema.sql:12, nothing written (plan and check)', async () => {
    const dir = copyExample();
    replaceLine(path.join(dir, SCHEMA), 12, "COMMENT ON TABLE users IS 'People who work leads.' garbage;");
    const before = fingerprint(dir);
    const plan = await run(dir, ['plan', 'broken']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/^error: schema\/schema\.sql:12:\d+: syntax error at or near "garbage"/m);
    expect(plan.stdout).toBe('');
    expect(fingerprint(dir)).toEqual(before);

    const check = await run(dir, ['check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('schema/schema.sql:12:');
    expect(fingerprint(dir)).toEqual(before);
  });

  it('a runtime error (missing table or column) names the failing line, also inside a statement of several lines', async () => {
    const dir = copyExample();
    const file = path.join(dir, SCHEMA);
    const original = fs.readFileSync(file, 'utf8');
    replaceLine(file, 12, 'CREATE INDEX users_missing_idx ON missing_table (id);');
    const before = fingerprint(dir);
    const plan = await run(dir, ['plan', 'broken']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/^error: schema\/schema\.sql:12:\d+: relation "missing_table" does not exist/m);
    expect(fingerprint(dir)).toEqual(before);

    // Lines 12-14 hold one statement; PostgreSQL's error position is on line 14.
    fs.writeFileSync(file, original);
    replaceLine(file, 12, 'CREATE VIEW users_v AS\n    SELECT id,\n        no_such_column FROM users;');
    const view = await run(dir, ['plan', 'broken']);
    expect(view.code).toBe(1);
    expect(view.stderr).toMatch(/^error: schema\/schema\.sql:14:9: column "no_such_column" does not exist/m);
    // ...also inside a SQL function body.
    fs.writeFileSync(file, original);
    replaceLine(file, 12, 'CREATE FUNCTION users_count() RETURNS bigint\n    LANGUAGE sql\n    AS $$ SELECT count(*) FROM no_such_table $$;');
    const fn = await run(dir, ['plan', 'broken']);
    expect(fn.code).toBe(1);
    expect(fn.stderr).toMatch(/^error: schema\/schema\.sql:14:\d+: relation "no_such_table" does not exist/m);
    expect(fingerprint(dir)).toEqual(before);
  });

  it('plan --dry-run prints the migration and writes nothing; plan with nothing to do exits 0', async () => {
    const dir = copyExample();
    const nothing = await run(dir, ['plan']);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('No changes');
    editSchema(dir, (t) => t + '\nCREATE INDEX users_full_name_idx ON users (full_name);\n');
    const before = fingerprint(dir);
    const dry = await run(dir, ['plan', 'add_index', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('CREATE INDEX CONCURRENTLY users_full_name_idx ON public.users USING btree (full_name)');
    expect(fingerprint(dir)).toEqual(before);
    expect(filesIn(dir, 'migrations', '.sql').map((f) => f.slice(0, 14))).toEqual(exampleVersions());
  });
});
