/**
 * A schema folder is loaded in file-name order, and a statement that fails because something it
 * uses does not exist yet is retried after the other files: a folder whose files only load in
 * reverse name order plans, applies and converges; a genuine error is still reported at
 * file:line:column. Through the CLI, default settings, real PostgreSQL 15.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../support/db.js';
import { filesIn, run } from './support.js';

/** A fresh project (`init`) whose schema/ holds exactly `files`. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-load-'));
  expect((await run(dir, ['init'])).code).toBe(0);
  fs.rmSync(path.join(dir, 'schema/schema.sql'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'schema', name)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'schema', name), text);
  }
  return dir;
}

// Each file needs the ones named after it.
const REVERSED = {
  'a_views.sql': 'CREATE VIEW app.open_orders AS\n  SELECT id, total FROM app.orders WHERE state = \'open\';\n',
  'b_functions.sql': 'CREATE FUNCTION app.order_total(o app.orders) RETURNS numeric LANGUAGE sql STABLE\n  AS $$ SELECT o.total $$;\n',
  'c_tables/orders.sql': 'CREATE TABLE app.orders (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  state app.order_state NOT NULL,\n  total numeric NOT NULL\n);\nCREATE INDEX orders_state_idx ON app.orders (state);\n',
  'd_types.sql': 'CREATE TYPE app.order_state AS ENUM (\'open\', \'closed\');\n',
  'e_schema.sql': 'CREATE SCHEMA app;\n',
};

describe('loading a schema folder', { timeout: 600_000 }, () => {
  it('files that only load in reverse name order: plan writes the migration, up applies it, the database converges', async () => {
    const dir = await project(REVERSED);
    const plan = await run(dir, ['plan', 'orders']);
    expect(plan.code, plan.all).toBe(0);
    expect(filesIn(dir, 'migrations', '.sql')).toHaveLength(1);
    const url = await createDatabase('load');
    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    const same = await run(dir, ['diff', '--from', url, '--to', 'schema', '--exit-code', '--schema', 'app']);
    expect(same.code, same.all).toBe(0);
    expect((await run(dir, ['check'])).code).toBe(0);
  });

  it('a statement that never succeeds is reported at its file:line:column, also after retries', async () => {
    const dir = await project({
      ...REVERSED,
      'b_functions.sql': REVERSED['b_functions.sql'] + '\nCREATE VIEW app.broken AS\n  SELECT id,\n    no_such_column FROM app.orders;\n',
    });
    const plan = await run(dir, ['plan', 'broken']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/^error: schema\/b_functions\.sql:6:5: column "no_such_column" does not exist/m);
    expect(filesIn(dir, 'migrations', '.sql')).toEqual([]);

    const missing = await project({ ...REVERSED, 'f_index.sql': '-- an index on a table no file creates\n\nCREATE INDEX missing_idx ON app.missing (id);\n' });
    const r = await run(missing, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: schema\/f_index\.sql:3:\d+: relation "app\.missing" does not exist/m);
  });
});
