/**
 * `plan` and `check` cache what they computed in `.schemaplan/cache/`: the schema files' catalog
 * (keyed by their bytes, the shadow, the scope and the version), the replayed history's catalog, and
 * the down sections `check` proved. A cached state is what the next command uses (a tampered entry
 * shows in its result), a corrupt one is rebuilt, an edit is a new key (planned, not served stale),
 * and a down section broken after a clean check fails every check after it.
 * Default settings (PGlite shadow); `up` runs on real PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { columns, copyExample, filesIn, run } from './support.js';

/** The cache entries of a kind (`desired`, `history`) in a project. */
function entries(root: string, kind: string): string[] {
  const dir = path.join(root, '.schemaplan', 'cache');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
}

/** The one cache entry of a kind. */
function entry(root: string, kind: string): string {
  const list = entries(root, kind);
  expect(list, kind).toHaveLength(1);
  return list[0]!;
}

/** Removes a table (and its columns, constraints, indexes) from a cached catalog; returns its name (`public.x`). */
function dropCachedTable(file: string): string {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; catalog: { objects: Record<string, unknown> } };
  const table = Object.keys(parsed.catalog.objects).find((id) => id.startsWith('table:'))!;
  const qualified = table.slice('table:'.length);
  for (const id of Object.keys(parsed.catalog.objects)) {
    if (id === table || [`column:`, `constraint:`, `index:`].some((k) => id.startsWith(`${k}${qualified}.`))) delete parsed.catalog.objects[id];
  }
  fs.writeFileSync(file, JSON.stringify(parsed));
  return qualified;
}

/** `check --format json`'s problems. */
async function checkProblems(dir: string, env: Record<string, string> = {}): Promise<{ code: number | null; problems: { kind: string; message: string; file?: string }[]; all: string }> {
  const r = await run(dir, ['check', '--format', 'json'], env);
  return { code: r.code, problems: JSON.parse(r.stdout).problems, all: r.all };
}

/** Replaces `from` by `to` in a file (which must hold `from`). */
function edit(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain(from);
  fs.writeFileSync(file, text.replace(from, to));
}

