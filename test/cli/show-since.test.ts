/**
 * `schemaplan show --since <ref>`: one pull-request body for what a branch adds, in a real git
 * repository made from a copy of the worked example (no network). Also: action.yml parses and
 * runs `check` and `show --since`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { copyExample, exampleVersions, filesIn, REPO, run } from './support.js';

/** Runs git in `cwd` with a fixed identity and no user or system configuration. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd, encoding: 'utf8',
    env: {
      ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

function edit(dir: string, from: string, to: string): void {
  const file = path.join(dir, 'schema/schema.sql');
  const before = fs.readFileSync(file, 'utf8');
  const after = before.replace(from, to);
  expect(after).not.toBe(before);
  fs.writeFileSync(file, after);
}

describe('show --since <ref>', { timeout: 600_000 }, () => {
  it('lists the plans (and hand-written files) the branch adds, and nothing from the base history', async () => {
    const dir = copyExample();
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'base');
    const base = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '-b', 'feature');

    edit(dir, '    ai_summarized_at timestamptz\n', '    ai_summarized_at timestamptz,\n    region text\n');
    const first = await run(dir, ['plan', 'add_region']);
    expect(first.code, first.all).toBe(0);
    edit(dir, 'CREATE INDEX interactions_lead_id_occurred_at_idx', 'CREATE TABLE tags (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    label text NOT NULL\n);\n\nCREATE INDEX interactions_lead_id_occurred_at_idx');
    const second = await run(dir, ['plan', 'add_tags']);
    expect(second.code, second.all).toBe(0);
    const made = await run(dir, ['new', 'backfill_region']);
    expect(made.code, made.all).toBe(0);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'feature');

    const plans = filesIn(dir, 'plans', '.yaml').map((f) => f.replace(/\.yaml$/, ''));
    const region = plans.find((p) => p.endsWith('_add_region'))!;
    const tags = plans.find((p) => p.endsWith('_add_tags'))!;
    const handWritten = filesIn(dir, 'migrations', '.sql').find((f) => f.endsWith('_backfill_region.sql'))!;
    expect(region && tags && handWritten).toBeTruthy();

    const shown = await run(dir, ['show', '--since', base, '--format', 'markdown']);
    expect(shown.code, shown.all).toBe(0);
    const body = shown.stdout;
    expect(body.startsWith('<!-- schemaplan -->\n')).toBe(true);
    expect(body).toContain(`### schemaplan plan \`${region}\``);
    expect(body).toContain(`### schemaplan plan \`${tags}\``);
    expect(body.indexOf(region)).toBeLessThan(body.indexOf(tags));
    expect(body).toContain('add column public.leads.region');
    expect(body).toContain('create table public.tags');
    expect(body).toContain(`\`migrations/${handWritten}\``);
    expect(body).toContain('### Lint of the added files');
    for (const v of exampleVersions()) expect(body).not.toContain(v);
    expect(body).not.toContain('create_users_and_leads');

    const json = await run(dir, ['show', '--since', base, '--format', 'json']);
    expect(json.code, json.all).toBe(0);
    const data = JSON.parse(json.stdout);
    expect(data.since).toBe(base);
    expect(data.plans.map((p: any) => `${p.document.version}_${p.document.name}`)).toEqual([region, tags]);
    expect(data.handWritten.map((h: any) => h.file)).toEqual([`migrations/${handWritten}`]);
    expect(data.added.every((f: string) => !exampleVersions().some((v) => f.includes(v)))).toBe(true);

    // --check adds check's verdict to the same body (and its exit code).
    const checked = await run(dir, ['show', '--since', base, '--check']);
    expect(checked.stdout).toContain('### schemaplan check');
    expect(checked.stdout).toContain(`### schemaplan plan \`${region}\``);
    expect(checked.code).toBe(checked.stdout.includes('check: clean') ? 0 : 1);

    // show <version> keeps working; an unknown ref is one error line.
    const one = await run(dir, ['show', region]);
    expect(one.code, one.all).toBe(0);
    expect(one.stdout).toContain(`### schemaplan plan \`${region}\``);
    const bad = await run(dir, ['show', '--since', 'no-such-ref']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: git diff no-such-ref\.\.\.HEAD failed/m);
    // Since HEAD: nothing added.
    const none = await run(dir, ['show', '--since', 'HEAD']);
    expect(none.stdout).toContain('No migrations added.');
  });

  it('action.yml parses and runs check and show --since', () => {
    const action = YAML.parse(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8'));
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['github-token', 'working-directory', 'base-ref']));
    const scripts = action.runs.steps.map((s: any) => String(s.run ?? '') + String(s.with?.script ?? '')).join('\n');
    expect(scripts).toMatch(/"\$SCHEMAPLAN_BIN" check --format github/);
    expect(scripts).toMatch(/show --since/);
    expect(scripts).toContain('<!-- schemaplan -->');
  });
});
