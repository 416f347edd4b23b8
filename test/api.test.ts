/**
 * The documented programmatic API: the `diff` example of docs/api.md and README.md runs as written
 * (against two databases of the test server), and the project entry points share the CLI's gates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkProject, diffSources, lintProject, loadConfig, upProject } from '../src/index.js';
import { createDatabase } from './support/db.js';
import { copyExample, REPO, runNode, sql } from './cli/support.js';

/** The first ```js block after the heading line starting with `heading` in a markdown file. */
function example(file: string, heading: string): string {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  const at = text.split('\n').findIndex((l) => l.startsWith(heading));
  expect(at, `${file}: no heading ${heading}`).toBeGreaterThanOrEqual(0);
  const rest = text.split('\n').slice(at).join('\n');
  const m = /```js\n([\s\S]*?)```/.exec(rest);
  expect(m, `${file}: no js example after ${heading}`).not.toBeNull();
  return m![1]!;
}

describe('programmatic API', { timeout: 300_000 }, () => {
  it('the diff example of docs/api.md and README.md runs as written between two databases', async () => {
    const from = await createDatabase('api_from');
    const to = await createDatabase('api_to');
    await sql(from, 'CREATE TABLE leads (id bigint PRIMARY KEY, email text)');
    await sql(to, 'CREATE TABLE leads (id bigint PRIMARY KEY, email text, region text); CREATE TABLE tags (id int PRIMARY KEY)');
    const index = pathToFileURL(path.join(REPO, 'dist/src/index.js')).href;
    for (const [file, heading] of [['docs/api.md', '## diff'], ['README.md', '### diff']] as const) {
      const code = example(file, heading);
      expect(code).toContain("from 'schemaplan'");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-api-'));
      try {
        fs.writeFileSync(path.join(dir, 'example.mjs'), code.replace("from 'schemaplan'", `from '${index}'`));
        const r = await runNode(dir, ['example.mjs'], { FROM_URL: from, TO_URL: to });
        expect(r.code, r.all).toBe(0);
        expect(r.stdout).toContain('ALTER TABLE public.leads ADD COLUMN region text;');
        expect(r.stdout).toContain('CREATE TABLE public.tags');
        expect(r.stdout).toMatch(/^3 change\(s\), 0 blocked$/m);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    // The same call in process: a destructive difference is blocked unless allowed.
    const back = await diffSources(loadConfig(REPO), to, from);
    expect(back.sql).toBe('');
    expect(back.plan.blocked.length).toBeGreaterThan(0);
    const allowed = await diffSources(loadConfig(REPO), to, from, { allowDestructive: true });
    expect(allowed.sql).toContain('DROP TABLE public.tags');
  });

  it('upProject passes the sum-file gate of `schemaplan up` before connecting; check and lint run on the project', async () => {
    const dir = copyExample();
    const config = loadConfig(dir);
    const file = path.join(dir, 'migrations', fs.readdirSync(path.join(dir, 'migrations')).find((f) => f.endsWith('.sql'))!);
    fs.appendFileSync(file, '\n-- an edit after the sum was written\n');
    // An unreachable URL: the gate refuses before any connection is tried.
    await expect(upProject(config, { url: 'postgres://nobody@127.0.0.1:1/none' })).rejects.toThrow(/schemaplan\.sum disagrees with the migration files/);
    await expect(upProject(config, { url: 'postgres://nobody@127.0.0.1:1/none', sumCheck: false })).rejects.not.toThrow(/schemaplan\.sum/);
    const problems = await checkProject(config, { skipDown: true });
    expect(problems.map((p) => p.kind)).toContain('sum');
    const lint = await lintProject(config);
    expect(lint.files.length).toBeGreaterThan(0);
  });
});