describe('the state cache', { timeout: 600_000 }, () => {
  it('plan: the desired state is read from the cache, rebuilt when corrupt, and an edit of schema.sql is planned', async () => {
    const dir = copyExample();
    const first = await run(dir, ['plan', 'x']);
    expect(first.code, first.all).toBe(0);
    expect(first.stdout).toContain('No changes');
    const desired = entry(dir, 'desired');

    // The entry is what the next plan uses: a table taken out of the cached desired state is a drop.
    const saved = fs.readFileSync(desired, 'utf8');
    const table = dropCachedTable(desired);
    const fromCache = await run(dir, ['plan', 'x', '--dry-run']);
    expect(fromCache.code, fromCache.all).toBe(3); // the drop is destructive: blocked
    expect(fromCache.all).toContain(table);

    // A corrupt entry is removed and the schema loaded again: the same result as the first plan.
    fs.writeFileSync(desired, '{ not json');
    const rebuilt = await run(dir, ['plan', 'x']);
    expect(rebuilt.code, rebuilt.all).toBe(0);
    expect(rebuilt.stdout).toContain('No changes');
    expect(fs.readFileSync(entry(dir, 'desired'), 'utf8')).toBe(saved);

    // The schema files are parsed before the cache is looked at: a syntax error names its place.
    const schemaFile = path.join(dir, 'schema/schema.sql');
    const schemaText = fs.readFileSync(schemaFile, 'utf8');
    fs.writeFileSync(schemaFile, `${schemaText}\nCREATE TABLE broken (;\n`);
    const syntax = await run(dir, ['plan', 'x']);
    expect(syntax.code, syntax.all).not.toBe(0);
    expect(syntax.stderr).toMatch(/schema\/schema\.sql:\d+:\d+/);
    fs.writeFileSync(schemaFile, schemaText);

    // One added column is a new key: planned, written, and applied by `up`.
    edit(path.join(dir, 'schema/schema.sql'), '    full_name text NOT NULL,\n', '    full_name text NOT NULL,\n    nickname text,\n');
    const planned = await run(dir, ['plan', 'add_nickname']);
    expect(planned.code, planned.all).toBe(0);
    expect(filesIn(dir, 'migrations', '.sql').some((f) => f.endsWith('_add_nickname.sql'))).toBe(true);
    expect(entries(dir, 'desired')).toHaveLength(2);
    const url = await createDatabase('cache');
    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    expect(await columns(url, 'users')).toContain('nickname');
    // The plan after it has nothing to do: the new history meets the (cached) desired state.
    const after = await run(dir, ['plan', 'x']);
    expect(after.code, after.all).toBe(0);
    expect(after.stdout).toContain('No changes');
  });

  it('SCHEMAPLAN_CACHE=off: plan and check write no cache', async () => {
    const dir = copyExample();
    const plan = await run(dir, ['plan', 'x'], { SCHEMAPLAN_CACHE: 'off' });
    expect(plan.code, plan.all).toBe(0);
    const check = await run(dir, ['check'], { SCHEMAPLAN_CACHE: 'off' });
    expect(check.code, check.all).toBe(0);
    expect(fs.existsSync(path.join(dir, '.schemaplan'))).toBe(false);
  });

  it('check: the same verdict twice from its cached states, and a down section broken after a clean check fails every check', async () => {
    const dir = copyExample();
    const first = await checkProblems(dir);
    expect(first.code, first.all).toBe(0);
    expect(first.problems).toEqual([]);
    expect(entries(dir, 'history')).toHaveLength(1);
    expect(entries(dir, 'desired')).toHaveLength(1);
    const proofs = JSON.parse(fs.readFileSync(path.join(dir, '.schemaplan/cache/proofs.json'), 'utf8')).proven;
    expect(proofs).toHaveLength(filesIn(dir, 'migrations', '.sql').length);
    const second = await checkProblems(dir);
    expect(second.code, second.all).toBe(0);
    expect(second.problems).toEqual([]);

    // What check wrote is what plan reads: nothing to replay, nothing to do.
    const plan = await run(dir, ['plan', 'x']);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stdout).toContain('No changes');

    // The cached history is what the next check compares (nothing left to prove: no replay) …
    const history = entry(dir, 'history');
    const saved = fs.readFileSync(history, 'utf8');
    const table = dropCachedTable(history);
    const tampered = await checkProblems(dir);
    expect(tampered.code, tampered.all).toBe(1);
    expect(tampered.problems.map((p) => p.kind)).toEqual(['drift']);
    expect(JSON.stringify(tampered.problems)).toContain(table);
    // … and a corrupt one is rebuilt by replaying.
    fs.writeFileSync(history, '{ not json');
    const rebuilt = await checkProblems(dir);
    expect(rebuilt.code, rebuilt.all).toBe(0);
    expect(fs.readFileSync(entry(dir, 'history'), 'utf8')).toBe(saved);

    // A down section of the middle of the history broken after the clean checks: its checksum (and so
    // the key of every prefix from it on) changed, so it is proven again and fails, every time.
    const middle = path.join(dir, 'migrations/20261121093720_add_interactions.sql');
    edit(middle, 'DROP TABLE public.interactions;', 'SELECT 1;');
    expect((await run(dir, ['hash'])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const broken = await checkProblems(dir);
      expect(broken.code, broken.all).toBe(1);
      expect(broken.problems.map((p) => [p.kind, p.file])).toEqual([['down', 'migrations/20261121093720_add_interactions.sql']]);
      expect(broken.problems[0]!.message).toMatch(/^down section of migrations\/20261121093720_add_interactions\.sql (fails|does not restore)/);
    }
    edit(middle, 'SELECT 1;', 'DROP TABLE public.interactions;');
    expect((await run(dir, ['hash'])).code).toBe(0);
    expect((await checkProblems(dir)).problems).toEqual([]);

    // The newest file's down section broken: reported on every run.
    const newest = path.join(dir, 'migrations', filesIn(dir, 'migrations', '.sql').at(-1)!);
    edit(newest, 'DROP INDEX public.leads_unsummarized_idx;', 'DROP INDEX public.no_such_index;');
    expect((await run(dir, ['hash'])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const broken = await checkProblems(dir);
      expect(broken.code, broken.all).toBe(1);
      expect(broken.problems.map((p) => p.kind)).toEqual(['down']);
      expect(broken.problems[0]!.message).toContain(`down section of migrations/${path.basename(newest)} fails`);
    }
  });
});
