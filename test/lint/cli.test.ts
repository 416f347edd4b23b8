/**
 * `schemaplan lint` and lint inside `schemaplan check`, end to end on a copy of the worked example
 * (compiled CLI, embedded PGlite shadow for check).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, run } from '../cli/support.js';

const THIRD = 'migrations/20261121075700_add_ai_summary_columns.sql';

describe('schemaplan lint', { timeout: 300_000 }, () => {
  it('the worked example: the two online rules it breaks are warnings by its schemaplan.yaml; without that, errors and exit 1', async () => {
    const dir = copyExample();
    const ok = await run(dir, ['lint']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${THIRD}:4:1: warning [require-lock-timeout] takes ACCESS EXCLUSIVE on public.leads with no lock_timeout set`);
    expect(ok.stdout).toContain(`${THIRD}:10:1: warning [require-concurrent-index] CREATE INDEX on existing table public.leads without CONCURRENTLY`);
    expect(ok.stdout).toMatch(/^ {4}fix: use CREATE INDEX CONCURRENTLY in its own file marked `-- migrate:up transaction:false`/m);
    expect(ok.stdout).toMatch(/^lint: 0 error\(s\), 2 warning\(s\) in 3 file\(s\)$/m);
    expect((await run(dir, ['lint', '--strict'])).code).toBe(1);
    const json = JSON.parse((await run(dir, ['lint', '--format', 'json'])).stdout);
    expect([json.errors, json.warnings, json.files.length]).toEqual([0, 2, 3]);
    expect((await run(dir, ['lint', '--rules'])).stdout).toMatch(/^require-lock-timeout +warning +the file takes ACCESS EXCLUSIVE/m);

    const cfg = path.join(dir, 'schemaplan.yaml');
    fs.writeFileSync(cfg, fs.readFileSync(cfg, 'utf8').replace(/\nlint:\n.*\n/, '\n'));
    const strict = await run(dir, ['lint']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^lint: 2 error\(s\), 0 warning\(s\) in 3 file\(s\)$/m);
    // Explicit files are linted whatever start_after says; start_after skips older files in the default run.
    fs.appendFileSync(cfg, 'lint:\n  start_after: "20261121075700"\n');
    expect((await run(dir, ['lint'])).stdout).toMatch(/^lint: 0 error\(s\), 0 warning\(s\) in 0 file\(s\)$/m);
    expect((await run(dir, ['lint', THIRD])).code).toBe(1);
  });

  it('a hand-written migration that loses data without a -- DESTRUCTIVE: header fails lint and check with file:line:column; the header fixes both', async () => {
    const dir = copyExample();
    const file = path.join(dir, 'migrations/20270101000000_purge_notes.sql');
    const body = '-- migrate:up\nDELETE FROM interactions WHERE kind = \'note\';\n-- migrate:down\n';
    fs.writeFileSync(file, '-- Feature: purge old notes\n' + body);
    expect((await run(dir, ['hash'])).code).toBe(0);

    const lint = await run(dir, ['lint', 'migrations/20270101000000_purge_notes.sql']);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('migrations/20270101000000_purge_notes.sql:3:1: error [destructive-header] deletes the matching rows, but the file has no "-- DESTRUCTIVE:" header');
    const check = await run(dir, ['check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('check failed [lint]: migrations/20270101000000_purge_notes.sql:3:1: [destructive-header]');
    expect(check.stderr).toMatch(/^ {4}fix: if the loss is intended, add a first line `-- DESTRUCTIVE: <what is lost>`/m);
    expect(check.stderr).not.toContain('[drift]');

    fs.writeFileSync(file, '-- DESTRUCTIVE: deletes notes\n-- Feature: purge old notes\n' + body);
    expect((await run(dir, ['hash'])).code).toBe(0);
    expect((await run(dir, ['lint', 'migrations/20270101000000_purge_notes.sql'])).code).toBe(0);
    const clean = await run(dir, ['check']);
    expect(clean.all).toContain('check: clean');
    expect(clean.code).toBe(0);
  });
});
