/**
 * Convergence checks ("correctness is proved by convergence, not by comparing SQL text"): schema A
 * and schema B are loaded into two empty databases, the plan A→B is applied to A, and then
 * - the catalogs match: `diff(introspect(A'), introspect(B))` is empty, and every modelled field
 *   agrees (column position and extension version aside, as in the fingerprint);
 * - planning again yields nothing;
 * - the down section of the plan restores A.
 * With `bothWays` (the default) the same database pair then checks B→A the same way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import type { Catalog, CatalogObject } from '../../src/catalog/model.js';
import type { Db } from '../../src/db/types.js';
import { diff } from '../../src/diff/index.js';
import { buildPlan, type Plan, type PlannedChange } from '../../src/plan/plan.js';
import { applyPolicy } from '../../src/plan/policy.js';
import { preamble } from '../../src/plan/document.js';
import { comparableObject } from '../../src/catalog/normalize.js';
import { executeScript } from '../../src/sql/execute.js';
import { connect } from '../../src/db/connect.js';
import { createDatabase, nameFor, serverMajor, serverOlderThan } from './db.js';
import { comparableDump, dumpLineDifferences, findPgDump, schemaDump } from './pgdump.js';

export interface ConvergeOptions {
  /** Passed to buildPlan (default true: every difference is emitted). */
  allowDestructive?: boolean;
  /** Also check B→A on the same pair of databases (default true). */
  bothWays?: boolean;
  /** Run after loading each schema (e.g. to insert rows that the migration must carry over). */
  seed?: { a?: string; b?: string };
  /** Schemas to introspect (default `['public']`). */
  schemas?: string[];
  /** Why pg_dump of A after up legitimately differs from B's (the dump comparison is then skipped). */
  dumpDiffers?: string;
  /** Further checks on the databases before they are reused (dbA holds A again, dbB holds B). */
  after?: (r: ConvergeResult) => Promise<void>;
}

export interface ConvergeResult {
  /** The A→B plan. */
  plan: Plan;
  /** The B→A plan, when `bothWays`. */
  reversePlan?: Plan;
  dbA: Db;
  dbB: Db;
  catA: Catalog;
  catB: Catalog;
}

/** The SQL of a section as a migration file holds it: statements each ending with `;`. */
export function script(changes: PlannedChange[]): string {
  return changes.flatMap((c) => c.sql).map((s) => s.trimEnd() + ';\n').join('');
}

/**
 * Runs a plan section the way its migration files run: each run of transactional changes as one
 * transaction (the simple protocol runs a multi-statement string as one implicit transaction), each
 * non-transactional statement on its own.
 */
export async function applySection(db: Db, changes: PlannedChange[], what: string): Promise<void> {
  const runs: string[] = [];
  // As a migration file starts (e.g. `SET check_function_bodies = false` when it creates functions).
  const head = preamble(changes).map((s) => s + ';\n').join('');
  if (head) runs.push(head);
  let open = false;
  for (const c of changes) {
    if (c.transactional) {
      if (!open) runs.push('');
      runs[runs.length - 1] += script([c]);
      open = true;
    } else {
      for (const s of c.sql) runs.push(s.trimEnd() + ';\n');
      open = false;
    }
  }
  for (const sql of runs) {
    try {
      await db.exec(sql);
    } catch (e) {
      throw new Error(`${what} failed: ${(e as Error).message}\n--- script ---\n${script(changes)}\n--- failing part ---\n${sql}`);
    }
  }
}

/** Object fields compared for equality (what the fingerprint compares). */
function comparable(o: CatalogObject): unknown {
  o = comparableObject(o);
  if (o.kind === 'column') {
    const { position: _p, ...rest } = o;
    return rest;
  }
  if (o.kind === 'table') return { ...o, columns: [...o.columns].sort() };
  if (o.kind === 'extension') {
    const { version: _v, ...rest } = o;
    return rest;
  }
  return o;
}

