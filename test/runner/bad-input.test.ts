/**
 * The bad-input suite: each case runs the compiled CLI on a broken project, database or command line
 * and requires a clear one-paragraph error (one `error: …` line on stderr), exit code 1, and nothing
 * written — the project's files are byte-identical and every table of the database (tracking table
 * included) has the same columns and rows as before. The cases are counted in the last test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { loadHistory } from '../../src/migrations/index.js';
import { up } from '../../src/runner/index.js';
import { createDatabase, serverUrl } from '../support/db.js';
import { fingerprint } from '../cli/support.js';
import { cli, leaks, mig, outputs, project, query, secret, sql } from './support.js';

const table = { schema: 'public', name: 'schema_migrations' };
const A = { '20260101000000_a.sql': mig('CREATE TABLE a (id int);', 'DROP TABLE a;') };

interface Ctx {
  dir: string;
  url: string;
}

interface Case {
  name: string;
  files?: Record<string, string | Buffer>;
  /** Extra schemaplan.yaml lines (a function: evaluated inside the test, e.g. for the server URL). */
  yaml?: string | (() => string);
  /** Prepares the database (and project) before the command; what it writes is the "before" state. */
  setup?: (c: Ctx) => Promise<void>;
  args: (c: Ctx) => string[];
  env?: (c: Ctx) => Record<string, string | undefined>;
  /** The error paragraph (after `error: `). */
  message: RegExp;
}

/** Applies the project's history (or up to `to`) with the library, as a previous run would have. */
async function applied(c: Ctx, to?: string): Promise<void> {
  const db = await connect(c.url);
  try {
    await up(db, loadHistory(path.join(c.dir, 'migrations'), { root: c.dir }), { table, ...(to ? { to } : {}) });
  } finally {
    await db.close();
  }
}

