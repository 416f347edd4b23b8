/**
 * End to end: `up` refuses a generated migration whose plan's starting catalog
 * (`from_fingerprint`, `from_objects`) is not the database's, names the differing objects, and
 * applies with `--allow-drift`; `--dry-run` only warns.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createDatabase } from '../support/db.js';
import { copyExample, exampleVersions, query, run } from './support.js';

/** A copy of the worked example with one more generated plan (adds `leads.region`); its version. */
async function withNewPlan(): Promise<{ dir: string; version: string; previous: string }> {
  const dir = copyExample();
  const schema = path.join(dir, 'schema/schema.sql');
  fs.writeFileSync(schema, fs.readFileSync(schema, 'utf8') + '\nALTER TABLE leads ADD COLUMN region text;\n');
  const plan = await run(dir, ['plan', 'add_region']);
  expect(plan.code, plan.all).toBe(0);
  const file = fs.readdirSync(path.join(dir, 'plans')).filter((f) => f.endsWith('_add_region.yaml'))[0]!;
  const doc = YAML.parse(fs.readFileSync(path.join(dir, 'plans', file), 'utf8'));
  expect(typeof doc.from_fingerprint).toBe('string');
  expect(doc.from_objects['table:public.leads']).toMatch(/^[0-9a-f]{12}$/);
  const versions = exampleVersions();
  return { dir, version: doc.version, previous: versions[versions.length - 1]! };
}

async function hasRegion(url: string): Promise<boolean> {
  const rows = await query<{ n: string }>(url, `SELECT count(*)::text AS n FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'region'`);
  return rows[0]!.n === '1';
}

describe('up checks the catalog a generated plan started from', { timeout: 120_000 }, () => {
  it('refuses on drift naming the objects, warns under --dry-run, applies with --allow-drift or without drift', async () => {
    const { dir, previous } = await withNewPlan();

    // No drift: the history up to before the new plan, then the plan applies.
    const clean = await createDatabase('fp');
    expect((await run(dir, ['up', '--url', clean, '--to', previous])).code).toBe(0);
    const ok = await run(dir, ['up', '--url', clean]);
    expect(ok.code, ok.all).toBe(0);
    expect(ok.stderr).toBe('');
    expect(await hasRegion(clean)).toBe(true);

    // Drift by hand: a stray table.
    const url = await createDatabase('fp');
    expect((await run(dir, ['up', '--url', url, '--to', previous])).code).toBe(0);
    await query(url, 'CREATE TABLE public.stray (id int)');
    const refused = await run(dir, ['up', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('public.stray');
    expect(refused.stderr).toContain('--allow-drift');
    expect(await hasRegion(url)).toBe(false);

    const dry = await run(dir, ['up', '--url', url, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/warning: .*public\.stray/);
    expect(await hasRegion(url)).toBe(false);

    const allowed = await run(dir, ['up', '--url', url, '--allow-drift']);
    expect(allowed.code, allowed.all).toBe(0);
    expect(await hasRegion(url)).toBe(true);
  });

  it('an older plan without from_objects is compared by fingerprint and named', async () => {
    const { dir, version, previous } = await withNewPlan();
    const file = path.join(dir, 'plans', fs.readdirSync(path.join(dir, 'plans')).find((f) => f.startsWith(version))!);
    const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
    delete doc.from_objects;
    fs.writeFileSync(file, YAML.stringify(doc));
    const url = await createDatabase('fp');
    expect((await run(dir, ['up', '--url', url, '--to', previous])).code).toBe(0);
    await query(url, 'CREATE TABLE public.stray (id int)');
    const refused = await run(dir, ['up', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`plans/${path.basename(file)}`);
    expect(refused.stderr).toContain('older plan');
  });
});
