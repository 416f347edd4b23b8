/**
 * Generated migrations against the linter. Catalogs are read from real PostgreSQL 15 databases,
 * planned, and written with `writePlan` exactly as `schemaplan plan` does; then the files are linted
 * with every rule at its default severity.
 * - New tables (with keys, foreign keys, indexes, enums, functions and triggers): no error.
 * - Changes to existing tables (index, CHECK, foreign key, NOT NULL, UNIQUE, primary key): the
 *   online forms (src/plan/online.ts) and the timeouts of every file leave no error either.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Catalog } from '../../src/catalog/model.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { connect } from '../../src/db/connect.js';
import type { Db } from '../../src/db/types.js';
import { lintPaths } from '../../src/lint/lint.js';
import { buildPlan } from '../../src/plan/plan.js';
import { writePlan } from '../../src/project/write.js';
import { createDatabase } from '../support/db.js';

const BASE = `
CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, note varchar(20), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status status NOT NULL DEFAULT 'new',
  total numeric(10,2) NOT NULL DEFAULT 0 CHECK (total >= 0),
  legacy text,
  placed_at timestamptz
);
CREATE INDEX orders_account_id_idx ON orders (account_id);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.placed_at := now(); RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TABLE orders IS 'Orders.';
`;

/** Changes to the existing tables of BASE (applied on top of it). */
const CHANGES = `
ALTER TABLE orders ADD COLUMN region text;
ALTER TABLE orders ADD COLUMN priority integer NOT NULL DEFAULT 0;
CREATE INDEX orders_placed_at_idx ON orders (placed_at);
ALTER TABLE orders ADD CONSTRAINT orders_region_check CHECK (region <> '');
ALTER TABLE accounts ALTER COLUMN note TYPE varchar(50);
ALTER TABLE orders ALTER COLUMN placed_at SET NOT NULL;
ALTER TABLE orders DROP COLUMN legacy;
ALTER TABLE orders ADD COLUMN code text;
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);
ALTER TABLE accounts ADD COLUMN referrer_id bigint;
ALTER TABLE accounts ADD CONSTRAINT accounts_referrer_fkey FOREIGN KEY (referrer_id) REFERENCES accounts (id);
CREATE TABLE audit (id bigint, at timestamptz);
CREATE TABLE refunds (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), amount numeric(10,2) NOT NULL);
CREATE INDEX refunds_order_id_idx ON refunds (order_id);
`;

let dir: string;
let cfg: Config;
const dbs: Db[] = [];

async function catalogOf(sql: string): Promise<Catalog> {
  const db = await connect(await createDatabase('lintgen'));
  dbs.push(db);
  if (sql) await db.exec(sql);
  return introspect(db, { schemas: ['public'] });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-lintgen-'));
  fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'schema: schema\n');
  cfg = loadConfig(dir);
});
afterAll(async () => {
  for (const db of dbs.splice(0)) await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('generated migrations and lint', () => {
  it('creating tables, keys, indexes, enums, functions and triggers, and changing existing tables: no lint error', async () => {
    const [empty, base] = await Promise.all([catalogOf(''), catalogOf(BASE)]);
    const written = writePlan(cfg, 'create_orders', buildPlan(empty, base), new Date('2026-12-01T00:00:00Z'));
    const result = await lintPaths(written.migrations, { root: dir });
    expect(result.files).toEqual(written.migrations);
    // accounts.note varchar(20) is there for the widening below: the style warning is expected.
    expect(result.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([['prefer-text', 'warning', 'column note is character varying(20)']]);

    // The changes to those existing tables: additive part plus a destructive drop (allowed).
    const changed = await catalogOf(BASE + CHANGES);
    const plan = buildPlan(base, changed, { allowDestructive: true });
    const next = writePlan(cfg, 'orders_changes', plan, new Date('2026-12-02T00:00:00Z'));
    const r2 = await lintPaths(next.migrations, { root: dir });
    const errors = r2.findings.filter((f) => f.severity === 'error');
    expect(next.migrations.length).toBeGreaterThan(1); // the online steps span several files
    expect(errors.map((f) => `${f.file}:${f.line} [${f.rule}] ${f.message}`)).toEqual([]);
    // Every file sets both timeouts, in its header and as statements.
    for (const m of next.migrations) {
      const text = fs.readFileSync(path.join(dir, m), 'utf8');
      expect(text).toMatch(/^-- lock_timeout: \S+$/m);
      expect(text).toMatch(/^-- statement_timeout: \S+$/m);
      expect(text).toMatch(/^SET (LOCAL )?lock_timeout = /m);
    }

    // A primary key on an existing table: unique index built concurrently, then USING INDEX; still no error.
    const keyed = await catalogOf(BASE + CHANGES + 'ALTER TABLE audit ADD PRIMARY KEY (id);');
    const third = writePlan(cfg, 'audit_key', buildPlan(changed, keyed), new Date('2026-12-03T00:00:00Z'));
    const r3 = await lintPaths(third.migrations, { root: dir });
    expect(r3.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // The widening varchar(20) → varchar(50) is binary-coercible: no changing-column-type (only the style warning).
    expect(r2.findings.filter((f) => f.rule === 'changing-column-type')).toEqual([]);
    // The new table's index and foreign key are fine.
    expect(errors.some((f) => f.message.includes('refunds'))).toBe(false);
  });
});
