/**
 * `schemaplan init --from-url`: an existing database with data is adopted into a new project — its
 * schema written to schema/schema.sql, a baseline migration recorded as applied without running —
 * after which check, status and plan see a clean project, and the next change plans and applies
 * as usual. Real PostgreSQL 15.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { filesIn, query, run, sql } from './support.js';

const EXISTING = `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE authors (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, mood mood);
CREATE TABLE posts (
  id serial PRIMARY KEY,
  author_id bigint NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
  title text NOT NULL CHECK (title <> ''),
  published_at timestamptz
);
CREATE INDEX posts_published_idx ON posts (published_at) WHERE published_at IS NOT NULL;
COMMENT ON TABLE posts IS 'Blog posts.';
CREATE FUNCTION post_count(a bigint) RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM posts WHERE author_id = a';
CREATE VIEW author_stats AS SELECT id, name, post_count(id) AS posts FROM authors;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.published_at := coalesce(NEW.published_at, now()); RETURN NEW; END$$;
CREATE TRIGGER posts_stamp BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION stamp();
INSERT INTO authors (name, mood) SELECT 'a' || g, 'happy' FROM generate_series(1, 20) g;
INSERT INTO posts (author_id, title) SELECT 1 + g % 20, 't' || g FROM generate_series(1, 200) g;
`;

describe('init --from-url', { timeout: 600_000 }, () => {
  it('adopts a database: schema.sql and a recorded baseline; check, status and plan are clean; the next change applies', async () => {
    const url = await createDatabase('adopt');
    await sql(url, EXISTING);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-adopt-'));

    const init = await run(dir, ['init', '--from-url', url]);
    expect(init.code, init.all).toBe(0);
    expect(init.stderr).toBe('');
    expect(init.stdout).toMatch(/wrote schema\/schema\.sql \(\d+ objects; loaded in a shadow, it reproduces the database\)/);
    const [baseline] = filesIn(dir, 'migrations', '.sql');
    expect(baseline).toMatch(/^\d{14}_baseline\.sql$/);
    expect(init.stdout).toContain(`recorded ${baseline!.replace(/\.sql$/, '')} as applied`);
    const schema = fs.readFileSync(path.join(dir, 'schema/schema.sql'), 'utf8');
    expect(schema).toContain('CREATE TABLE public.posts');
    expect(schema).not.toContain(url); // no connection string (or password) in the file

    // Nothing ran on the database: the rows are there, the tracking table records the baseline.
    expect((await query<{ n: string }>(url, 'SELECT count(*) AS n FROM posts'))[0]!.n).toBe('200');
    expect((await query<{ version: string }>(url, 'SELECT version FROM schema_migrations'))[0]!.version).toBe(baseline!.slice(0, 14));

    for (const args of [['check', '--url', url], ['status', '--url', url, '--exit-code'], ['lint']]) {
      const r = await run(dir, args);
      expect(r.code, `${args.join(' ')}\n${r.all}`).toBe(0);
    }
    const plan = await run(dir, ['plan', 'nothing', '--url', url]);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stdout).toContain('No changes');

    fs.appendFileSync(path.join(dir, 'schema/schema.sql'), '\nALTER TABLE public.posts ADD COLUMN subtitle text;\n');
    const next = await run(dir, ['plan', 'add_subtitle']);
    expect(next.code, next.all).toBe(0);
    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    expect((await query<{ n: string }>(url, "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'subtitle'"))[0]!.n).toBe('1');

    // The database is schemaplan's already: init says so, and --force is refused while migrations
    // were applied after the baseline (both named).
    const again = await run(dir, ['init', '--from-url', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`is already adopted: public.schema_migrations records schemaplan's baseline ${baseline!.slice(0, 14)}`);
    expect(again.stderr).toContain('--force');
    expect(again.stderr).not.toContain('another tool');
    const forced = await run(dir, ['init', '--from-url', url, '--force']);
    expect(forced.code).toBe(1);
    expect(forced.stderr).toMatch(/cannot re-adopt: public\.schema_migrations records migration\(s\) applied after the baseline \d{14}: \d{14}_add_subtitle/);
    // A project that already has migrations is not adopted into.
    const other = await createDatabase('adopt');
    const into = await run(dir, ['init', '--from-url', other]);
    expect(into.code).toBe(1);
    expect(into.stderr).toContain('already has migration files');
  });

  it('a database whose tracking table already records another tool\'s history is refused before anything is written', async () => {
    const url = await createDatabase('adopt');
    await sql(url, 'CREATE TABLE t (id int); CREATE TABLE schema_migrations (version varchar PRIMARY KEY); INSERT INTO schema_migrations VALUES (\'20200101000000\'), (\'20200102000000\');');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-adopt-'));
    const r = await run(dir, ['init', '--from-url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('public.schema_migrations already records 2 migration(s)');
    expect(filesIn(dir, 'migrations', '.sql')).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'schema/schema.sql'), 'utf8')).not.toContain('CREATE TABLE');
    // With another table name the old one is an ordinary table of the schema.
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), fs.readFileSync(path.join(dir, 'schemaplan.yaml'), 'utf8').replace(/^table: .*$/m, 'table: public.schemaplan_migrations'));
    const ok = await run(dir, ['init', '--from-url', url]);
    expect(ok.code, ok.all).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'schema/schema.sql'), 'utf8')).toContain('CREATE TABLE public.schema_migrations');
    expect((await run(dir, ['check', '--url', url])).code).toBe(0);
  });

  it('a database whose generated schema would not reproduce it (a view on an unmodelled operator) is refused; nothing is written', async () => {
    const url = await createDatabase('adopt');
    await sql(url, `CREATE FUNCTION same(a int, b int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT a = b';
      CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = same);
      CREATE TABLE t (id int);
      CREATE VIEW v AS SELECT id FROM t WHERE id === 1;`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-adopt-'));
    const r = await run(dir, ['init', '--from-url', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('schema/schema.sql');
    expect(r.stderr).toMatch(/operator does not exist/);
    expect(filesIn(dir, 'migrations', '.sql')).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'schema'))).toEqual(['schema.sql']); // no temporary file left
    expect(fs.readFileSync(path.join(dir, 'schema/schema.sql'), 'utf8')).not.toContain('CREATE');
    expect((await query<{ t: string | null }>(url, "SELECT to_regclass('public.schema_migrations')::text AS t"))[0]!.t).toBeNull();
  });

  it('re-adoption with --force: schema/ rewritten from the database as it is now, the new baseline replaces the old one in migrations/ and in the tracking table', async () => {
    const url = await createDatabase('adopt');
    await sql(url, EXISTING);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-adopt-'));
    expect((await run(dir, ['init', '--from-url', url])).code).toBe(0);
    const [first] = filesIn(dir, 'migrations', '.sql');
    // Changed by hand, outside schemaplan; a row older than the baseline is history it stood for.
    await sql(url, `ALTER TABLE posts ADD COLUMN subtitle text; CREATE TABLE tags (id int PRIMARY KEY);
      INSERT INTO schema_migrations (version, name, checksum) VALUES ('20000101000000', 'legacy', NULL)`);

    // Another checkout, without the baseline file: the row itself says it is schemaplan's.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-adopt-'));
    const refused = await run(elsewhere, ['init', '--from-url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is already adopted');
    expect(fs.readFileSync(path.join(elsewhere, 'schema/schema.sql'), 'utf8')).not.toContain('CREATE');

    const forced = await run(dir, ['init', '--from-url', url, '--force']);
    expect(forced.code, forced.all).toBe(0);
    expect(forced.stdout).toContain(`removed migrations/${first}`);
    const after = filesIn(dir, 'migrations', '.sql');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/^\d{14}_baseline\.sql$/);
    expect(after[0]! > first!).toBe(true);
    expect(filesIn(dir, 'plans', '.yaml')).toEqual([after[0]!.replace(/\.sql$/, '.yaml')]);
    const rows = await query<{ version: string }>(url, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([after[0]!.slice(0, 14)]);
    expect(forced.stdout).toContain(`replacing 20000101000000, ${first!.slice(0, 14)} in the tracking table`);
    expect(fs.readFileSync(path.join(dir, 'schema/schema.sql'), 'utf8')).toContain('CREATE TABLE public.tags');
    // The new state is what the project describes.
    const plan = await run(dir, ['plan', 'nothing', '--url', url]);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stdout).toContain('No changes');
    const check = await run(dir, ['check']);
    expect(check.code, check.all).toBe(0);
  });

  for (const layout of ['by-schema', 'by-object'] as const) {
    it(`--layout ${layout}: the schema folder reloads to the database; plan --url and check --url find nothing to do`, async () => {
      const url = await createDatabase('adopt');
      await sql(url, `CREATE EXTENSION citext; CREATE SCHEMA billing;
        CREATE TYPE billing.currency AS ENUM ('EUR', 'USD');
        CREATE TABLE billing.invoices (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, author_id bigint, amount numeric NOT NULL, currency billing.currency NOT NULL, email citext);
        ${EXISTING}
        ALTER TABLE billing.invoices ADD CONSTRAINT invoices_author_fk FOREIGN KEY (author_id) REFERENCES public.authors (id);
        CREATE INDEX invoices_author_idx ON billing.invoices (author_id);
        COMMENT ON COLUMN billing.invoices.amount IS 'In cents.';
        CREATE VIEW billing.author_totals AS SELECT a.name, sum(i.amount) AS total FROM public.authors a JOIN billing.invoices i ON i.author_id = a.id GROUP BY a.name;`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-adopt-'));
      const init = await run(dir, ['init', '--from-url', url, '--layout', layout]);
      expect(init.code, init.all).toBe(0);
      expect(init.stdout).toMatch(/wrote schema\/ \(\d+ files, \d+ objects; loaded in a shadow in name order, they reproduce the database\)/);
      const files: string[] = [];
      const walk = (rel: string) => {
        for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.posix.join(rel, e.name));
          else files.push(path.posix.join(rel, e.name));
        }
      };
      walk('schema');
      files.sort();
      const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
      if (layout === 'by-schema') {
        expect(files).toEqual(['schema/000_database.sql', 'schema/billing.sql', 'schema/public.sql']);
        expect(read('schema/000_database.sql')).toContain('CREATE EXTENSION');
        expect(read('schema/billing.sql')).toContain('CREATE TABLE billing.invoices');
        expect(read('schema/public.sql')).not.toContain('billing.invoices (');
      } else {
        expect(files).toEqual(expect.arrayContaining(['schema/000_database.sql', 'schema/billing/schema.sql', 'schema/billing/table/invoices.sql',
          'schema/billing/type/currency.sql', 'schema/billing/view/author_totals.sql', 'schema/public/table/posts.sql', 'schema/public/function/stamp.sql']));
        const posts = read('schema/public/table/posts.sql');
        for (const part of ['CREATE TABLE public.posts', 'posts_published_idx', 'CREATE TRIGGER posts_stamp', 'COMMENT ON TABLE public.posts']) expect(posts).toContain(part);
        expect(read('schema/billing/table/invoices.sql')).toContain('invoices_author_fk');
        expect(read('schema/billing/table/invoices.sql')).toContain('COMMENT ON COLUMN billing.invoices.amount');
      }
      expect(fs.existsSync(path.join(dir, 'schema/schema.sql'))).toBe(false);
      const plan = await run(dir, ['plan', 'nothing', '--url', url]);
      expect(plan.code, plan.all).toBe(0);
      expect(plan.stdout).toContain('No changes');
      const check = await run(dir, ['check', '--url', url]);
      expect(check.code, check.all).toBe(0);
      // The next change in one of the files plans and applies.
      const target = layout === 'by-schema' ? 'schema/billing.sql' : 'schema/billing/table/invoices.sql';
      fs.appendFileSync(path.join(dir, target), '\nALTER TABLE billing.invoices ADD COLUMN paid_at timestamptz;\n');
      expect((await run(dir, ['plan', 'paid_at'])).code).toBe(0);
      const up = await run(dir, ['up', '--url', url]);
      expect(up.code, up.all).toBe(0);
      expect((await run(dir, ['plan', 'nothing', '--url', url])).stdout).toContain('No changes');
    });
  }
});
