/**
 * The rules the online strategies, the timeouts and the cascades apply, read from typed steps (on
 * catalogs read from PostgreSQL): each rule that used to be a regular expression over generated SQL
 * or a description prefix, with the plans converging (up, re-plan empty, down) where they apply.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Catalog } from '../../src/catalog/model.js';
import { loadConfig } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import { diff } from '../../src/diff/index.js';
import { orderChanges } from '../../src/plan/order.js';
import { onlineStrategies } from '../../src/plan/online.js';
import { buildPlan } from '../../src/plan/plan.js';
import { hazardContext, statementHazards, stepContext, stepHazards } from '../../src/plan/hazards.js';
import { renderStep } from '../../src/diff/step.js';
import { renderPlan } from '../../src/project/write.js';
import { loadParser } from '../../src/sql/split.js';
import { converge } from '../support/converge.js';
import { createDatabase, nameFor, serverOlderThan } from '../support/db.js';

async function catalogOf(sql: string): Promise<Catalog> {
  const db = await connect(await createDatabase('steps'));
  try {
    if (sql) await db.exec(sql);
    return await introspect(db, { schemas: ['public'] });
  } finally {
    await db.close();
  }
}

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
beforeAll(() => loadParser());

const BASE = 'CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE t (id bigint, p_id bigint, email text, n int, code text);';
const SEED = "INSERT INTO p VALUES (1), (2); INSERT INTO t SELECT g, g % 2 + 1, 'e' || g, g, 'c' || g FROM generate_series(1, 300) g;";

describe('typed steps', () => {
  it('every index and constraint change carries steps whose rendering is its SQL; verbs, locks and failure on rows are set', async () => {
    const from = await catalogOf(BASE);
    const to = await catalogOf(BASE + `ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p (id);
      CREATE INDEX t_n_idx ON t (n); ALTER TABLE t ALTER n SET NOT NULL; ALTER TABLE t ALTER code SET DEFAULT 'x';`);
    const changes = diff(from, to);
    const typed = changes.filter((c) => ['index', 'constraint'].includes(c.kind) || c.id.startsWith('column:public.t.'));
    expect(typed.length).toBe(4);
    for (const c of typed) expect(c.steps, c.description).toBeDefined();
    const facts = typed.map((c) => c.steps!.map((s) => [s.verb, s.table, s.lock, s.canFail, s.concurrently]));
    expect(facts).toEqual(expect.arrayContaining([
      [['add_constraint', 'table:public.t', 'SHARE ROW EXCLUSIVE', true, false]],
      [['create_index', 'table:public.t', 'SHARE', false, false]],
      [['set_not_null', 'table:public.t', 'ACCESS EXCLUSIVE', true, false]],
      [['set_default', 'table:public.t', 'ACCESS EXCLUSIVE', false, false]],
    ]));
    expect(typed.find((c) => c.steps![0]!.verb === 'set_default')!.detail).toBe('default');
  });

  it('rewording descriptions does not change the online plan', async () => {
    const from = await catalogOf(BASE);
    const to = await catalogOf(BASE + `ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p (id);
      ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email); CREATE INDEX t_n_idx ON t (n); ALTER TABLE t ALTER n SET NOT NULL;`);
    const up = orderChanges(diff(from, to)).changes;
    const down = orderChanges(diff(to, from)).changes;
    const plain = onlineStrategies(up, down, from, to);
    const reword = (cs: typeof up) => cs.map((c, i) => ({ ...c, description: `step ${i}` }));
    const reworded = onlineStrategies(reword(up), reword(down), from, to);
    expect(plain.rewritten.length).toBe(4);
    expect(reworded.up.map((c) => [c.sql, c.segment])).toEqual(plain.up.map((c) => [c.sql, c.segment]));
    expect(reworded.down.map((c) => [c.sql, c.segment])).toEqual(plain.down.map((c) => [c.sql, c.segment]));
  });

  // NULLS NOT DISTINCT is PostgreSQL 15's.
  it.skipIf(serverOlderThan(15))(nameFor('UNIQUE with NULLS NOT DISTINCT, INCLUDE and DEFERRABLE: unique index built concurrently, then USING INDEX; converges', 15), async () => {
    const b = BASE + 'ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE NULLS NOT DISTINCT (email) INCLUDE (n) DEFERRABLE INITIALLY DEFERRED;';
    const plan = buildPlan(await catalogOf(BASE), await catalogOf(b));
    const verbs = plan.up.map((c) => c.steps!.map((s) => `${s.verb}${s.concurrently ? ' concurrently' : ''}`));
    expect(verbs).toEqual([['create_index concurrently'], ['add_constraint']]);
    expect(plan.up[1]!.steps![0]).toMatchObject({ usingIndex: { index: 't_email_key', deferrable: ' DEFERRABLE INITIALLY DEFERRED' } });
    await converge(BASE, b, { seed: { a: SEED }, bothWays: false });
  });

  it('a re-created primary key keeps its plain form (named in the warnings), and so does SET NOT NULL on its table (the key sets it)', async () => {
    const a = BASE.replace('CREATE TABLE t (id bigint,', 'CREATE TABLE t (id bigint PRIMARY KEY,');
    const b = BASE.replace('CREATE TABLE t (id bigint,', 'CREATE TABLE t (id bigint NOT NULL,') + 'ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id, n);';
    const plan = buildPlan(await catalogOf(a), await catalogOf(b));
    expect(plan.up.flatMap((c) => c.steps!.map((s) => [s.verb, s.concurrently]))).toEqual([['drop_constraint', false], ['set_not_null', false], ['add_constraint', false]]);
    expect(plan.up.every((c) => c.transactional && c.segment === undefined)).toBe(true);
    expect(plan.warnings).toEqual([expect.stringMatching(/^PRIMARY KEY constraint public\.t\.t_pkey is re-created with its index under ACCESS EXCLUSIVE/)]);
    await converge(a, b, { seed: { a: SEED }, bothWays: false });
  });

  it('a CHECK wanted NOT VALID is added as it is, without a VALIDATE step', async () => {
    const b = BASE + 'ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0) NOT VALID;';
    const plan = buildPlan(await catalogOf(BASE), await catalogOf(b));
    expect(plan.up.flatMap((c) => c.steps!.map((s) => s.verb))).toEqual(['add_constraint']);
    await converge(BASE, b, { seed: { a: SEED }, bothWays: false });
  });

  it('timeouts: the files that build an index or validate get index_statement_timeout, the others statement_timeout', async () => {
    const b = BASE + 'ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p (id); CREATE INDEX t_n_idx ON t (n);';
    const plan = buildPlan(await catalogOf(BASE), await catalogOf(b));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-steps-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'schema: schema\nonline:\n  statement_timeout: 4s\n  index_statement_timeout: 33min\n');
    const rendered = renderPlan(loadConfig(dir), 'fk', plan, new Date('2026-12-01T00:00:00Z'));
    const timeouts = rendered.migrations.map((m) => m.text.split('\n').find((l) => l.startsWith('-- statement_timeout:')));
    // NOT VALID add (short), concurrent build (long), validation (long).
    expect(timeouts).toEqual(['-- statement_timeout: 4s', '-- statement_timeout: 33min', '-- statement_timeout: 33min']);
  });

  it('a changed index: concurrent build under a temporary name, concurrent drop, rename; its down the same way; converges with rows', async () => {
    const a = BASE + 'CREATE INDEX t_n_idx ON t (n);';
    const b = BASE + 'CREATE INDEX t_n_idx ON t (n, code) WHERE n > 5;';
    const plan = buildPlan(await catalogOf(a), await catalogOf(b));
    expect(plan.up.map((c) => [c.transactional, c.steps!.map((s) => `${s.verb}${s.concurrently ? ' concurrently' : ''}`)])).toEqual([
      [false, ['create_index concurrently', 'drop_index concurrently', 'rename_index']],
    ]);
    expect(plan.up[0]!.sql[2]).toBe('ALTER INDEX public.t_n_idx_new RENAME TO t_n_idx');
    expect(plan.down.map((c) => [c.transactional, c.steps!.map((s) => `${s.verb}${s.concurrently ? ' concurrently' : ''}`)])).toEqual([
      [false, ['create_index concurrently', 'drop_index concurrently', 'rename_index']],
    ]);
    await converge(a, b, { seed: { a: SEED } });
  });

  it('a dropped index: DROP INDEX CONCURRENTLY, rebuilt concurrently by down; converges', async () => {
    const a = BASE + 'CREATE INDEX t_n_idx ON t (n);';
    const plan = buildPlan(await catalogOf(a), await catalogOf(BASE), { allowDestructive: true });
    expect(plan.up.map((c) => [c.transactional, c.sql])).toEqual([[false, ['DROP INDEX CONCURRENTLY public.t_n_idx']]]);
    expect(plan.down.map((c) => [c.transactional, c.sql])).toEqual([[false, ['CREATE INDEX CONCURRENTLY t_n_idx ON public.t USING btree (n)']]]);
    await converge(a, BASE, { seed: { a: SEED }, bothWays: false });
  });

  it('plain forms that must stay are named with the reason: a partitioned table\'s index, an index a foreign key uses, a re-created UNIQUE constraint', async () => {
    const a = `CREATE TABLE pt (id int, k int) PARTITION BY RANGE (id); CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
      CREATE INDEX pt_k_idx ON pt (k);
      CREATE TABLE r (id int, code text); CREATE UNIQUE INDEX r_id_idx ON r (id); CREATE TABLE f (r_id int REFERENCES r (id));
      CREATE TABLE u (a int, b int, CONSTRAINT u_key UNIQUE (a));`;
    const b = a.replace('ON pt (k)', 'ON pt (k, id)').replace('ON r (id)', 'ON r (id) INCLUDE (code)').replace('UNIQUE (a)', 'UNIQUE (a, b)');
    const plan = buildPlan(await catalogOf(a), await catalogOf(b));
    expect(plan.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^index public\.pt_k_idx is re-created with plain DROP INDEX \/ CREATE INDEX .*public\.pt is partitioned/),
      expect.stringMatching(/^index public\.r_id_idx is re-created with plain .*other objects depend on it \(public\.f\.f_r_id_fkey\)/),
      expect.stringMatching(/^UNIQUE constraint public\.u\.u_key is re-created with its index under ACCESS EXCLUSIVE/),
    ]));
    expect(plan.up.every((c) => c.transactional)).toBe(true);
    await converge(a, b);
  });

  it('the hazards of every typed step equal what PostgreSQL\'s parse tree of its SQL gives (lock, kinds, messages), on existing and new tables', async () => {
    const a = BASE + "CREATE INDEX t_n_idx ON t (n); CREATE INDEX t_code_idx ON t (code); ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n IS NOT NULL); ALTER TABLE t ADD CONSTRAINT t_x CHECK (n > -1);";
    const b = BASE + `CREATE INDEX t_n_idx ON t (n, id); ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n IS NOT NULL);
      ALTER TABLE t ALTER n SET NOT NULL; ALTER TABLE t ALTER email SET NOT NULL; ALTER TABLE t ALTER code SET DEFAULT 'x';
      ALTER TABLE t ADD CONSTRAINT t_p_fkey FOREIGN KEY (p_id) REFERENCES p (id); ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);
      ALTER TABLE t ADD CONSTRAINT t_c CHECK (n > 0) NOT VALID;
      CREATE TABLE q (id bigint PRIMARY KEY, p_id bigint REFERENCES p (id), v int CHECK (v > 0)); CREATE INDEX q_v_idx ON q (v);`;
    const from = await catalogOf(a);
    const to = await catalogOf(b);
    const verbs = new Set<string>();
    let compared = 0;
    for (const plan of [buildPlan(from, to, { allowDestructive: true }), buildPlan(from, to, { allowDestructive: true, online: false })]) {
      for (const [changes, ctxCat] of [[plan.up, from], [plan.down, to]] as const) {
        for (const c of changes) {
          for (const s of c.steps ?? []) {
            for (const existing of [true, false]) {
              expect(stepHazards(s, existing, stepContext(ctxCat)), `${renderStep(s)} (existing table: ${existing})`)
                .toEqual(statementHazards(renderStep(s), existing, hazardContext(ctxCat)));
              compared++;
            }
            verbs.add(`${s.verb}${s.concurrently ? ' concurrently' : ''}`);
          }
        }
      }
    }
    expect([...verbs].sort()).toEqual([
      'add_constraint', 'create_index', 'create_index concurrently', 'drop_constraint', 'drop_default', 'drop_index', 'drop_index concurrently',
      'drop_not_null', 'rename_index', 'set_default', 'set_not_null', 'validate_constraint',
    ]);
    expect(compared).toBeGreaterThan(40);
  });
});