/** Human-readable differences between two catalogs (empty when they match). */
export function catalogDifferences(actual: Catalog, expected: Catalog): string[] {
  const out = diff(actual, expected).map((c) => `diff: ${c.description}: ${c.sql.join('; ')}`);
  for (const id of new Set([...Object.keys(actual.objects), ...Object.keys(expected.objects)])) {
    const a = actual.objects[id];
    const b = expected.objects[id];
    if (!a) out.push(`missing ${id}`);
    else if (!b) out.push(`unexpected ${id}`);
    else {
      const ja = JSON.stringify(comparable(a));
      const jb = JSON.stringify(comparable(b));
      if (ja !== jb) out.push(`differs ${id}:\n  actual   ${ja}\n  expected ${jb}`);
    }
  }
  return out;
}

function describePlan(plan: Plan): string {
  return [
    '--- up ---', script(plan.up), '--- down ---', script(plan.down),
    ...(plan.blocked.length ? ['--- blocked ---', ...plan.blocked.map((b) => `${b.description}: ${b.reason}`)] : []),
  ].join('\n');
}

/**
 * Plans `from`→`to`, applies up to `db` (which holds `from`), checks it now matches `to`, that
 * re-planning is empty, then applies down and checks `from` is restored.
 */
async function oneWay(db: Db, from: Catalog, to: Catalog, opts: ConvergeOptions, label: string): Promise<Plan> {
  const allowDestructive = opts.allowDestructive ?? true;
  const look = () => introspect(db, { schemas: opts.schemas });
  const plan = buildPlan(from, to, { allowDestructive });
  // With blocking, the database must reach the policy's target (the blocked parts kept as they are).
  to = applyPolicy(from, to, allowDestructive).target;
  const ctx = `${label}\n${describePlan(plan)}`;
  await applySection(db, plan.up, `${label}: up`);
  const after = await look();
  expect(catalogDifferences(after, to), `${ctx}\n${label}: catalog after up differs from target`).toEqual([]);
  const again = buildPlan(after, to, { allowDestructive });
  expect(script(again.up), `${ctx}\n${label}: re-planning is not empty`).toBe('');
  await applySection(db, plan.down, `${label}: down`);
  const back = await look();
  expect(catalogDifferences(back, from), `${ctx}\n${label}: catalog after down differs from the start`).toEqual([]);
  return plan;
}

/** A database holding `schema` (and `seed`); `dispose` hands it back for reuse. */
export interface Scratch {
  db: Db;
  dispose(): Promise<void>;
}

/**
 * Databases are reused (CREATE DATABASE costs ≈150 ms, a reset ≈20 ms): a disposed database is
 * emptied — every non-system schema dropped with what is in it (extensions too), `public` re-created
 * as initdb makes it, session state discarded — and kept for the next case of the same test file.
 */
const idle: Db[] = [];
const everything: Db[] = [];
const urlOf = new Map<Db, string>();

/**
 * When a pg_dump of the server's major is installed, every case also compares `pg_dump
 * --schema-only` of A after the A→B up section with B's (it catches what the catalog does not
 * model); `SCHEMAPLAN_CONVERGE_PGDUMP=0` turns it off. The embedded server packages ship no pg_dump,
 * so on a fresh machine only the catalogs are compared.
 */
const dumpCheck = process.env.SCHEMAPLAN_CONVERGE_PGDUMP === '0' ? null : findPgDump(serverMajor());

const RESET = `
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
  END LOOP;
  FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
    EXECUTE format('DROP EXTENSION %I CASCADE', r.extname);
  END LOOP;
  -- Database-wide kinds outlive the schemas too.
  FOR r IN SELECT subname, subenabled, subslotname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) LOOP
    IF r.subenabled THEN EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', r.subname); END IF;
    IF r.subslotname IS NOT NULL THEN EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', r.subname); END IF;
    EXECUTE format('DROP SUBSCRIPTION %I', r.subname);
  END LOOP;
  FOR r IN SELECT pubname FROM pg_publication LOOP EXECUTE format('DROP PUBLICATION %I', r.pubname); END LOOP;
  FOR r IN SELECT fdwname FROM pg_foreign_data_wrapper LOOP EXECUTE format('DROP FOREIGN DATA WRAPPER %I CASCADE', r.fdwname); END LOOP;
  -- Database-wide default privileges outlive the schemas: put each back to the built-in default
  -- (owner ALL; PUBLIC EXECUTE on functions, USAGE on types), which removes its pg_default_acl row.
  FOR r IN SELECT d.defaclrole::regrole::text AS owner, d.defaclobjtype AS t,
                  CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                                       WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' END AS objs,
                  (SELECT string_agg(DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ', ')
                     FROM aclexplode(d.defaclacl) a) AS grantees
             FROM pg_default_acl d WHERE d.defaclnamespace = 0 LOOP
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s REVOKE ALL ON %s FROM PUBLIC%s', r.owner, r.objs, coalesce(', ' || r.grantees, ''));
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s GRANT ALL ON %s TO %s', r.owner, r.objs, r.owner);
    IF r.t = 'f' THEN EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s GRANT EXECUTE ON FUNCTIONS TO PUBLIC', r.owner); END IF;
    IF r.t = 'T' THEN EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %s GRANT USAGE ON TYPES TO PUBLIC', r.owner); END IF;
  END LOOP;
END $$;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
COMMENT ON SCHEMA public IS 'standard public schema';`;

