/**
 * `schemaplan lint` and lint inside `schemaplan check`, end to end on a copy of the worked example
 * (compiled CLI, embedded PGlite shadow for check).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, run } from '../cli/support.js';

/** The worked example's last file: the AI summaries index, built CONCURRENTLY on the existing table leads. */
const INDEX_FILE = 'migrations/' + fs.readdirSync(path.resolve(__dirname, '../../migrations')).filter((f) => f.endsWith('.sql')).sort().at(-1)!;

describe('schemaplan lint', { timeout: 300_000 }, () => {
  it('the worked example lints clean; the same index built without CONCURRENTLY is an error; start_after and explicit files', async () => {
    const dir = copyExample();
    const ok = await run(dir, ['lint']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^lint: 0 error\(s\), 0 warning\(s\) in 4 file\(s\)$/m);
    const json = JSON.parse((await run(dir, ['lint', '--format', 'json'])).stdout);
    expect([json.errors, json.warnings, json.files.length]).toEqual([0, 0, 4]);
    expect((await run(dir, ['lint', '--rules'])).stdout).toMatch(/^require-concurrent-index +error +/m);

    // Undo the online form by hand: a plain CREATE INDEX on the existing table leads, in a transaction.
    const file = path.join(dir, INDEX_FILE);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('-- migrate:up transaction:false', '-- migrate:up').replace('CREATE INDEX CONCURRENTLY', 'CREATE INDEX'));
    const bad = await run(dir, ['lint']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`^${INDEX_FILE}:\\d+:1: error \\[require-concurrent-index\\] CREATE INDEX on existing table public\\.leads without CONCURRENTLY`, 'm'));
    expect(bad.stdout).toMatch(/^ {4}fix: use CREATE INDEX CONCURRENTLY in its own file marked `-- migrate:up transaction:false`/m);
    // Per-file disable turns it off.
    fs.writeFileSync(file, '-- schemaplan:disable require-concurrent-index\n' + fs.readFileSync(file, 'utf8'));
    expect((await run(dir, ['lint'])).code).toBe(0);

    // Explicit files are linted whatever start_after says; start_after skips older files in the default run.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('-- schemaplan:disable require-concurrent-index\n', ''));
    const cfg = path.join(dir, 'schemaplan.yaml');
    fs.appendFileSync(cfg, `lint:\n  start_after: "${INDEX_FILE.slice('migrations/'.length, 'migrations/'.length + 14)}"\n`);
    expect((await run(dir, ['lint'])).stdout).toMatch(/^lint: 0 error\(s\), 0 warning\(s\) in 0 file\(s\)$/m);
    expect((await run(dir, ['lint', INDEX_FILE])).code).toBe(1);
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
