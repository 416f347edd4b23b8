/**
 * The proof a plan passes before `plan` writes it (src/project/proof.ts), on the embedded shadow: a
 * plan whose files reach the target and come back passes; a file PostgreSQL rejects fails naming
 * file:line:column and the statement; files that do not reach the target fail naming the objects.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { openPglite } from '../src/db/pglite.js';
import { buildPlan } from '../src/plan/plan.js';
import { ProofError, provePlan } from '../src/project/proof.js';
import { loadConfig } from '../src/config/config.js';
import { renderPlan } from '../src/project/write.js';
import { executeSchema, readSchema } from '../src/catalog/load.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FROM = `CREATE TABLE t (id int PRIMARY KEY);`;
const TO = `CREATE TABLE t (id int PRIMARY KEY, note text); CREATE INDEX t_note_idx ON t (note);`;

/** A catalog of `sql` loaded in a fresh PGlite. */
async function catalogOf(sql: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-proof-'));
  try {
    fs.writeFileSync(path.join(dir, 's.sql'), sql);
    const db = await openPglite();
    try {
      await executeSchema(db, await readSchema([path.join(dir, 's.sql')], dir));
      return { db, cat: await introspect(db) };
    } catch (e) {
      await db.close();
      throw e;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A PGlite holding `a` (the current state, FROM by default) and the plan from it to `b`. */
async function planned(a = FROM, b = TO) {
  const from = await catalogOf(a);
  const to = await catalogOf(b);
  await to.db.close();
  return { from, plan: buildPlan(from.cat, to.cat) };
}

describe('a plan proves itself before it is written', { timeout: 120_000 }, () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-proof-project-'));
  const config = loadConfig(root);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('passes when the files reach the target and the down sections come back', async () => {
    const { from, plan } = await planned();
    await expect(provePlan(from.db, plan, renderPlan(config, 'x', plan), root, {})).resolves.toBeUndefined();
    await from.db.close();
  });

  it('names file:line:column, the statement and PostgreSQL\'s message when a statement fails', async () => {
    const { from, plan } = await planned();
    const rendered = renderPlan(config, 'x', plan);
    rendered.migrations[0]!.text = rendered.migrations[0]!.text.replace('ADD COLUMN note text', 'ADD COLUMN note no_such_type');
    const e = await provePlan(from.db, plan, rendered, root, {}).catch((x) => x);
    expect(e).toBeInstanceOf(ProofError);
    expect(e.message).toMatch(/up section, migrations\/\d{14}_x\.sql:\d+:\d+: type "no_such_type" does not exist/);
    expect(e.message).toContain('statement: ALTER TABLE public.t ADD COLUMN note no_such_type');
    await from.db.close();
  });

  it('names the objects when the up sections do not reach the target', async () => {
    const { from, plan } = await planned();
    const rendered = renderPlan(config, 'x', plan);
    for (const f of rendered.migrations) f.text = f.text.replace(/CREATE INDEX[^;]*;/, 'SELECT 1;');
    const e = await provePlan(from.db, plan, rendered, root, {}).catch((x) => x);
    expect(e).toBeInstanceOf(ProofError);
    expect(e.message).toContain('the up sections do not reach the planned state');
    expect(e.details.join('\n')).toContain('public.t_note_idx');
    await from.db.close();
  });

  it('proves a changed index replaced concurrently (transaction:false up and down); a down section marked transactional that holds DROP INDEX CONCURRENTLY fails', async () => {
    const a = 'CREATE TABLE t (id int PRIMARY KEY, note text); CREATE INDEX t_note_idx ON t (note);';
    const b = 'CREATE TABLE t (id int PRIMARY KEY, note text); CREATE INDEX t_note_idx ON t (note, id);';
    const ok = await planned(a, b);
    const rendered = renderPlan(config, 'x', ok.plan);
    expect(rendered.migrations.map((f) => f.transactional)).toEqual([false]);
    await expect(provePlan(ok.from.db, ok.plan, rendered, root, {})).resolves.toBeUndefined();
    await ok.from.db.close();

    const bad = await planned(a, b);
    const tampered = renderPlan(config, 'x', bad.plan);
    const text = tampered.migrations[0]!.text;
    expect(text).toContain('-- migrate:down transaction:false\n');
    tampered.migrations[0]!.text = text.replace('-- migrate:down transaction:false\n', '-- migrate:down\n');
    const e = await provePlan(bad.from.db, bad.plan, tampered, root, {}).catch((x) => x);
    expect(e).toBeInstanceOf(ProofError);
    expect(e.message).toMatch(/down section, migrations\/\d{14}_x\.sql:\d+:\d+: CREATE INDEX CONCURRENTLY cannot run inside a transaction block/);
    await bad.from.db.close();
  });
});
