/**
 * Convergence on the real schemas of the shared corpus (../shared/corpus/schemas, outside the
 * repository), each between two live databases on the default test server (PostgreSQL 15, or SCHEMAPLAN_TEST_MAJOR's):
 * - empty → S applied to an empty database gives a catalog equal to S's (and re-planning is empty);
 * - `pg_dump --schema-only` of both is the same, apart from the order of appended columns (when a
 *   pg_dump of the server's major is installed; the embedded packages have none);
 * - S → S plans nothing;
 * - S → empty with --allow-destructive empties it (and the default policy blocks every drop);
 * - the generated down section of empty → S restores empty.
 * Skipped, saying why, when the corpus is not there, so that a clone of the project alone passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { connect } from '../../src/db/connect.js';
import type { Db } from '../../src/db/types.js';
import { buildPlan } from '../../src/plan/plan.js';
import { executeScript } from '../../src/sql/execute.js';
import { applySection, catalogDifferences, script } from '../support/converge.js';
import { corpusSkip, corpusTestName } from '../support/corpus-majors.js';
import { createDatabase, serverMajor } from '../support/db.js';
import { comparableDump, dumpLineDifferences, findPgDump, schemaDump } from '../support/pgdump.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../../shared/corpus/schemas');
const SCHEMAS = ['pagila', 'openstreetmap', 'synapse', 'sourcegraph-frontend', 'chado', 'musicbrainz'];
const available = SCHEMAS.every((f) => fs.existsSync(path.join(corpusDir, `${f}.sql`)));
const read = (f: string) => fs.readFileSync(path.join(corpusDir, `${f}.sql`), 'utf8');
const pgDump = findPgDump(serverMajor());

/** Every schema of a database except the system ones. */
export async function userSchemas(db: Db): Promise<string[]> {
  const rows = await db.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1`);
  return rows.map((r) => r.nspname);
}

if (!available) {
  describe('corpus convergence', () => {
    it.skip(`skipped: the shared corpus is not at ${corpusDir} (it lives outside the repository)`, () => undefined);
  });
} else {
  if ('missing' in pgDump) {
    describe('corpus pg_dump comparison', () => {
      it.skip(`skipped: ${pgDump.missing}`, () => undefined);
    });
  }
  describe.concurrent('corpus', () => {
    for (const name of SCHEMAS) {
      it.skipIf(corpusSkip(name) !== null)(corpusTestName(`${name}: empty → S, S → S, S → empty and down`, name), async () => {
        const times: Record<string, number> = {};
        const clock = async <T>(what: string, f: () => Promise<T> | T): Promise<T> => {
          const t0 = performance.now();
          try {
            return await f();
          } finally {
            times[what] = Math.round(performance.now() - t0);
          }
        };
        const [sourceUrl, targetUrl] = await Promise.all([createDatabase('corpus_s'), createDatabase('corpus_t')]);
        const [source, target] = await Promise.all([connect(sourceUrl), connect(targetUrl)]);
        try {
          await clock('load', () => executeScript(source, read(name), `${name}.sql`));
          const schemas = await userSchemas(source);
          const look = (db: Db) => introspect(db, { schemas });
          const [catS, catE] = await clock('introspect', () => Promise.all([look(source), look(target)]));
          expect(catS.unmodelled, 'every object of the corpus schema is modelled').toEqual([]);

          // empty → S
          const plan = await clock('plan empty→S', () => buildPlan(catE, catS, { allowDestructive: true }));
          expect(plan.blocked).toEqual([]);
          expect(plan.warnings, 'no unmodelled objects, missing roles or dependency cycles').toEqual([]);
          await clock('apply empty→S', () => applySection(target, plan.up, `${name}: empty→S up`));
          const after = await look(target);
          expect(catalogDifferences(after, catS), `${name}: catalog after empty→S`).toEqual([]);
          expect(script(buildPlan(after, catS, { allowDestructive: true }).up), `${name}: re-planning`).toBe('');
          if (name === 'openstreetmap') {
            const [row] = await target.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_constraint WHERE contype = 'f' AND NOT convalidated AND connamespace = 'public'::regnamespace`);
            expect(row!.n, 'NOT VALID foreign keys stay NOT VALID').toBe('5');
          }
          if ('bin' in pgDump) {
            const [a, b] = await clock('pg_dump', () => [schemaDump(pgDump.bin, sourceUrl), schemaDump(pgDump.bin, targetUrl)]);
            const [da, db] = [comparableDump(a), comparableDump(b)];
            if (da !== db) expect(dumpLineDifferences(db, da), `${name}: pg_dump --schema-only of the migrated database (+ extra, - missing)`).toEqual([]);
            expect(db, `${name}: pg_dump --schema-only of the migrated database`).toBe(da);
          }

          // S → S
          const self = await clock('plan S→S', () => buildPlan(catS, catS, { allowDestructive: true }));
          expect(self.up).toEqual([]);
          expect(self.down).toEqual([]);

          // S → empty: blocked by default, emptied with --allow-destructive.
          const blocked = buildPlan(after, catE);
          expect(blocked.blocked.length).toBeGreaterThan(0);
          expect(blocked.up.filter((c) => c.destructive)).toEqual([]);
          const drop = await clock('plan S→empty', () => buildPlan(after, catE, { allowDestructive: true }));
          await clock('apply S→empty', () => applySection(target, drop.up, `${name}: S→empty up`));
          expect(catalogDifferences(await look(target), catE), `${name}: catalog after S→empty`).toEqual([]);

          // The down section of empty → S restores empty.
          await applySection(target, plan.up, `${name}: empty→S up (again)`);
          await clock('apply down', () => applySection(target, plan.down, `${name}: empty→S down`));
          expect(catalogDifferences(await look(target), catE), `${name}: catalog after down`).toEqual([]);

          const objects = Object.keys(catS.objects).length;
          console.log(`corpus ${name}: ${objects} objects, ${plan.up.length} changes; ${Object.entries(times).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);
        } finally {
          await Promise.all([source.close(), target.close()]);
        }
      });
    }
  });
}
