/**
 * Scope through the CLI, as a new user meets it: with no schemaplan.yaml every schema is compared
 * (system and extension schemas left out); `--schema` / `--exclude-schema` and `schemas:` narrow it
 * with `*` patterns; a named schema that exists nowhere is an error; an in-scope object that depends
 * on an out-of-scope one is named in a warning, recorded as required, and never emitted when the
 * target lacks it; `diff` compares a table that shares the history table's name; every comparing
 * command starts with one line naming what it compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { emptyFolder, query, run, sql } from './support.js';

const APP = `
CREATE SCHEMA app;
CREATE SCHEMA app_audit;
CREATE SCHEMA scratch;
CREATE TABLE app.accounts (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE app_audit.events (id int PRIMARY KEY, account_id int REFERENCES app.accounts);
CREATE TABLE scratch.tmp (x int);
CREATE VIEW public.account_emails AS SELECT id, email FROM app.accounts;
CREATE TABLE public.schema_migrations (version text PRIMARY KEY);
`;

/** Schemas of a database other than the system ones. */
async function schemasOf(url: string): Promise<string[]> {
  return (await query<{ n: string }>(url, `SELECT nspname AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1`)).map((r) => r.n);
}

describe('scope with no configuration', { timeout: 120_000 }, () => {
  it('compares every schema: empty → S creates all of them, re-planning prints nothing', async () => {
    const dir = emptyFolder();
    const [from, to] = await Promise.all([createDatabase('scope_from'), createDatabase('scope_to')]);
    await sql(to, APP);
    const r = await run(dir, ['diff', '--from', from, '--to', to]);
    expect(r.code, r.all).toBe(0);
    const first = r.stderr.split('\n')[0]!;
    expect(first).toMatch(/^comparing postgres:\/\/.* → postgres:\/\/.*: 4 schemas \(app, app_audit, public, scratch\)$/);
    await sql(from, r.stdout);
    expect(await schemasOf(from)).toEqual(['app', 'app_audit', 'public', 'scratch']);
    // The table named like the history table is data between two arbitrary databases: compared too.
    expect(await query(from, `SELECT to_regclass('public.schema_migrations')::text AS t`)).toEqual([{ t: 'schema_migrations' }]);
    const again = await run(dir, ['diff', '--from', from, '--to', to, '--allow-destructive']);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toBe('');
  });

  it('--schema and --exclude-schema take * patterns; a named schema found nowhere is an error', async () => {
    const dir = emptyFolder();
    const [from, to] = await Promise.all([createDatabase('scope_from'), createDatabase('scope_to')]);
    await sql(to, APP);
    const only = await run(dir, ['diff', '--from', from, '--to', to, '--schema', 'app*']);
    expect(only.code, only.all).toBe(0);
    expect(only.stderr.split('\n')[0]).toMatch(/: 2 schemas \(app, app_audit\)$/);
    await sql(from, only.stdout);
    expect(await schemasOf(from)).toEqual(['app', 'app_audit', 'public']);
    const rest = await run(dir, ['diff', '--from', from, '--to', to, '--exclude-schema', 'app*', '--exclude-schema', 'scratch']);
    expect(rest.code, rest.all).toBe(0);
    expect(rest.stderr.split('\n')[0]).toMatch(/: 1 schema \(public\)$/);
    await sql(from, rest.stdout);
    expect(await query(from, `SELECT count(*)::int AS n FROM public.account_emails`)).toEqual([{ n: 0 }]);
    expect(await schemasOf(from)).toEqual(['app', 'app_audit', 'public']);

    const missing = await run(dir, ['diff', '--from', from, '--to', to, '--schema', 'public', '--schema', 'nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('schema "nosuch" named in the scope');
    expect(missing.stdout).toBe('');
  });

  it('leaves out extension schemas and system schemas', async () => {
    const dir = emptyFolder();
    const [from, to] = await Promise.all([createDatabase('scope_from'), createDatabase('scope_to')]);
    // `ext` is the user's (an extension was installed into it); `owned` belongs to the extension, as
    // a schema created by an extension's script does (ALTER EXTENSION … ADD SCHEMA records the same).
    await sql(to, `CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; CREATE TABLE public.t (e ext.citext);
      CREATE SCHEMA owned; ALTER EXTENSION citext ADD SCHEMA owned;`);
    const r = await run(dir, ['diff', '--from', from, '--to', to]);
    expect(r.code, r.all).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/: 2 schemas \(ext, public\)$/);
    expect(r.stderr).not.toMatch(/pg_toast|information_schema|pg_catalog|owned/);
    await sql(from, r.stdout);
    expect(await schemasOf(from)).toEqual(['ext', 'public']);
    expect((await run(dir, ['diff', '--from', from, '--to', to])).stdout).toBe('');
  });
});

describe('objects that depend on something outside the scope', { timeout: 120_000 }, () => {
  it('a public view over app.accounts: warned and blocked when the target lacks it, emitted and required when it has it', async () => {
    const dir = emptyFolder();
    const [from, to] = await Promise.all([createDatabase('scope_from'), createDatabase('scope_to')]);
    await sql(to, APP);
    const lacking = await run(dir, ['diff', '--from', from, '--to', to, '--schema', 'public']);
    expect(lacking.code, lacking.all).toBe(0);
    expect(lacking.stderr).toMatch(/warning: view public\.account_emails depends on table app\.accounts, which is outside the scope/);
    expect(lacking.stderr).toMatch(/blocked: view public\.account_emails: depends on app\.accounts/);
    // What is emitted applies where app.accounts does not exist.
    await sql(from, lacking.stdout);
    expect(await query(from, `SELECT to_regclass('public.account_emails')::text AS v`)).toEqual([{ v: null }]);

    await sql(from, `CREATE SCHEMA app; CREATE TABLE app.accounts (id int PRIMARY KEY, email text NOT NULL);`);
    const having = await run(dir, ['diff', '--from', from, '--to', to, '--schema', 'public', '--format', 'json']);
    expect(having.code, having.all).toBe(0);
    expect(having.stderr).toMatch(/account_emails depends on table app\.accounts, which is outside the scope .*recorded as required/);
    const doc = JSON.parse(having.stdout);
    expect(doc.requires).toEqual([{ kind: 'table', name: 'app.accounts', by: ['public.account_emails'] }]);
    const sqlText = await run(dir, ['diff', '--from', from, '--to', to, '--schema', 'public']);
    await sql(from, sqlText.stdout);
    expect(await query(from, `SELECT count(*)::int AS n FROM public.account_emails`)).toEqual([{ n: 0 }]);
  });

  it('plan under schemas: [public] names app.accounts on stderr and writes no view that cannot be created', async () => {
    const dir = emptyFolder();
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'schemas: [public]\n');
    fs.mkdirSync(path.join(dir, 'schema'));
    fs.writeFileSync(path.join(dir, 'schema/schema.sql'), `${APP}\nCREATE TABLE public.notes (id int PRIMARY KEY);\n`);
    const r = await run(dir, ['plan', 'first']);
    expect(r.code, r.all).toBe(0);
    expect(r.stderr.split('\n')[0]).toMatch(/^comparing the history \(0 migrations\) replayed in PGlite .* → schema loaded in PGlite .*: 1 schema \(public\)$/);
    expect(r.stderr).toContain('app.accounts');
    const [file] = fs.readdirSync(path.join(dir, 'migrations')).filter((f) => f.endsWith('.sql'));
    const text = fs.readFileSync(path.join(dir, 'migrations', file!), 'utf8');
    expect(text).toContain('public.notes');
    expect(text).not.toContain('account_emails');
  });

  it('a plan records what it requires outside the scope; up checks it before running anything', async () => {
    const dir = emptyFolder();
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'schemas: [public]\n');
    fs.mkdirSync(path.join(dir, 'schema'));
    fs.mkdirSync(path.join(dir, 'migrations'));
    // Another team's migration creates app.accounts; this project only compares public.
    fs.writeFileSync(path.join(dir, 'migrations/20260101000000_app_accounts.sql'),
      '-- migrate:up\nCREATE SCHEMA app;\nCREATE TABLE app.accounts (id int PRIMARY KEY, email text NOT NULL);\n-- migrate:down\nDROP TABLE app.accounts;\nDROP SCHEMA app;\n');
    expect((await run(dir, ['hash'])).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'schema/schema.sql'), 'CREATE SCHEMA app;\nCREATE TABLE app.accounts (id int PRIMARY KEY, email text NOT NULL);\nCREATE VIEW public.account_emails AS SELECT id, email FROM app.accounts;\n');
    const plan = await run(dir, ['plan', 'emails']);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stderr).toMatch(/account_emails depends on table app\.accounts, which is outside the scope .*recorded as required/);
    const planFile = fs.readdirSync(path.join(dir, 'plans')).find((f) => f.endsWith('_emails.yaml'))!;
    expect(fs.readFileSync(path.join(dir, 'plans', planFile), 'utf8')).toMatch(/requires:\n\s+- kind: table\n\s+name: app\.accounts/);

    // A database where the first migration is recorded but app.accounts was never created.
    const url = await createDatabase('scope_req');
    expect((await run(dir, ['baseline', '--url', url, '--version', '20260101000000'])).code).toBe(0);
    const refused = await run(dir, ['up', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/requires table app\.accounts .*not in the database.*Nothing was applied/);
    expect(await query(url, `SELECT to_regclass('public.account_emails')::text AS v`)).toEqual([{ v: null }]);
    expect(await query(url, `SELECT count(*)::int AS n FROM schema_migrations`)).toEqual([{ n: 1 }]);

    await sql(url, 'CREATE SCHEMA app; CREATE TABLE app.accounts (id int PRIMARY KEY, email text NOT NULL);');
    const ok = await run(dir, ['up', '--url', url]);
    expect(ok.code, ok.all).toBe(0);
    expect(await query(url, `SELECT count(*)::int AS n FROM public.account_emails`)).toEqual([{ n: 0 }]);
  });
});
