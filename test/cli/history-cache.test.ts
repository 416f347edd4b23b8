/**
 * `plan` caches the catalog of the replayed history in `.schemaplan/cache/`, keyed by the
 * migration files' checksums (and the shadow, scope and version): an unchanged history is not
 * replayed again, a changed one is, and a corrupt entry is rebuilt rather than trusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, run } from './support.js';

/** The cache entries of a project. */
function entries(root: string): string[] {
  const dir = path.join(root, '.schemaplan', 'cache');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith('history-') && f.endsWith('.json')).map((f) => path.join(dir, f)) : [];
}

describe('the history cache', { timeout: 300_000 }, () => {
  it('is written by plan, read by the next plan, rebuilt when corrupt, and re-keyed when a migration changes', async () => {
    const dir = copyExample();
    const first = await run(dir, ['plan', 'x']);
    expect(first.code, first.all).toBe(0);
    expect(first.stdout).toContain('No changes');
    const [entry] = entries(dir);
    expect(entry).toBeDefined();
    expect(fs.readFileSync(path.join(dir, '.schemaplan', 'cache', '.gitignore'), 'utf8')).toContain('*');

    // The entry is what the next plan reads: a table taken out of the cached catalog is planned again.
    const saved = fs.readFileSync(entry!, 'utf8');
    const parsed = JSON.parse(saved) as { key: string; catalog: { objects: Record<string, { kind: string }> } };
    const table = Object.keys(parsed.catalog.objects).find((id) => id.startsWith('table:'))!;
    const [, qualified] = table.split(':');
    for (const id of Object.keys(parsed.catalog.objects)) {
      if (id === table || id.startsWith(`column:${qualified}.`) || id.startsWith(`constraint:${qualified}.`) || id.startsWith(`index:${qualified}.`)) delete parsed.catalog.objects[id];
    }
    fs.writeFileSync(entry!, JSON.stringify(parsed));
    const fromCache = await run(dir, ['plan', 'x', '--dry-run']);
    expect(fromCache.code, fromCache.all).toBe(0);
    expect(fromCache.stdout).toContain(`CREATE TABLE ${qualified}`);

    // A corrupt entry is removed and the history replayed.
    fs.writeFileSync(entry!, '{ not json');
    const rebuilt = await run(dir, ['plan', 'x']);
    expect(rebuilt.code, rebuilt.all).toBe(0);
    expect(rebuilt.stdout).toContain('No changes');
    expect(JSON.parse(fs.readFileSync(entry!, 'utf8')).catalog.objects[table]).toBeDefined();

    // A new migration file is a new key: its effect shows at once.
    fs.writeFileSync(path.join(dir, 'migrations', '20991231000000_cache_probe.sql'),
      '-- Migration: 20991231000000_cache_probe\n-- migrate:up\nCREATE TABLE public.cache_probe (id int);\n-- migrate:down\nDROP TABLE public.cache_probe;\n');
    const changed = await run(dir, ['plan', 'x', '--dry-run']);
    expect(changed.code, changed.all).toBe(3); // schema.sql lacks the table: its drop is blocked
    expect(changed.all).toContain('cache_probe');
    expect(entries(dir).length).toBe(2);

    // SCHEMAPLAN_CACHE=off neither reads nor writes it.
    for (const e of entries(dir)) fs.writeFileSync(e, '{ not json');
    const off = await run(dir, ['plan', 'x', '--dry-run'], { SCHEMAPLAN_CACHE: 'off' });
    expect(off.code, off.all).toBe(3); // the probe table's drop is blocked, as above
    expect(off.all).toContain('cache_probe');
    for (const e of entries(dir)) expect(fs.readFileSync(e, 'utf8')).toBe('{ not json');
  });
});
