/**
 * Least-privilege roles, as on a managed database: an application role that owns its database but
 * may not CREATE DATABASE runs `up`, `plan --url` and `check --url` on the worked example — the
 * shadow falls back to an embedded PostgreSQL of the server's major, and each command says so in one
 * line; and a role with nothing but CONNECT and USAGE can `diff` the database. No password is ever
 * printed. Real PostgreSQL 15.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../support/db.js';
import { withDatabase } from '../../src/db/shadow.js';
import { copyExample, run, sql, tables } from './support.js';

/** `url` with another user and password (the server, database and parameters kept). */
function asRole(url: string, user: string, password: string): string {
  const m = /^(postgres(?:ql)?:\/\/)(?:[^@/?#]*@)?(.*)$/i.exec(url);
  if (!m) throw new Error('not a postgres:// URL');
  return `${m[1]}${user}:${encodeURIComponent(password)}@${m[2]}`;
}

const tag = randomBytes(4).toString('hex');
const databases: string[] = [];
const roles: string[] = [];
afterAll(async () => {
  for (const d of databases) await sql(serverUrl(), `DROP DATABASE IF EXISTS ${d} WITH (FORCE)`).catch(() => undefined);
  for (const r of roles) await sql(serverUrl(), `DROP ROLE IF EXISTS ${r}`).catch(() => undefined);
});

describe('roles without CREATEDB', { timeout: 600_000 }, () => {
  it('the owner of its database: up, plan --url and check --url work and name the shadow they used; a CONNECT+USAGE role can diff', async () => {
    const admin = serverUrl();
    const app = `app_${tag}`;
    const password = `Pw-${tag}-not-to-be-printed`;
    const dbName = `owned_${tag}`;
    await sql(admin, `CREATE ROLE ${app} LOGIN NOCREATEDB NOCREATEROLE PASSWORD '${password}'`);
    roles.push(app);
    await sql(admin, `CREATE DATABASE ${dbName} OWNER ${app} TEMPLATE template0 ENCODING 'UTF8'`);
    databases.push(dbName);
    const url = asRole(withDatabase(admin, dbName), app, password);
    const dir = copyExample();
    const noPassword = (text: string) => {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
    };

    const up = await run(dir, ['up', '--url', url]);
    expect(up.code, up.all).toBe(0);
    noPassword(up.all);
    expect(await tables(url)).toEqual(expect.arrayContaining(['interactions', 'leads', 'users']));

    const shadowLine = /^shadow: an embedded PostgreSQL 15 \(the role may not CREATE DATABASE on postgres:\/\/[^\n]*\)$/m;
    const plan = await run(dir, ['plan', 'nothing', '--url', url]);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stdout).toContain('No changes');
    expect(plan.stderr).toMatch(shadowLine);
    expect(plan.stderr.match(/^shadow: /gm)).toHaveLength(1);
    expect(plan.stderr).toMatch(/loaded in an embedded PostgreSQL 15/); // the compared line names it too
    noPassword(plan.all);

    const check = await run(dir, ['check', '--url', url]);
    expect(check.code, check.all).toBe(0);
    expect(check.stdout).toContain('check: clean');
    expect(check.stderr).toMatch(shadowLine);
    expect(check.stderr).toMatch(/the history \(\d+ migrations\) replayed in an embedded PostgreSQL 15/);
    noPassword(check.all);

    // A change planned against the database through the fallback shadow applies, and the database
    // then plans to nothing: the embedded shadow and the live server agree.
    const desired = `${dir}/schema/schema.sql`;
    const { appendFileSync } = await import('node:fs');
    appendFileSync(desired, '\nCREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL);\n');
    const next = await run(dir, ['plan', 'add_notes', '--url', url]);
    expect(next.code, next.all).toBe(0);
    expect((await run(dir, ['up', '--url', url])).code).toBe(0);
    expect(await tables(url)).toContain('notes');
    const again = await run(dir, ['plan', 'nothing', '--url', url]);
    expect(again.code, again.all).toBe(0);
    expect(again.stdout).toContain('No changes');

    // Objects in superuser-only catalogs (a user mapping) must not stop a reader's introspection.
    await sql(withDatabase(admin, dbName), `CREATE FOREIGN DATA WRAPPER fdw_${tag}; CREATE SERVER srv_${tag} FOREIGN DATA WRAPPER fdw_${tag};
      CREATE USER MAPPING FOR PUBLIC SERVER srv_${tag}`);
    const reader = `reader_${tag}`;
    await sql(admin, `CREATE ROLE ${reader} LOGIN NOCREATEDB PASSWORD '${password}'`);
    roles.push(reader);
    await sql(withDatabase(admin, dbName), `REVOKE ALL ON DATABASE ${dbName} FROM PUBLIC; GRANT CONNECT ON DATABASE ${dbName} TO ${reader}; GRANT USAGE ON SCHEMA public TO ${reader}`);
    const readerUrl = asRole(withDatabase(admin, dbName), reader, password);
    const same = await run(dir, ['diff', '--from', readerUrl, '--to', readerUrl, '--exit-code']);
    expect(same.code, same.all).toBe(0);
    noPassword(same.all);
    // What the reader sees is the database: against what the owner sees, only ownership differs
    // (owners are recorded relative to the reading role).
    const json = await run(dir, ['diff', '--from', readerUrl, '--to', url, '--format', 'json']);
    expect(json.code, json.all).toBe(0);
    noPassword(json.all);
    const doc = JSON.parse(json.stdout) as { changes: { description: string }[] };
    expect(doc.changes.map((c) => c.description).filter((d) => !/owner/i.test(d))).toEqual([]);
  });

  it('an extension the shadow lacks is named with the remedy; with a configured database URL the work moves to temporary databases on its server', async () => {
    const dir = copyExample();
    const { cpSync, appendFileSync } = await import('node:fs');
    cpSync(`${dir}/schema`, `${dir}/with_dblink`, { recursive: true });
    // dblink ships with PostgreSQL's contrib (the test server has it) but not with PGlite.
    appendFileSync(`${dir}/with_dblink/schema.sql`, '\nCREATE EXTENSION dblink;\n');
    const missing = await run(dir, ['diff', '--from', 'schema', '--to', 'with_dblink']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: with_dblink\/schema\.sql:\d+:\d+: extension "dblink" is not available/m);
    expect(missing.stderr).toContain('the shadow (PGlite (PostgreSQL 18, in process)) has no extension "dblink"');
    expect(missing.stderr).toContain('`shadow: postgres://…`');
    expect(missing.stderr).toContain('`plan --url`');

    const moved = await run(dir, ['diff', '--from', 'schema', '--to', 'with_dblink'], { DATABASE_URL: serverUrl() });
    expect(moved.code, moved.all).toBe(0);
    expect(moved.stderr).toMatch(/^shadow: temporary databases on postgres:\/\/[^\n]* \(PGlite \(PostgreSQL 18, in process\) has no extension "dblink"\)$/m);
    expect(moved.stderr.match(/^shadow: /gm)).toHaveLength(1); // the --from side goes there directly
    expect(moved.stdout).toMatch(/CREATE EXTENSION[^\n]*dblink/);
  });
});
