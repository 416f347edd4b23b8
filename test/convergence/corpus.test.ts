/**
 * Convergence on real schemas from the shared corpus (../shared/corpus/schemas, outside the
 * repository): empty → S converges and its down returns to empty, S → S plans nothing, and the
 * default policy blocks S → empty. Skipped when the corpus is not there, so that a clone of the
 * project alone passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { buildPlan } from '../../src/plan/plan.js';
import { converge, loadedDatabase, script } from '../support/converge.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpusDir = path.resolve(here, '../../../shared/corpus/schemas');
const SCHEMAS = ['synapse.sql', 'openstreetmap.sql'];
const available = SCHEMAS.every((f) => fs.existsSync(path.join(corpusDir, f)));
const suite = available ? describe : describe.skip;
const read = (f: string) => fs.readFileSync(path.join(corpusDir, f), 'utf8');

if (!available) {
  describe('corpus convergence', () => {
    it.skip(`skipped: the shared corpus is not at ${corpusDir} (it lives outside the repository)`, () => undefined);
  });
}

suite.each(SCHEMAS)('corpus %s', (file) => {
  it('converges from empty, re-plans to nothing, and down returns to empty', async () => {
    const { plan } = await converge('', read(file), {
      bothWays: false,
      after: async ({ plan, dbA }) => {
        if (file !== 'openstreetmap.sql') return;
        // Down has run: apply up again and check that the NOT VALID foreign keys stayed NOT VALID.
        await dbA.exec(script(plan.up));
        const [row] = await dbA.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_constraint WHERE contype = 'f' AND NOT convalidated AND connamespace = 'public'::regnamespace`);
        expect(row!.n).toBe('5');
      },
    });
    expect(plan.up.length).toBeGreaterThan(0);
    expect(plan.blocked).toEqual([]);
  });

  it('plans nothing from the schema to itself', async () => {
    const s = await loadedDatabase(read(file), file);
    const cat = await introspect(s.db).finally(() => s.dispose());
    const plan = buildPlan(cat, cat, { allowDestructive: true });
    expect(plan.up).toEqual([]);
    expect(plan.down).toEqual([]);
  });

  it('blocks dropping everything under the default policy', async () => {
    const [s, empty] = await Promise.all([loadedDatabase(read(file), file), loadedDatabase('', 'empty.sql')]);
    const [cat, emptyCat] = await Promise.all([introspect(s.db), introspect(empty.db)]).finally(() => Promise.all([s.dispose(), empty.dispose()]));
    const plan = buildPlan(cat, emptyCat);
    expect(plan.blocked.length).toBeGreaterThan(0);
    expect(plan.up.filter((c) => c.destructive)).toEqual([]);
    expect(plan.up.flatMap((c) => c.sql).filter((s) => /^\s*(DROP\s+(TABLE|SEQUENCE|TYPE|SCHEMA|EXTENSION)|ALTER\s+TABLE\b.*\bDROP\s+COLUMN)/i.test(s))).toEqual([]);
  });
});
