/**
 * Command-line conventions, through the compiled CLI on a project `init` scaffolds (embedded PGlite,
 * no server): --version, one-line errors for unknown options and commands, exit codes in --help,
 * `--format json` of every command, `--format github|gitlab` of lint and check, `new` files filled in
 * without `hash`, check's drift legend, and `plan` outside a project.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, emptyFolder, REPO, run } from './support.js';

const DEV = 'pglite:.schemaplan/dev';
const COMMANDS = ['init', 'plan', 'diff', 'up', 'down', 'redo', 'status', 'check', 'new', 'hash', 'baseline', 'resolve', 'fresh', 'import', 'lint', 'show'];

describe('command-line conventions', { timeout: 600_000 }, () => {
  it('--version, one-line parse errors with the nearest match, exit codes in every --help, plan outside a project', async () => {
    const dir = emptyFolder('schemaplan-conv-');
    const version = await run(dir, ['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);

    // After a command, --version is the command's own option (baseline --version V), not schemaplan's.
    const baseline = await run(dir, ['baseline', '--version', '20260101000000']);
    expect(baseline.stdout).not.toContain(version.stdout.trim());
    expect(baseline.stderr).toMatch(/^error: no database/);

    const option = await run(dir, ['plan', '--formt', 'json']);
    expect(option.code).toBe(1);
    expect(option.stdout).toBe('');
    expect(option.stderr).toBe("error: unknown option '--formt' (did you mean --format?)\n");
    const command = await run(dir, ['stauts']);
    expect(command.code).toBe(1);
    expect(command.stderr).toBe("error: unknown command 'stauts' (did you mean status?)\n");

    for (const c of COMMANDS) {
      const help = await run(dir, [c, '--help']);
      expect(help.code, c).toBe(0);
      expect(help.stdout, c).toMatch(/\nExit codes:\n {2}0 {2}\S/);
    }
    expect((await run(dir, ['plan', '--help'])).stdout).toMatch(/^ {2}3 {2}only blocked/m);
    expect((await run(dir, ['diff', '--help'])).stdout).toMatch(/^ {2}2 {2}differences, with --exit-code/m);

    // Colour only on a terminal (util-linux `script` gives the command one), never with NO_COLOR.
    const onTerminal = (extra: NodeJS.ProcessEnv) => {
      const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...extra };
      if (!extra.NO_COLOR) delete env.NO_COLOR;
      return spawnSync('script', ['-qec', `'${process.execPath}' '${CLI}' stauts`, '/dev/null'], { cwd: dir, encoding: 'utf8', env });
    };
    const tty = onTerminal({});
    if (tty.error) console.log(`colour on a terminal not tested: ${tty.error.message}`);
    else {
      expect(tty.stdout).toContain('\x1b[1;31merror:\x1b[0m unknown command');
      const plain = onTerminal({ NO_COLOR: '1' });
      expect(plain.stdout).toContain('error: unknown command');
      expect(plain.stdout).not.toContain('\x1b[');
    }

    const outside = await run(dir, ['plan', 'x']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/is not a schemaplan project \(no schemaplan\.yaml, no schema\/\): run `schemaplan init`/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('init → plan → new filled in without hash → up; --format json everywhere; lint/check --format github|gitlab; the drift legend', async () => {
    const dir = emptyFolder('schemaplan-conv-');
    expect((await run(dir, ['init'])).code).toBe(0);
    fs.appendFileSync(path.join(dir, 'schema/schema.sql'), "CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);\nCOMMENT ON TABLE items IS 'things';\n");
    const plan = await run(dir, ['plan', 'first', '--format', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).changes.length).toBeGreaterThan(0);

    // A hand-written migration from the template, filled in: up takes it without `schemaplan hash`.
    const made = await run(dir, ['new', 'name_index', '--format', 'json']);
    expect(made.code).toBe(0);
    const file = JSON.parse(made.stdout).file as string;
    expect(fs.readFileSync(path.join(dir, 'migrations/schemaplan.sum'), 'utf8')).toContain(`${path.basename(file)} unrecorded\n`);
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    fs.writeFileSync(path.join(dir, file), text
      .replace('-- migrate:up\n', '-- migrate:up\nCREATE INDEX items_name_idx ON items (name);\n')
      .replace('-- migrate:down\n', '-- migrate:down\nDROP INDEX items_name_idx;\n'));
    const indexLine = fs.readFileSync(path.join(dir, file), 'utf8').split('\n').indexOf('CREATE INDEX items_name_idx ON items (name);') + 1;
    const schemaFile = path.join(dir, 'schema/schema.sql');
    fs.appendFileSync(schemaFile, 'CREATE INDEX items_name_idx ON items (name);\n');

    const up = await run(dir, ['up', '--url', DEV, '--format', 'json']);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ ok: true, command: 'up' });
    expect(JSON.parse(up.stdout).applied).toHaveLength(2);
    const status = await run(dir, ['status', '--url', DEV, '--format', 'json', '--exit-code']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).clean).toBe(true);

    // The non-concurrent CREATE INDEX on a table an earlier migration created: a lint error, located.
    const gh = await run(dir, ['lint', '--format', 'github']);
    expect(gh.code).toBe(1);
    expect(gh.stdout).toMatch(new RegExp(`^::error file=${file.replace(/[.]/g, '\\.')},line=${indexLine},col=1,title=schemaplan require-concurrent-index::CREATE INDEX on existing table public\\.items`, 'm'));
    const gl = await run(dir, ['lint', '--format', 'gitlab']);
    expect(gl.code).toBe(1);
    expect(JSON.parse(gl.stdout)).toEqual([expect.objectContaining({ check_name: 'require-concurrent-index', severity: 'major', location: { path: file, lines: { begin: indexLine } } })]);
    expect(JSON.parse((await run(dir, ['lint', '--format', 'json'])).stdout).errors).toBe(1);

    const checkGh = await run(dir, ['check', '--format', 'github']);
    expect(checkGh.code).toBe(1);
    expect(checkGh.stdout).toMatch(new RegExp(`^::error file=${file.replace(/[.]/g, '\\.')},line=${indexLine},col=1,title=schemaplan require-concurrent-index::CREATE INDEX`, 'm'));
    expect(checkGh.stdout.split('\n').every((l) => l === '' || l.startsWith('::error '))).toBe(true);
    const checkJson = await run(dir, ['check', '--format', 'json']);
    expect(checkJson.code).toBe(1);
    const report = JSON.parse(checkJson.stdout);
    expect(report).toMatchObject({ ok: false, command: 'check' });
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'lint', rule: 'require-concurrent-index', file, line: indexLine, column: 1 })]);
    expect(JSON.parse((await run(dir, ['check', '--format', 'gitlab'])).stdout)[0].location.path).toBe(file);

    fs.writeFileSync(schemaFile, fs.readFileSync(schemaFile, 'utf8').replace('CREATE INDEX items_name_idx ON items (name);\n', 'CREATE TABLE extra (id int);\n'));
    const diff = await run(dir, ['diff', '--from', DEV, '--to', 'schema/', '--format', 'json']);
    expect(diff.code, diff.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(diff.stdout).changes)).toContain('public.extra');
    const down = await run(dir, ['down', '--url', DEV, '--format', 'json']);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ ok: true, command: 'down' });
    expect(JSON.parse(down.stdout).reverted).toHaveLength(1);

    // schema/ has a table more and lacks the history's index: the legend says which side is which.
    fs.writeFileSync(path.join(dir, file), '-- schemaplan:disable require-concurrent-index\n' + fs.readFileSync(path.join(dir, file), 'utf8'));
    const drift = await run(dir, ['check']);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('+ is in schema/ but not in the history, - is in the history but not in schema/');
    expect(drift.stderr).toContain('edit schema/ to match it');
    expect(drift.stderr).toMatch(/^ {4}\+ .*public\.extra/m);
    expect(drift.stderr).toMatch(/^ {4}- .*items_name_idx/m);
  });
});