/** Every user table of the database with its columns and rows, as comparable text. */
async function snapshot(url: string): Promise<string> {
  const tables = await query<{ t: string }>(url, `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'i', 'S') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1`);
  const out: string[] = [];
  for (const { t } of tables) {
    const [kind] = await query<{ k: string }>(url, 'SELECT relkind::text AS k FROM pg_class WHERE oid = $1::regclass', [t]);
    if (kind!.k !== 'r') {
      out.push(`${t} ${kind!.k}`);
      continue;
    }
    const cols = await query<{ c: string }>(url, `SELECT string_agg(attname, ',' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, [t]);
    const rows = await query<{ r: string }>(url, `SELECT coalesce(string_agg(x::text, ';' ORDER BY x::text), '') AS r FROM ${t} x`);
    out.push(`${t}(${cols[0]!.c}): ${rows[0]!.r}`);
  }
  return out.join('\n');
}

/** The test database URL with another user, password or database (the server URL has an empty host: Unix socket in ?host=). */
function variant(url: string, v: { user?: string; password?: string; db?: string }): string {
  const m = /^postgres:\/\/([^:]+):([^@]*)@\/([^?]*)(\?.*)$/.exec(url)!;
  return `postgres://${v.user ?? m[1]}:${encodeURIComponent(v.password ?? decodeURIComponent(m[2]!))}@/${v.db ?? m[3]}${m[4]}`;
}

const CASES: Case[] = [
  { name: 'malformed file name (no version)', files: { ...A, 'create_users.sql': 'SELECT 1;\n' }, args: (c) => ['up', '--url', c.url],
    message: /^migrations\/create_users\.sql: the name must start with the version digits; expected YYYYMMDDHHMMSS_lower_snake_description\.sql/ },
  { name: 'malformed file name (description)', files: { '20260101000000_add users!.sql': mig('SELECT 1;', 'SELECT 1;') }, args: (c) => ['status', '--url', c.url],
    message: /^migrations\/20260101000000_add users!\.sql: the description may only contain letters, digits, "_" and "-"/ },
  { name: 'missing up section', files: { ...A, '20260102000000_b.sql': '-- migrate:down\nDROP TABLE b;\n' }, args: (c) => ['up', '--url', c.url],
    message: /^migrations\/20260102000000_b\.sql:1: has a down marker but no up section/ },
  { name: 'duplicate versions', files: { ...A, '20260101000000_again.sql': mig('SELECT 1;', 'SELECT 1;') }, args: (c) => ['up', '--url', c.url],
    message: /^duplicate migration version 20260101000000: migrations\/20260101000000_a\.sql and migrations\/20260101000000_again\.sql; give one of them a new version/ },
  { name: 'duplicate versions written differently (001 and 1)', files: { '001_a.sql': 'SELECT 1;\n', '1_b.sql': 'SELECT 1;\n' }, args: (c) => ['up', '--url', c.url],
    message: /^duplicate migration version 1: migrations\/001_a\.sql and migrations\/1_b\.sql/ },
  { name: 'tampered applied file', files: { ...A, '20260102000000_b.sql': mig('CREATE TABLE b (id int);', 'DROP TABLE b;') },
    setup: async (c) => {
      await applied(c, '20260101000000');
      fs.appendFileSync(path.join(c.dir, 'migrations/20260101000000_a.sql'), 'ALTER TABLE a ADD COLUMN sneaky int;\n');
    },
    args: (c) => ['up', '--url', c.url],
    message: /^1 applied migration file\(s\) changed after they were applied: migrations\/20260101000000_a\.sql \(recorded [0-9a-f]{12}…, file now [0-9a-f]{12}…\)\. Edits to applied migrations never run/ },
  { name: 'unreachable host (connection refused)', files: A, args: () => ['up', '--url', `postgres://app:${secret('unreach-pw-1')}@127.0.0.1:1/app`],
    message: /^cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: connection refused \(127\.0\.0\.1:1\): no PostgreSQL server is listening there\./ },
  { name: 'unknown host', files: A, args: () => ['up', '--url', `postgres://app:${secret('unreach-pw-2')}@no-such-host.invalid/app`],
    message: /^cannot connect to postgres:\/\/app:\*\*\*@no-such-host\.invalid\/app: the host name "no-such-host\.invalid" could not be resolved/ },
  { name: 'wrong password', files: A, args: (c) => ['up', '--url', variant(c.url, { password: secret('wrong-pw-0815') })],
    message: /^cannot connect to postgres:\/\/postgres:\*\*\*@\/\w+\?host=.*: password authentication failed for user "postgres" \(SQLSTATE 28P01\)\. Check the password/ },
  { name: 'missing database', files: A, args: (c) => ['up', '--url', variant(c.url, { db: 'no_such_db' })],
    message: /^cannot connect to postgres:\/\/postgres:\*\*\*@\/no_such_db\?host=.*: database "no_such_db" does not exist \(SQLSTATE 3D000\)\. Create the database first/ },
  { name: 'read-only user (cannot create the tracking table)', files: A,
    setup: async (c) => {
      await sql(c.url, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sp_readonly') THEN CREATE ROLE sp_readonly LOGIN PASSWORD '${secret('ro-Secret-99')}'; END IF; END $$;`);
    },
    args: (c) => ['up', '--url', variant(c.url, { user: 'sp_readonly', password: 'ro-Secret-99' })],
    message: /^cannot create or adopt the tracking table public\.schema_migrations: permission denied for schema public \(SQLSTATE 42501\)\. The role needs CREATE on the schema .* Nothing was changed\.$/ },
  { name: 'read-only user (tracking table exists, the migration is refused)', files: { ...A, '20260102000000_b.sql': mig('CREATE TABLE b (id int);', 'DROP TABLE b;') },
    setup: async (c) => {
      await sql(c.url, `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sp_readonly') THEN CREATE ROLE sp_readonly LOGIN PASSWORD '${secret('ro-Secret-99')}'; END IF; END $$;`);
      await applied(c, '20260101000000');
      await sql(c.url, 'GRANT SELECT, INSERT, UPDATE, DELETE ON schema_migrations TO sp_readonly');
    },
    args: (c) => ['up', '--url', variant(c.url, { user: 'sp_readonly', password: 'ro-Secret-99' })],
    message: /^migrations\/20260102000000_b\.sql:2:14: applying migration 20260102000000 failed: permission denied for schema public \(SQLSTATE 42501\) in statement 1 of 1 "CREATE TABLE b \(id int\)"\. It was rolled back and not recorded in public\.schema_migrations/ },
  { name: 'schema.sql is not UTF-8 (plan)', files: A, yaml: () => `shadow: '${serverUrl(15)}'\n`, // a server shadow: ≈1 s instead of PGlite's start-up
    setup: async (c) => fs.writeFileSync(path.join(c.dir, 'schema/schema.sql'), Buffer.from([0x43, 0x52, 0x45, 0x41, 0x54, 0x45, 0x20, 0xe9, 0x0a])),
    args: () => ['plan', 'x'], message: /schema\/schema\.sql.*(UTF-8|utf-8)/ },
  { name: 'migration file is not UTF-8', files: { ...A, '20260102000000_latin1.sql': Buffer.from('-- migrate:up\nCOMMENT ON TABLE a IS \'caf\xe9\';\n-- migrate:down\n', 'latin1') },
    args: (c) => ['up', '--url', c.url], message: /^migrations\/20260102000000_latin1\.sql:2: the file is not valid UTF-8 text \(first bad byte on line 2\); re-save it as UTF-8$/ },
  { name: 'markers of two formats in one file', files: { '20260101000000_a.sql': '-- migrate:up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n' }, args: (c) => ['up', '--url', c.url],
    message: /^migrations\/20260101000000_a\.sql:3: mixes dbmate markers \(line 1\) with goose markers; use one style per file$/ },
  { name: 'misspelt marker', files: { '20260101000000_a.sql': '-- migrate: up\nCREATE TABLE a (id int);\n-- migrate: down\nDROP TABLE a;\n' }, args: (c) => ['up', '--url', c.url],
    message: /^migrations\/20260101000000_a\.sql:1: "-- migrate: up" looks like a section marker but is not one/ },
  { name: 'SQL syntax error in a pending migration', files: { ...A, '20260102000000_b.sql': mig('CREATE TABLE b (id int);\nCREAT TABLE c (id int);', 'SELECT 1;') },
    args: (c) => ['up', '--url', c.url], message: /^migrations\/20260102000000_b\.sql:3:1: applying migration 20260102000000 failed: syntax error at or near "CREAT" \(SQLSTATE 42601\)\. Nothing was run\.$/ },
  { name: 'a statement fails in a transactional migration', files: { ...A, '20260102000000_b.sql': mig('CREATE TABLE b (id int);\nINSERT INTO b VALUES (1 / 0);', 'DROP TABLE b;') },
    setup: (c) => applied(c, '20260101000000'),
    args: (c) => ['up', '--url', c.url],
    message: /^migrations\/20260102000000_b\.sql:3:\d+: applying migration 20260102000000 failed: division by zero \(SQLSTATE 22012\) in statement 2 of 2 "INSERT INTO b VALUES \(1 \/ 0\)"\. It was rolled back and not recorded/ },
  { name: 'transaction control inside a transactional file', files: { '20260101000000_a.sql': mig('CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);', 'SELECT 1;') },
    args: (c) => ['up', '--url', c.url], message: /^migrations\/20260101000000_a\.sql:3:1: "COMMIT" controls the transaction, but the runner runs this section in its own transaction/ },
  { name: 'goose StatementBegin without StatementEnd', files: { '00001_f.sql': '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n-- +goose Down\nDROP FUNCTION f();\n' },
    args: (c) => ['up', '--url', c.url], message: /^migrations\/00001_f\.sql:2: "-- \+goose StatementBegin" is not closed by "-- \+goose StatementEnd" before the next section$/ },
  { name: 'goose ENVSUB ON', files: { '00001_f.sql': '-- +goose ENVSUB ON\n-- +goose Up\nCREATE TABLE ${T} (id int);\n' },
    args: (c) => ['up', '--url', c.url], message: /^migrations\/00001_f\.sql:1: "-- \+goose ENVSUB ON" substitutes environment variables/ },
  { name: '--to names no migration', files: A, args: (c) => ['up', '--url', c.url, '--to', '20990101000000'],
    message: /^--to 20990101000000: no migration file has this version$/ },
  { name: 'down of a migration with an empty down section', files: { '20260101000000_a.sql': mig('CREATE TABLE a (id int);', '') },
    setup: (c) => applied(c), args: (c) => ['down', '--url', c.url],
    message: /^migrations\/20260101000000_a\.sql: cannot revert migration 20260101000000: its down section is empty/ },
  { name: 'invalid --lock-timeout', files: A, args: (c) => ['up', '--url', c.url, '--lock-timeout', 'soon'],
    message: /^lock_timeout = 'soon': invalid value for parameter "lock_timeout": "soon" \(SQLSTATE 22023\); use PostgreSQL interval text/ },
  { name: 'invalid --lock-wait', files: A, args: (c) => ['up', '--url', c.url, '--lock-wait', 'forever'],
    message: /^--lock-wait "forever": expected a duration such as 500ms, 5s or 2min$/ },
  { name: 'pending file older than the newest applied (out of order)',
    files: { ...A, '20260103000000_c.sql': mig('CREATE TABLE c (id int);', 'DROP TABLE c;') },
    setup: async (c) => {
      await applied(c);
      fs.writeFileSync(path.join(c.dir, 'migrations/20260102000000_b.sql'), mig('CREATE TABLE b (id int);', 'DROP TABLE b;'));
    },
    args: (c) => ['up', '--url', c.url],
    message: /^1 pending migration\(s\) are older than the newest applied migration 20260103000000: migrations\/20260102000000_b\.sql\. .*--allow-out-of-order/ },
  { name: 'a failed transaction:false migration is recorded', files: { ...A, '20260102000000_i.sql': mig('CREATE INDEX CONCURRENTLY a_x ON a (x);', 'SELECT 1;', ' transaction:false') },
    setup: (c) => applied(c).catch(() => undefined),
    args: (c) => ['up', '--url', c.url],
    message: /^migrations\/20260102000000_i\.sql: migration 20260102000000 is recorded as failed at statement 1 in public\.schema_migrations \(up failed at statement 1 of 1 .*column "x" does not exist.*schemaplan resolve 20260102000000/ },
  { name: 'schemaplan.yaml is not valid YAML', files: A, yaml: 'schemas: [public\n', args: (c) => ['up', '--url', c.url],
    message: /^schemaplan\.yaml: .*(Flow sequence|flow collection|Missing)/ },
  { name: 'unknown --format', files: A, args: (c) => ['up', '--url', c.url, '--format', 'xml'], message: /^unknown --format xml: use text or json$/ },
  { name: 'fresh without --yes', files: A, args: (c) => ['fresh', '--url', c.url],
    message: /^fresh drops every schema of postgres:\/\/postgres:\*\*\*@\/\w+\?host=\S+ \(all tables and data\) .* Re-run with --yes to confirm/ },
  { name: 'fresh on a database marked production', files: A, yaml: 'database:\n  production: true\n', args: (c) => ['fresh', '--yes', '--url', c.url],
    message: /^fresh refuses to run: schemaplan\.yaml marks this project's database as production/ },
  { name: 'resolve without --applied or --rolled-back', files: A, args: (c) => ['resolve', '20260101000000', '--url', c.url],
    message: /^resolve needs exactly one of --applied or --rolled-back$/ },
  { name: 'resolve --rolled-back of a migration that did not fail', files: A, setup: (c) => applied(c), args: (c) => ['resolve', '20260101000000', '--rolled-back', '--url', c.url],
    message: /^migration 20260101000000 is applied and did not fail; "resolve --rolled-back" only settles a failed migration — use "schemaplan down"/ },
  { name: 'baseline at an unknown version', files: A, args: (c) => ['baseline', '--version', '20250101000000', '--url', c.url],
    message: /^--version 20250101000000: no migration file has this version$/ },
  { name: 'unknown sslmode', files: A, args: (c) => ['up', '--url', `${c.url}&sslmode=maybe`], message: /^unknown sslmode "maybe": use one of disable, allow, prefer, require, verify-ca, verify-full$/ },
  { name: 'import --from goose of a -- UP/-- DOWN history', files: { '20260101000000_a.sql': '-- UP\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n' },
    args: () => ['import', '--from', 'goose'], message: /^migrations\/20260101000000_a\.sql:1: is a updown file, not goose; import each history with its own --from/ },
  { name: 'the migration lock is held by another session', files: A,
    setup: async () => undefined, // the holder is opened in the test body (see below)
    args: (c) => ['up', '--url', c.url, '--lock-wait', '300ms'],
    message: /^could not take the migration lock of public\.schema_migrations on postgres:\/\/postgres:\*\*\*@\/\w+\?\S+ within 300 ms: another migration run is in progress \(backend pid \d+ \(application "deploy-7", role postgres, client on the local socket, connected since \S+Z[^()]*\)\)\. Wait for it to finish/ },
  { name: 'the configured history table is not a history table', files: A, yaml: 'table: public.users\n',
    setup: (c) => sql(c.url, 'CREATE TABLE users (id int)'), args: (c) => ['up', '--url', c.url],
    message: /^public\.users exists but has neither a "version" column, goose's "version_id"\/"is_applied", nor a text "id" \(<version>_<name>\) with a "checksum", so it is not a migration history table/ },
  { name: 'no database configured', files: A, args: () => ['status'], env: () => ({ PGHOST: undefined, PGDATABASE: undefined, PGUSER: undefined }),
    message: /^no database: pass --url, set DATABASE_URL, set database\.url in schemaplan\.yaml, or set the libpq variables PGHOST\/PGDATABASE\/PGUSER/ },
  { name: 'schemaplan.sum disagrees with the files (a merge conflict resolved by hand)', files: A,
    setup: async (c) => {
      const sum = path.join(c.dir, 'migrations/schemaplan.sum');
      const { writeSum } = await import('../../src/migrations/index.js');
      writeSum(path.join(c.dir, 'migrations'));
      fs.writeFileSync(path.join(c.dir, 'migrations/20260102000000_theirs.sql'), mig('CREATE TABLE theirs (id int);', 'DROP TABLE theirs;'));
      fs.appendFileSync(sum, '<<<<<<< HEAD\n=======\n20260102000000_theirs.sql h1:abc\n>>>>>>> branch\n');
    },
    args: (c) => ['up', '--url', c.url],
    message: /^migrations\/schemaplan\.sum disagrees with the migration files: schemaplan\.sum:3: malformed line "<<<<<<< HEAD" .*nothing was run\. Review the change, then run "schemaplan hash" to accept it, or pass --no-sum-check\.$/ },
  { name: 'down with a count that is not a number', files: A, args: (c) => ['down', 'two', '--url', c.url], message: /^down takes a number of migrations, got "two"$/ },
];

describe('bad input: a clear one-paragraph error, exit 1, nothing written', { timeout: 300_000 }, () => {
  let ran = 0;
  for (const k of CASES) {
    it(k.name, async () => {
      const dir = project(k.files ?? {}, typeof k.yaml === 'function' ? k.yaml() : k.yaml ?? '');
      const url = await createDatabase('bad');
      const c = { dir, url };
      await k.setup?.(c);
      let holder: Awaited<ReturnType<typeof connect>> | undefined;
      if (k.name.startsWith('the migration lock is held')) {
        holder = await connect(url, { applicationName: 'deploy-7' });
        const { acquireMigrationLock } = await import('../../src/runner/index.js');
        await acquireMigrationLock(holder, table);
      }
      try {
        const files = fingerprint(dir, ['.']);
        const db = await snapshot(url);
        const r = await cli(dir, k.args(c), k.env?.(c) ?? {});
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^error: [^\n]+\n$/); // one paragraph: a single error line, nothing else
        expect(r.stderr.slice('error: '.length).trimEnd()).toMatch(k.message);
        expect(r.stdout).not.toMatch(/^(applied|reverted|recorded|created|adopted|wrote) /m);
        expect(fingerprint(dir, ['.'])).toEqual(files);
        expect(await snapshot(url)).toBe(db);
        ran++;
      } finally {
        await holder?.close();
      }
    });
  }

  it(`counts the cases (${CASES.length}) and finds no password in any output`, () => {
    expect(ran).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(41);
    expect(outputs.length).toBe(CASES.length);
    expect(leaks()).toEqual([]);
  });
});
