/**
 * End to end: a password planted in a user mapping, a server option and a subscription's connection
 * string never appears in anything schemaplan prints or writes — `diff` in every format, both ways,
 * and `plan` writing its migration and plan files — while the objects themselves are created,
 * compared (secrets by presence) and converge.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DROP_SUBSCRIPTIONS } from '../../src/db/shadow.js';
import { createDatabase } from '../support/db.js';
import { run, sql, type RunResult } from './support.js';

const SECRET = 'plantedSecret-9f3a';

const OBJECTS = `
CREATE EXTENSION postgres_fdw;
CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'remote.invalid', dbname 'app');
CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'app', password '${SECRET}');
CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (user 'reader', password '${SECRET}');
CREATE FOREIGN TABLE remote_orders (id int OPTIONS (column_name 'order_id'), amount numeric) SERVER remote OPTIONS (table_name 'orders');
CREATE TABLE orders (id int PRIMARY KEY, amount numeric);
CREATE PUBLICATION orders_pub FOR TABLE orders (id, amount) WHERE (amount > 0::numeric);
CREATE SUBSCRIPTION from_app CONNECTION 'host=publisher.invalid dbname=app user=replicator password=${SECRET}' PUBLICATION app_pub WITH (connect = false);
CREATE SUBSCRIPTION from_uri CONNECTION 'postgresql://replicator:${SECRET}@publisher.invalid/app?sslpassword=${SECRET}' PUBLICATION app_pub WITH (connect = false, slot_name = NONE);
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A project folder with an empty history and `schema/schema.sql` holding `schema`. */
function project(schema: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-secrets-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), 'schema: schema\nmigrations: migrations\nplans: plans\n');
  for (const d of ['schema', 'migrations', 'plans']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'schema/schema.sql'), schema);
  return dir;
}

function expectNoSecret(r: RunResult, what: string): void {
  expect(r.all, what).not.toContain(SECRET);
  expect(r.all, what).not.toContain(encodeURIComponent(SECRET));
}

/** Every file under `dir`'s migrations/ and plans/, with its text. */
function written(dir: string): [string, string][] {
  return ['migrations', 'plans'].flatMap((d) => fs.readdirSync(path.join(dir, d)).map((f): [string, string] => [`${d}/${f}`, fs.readFileSync(path.join(dir, d, f), 'utf8')]));
}

describe('secrets never leave the database', { timeout: 600_000 }, () => {
  it('diff in every format, both ways: no secret printed; the SQL converges with placeholders and says to set the secrets out of band', async () => {
    const dir = project('');
    const a = await createDatabase('sec_a');
    const b = await createDatabase('sec_b');
    try {
      await diffBothWays(dir, a, b);
    } finally {
      // Subscriptions keep a database from being dropped ("DROP DATABASE").
      for (const url of [a, b]) await sql(url, DROP_SUBSCRIPTIONS);
    }
  });

  /** The checks of the test above: A empty, B holding OBJECTS. */
  async function diffBothWays(dir: string, a: string, b: string): Promise<void> {
    await sql(b, OBJECTS);

    const up = await run(dir, ['diff', '--from', a, '--to', b]);
    expectNoSecret(up, 'diff --format sql');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS ("user" 'app', password '<redacted: set out of band>')`);
    expect(up.stdout).toContain('WITH (connect = false, slot_name = ');
    expect(up.stdout).toContain('CREATE PUBLICATION orders_pub FOR TABLE public.orders (id, amount) WHERE');
    expect(up.stderr).toMatch(/option password is a secret and is generated as a placeholder; set the real value out of band: ALTER USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS \(SET password '…'\)/);
    expect(up.stderr).toMatch(/subscription from_app: its connection string is generated with its secrets as placeholders/);
    for (const format of ['json', 'yaml', 'markdown']) {
      const r = await run(dir, ['diff', '--from', a, '--to', b, '--format', format]);
      expectNoSecret(r, `diff --format ${format}`);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('remote_orders');
    }
    for (const format of ['sql', 'json', 'yaml', 'markdown']) {
      const r = await run(dir, ['diff', '--from', b, '--to', a, '--allow-destructive', '--format', format]);
      expectNoSecret(r, `diff back --format ${format}`);
      expect(r.code).toBe(0);
    }

    // The printed SQL creates everything; secrets compare by presence, so nothing is left to do.
    await sql(a, up.stdout);
    const same = await run(dir, ['diff', '--from', a, '--to', b, '--exit-code']);
    expectNoSecret(same, 'diff after applying');
    expect(same.stdout).toBe('');
    expect(same.code).toBe(0);
  }

  it('plan writes migration and plan files without the secret, in every format', async () => {
    const dir = project(OBJECTS);
    const url = await createDatabase('sec_live');
    for (const format of ['markdown', 'json', 'yaml']) {
      const dry = await run(dir, ['plan', 'remote', '--url', url, '--dry-run', '--format', format]);
      expectNoSecret(dry, `plan --dry-run --format ${format}`);
      expect(dry.code).toBe(0);
    }
    const plan = await run(dir, ['plan', 'remote', '--url', url]);
    expectNoSecret(plan, 'plan');
    expect(plan.code).toBe(0);
    const files = written(dir);
    expect(files.map(([f]) => f).some((f) => f.endsWith('_remote.sql'))).toBe(true);
    expect(files.map(([f]) => f).some((f) => f.endsWith('_remote.yaml'))).toBe(true);
    for (const [file, text] of files) {
      expect(text, file).not.toContain(SECRET);
      expect(text, file).not.toContain(encodeURIComponent(SECRET));
    }
    const sqlFile = files.find(([f]) => f.endsWith('_remote.sql'))![1];
    expect(sqlFile).toContain('CREATE SUBSCRIPTION from_app CONNECTION ');
    expect(sqlFile).toContain("password=''<redacted: set out of band>''");
    const planFile = files.find(([f]) => f.endsWith('_remote.yaml'))![1];
    expect(planFile).toContain('set the real value out of band');
    for (const format of ['markdown', 'json', 'yaml']) {
      const version = files.find(([f]) => f.endsWith('_remote.yaml'))![0].slice('plans/'.length, 'plans/'.length + 14);
      const shown = await run(dir, ['show', version, '--format', format]);
      expectNoSecret(shown, `show --format ${format}`);
    }
  });

  it('a failing statement that sets a secret is quoted without it', async () => {
    const dir = project('');
    fs.writeFileSync(path.join(dir, 'migrations/20260101000000_mapping.sql'), [
      '-- Migration: 20260101000000_mapping', '-- migrate:up',
      `CREATE USER MAPPING FOR PUBLIC SERVER nosuch OPTIONS (user 'u', password '${SECRET}');`,
      '-- migrate:down', 'DROP USER MAPPING FOR PUBLIC SERVER nosuch;', '',
    ].join('\n'));
    const url = await createDatabase('sec_up');
    for (const extra of [[], ['--format', 'json']]) {
      const up = await run(dir, ['up', '--url', url, ...extra]);
      expect(up.code).toBe(1);
      expect(up.all).toContain('server "nosuch" does not exist');
      expectNoSecret(up, `up ${extra.join(' ')}`);
    }
  });
});
