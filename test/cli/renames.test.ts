/**
 * The rename hint's acceptance criteria, end to end on a copy of the worked example: a rename hint on a
 * column with data keeps the data (rows counted, values compared after up and after down), the
 * generated file passes lint and check; without the hint the plan names the possible rename with
 * the exact hint to write. Planned both from the history (shadow) and from a live database (--url).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { columns, copyExample, filesIn, query, run, sql, afterComparedLine, fingerprint } from './support.js';

const SCHEMA = 'schema/schema.sql';
const HINTED = '    email text, -- schemaplan:renamed-from contact_email\n';

function edit(dir: string, line: string): void {
  const file = path.join(dir, SCHEMA);
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain('    contact_email text,\n');
  fs.writeFileSync(file, text.replace('    contact_email text,\n', line));
}

/** A database at the head of the example's history, with 1 000 leads that have contact e-mails. */
async function seeded(dir: string): Promise<string> {
  const url = await createDatabase('ren');
  const up = await run(dir, ['up', '--url', url]);
  expect(up.code, up.all).toBe(0);
  await sql(url, `INSERT INTO leads (company, contact_email, score)
    SELECT 'Company ' || g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'contact' || g || '@example.com' END, g % 101
    FROM generate_series(1, 1000) g`);
  return url;
}

const snapshot = (url: string, column: string) => query<{ id: string; e: string | null }>(url, `SELECT id, ${column} AS e FROM leads ORDER BY id`);

describe('a rename hint in schema.sql, through plan / lint / check / up / down', { timeout: 600_000 }, () => {
  it('keeps every row and value of the renamed column, planned from the history', async () => {
    const dir = copyExample();
    const url = await seeded(dir);
    const before = await snapshot(url, 'contact_email');
    expect(before).toHaveLength(1000);
    edit(dir, HINTED);

    const plan = await run(dir, ['plan', 'rename_contact_email']);
    expect(plan.code, plan.all).toBe(0);
    expect(afterComparedLine(plan.stderr)).toBe('');
    const [file] = filesIn(dir, 'migrations', '.sql').filter((f) => f.endsWith('_rename_contact_email.sql'));
    const text = fs.readFileSync(path.join(dir, 'migrations', file!), 'utf8');
    expect(text).toContain('ALTER TABLE public.leads RENAME COLUMN contact_email TO email;\n-- migrate:down\nALTER TABLE public.leads RENAME COLUMN email TO contact_email;');
    expect(text).not.toMatch(/DROP COLUMN|ADD COLUMN|DESTRUCTIVE/);
    expect(text).toMatch(/^-- schemaplan:disable renaming$/m);
    const doc = fs.readFileSync(path.join(dir, 'plans', file!.replace(/\.sql$/, '.yaml')), 'utf8');
    expect(doc).toContain('op: rename');
    expect(doc).toContain('lock: ACCESS EXCLUSIVE');

    const lint = await run(dir, ['lint']);
    expect(lint.code, lint.all).toBe(0);
    const check = await run(dir, ['check']);
    expect(check.code, check.all).toBe(0);

    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    expect(await columns(url, 'leads')).toContain('email');
    expect(await columns(url, 'leads')).not.toContain('contact_email');
    expect(await snapshot(url, 'email')).toEqual(before);
    // Planning again: the hint is spent.
    const again = await run(dir, ['plan', 'again', '--url', url]);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('No changes');

    const down = await run(dir, ['down', '--url', url]);
    expect(down.code, down.all).toBe(0);
    expect(await snapshot(url, 'contact_email')).toEqual(before);
  });

  it('planned against the live database (--url): the live state is renamed in a shadow copy, never in place', async () => {
    const dir = copyExample();
    const url = await seeded(dir);
    const before = await snapshot(url, 'contact_email');
    edit(dir, HINTED);
    const plan = await run(dir, ['plan', 'rename_contact_email', '--url', url]);
    expect(plan.code, plan.all).toBe(0);
    expect(await columns(url, 'leads')).toContain('contact_email'); // planning changed nothing
    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    expect(await snapshot(url, 'email')).toEqual(before);
  });

  it('without the hint, plan decides nothing: it exits 3, writes nothing, and names the hint to write, then the --allow-destructive alternative', async () => {
    const dir = copyExample();
    edit(dir, '    email text,\n');
    const before = fingerprint(dir);
    const written = await run(dir, ['plan', 'rename_contact_email']);
    expect(written.code, written.all).toBe(3);
    expect(fingerprint(dir)).toEqual(before);
    const advice = written.stderr.split('\n').find((l) => l.startsWith('possible rename:'))!;
    expect(advice).toContain('column public.leads.contact_email → public.leads.email');
    expect(advice.indexOf('-- schemaplan:renamed-from contact_email')).toBeLessThan(advice.indexOf('--allow-destructive'));
    const plan = await run(dir, ['plan', 'rename_contact_email', '--dry-run', '--format', 'markdown']);
    expect(plan.code, plan.all).toBe(3);
    expect(plan.stdout).toContain('#### Possible renames (1)');
    expect(plan.stdout).toContain('| column public.leads.contact\\_email | column public.leads.email | `-- schemaplan:renamed-from contact_email` |');
    expect(plan.stdout).toContain('#### Blocked: not in this migration (1)');
    expect(plan.stderr).toContain('blocked: drop column public.leads.contact_email');
  });

  it('diff --from A --to B: the hints of the --to files rename the --from state', async () => {
    const dir = copyExample();
    fs.writeFileSync(path.join(dir, 'a.sql'), 'CREATE TABLE t (id int PRIMARY KEY, mail text);\nCREATE INDEX t_mail_idx ON t (mail);\n');
    fs.writeFileSync(path.join(dir, 'b.sql'), 'CREATE TABLE t (\n  id int PRIMARY KEY,\n  email text -- schemaplan:renamed-from mail\n);\nCREATE INDEX t_email_idx ON t (email);\n');
    const r = await run(dir, ['diff', '--from', 'a.sql', '--to', 'b.sql']);
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toBe('ALTER TABLE public.t RENAME COLUMN mail TO email;\nALTER INDEX public.t_mail_idx RENAME TO t_email_idx;\n');
  });

  it('a misplaced hint names schema.sql:line:column and writes nothing', async () => {
    const dir = copyExample();
    const file = path.join(dir, SCHEMA);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.replace("COMMENT ON TABLE leads IS 'Potential customers.';", "-- schemaplan:renamed-from prospects\nCOMMENT ON TABLE leads IS 'Potential customers.';"));
    const line = fs.readFileSync(file, 'utf8').split('\n').indexOf('-- schemaplan:renamed-from prospects') + 1;
    const before = filesIn(dir, 'migrations', '.sql');
    const plan = await run(dir, ['plan', 'x']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`schema/schema.sql:${line}:1: schemaplan:renamed-from is not placed on an object it can rename`);
    expect(filesIn(dir, 'migrations', '.sql')).toEqual(before);
    // check (CI) reports it too.
    const check = await run(dir, ['check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`schema/schema.sql:${line}:1: schemaplan:renamed-from is not placed on an object it can rename`);
  });
});
