/**
 * The corpus as a new user meets it: `schemaplan diff --from URL --to URL` through the compiled CLI,
 * in a folder with no schemaplan.yaml, between live databases on the PostgreSQL 15 test server. For
 * each of the six schemas, three directions converge:
 * - empty → S: the printed SQL applies, and diffing again (destructive changes included) prints nothing;
 * - S → S prints nothing;
 * - S → empty with --allow-destructive: the printed SQL applies, and diffing again prints nothing.
 * Then musicbrainz (11 schemas) is adopted with `init --from-url`: its schema file declares every
 * relation of every schema, `plan --url` finds nothing to do, and `down` of the baseline is refused
 * with no table lost. Skipped, saying why, when the corpus is not beside the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { executeScript } from '../../src/sql/execute.js';
import { corpusSkip, corpusTestName } from '../support/corpus-majors.js';
import { createDatabase } from '../support/db.js';
import { emptyFolder, query, run } from '../cli/support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../../shared/corpus/schemas');
const SCHEMAS = ['pagila', 'openstreetmap', 'synapse', 'sourcegraph-frontend', 'chado', 'musicbrainz'];
const available = SCHEMAS.every((f) => fs.existsSync(path.join(corpusDir, `${f}.sql`)));

/** A new database holding the corpus schema `name`. */
async function loaded(name: string): Promise<string> {
  const url = await createDatabase('corpus_cli');
  const db = await connect(url);
  try {
    await executeScript(db, fs.readFileSync(path.join(corpusDir, `${name}.sql`), 'utf8'), `${name}.sql`);
  } finally {
    await db.close();
  }
  return url;
}

/** Applies printed SQL as one script; a failure names the direction. */
async function apply(url: string, text: string, what: string): Promise<void> {
  const db = await connect(url);
  try {
    await db.exec(text);
  } catch (e: any) {
    throw new Error(`${what}: the printed SQL fails: ${e.message}`);
  } finally {
    await db.close();
  }
}

/** Relations (tables, views, materialized views, sequences) per schema, outside system schemas. */
async function relationsBySchema(url: string): Promise<Record<string, number>> {
  const rows = await query<{ s: string; n: number }>(url, `SELECT n.nspname AS s, count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' GROUP BY 1 ORDER BY 1`);
  return Object.fromEntries(rows.map((r) => [r.s, r.n]));
}

if (!available) {
  describe('corpus through the CLI', () => {
    it.skip(`skipped: the shared corpus is not at ${corpusDir} (it lives outside the repository)`, () => undefined);
  });
} else {
  describe.concurrent('corpus through the CLI, no configuration', { timeout: 600_000 }, () => {
    for (const name of SCHEMAS) {
      it.skipIf(corpusSkip(name) !== null)(corpusTestName(`${name}: diff converges empty → S, S → S and S → empty`, name), async () => {
        const dir = emptyFolder();
        const [source, empty, target, scratch] = await Promise.all([loaded(name), createDatabase('corpus_e'), createDatabase('corpus_t'), loaded(name)]);
        const diff = (from: string, to: string, ...more: string[]) => run(dir, ['diff', '--from', from, '--to', to, ...more]);

        const up = await diff(target, source);
        expect(up.code, up.stderr).toBe(0);
        expect(up.stderr).toMatch(/^comparing /);
        await apply(target, up.stdout, `${name} empty → S`);
        const upAgain = await diff(target, source, '--allow-destructive');
        expect(upAgain.stdout, `${name}: re-planning empty → S after applying it`).toBe('');

        const self = await diff(source, source);
        expect(self.code, self.stderr).toBe(0);
        expect(self.stdout, `${name}: S → S`).toBe('');

        const down = await diff(scratch, empty, '--allow-destructive');
        expect(down.code, down.stderr).toBe(0);
        await apply(scratch, down.stdout, `${name} S → empty`);
        const downAgain = await diff(scratch, empty, '--allow-destructive');
        expect(downAgain.stdout, `${name}: re-planning S → empty after applying it`).toBe('');
        expect(await relationsBySchema(scratch)).toEqual({});
        console.log(`corpus via CLI ${name}: ${up.stdout.split('\n').length} lines of SQL for empty → S; ${up.stderr.split('\n')[0]!.replace(/^.*: /, '')}`);
      });
    }
  });

  describe('musicbrainz adopted with init --from-url and no configuration', { timeout: 600_000 }, () => {
    it.skipIf(corpusSkip('musicbrainz') !== null)(corpusTestName('declares every relation of its 11 schemas; plan --url finds nothing; down of the baseline is refused and loses nothing', 'musicbrainz'), async () => {
      const dir = emptyFolder();
      const url = await loaded('musicbrainz');
      const before = await relationsBySchema(url);
      const schemas = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'`);
      expect(schemas).toEqual([{ n: 11 }]);
      expect(Object.keys(before).length, 'schemas holding relations (public holds only functions and extensions)').toBe(10);

      const init = await run(dir, ['init', '--from-url', url]);
      expect(init.code, init.all).toBe(0);
      expect(init.stdout).toContain('scope: 11 schema(s)');
      expect(fs.readFileSync(path.join(dir, 'schemaplan.yaml'), 'utf8')).toMatch(/with 11 schema\(s\): cover_art_archive, .*wikidocs/);

      // The schema file alone, loaded into an empty database, holds every relation of every schema.
      const reload = await createDatabase('corpus_reload');
      await apply(reload, fs.readFileSync(path.join(dir, 'schema/schema.sql'), 'utf8'), 'musicbrainz schema.sql');
      expect(await relationsBySchema(reload)).toEqual(before);

      const plan = await run(dir, ['plan', 'nothing', '--url', url]);
      expect(plan.code, plan.all).toBe(0);
      expect(plan.stdout).toContain('No changes');

      const down = await run(dir, ['down', '--url', url]);
      expect(down.code).not.toBe(0);
      expect(down.all).toMatch(/baseline/);
      // Every relation is still there; the one new relation is the history table the baseline is recorded in.
      expect(await relationsBySchema(url)).toEqual({ ...before, public: 1 });
      expect(await query(url, `SELECT to_regclass('public.schema_migrations')::text AS t`)).toEqual([{ t: 'schema_migrations' }]);
    });
  });
}
