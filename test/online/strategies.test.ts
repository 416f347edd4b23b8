/**
 * The online strategies on catalogs read from PostgreSQL 15: what stays plain (new tables, switched
 * off), convergence of the rewritten plans (up, re-plan, down), and possible renames.
 */
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Catalog } from '../../src/catalog/model.js';
import { connect } from '../../src/db/connect.js';
import { buildPlan } from '../../src/plan/plan.js';
import { planDocument, renderMarkdown } from '../../src/plan/document.js';
import { converge } from '../support/converge.js';
import { createDatabase } from '../support/db.js';

async function catalogOf(sql: string): Promise<Catalog> {
  const db = await connect(await createDatabase('onl'));
  try {
    if (sql) await db.exec(sql);
    return await introspect(db, { schemas: ['public'] });
  } finally {
    await db.close();
  }
}

const BASE = 'CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE t (id bigint, p_id bigint, email text, n int);';

describe('online strategies', () => {
  it('a new table keeps plain forms in one transaction; an existing table gets the online forms', async () => {
    const from = await catalogOf(BASE);
    const to = await catalogOf(BASE + `
      CREATE TABLE n (id bigint PRIMARY KEY, p_id bigint NOT NULL REFERENCES p (id), email text UNIQUE CHECK (email <> ''));
      CREATE INDEX n_p_id_idx ON n (p_id);
      CREATE INDEX t_n_idx ON t (n);`);
    const plan = buildPlan(from, to);
    const forN = plan.up.filter((c) => c.sql.some((s) => / public\.n\b/.test(s)));
    expect(forN.length).toBeGreaterThan(0);
    for (const c of forN) {
      expect(c.transactional).toBe(true);
      expect(c.sql.join('\n')).not.toMatch(/CONCURRENTLY|NOT VALID|USING INDEX|VALIDATE/);
    }
    expect(forN.find((c) => c.id === 'index:public.n_p_id_idx')!.sql).toEqual(['CREATE INDEX n_p_id_idx ON public.n USING btree (p_id)']);
    const t = plan.up.find((c) => c.id === 'index:public.t_n_idx')!;
    expect(t.sql).toEqual(['CREATE INDEX CONCURRENTLY t_n_idx ON public.t USING btree (n)']);
    expect(t.transactional).toBe(false);
    // The new table's parts come first, in the first file's transaction.
    expect(plan.up.findIndex((c) => c.id === 'index:public.n_p_id_idx')).toBeLessThan(plan.up.indexOf(t));
  });

  it('online: false keeps the plain forms', async () => {
    const from = await catalogOf(BASE);
    const to = await catalogOf(BASE + 'CREATE INDEX t_n_idx ON t (n); ALTER TABLE t ALTER n SET NOT NULL;');
    const plan = buildPlan(from, to, { online: false });
    expect(plan.up.flatMap((c) => c.sql)).toEqual(['ALTER TABLE public.t ALTER COLUMN n SET NOT NULL', 'CREATE INDEX t_n_idx ON public.t USING btree (n)']);
    expect(plan.up.every((c) => c.transactional)).toBe(true);
    // Online, SET NOT NULL follows a validated check: no validation scan, and the temporary check is gone at the end.
    const online = buildPlan(from, to);
    const setNotNull = online.up.find((c) => c.sql.some((s) => s.includes('SET NOT NULL')))!;
    expect(setNotNull.hazards.map((h) => h.kind)).not.toContain('validation_scan');
    expect(setNotNull.sql[1]).toBe('ALTER TABLE public.t DROP CONSTRAINT t_n_not_null');
  });

  it('converges with rows: index, FK, CHECK, NOT NULL, UNIQUE, primary key, and an FK from a new table to the new key', async () => {
    await converge(BASE,
      BASE.replace('CREATE TABLE t (id bigint,', 'CREATE TABLE t (id bigint PRIMARY KEY,') + `
      ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE;
      ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);
      ALTER TABLE t ALTER COLUMN n SET NOT NULL;
      ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n >= 0);
      CREATE INDEX t_lower_email_idx ON t (lower(email)) WHERE n > 0;
      CREATE TABLE q (id bigint PRIMARY KEY, t_id bigint REFERENCES t (id));`,
      { seed: { a: "INSERT INTO p VALUES (1), (2); INSERT INTO t SELECT g, g % 2 + 1, 'e' || g, g FROM generate_series(1, 500) g;" }, bothWays: true });
  });

  it('reports a possible rename of a column and of a table with the hint to write', async () => {
    const from = await catalogOf('CREATE TABLE a (id bigint, email text, n int); CREATE TABLE old_t (x int, y text);');
    const to = await catalogOf('CREATE TABLE a (id bigint, email_address text, n int); CREATE TABLE new_t (x int, y text);');
    const plan = buildPlan(from, to);
    expect(plan.possibleRenames).toEqual([
      { kind: 'table', from: 'public.old_t', to: 'public.new_t', hint: '-- schemaplan:renamed-from old_t' },
      { kind: 'column', from: 'public.a.email', to: 'public.a.email_address', hint: '-- schemaplan:renamed-from email' },
    ]);
    const md = renderMarkdown(planDocument(plan));
    expect(md).toContain('#### Possible renames (2)');
    expect(md).toContain('`-- schemaplan:renamed-from email`');
    // A different type is not a rename candidate.
    const other = buildPlan(from, await catalogOf('CREATE TABLE a (id bigint, email_address int, n int); CREATE TABLE old_t (x int, y text);'));
    expect(other.possibleRenames).toBeUndefined();
  });
});
