/**
 * INVALID indexes, as a failed `CREATE INDEX CONCURRENTLY` leaves them: the catalog records them,
 * `diff` rebuilds one where a valid index with the same definition is wanted (DROP INDEX
 * CONCURRENTLY, then CREATE INDEX CONCURRENTLY), and `status` and `check --url` report them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { splitStatements, loadParser } from '../../src/sql/split.js';
import { createDatabase } from '../support/db.js';
import { emptyFolder, query, run, sql } from './support.js';

const TABLE = `CREATE TABLE public.members (id int PRIMARY KEY, email text NOT NULL);`;
const WANTED = `${TABLE} CREATE UNIQUE INDEX members_email_key ON public.members (email);`;

/** A database whose unique index on members.email was built CONCURRENTLY over duplicates, so it is INVALID. */
async function withInvalidIndex(): Promise<string> {
  const url = await createDatabase('invalid_idx');
  await sql(url, `${TABLE} INSERT INTO public.members SELECT g, 'm' || (g % 50) || '@example.com' FROM generate_series(1, 200) g;`);
  const db = await connect(url);
  try {
    await expect(db.exec('CREATE UNIQUE INDEX CONCURRENTLY members_email_key ON public.members (email)')).rejects.toThrow(/could not create unique index/);
  } finally {
    await db.close();
  }
  expect(await query(url, `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.members_email_key'::regclass`)).toEqual([{ valid: false }]);
  return url;
}

describe('INVALID indexes', { timeout: 120_000 }, () => {
  it('diff rebuilds an INVALID index concurrently; applied, the index is valid and re-planning is empty', async () => {
    const dir = emptyFolder('schemaplan-invalid-');
    const live = await withInvalidIndex();
    const wanted = await createDatabase('invalid_want');
    await sql(wanted, WANTED);
    const r = await run(dir, ['diff', '--from', live, '--to', wanted, '--format', 'json']);
    expect(r.code, r.all).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.changes.map((c: any) => [c.op, c.object, c.transactional])).toEqual([
      ['replace', 'public.members_email_key', false],
      ['replace', 'public.members_email_key', false],
    ]);
    expect(doc.changes.flatMap((c: any) => c.hazards.map((h: any) => h.kind))).toContain('non_transactional');

    // The duplicates that made the build fail are removed; the printed SQL then runs statement by statement.
    await sql(live, `DELETE FROM public.members WHERE id > 50`);
    const script = await run(dir, ['diff', '--from', live, '--to', wanted]);
    await loadParser();
    const db = await connect(live);
    try {
      for (const s of splitStatements(script.stdout)) await db.exec(s.sql);
    } finally {
      await db.close();
    }
    expect(await query(live, `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'public.members_email_key'::regclass`)).toEqual([{ valid: true }]);
    expect(await query(live, `SELECT count(*)::int AS n FROM public.members`)).toEqual([{ n: 50 }]);
    const again = await run(dir, ['diff', '--from', live, '--to', wanted]);
    expect(again.stdout).toBe('');
  });

  it('status and check --url name the INVALID index', async () => {
    const dir = emptyFolder('schemaplan-invalid-');
    fs.mkdirSync(path.join(dir, 'schema'));
    fs.mkdirSync(path.join(dir, 'migrations'));
    fs.writeFileSync(path.join(dir, 'schema/schema.sql'), WANTED);
    const live = await withInvalidIndex();
    const status = await run(dir, ['status', '--url', live]);
    expect(status.all).toMatch(/index public\.members_email_key on members is INVALID/);
    const check = await run(dir, ['check', '--url', live]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/check failed \[invalid_index\]: index public\.members_email_key on members is INVALID/);
  });
});
