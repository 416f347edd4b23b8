/**
 * Plans a reviewer reads: the markdown rendering (pure), `plan --format`, and `schemaplan show` on a
 * copy of the worked example (CLI end to end, embedded PGlite shadow as a user would run it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlanDocument, renderDocument, renderMarkdown, type PlanDocument } from '../src/plan/document.js';
import { copyExample, filesIn, fingerprint, run } from './cli/support.js';

const DOC: PlanDocument = {
  version: '20261201000000',
  name: 'follow_ups',
  migrations: [
    { file: 'migrations/20261201000000_follow_ups.sql', checksum: 'sha256:aa', transactional: true },
    { file: 'migrations/20261201000001_follow_ups.sql', checksum: 'sha256:bb', transactional: false },
  ],
  from_fingerprint: '227dcf14aaa61d2b',
  to_fingerprint: '64d2c91ef75647f3',
  summary: { changes: 3, create: 2, alter: 1, replace: 0, drop: 0, comment: 0, blocked: 1, destructive: false, hazards: { index_build: 1 } },
  changes: [
    {
      kind: 'column', op: 'create', object: 'public.leads.region', description: 'add column public.leads.region (text)',
      sql: ['ALTER TABLE public.leads ADD COLUMN region text'], reverse: ['ALTER TABLE public.leads DROP COLUMN region'], lock: 'ACCESS EXCLUSIVE',
      hazards: [{ kind: 'blocks_writes', message: 'w' }, { kind: 'blocks_reads', message: 'r' }], transactional: true,
    },
    {
      kind: 'constraint', op: 'alter', object: 'public.leads.c', description: 'alter constraint public.leads.c CHECK (a | b)',
      sql: ["ALTER TABLE public.leads ADD CONSTRAINT c CHECK ((a OR b) AND c <> '```')"], reverse: [], lock: 'ACCESS EXCLUSIVE',
      hazards: [{ kind: 'validation_scan', message: 'checks every existing row while holding the lock' }], transactional: true,
    },
    {
      kind: 'index', op: 'create', object: 'public.leads_region_idx', description: 'create index public.leads_region_idx',
      sql: ['CREATE INDEX CONCURRENTLY leads_region_idx ON public.leads USING btree (region)'], reverse: ['DROP INDEX public.leads_region_idx'], lock: 'SHARE UPDATE EXCLUSIVE',
      hazards: [{ kind: 'non_transactional', message: 'cannot run inside a transaction block' }, { kind: 'index_build', message: 'builds an index while writes continue' }], transactional: false,
    },
  ],
  blocked: [{ object: 'public.leads.contact_email', description: 'drop column public.leads.contact_email', reason: 'drops column public.leads.contact_email and its data', allow_with: '--allow-destructive' }],
  possible_renames: [{ kind: 'column', from: 'public.leads.contact_email', to: 'public.leads.email', hint: '-- schemaplan:renamed-from contact_email' }],
  warnings: ['not modelled: view public.open_leads'],
};

describe('markdown for a pull request', () => {
  const md = renderMarkdown(DOC);
  const lines = md.split('\n');

  it('summary line, fingerprints, and a table row per change with lock and hazard badges', () => {
    expect(lines[0]).toBe('### schemaplan plan `20261201000000_follow_ups`');
    expect(md).toContain('**3 changes** (2 create, 1 alter) · **1 blocked** · 🔴 2 block reads and writes · no data loss');
    expect(md).toContain('Planned from catalog `227dcf14aaa61d2b` to `64d2c91ef75647f3`.');
    const rows = lines.filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toEqual([
      '| 1 | add column public.leads.region (text) | 🔴 `ACCESS EXCLUSIVE` | `blocks_reads` `blocks_writes` |',
      '| 2 | alter constraint public.leads.c CHECK (a \\| b) | 🔴 `ACCESS EXCLUSIVE` | `validation_scan` |',
      '| 3 | create index public.leads\\_region\\_idx | 🟢 `SHARE UPDATE EXCLUSIVE` | `index_build` `non_transactional` |',
    ]);
    // Four cells per row: an escaped pipe does not split a cell.
    for (const r of rows) expect(r.replace(/\\\|/g, '').match(/\|/g)).toHaveLength(5);
    expect(md).toContain('- 2. `validation_scan`: checks every existing row while holding the lock');
  });

  it('blocked changes with the exact command, possible renames with the exact hint, warnings, files', () => {
    expect(md).toContain('#### Blocked: not in this migration (1)');
    expect(md).toContain('| drop column public.leads.contact\\_email | drops column public.leads.contact\\_email and its data | `schemaplan plan follow_ups --allow-destructive` |');
    expect(md).toContain('| column public.leads.contact\\_email | column public.leads.email | `-- schemaplan:renamed-from contact_email` |');
    expect(md).toContain('- not modelled: view public.open\\_leads');
    expect(md).toContain('- `migrations/20261201000001_follow_ups.sql` (non-transactional: `transaction:false`)');
  });

  it('SQL in collapsed sections; a statement holding ``` gets a longer fence; HTML blocks are closed', () => {
    expect(md).toContain('<details><summary>Up SQL</summary>\n\n~~~~sql\n-- 1. add column public.leads.region (text)\nALTER TABLE public.leads ADD COLUMN region text;');
    expect(md).toContain("c <> '```');\n");
    expect(md).toContain('<details><summary>Reverse (what the down section undoes)</summary>\n\n```sql\nDROP INDEX public.leads_region_idx;\nALTER TABLE public.leads DROP COLUMN region;\n```');
    expect(md.match(/<details>/g)!.length).toBe(md.match(/<\/details>/g)!.length);
  });

  it('json and yaml carry the same data; a file that is not a plan is refused', () => {
    expect(JSON.parse(renderDocument(DOC, 'json'))).toEqual(DOC);
    expect(parsePlanDocument(renderDocument(DOC, 'yaml'), 'x.yaml')).toEqual(DOC);
    expect(() => parsePlanDocument('a: 1\n', 'plans/x.yaml')).toThrow(/plans\/x\.yaml: not a plan document \(missing from_fingerprint/);
  });
});

describe('plan --format and show', { timeout: 300_000 }, () => {
  it('a change mixing additive, index and blocked destructive parts: dry-run markdown, written json, show in every format', async () => {
    const dir = copyExample();
    const schema = path.join(dir, 'schema/schema.sql');
    let text = fs.readFileSync(schema, 'utf8');
    text = text.replace('    contact_email text,\n', '').replace('    ai_summarized_at timestamptz\n', '    ai_summarized_at timestamptz,\n    next_follow_up_at timestamptz\n');
    text += '\nCREATE INDEX leads_next_follow_up_idx ON leads (next_follow_up_at) WHERE next_follow_up_at IS NOT NULL;\n';
    fs.writeFileSync(schema, text);
    const before = fingerprint(dir);

    const dry = await run(dir, ['plan', 'follow_ups', '--dry-run', '--format', 'markdown']);
    expect(dry.code).toBe(0);
    expect(fingerprint(dir)).toEqual(before);
    expect(dry.stdout).toMatch(/^### schemaplan plan `follow_ups`\n\n\*\*2 changes\*\* \(2 create\) · \*\*1 blocked\*\* · 🔴 1 blocks reads and writes · no data loss\n/);
    expect(dry.stdout).toContain('| 1 | add column public.leads.next\\_follow\\_up\\_at (timestamp with time zone) | 🔴 `ACCESS EXCLUSIVE` | `blocks_reads` `blocks_writes` |');
    // The index on the existing table is built CONCURRENTLY in its own transaction:false file (online strategies).
    expect(dry.stdout).toContain('| 2 | create index public.leads\\_next\\_follow\\_up\\_idx (CONCURRENTLY) | 🟢 `SHARE UPDATE EXCLUSIVE` | `index_build` `non_transactional` |');
    expect(dry.stdout).toContain('| drop column public.leads.contact\\_email | drops column public.leads.contact\\_email and its data | `schemaplan plan follow_ups --allow-destructive` |');
    const from = /Planned from catalog `([0-9a-f]{16})` to `([0-9a-f]{16})`/.exec(dry.stdout)!;
    expect(from).not.toBeNull();

    const written = await run(dir, ['plan', 'follow_ups', '--format', 'json']);
    expect(written.code).toBe(0);
    expect(written.stderr).toMatch(/^wrote migrations\/\d{14}_follow_ups\.sql$/m);
    const doc = JSON.parse(written.stdout) as PlanDocument;
    expect(doc.from_fingerprint).toBe(from[1]);
    expect(doc.to_fingerprint).toBe(from[2]);
    expect(doc.changes.map((c) => [c.description, c.lock])).toEqual([
      ['add column public.leads.next_follow_up_at (timestamp with time zone)', 'ACCESS EXCLUSIVE'],
      ['create index public.leads_next_follow_up_idx (CONCURRENTLY)', 'SHARE UPDATE EXCLUSIVE'],
    ]);
    expect(doc.blocked.map((b) => b.allow_with)).toEqual(['--allow-destructive']);
    const version = doc.version!;
    const planFile = filesIn(dir, 'plans', '.yaml').find((f) => f.startsWith(version))!;

    const showJson = await run(dir, ['show', version, '--format', 'json']);
    expect(JSON.parse(showJson.stdout)).toEqual(doc);
    const showYaml = await run(dir, ['show', `${version}_follow_ups`, '--format', 'yaml']);
    expect(showYaml.stdout).toBe(fs.readFileSync(path.join(dir, 'plans', planFile), 'utf8'));
    const showMd = await run(dir, ['show', version]);
    expect(showMd.code).toBe(0);
    expect(showMd.stdout).toBe(renderMarkdown(doc));
    expect(showMd.stdout).toContain(`### schemaplan plan \`${version}_follow_ups\``);
    expect(showMd.stdout).toContain(`- \`migrations/${version}_follow_ups.sql\``);

    // The next plan starts from the catalog this one leads to: its recorded starting fingerprint is our to_fingerprint.
    const again = await run(dir, ['plan', 'again', '--format', 'json']);
    expect(again.code).toBe(3); // only the blocked drop is left
    expect(JSON.parse(again.stdout).from_fingerprint).toBe(doc.to_fingerprint);

    const missing = await run(dir, ['show', '19990101000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no plan for 19990101000000 in /);
    const badFormat = await run(dir, ['show', version, '--format', 'html']);
    expect(badFormat.code).toBe(1);
  });
});