async function acquire(): Promise<Db> {
  const db = idle.pop();
  if (db) return db;
  const url = await createDatabase('cv');
  const fresh = await connect(url);
  urlOf.set(fresh, url);
  everything.push(fresh);
  return fresh;
}

async function release(db: Db): Promise<void> {
  try {
    await db.exec('ROLLBACK').catch(() => undefined);
    await db.exec('DISCARD ALL');
    await db.exec(RESET);
    idle.push(db);
  } catch {
    await db.close(); // left for test/support/db.ts to drop
  }
}

afterAll(async () => {
  idle.length = 0;
  for (const db of everything.splice(0)) await db.close();
});

/** Loads a schema into an empty database. */
export async function loadedDatabase(schema: string, file: string, seed?: string): Promise<Scratch> {
  const db = await acquire();
  const dispose = () => release(db);
  try {
    if (schema.trim()) await executeScript(db, schema, file);
    if (seed) await db.exec(seed);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { db, dispose };
}

/** A schema pair checked by `convergenceCases`. */
export interface ConvergeCase {
  name: string;
  a: string;
  b: string;
  opts?: ConvergeOptions;
  /** The PostgreSQL major that added a feature the case uses: skipped on an older default server. */
  minMajor?: number;
}

/** One concurrent `describe` block named `group` with a `converge` test per case. */
export function convergenceCases(group: string, list: ConvergeCase[]): void {
  describe.concurrent(group, () => {
    for (const c of list) it.skipIf(serverOlderThan(c.minMajor))(nameFor(c.name, c.minMajor), async () => void (await converge(c.a, c.b, c.opts)));
  });
}

/** Checks that A→B (and, by default, B→A) converge; returns the plans for further assertions. */
export async function converge(schemaA: string, schemaB: string, opts: ConvergeOptions = {}): Promise<ConvergeResult> {
  const [a, b] = await Promise.all([loadedDatabase(schemaA, 'A.sql', opts.seed?.a), loadedDatabase(schemaB, 'B.sql', opts.seed?.b)]);
  try {
    const [catA, catB] = await Promise.all([introspect(a.db, { schemas: opts.schemas }), introspect(b.db, { schemas: opts.schemas })]);
    const plan = await oneWay(a.db, catA, catB, opts, 'A→B');
    let reversePlan: Plan | undefined;
    if (dumpCheck && 'bin' in dumpCheck && (opts.allowDestructive ?? true) && !opts.dumpDiffers) {
      // A holds A again after down: apply up once more and compare the dumps.
      await applySection(a.db, plan.up, 'A→B: up (pg_dump check)');
      const [da, db] = [comparableDump(schemaDump(dumpCheck.bin, urlOf.get(a.db)!)), comparableDump(schemaDump(dumpCheck.bin, urlOf.get(b.db)!))];
      expect(dumpLineDifferences(da, db), 'pg_dump of A after up vs B (+ extra, - missing)').toEqual([]);
      await applySection(a.db, plan.down, 'A→B: down (pg_dump check)');
    }
    if (opts.bothWays ?? true) reversePlan = await oneWay(b.db, catB, catA, opts, 'B→A');
    const result: ConvergeResult = { plan, reversePlan, dbA: a.db, dbB: b.db, catA, catB };
    await opts.after?.(result);
    return result;
  } finally {
    await Promise.all([a.dispose(), b.dispose()]);
  }
}
