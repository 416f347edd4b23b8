/**
 * A new enum value used as a default in the same plan: `ALTER TYPE … ADD VALUE` must be committed
 * before the value is used, so the plan splits into files. Each file's down section must undo that
 * file's up section only. `plan` proves the files before it writes them, `check` proves the history
 * round trip, and `up` then `down` on a real database restore the state and keep the rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { emptyFolder, query, run, sql } from './support.js';

describe('a new enum value used as a default', { timeout: 600_000 }, () => {
  it('is planned in files whose down sections each undo their own up section; check and down agree', async () => {
    const dir = emptyFolder('schemaplan-enum-default-');
    expect((await run(dir, ['init'])).code).toBe(0);
    const schemaFile = path.join(dir, 'schema/schema.sql');
    const base = fs.readFileSync(schemaFile, 'utf8');
    fs.writeFileSync(schemaFile, `${base}CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE people (id int PRIMARY KEY, m mood DEFAULT 'ok');\n`);
    const first = await run(dir, ['plan', 'people']);
    expect(first.code, first.all).toBe(0);

    const url = await createDatabase('enum_default');
    expect((await run(dir, ['up', '--url', url])).code).toBe(0);
    await sql(url, "INSERT INTO people VALUES (1, 'sad'), (2, DEFAULT)");

    fs.writeFileSync(schemaFile, `${base}CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nCREATE TABLE people (id int PRIMARY KEY, m mood DEFAULT 'happy');\n`);
    const second = await run(dir, ['plan', 'happy_default']);
    expect(second.code, second.all).toBe(0);
    const files = fs.readdirSync(path.join(dir, 'migrations')).filter((f) => f.endsWith('.sql'));
    expect(files.length, files.join(', ')).toBeGreaterThanOrEqual(2);

    const check = await run(dir, ['check']);
    expect(check.code, check.all).toBe(0);

    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    await sql(url, 'INSERT INTO people (id) VALUES (3)');
    expect(await query(url, 'SELECT id, m::text AS m FROM people ORDER BY id')).toEqual([{ id: 1, m: 'sad' }, { id: 2, m: 'ok' }, { id: 3, m: 'happy' }]);
    const again = await run(dir, ['plan', 'nothing', '--url', url]);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('No changes');

    // Down through the files of the second plan, newest first: the default goes back to 'ok'. The
    // enum value stays (PostgreSQL cannot drop one) or the down refuses to lose it; rows survive.
    await sql(url, 'DELETE FROM people WHERE id = 3');
    const down = await run(dir, ['down', String(files.length - 1), '--url', url]);
    expect(down.code, down.all).toBe(0);
    const dflt = await query<{ d: string }>(url, "SELECT pg_get_expr(adbin, adrelid) AS d FROM pg_attrdef WHERE adrelid = 'people'::regclass");
    expect(dflt).toEqual([{ d: "'ok'::mood" }]);
    expect(await query(url, 'SELECT id, m::text AS m FROM people ORDER BY id')).toEqual([{ id: 1, m: 'sad' }, { id: 2, m: 'ok' }]);
  });
});
