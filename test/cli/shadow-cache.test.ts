/**
 * The default shadow starts from a cached, initialised PGlite data directory: the first command
 * writes it, later ones load it, and a corrupt cache is rebuilt rather than trusted. A syntax error
 * in schema.sql is reported before any shadow starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, emptyFolder, fingerprint, run } from './support.js';

/** A fresh cache folder, used through XDG_CACHE_HOME. */
const cacheHome = () => emptyFolder('schemaplan-cache-');

/** The one cached data directory under `home`. */
function cachedFiles(home: string): string[] {
  const dir = path.join(home, 'schemaplan');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.tar.gz')).map((f) => path.join(dir, f)) : [];
}

describe('the default shadow', { timeout: 300_000 }, () => {
  it('writes the cached data directory once, plans from it, and rebuilds a corrupt one', async () => {
    const dir = copyExample();
    const home = cacheHome();
    const env = { XDG_CACHE_HOME: home };
    const first = await run(dir, ['plan', 'x'], env);
    expect(first.code, first.all).toBe(0);
    expect(first.stdout).toContain('No changes');
    const [file] = cachedFiles(home);
    expect(file).toBeDefined();
    const size = fs.statSync(file!).size;
    expect(size).toBeGreaterThan(100_000);

    fs.writeFileSync(file!, 'not a tarball');
    // Without the project's state cache, so the next plan starts a shadow (with it, it starts none).
    fs.rmSync(path.join(dir, '.schemaplan'), { recursive: true, force: true });
    const again = await run(dir, ['plan', 'x'], env);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('No changes');
    expect(fs.statSync(file!).size, "rebuilt: a data directory again, not the corrupt text").toBeGreaterThan(size / 2);
  });

  it('a syntax error is reported with file:line:column before any shadow starts; nothing is written or cached', async () => {
    const dir = copyExample();
    const home = cacheHome();
    const schema = path.join(dir, 'schema/schema.sql');
    const lines = fs.readFileSync(schema, 'utf8').split('\n').length;
    fs.appendFileSync(schema, '\nCREATE TABLE broken (id int,);\n');
    const before = fingerprint(dir);
    const r = await run(dir, ['plan', 'x'], { XDG_CACHE_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`schema/schema.sql:${lines + 1}:`);
    expect(fingerprint(dir)).toEqual(before);
    expect(cachedFiles(home)).toEqual([]);
  });
});
