/**
 * Acceptance test of the online-safe forms: on a table with 200,000 rows, a planned index, foreign key,
 * NOT NULL and UNIQUE on existing tables run (written with writePlan, applied by the runner's `up`)
 * while a second session keeps inserting into the table; no insert waits as long as the configured
 * lock_timeout, the migration succeeds, the catalog converges, and the down sections restore it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { loadConfig } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import type { Db } from '../../src/db/types.js';
import { loadHistory } from '../../src/migrations/history.js';
import { buildPlan } from '../../src/plan/plan.js';
import { writePlan } from '../../src/project/write.js';
import { down, up } from '../../src/runner/index.js';
import { catalogDifferences } from '../support/converge.js';
import { createDatabase } from '../support/db.js';

const ROWS = 200_000;
const LOCK_TIMEOUT_MS = 2000;
const A = `
CREATE TABLE parents (id bigint PRIMARY KEY);
CREATE TABLE items (id bigint NOT NULL, parent_id bigint, code text, qty integer);
`;
const B = A + `
CREATE INDEX items_qty_idx ON items (qty);
ALTER TABLE items ADD CONSTRAINT items_parent_fkey FOREIGN KEY (parent_id) REFERENCES parents (id);
ALTER TABLE items ALTER COLUMN qty SET NOT NULL;
ALTER TABLE items ADD CONSTRAINT items_code_key UNIQUE (code);
`;
const SEED = `
INSERT INTO parents SELECT g FROM generate_series(1, 100) g;
INSERT INTO items SELECT g, g % 100 + 1, 'c' || g, g % 1000 FROM generate_series(1, ${ROWS}) g;
ANALYZE items;
`;

const dbs: Db[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const db of dbs.splice(0)) await db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function open(url: string): Promise<Db> {
  const db = await connect(url);
  dbs.push(db);
  return db;
}

describe('online strategies under concurrent writes', () => {
  it(`index, foreign key, NOT NULL and UNIQUE on a ${ROWS}-row table: no write waits lock_timeout, the catalog converges`, async () => {
    const url = await createDatabase('online');
    const db = await open(url);
    await db.exec(A + SEED);
    const target = await open(await createDatabase('onlineb'));
    await target.exec(B);
    const from = await introspect(db, { schemas: ['public'] });
    const to = await introspect(target, { schemas: ['public'] });
    const plan = buildPlan(from, to);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-online-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), `schema: schema\nonline:\n  lock_timeout: ${LOCK_TIMEOUT_MS}ms\n`);
    const written = writePlan(loadConfig(dir), 'items_constraints', plan, new Date('2026-12-01T00:00:00Z'));
    const texts = written.migrations.map((m) => fs.readFileSync(path.join(dir, m), 'utf8'));
    const all = texts.join('\n');
    expect(all).toContain('CREATE INDEX CONCURRENTLY items_qty_idx');
    expect(all).toContain('CREATE UNIQUE INDEX CONCURRENTLY items_code_key');
    expect(all).toContain('UNIQUE USING INDEX items_code_key');
    expect(all).toMatch(/FOREIGN KEY \(parent_id\) REFERENCES public\.parents\(id\) NOT VALID/);
    expect(all).toContain('VALIDATE CONSTRAINT items_parent_fkey');
    expect(all).toMatch(/CHECK \(qty IS NOT NULL\) NOT VALID/);
    for (const t of texts) expect(t).toContain(`-- lock_timeout: ${LOCK_TIMEOUT_MS}ms`);

    // The concurrent writer: inserts (and updates) every 2 ms until the migration ends.
    const writer = await open(url);
    let done = false;
    const latencies: number[] = [];
    let n = 0;
    const loop = (async () => {
      while (!done) {
        n++;
        const t0 = performance.now();
        await writer.query('INSERT INTO items (id, parent_id, code, qty) VALUES ($1, $2, $3, $4)', [ROWS + n, (n % 100) + 1, `w${n}`, n % 1000]);
        await writer.query('UPDATE items SET qty = qty + 1 WHERE id = $1', [n]);
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const runner = await open(url);
    const table = { schema: 'ops', name: 'schema_migrations' }; // outside the compared schema
    await runner.exec('CREATE SCHEMA ops');
    const t0 = performance.now();
    let result;
    try {
      await new Promise((r) => setTimeout(r, 100)); // writes are under way before the migration starts
      result = await up(runner, loadHistory(path.join(dir, 'migrations'), { root: dir }), { table, lockRetries: 0 } as any);
    } finally {
      done = true;
      await loop;
    }
    const elapsed = performance.now() - t0;
    expect(result.applied.map((r) => r.file)).toEqual(written.migrations);
    const max = Math.max(...latencies);
    console.log(`online migration: ${written.migrations.length} files in ${Math.round(elapsed)} ms; ${latencies.length} concurrent writes, max latency ${max.toFixed(1)} ms (lock_timeout ${LOCK_TIMEOUT_MS} ms)`);
    expect(latencies.length).toBeGreaterThan(10);
    expect(max).toBeLessThan(LOCK_TIMEOUT_MS);

    // Converged: the catalog is the target's, and planning again finds nothing.
    const after = await introspect(db, { schemas: ['public'] });
    expect(catalogDifferences(after, to)).toEqual([]);
    expect(buildPlan(after, to).up).toEqual([]);
    const [{ count }] = await db.query<{ count: string }>('SELECT count(*) FROM items');
    expect(Number(count)).toBe(ROWS + n);

    // Every down section, newest first, brings the catalog back.
    await down(runner, loadHistory(path.join(dir, 'migrations'), { root: dir }), { table, steps: written.migrations.length });
    expect(catalogDifferences(await introspect(db, { schemas: ['public'] }), from)).toEqual([]);
  });

  it('a failed concurrent build: up names the INVALID index it left and how to recover', async () => {
    const url = await createDatabase('onlinv');
    const db = await open(url);
    await db.exec("CREATE TABLE u (id bigint, code text); INSERT INTO u VALUES (1, 'a'), (2, 'a');");
    const target = await open(await createDatabase('onlinvb'));
    await target.exec('CREATE TABLE u (id bigint, code text); CREATE UNIQUE INDEX u_code_idx ON u (code);');
    const plan = buildPlan(await introspect(db, { schemas: ['public'] }), await introspect(target, { schemas: ['public'] }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-online-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'schema: schema\n');
    writePlan(loadConfig(dir), 'unique_code', plan, new Date('2026-12-01T00:00:00Z'));
    await db.exec('CREATE SCHEMA ops');
    const err = await up(db, loadHistory(path.join(dir, 'migrations'), { root: dir }), { table: { schema: 'ops', name: 'schema_migrations' } }).catch((e) => e);
    expect(String(err.message)).toMatch(/could not create unique index/);
    expect(String(err.message)).toContain('INVALID index(es) left by a failed concurrent build: public.u_code_idx; drop each with DROP INDEX CONCURRENTLY');
  });
});
