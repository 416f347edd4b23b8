/**
 * End to end: `schemaplan diff` between two live databases, output formats, `--exit-code`, and
 * passwords never printed (also in connection errors).
 */
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { createDatabase, serverUrl } from '../support/db.js';
import { copyExample, run, sql, type RunResult, afterComparedLine } from './support.js';

const FROM = `
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text
);
CREATE TABLE notes (id int PRIMARY KEY, body text);
`;

const TO = `
CREATE TYPE tier AS ENUM ('free', 'pro');
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    email text UNIQUE,
    tier tier NOT NULL DEFAULT 'free'
);
COMMENT ON COLUMN customers.email IS 'Where invoices go.';
CREATE INDEX customers_name_idx ON customers (name);
CREATE TABLE notes (id int PRIMARY KEY, body text, customer_id bigint REFERENCES customers (id));
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    total numeric(12, 2) NOT NULL CHECK (total >= 0)
);
CREATE FUNCTION order_count(c bigint) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM orders WHERE customer_id = c $$;
`;

/** The password of a `postgres://user:pw@…` URL (decoded), if any. */
function passwordOf(url: string): string | undefined {
  const m = /^postgres(?:ql)?:\/\/[^:/@]*:([^@/]+)@/i.exec(url);
  return m ? decodeURIComponent(m[1]!) : undefined;
}

/** Replaces (or inserts) the password of a `postgres://user[:pw]@…` URL. */
function withPassword(url: string, pw: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*)(?::[^@/]*)?@/i, `$1:${encodeURIComponent(pw)}@`);
}

function expectNoSecret(r: RunResult, ...secrets: (string | undefined)[]): void {
  for (const s of secrets) {
    if (!s) continue;
    expect(r.all).not.toContain(s);
    expect(r.all).not.toContain(encodeURIComponent(s));
  }
}

describe('schemaplan diff between live databases', { timeout: 600_000 }, () => {
  it('prints up SQL that makes the first database match the second; json; --exit-code; no password in any output', async () => {
    const dir = copyExample();
    const a = await createDatabase('cli_from');
    const b = await createDatabase('cli_to');
    await sql(a, FROM);
    await sql(b, TO);
    const pw = passwordOf(a);

    const diff = await run(dir, ['diff', '--from', a, '--to', b]);
    expect(afterComparedLine(diff.stderr)).toBe('');
    expect(diff.stderr).not.toContain('Warning'); // e.g. a driver's (node:…) DeprecationWarning before the compared line
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('CREATE TABLE public.orders');
    expect(diff.stdout).toContain('ALTER TABLE public.customers ALTER COLUMN name SET NOT NULL');
    expectNoSecret(diff, pw);

    const differs = await run(dir, ['diff', '--from', a, '--to', b, '--exit-code']);
    expect(differs.code).toBe(2);
    expect(differs.stdout).toBe(diff.stdout);

    const json = await run(dir, ['diff', '--from', a, '--to', b, '--format', 'json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(Array.isArray(doc.changes)).toBe(true);
    expect(doc.changes.length).toBeGreaterThan(5);
    // The document formats plan the down side (reverses) and read hazards with PostgreSQL's parser.
    expect(doc.changes.some((c: { reverse: string[] }) => c.reverse.length > 0)).toBe(true);
    expect(doc.changes.some((c: { hazards: unknown[] }) => c.hazards.length > 0)).toBe(true);
    expectNoSecret(json, pw);
    for (const format of ['yaml', 'markdown']) {
      const r = await run(dir, ['diff', '--from', a, '--to', b, '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('orders');
      expectNoSecret(r, pw);
    }
    const badFormat = await run(dir, ['diff', '--from', a, '--to', b, '--format', 'xml']);
    expect(badFormat.code).toBe(1);

    // Apply the printed SQL to the first database: now there is nothing left to do, both ways.
    await sql(a, diff.stdout);
    const same = await run(dir, ['diff', '--from', a, '--to', b, '--exit-code']);
    expect(afterComparedLine(same.stderr)).toBe('');
    expect(same.stdout).toBe('');
    expect(same.code).toBe(0);
    const back = await run(dir, ['diff', '--from', b, '--to', a, '--exit-code']);
    expect(back.code).toBe(0);
  });

  it('destructive differences are blocked and reported, and --allow-destructive emits them', async () => {
    const dir = copyExample();
    const a = await createDatabase('cli_from');
    const b = await createDatabase('cli_to');
    await sql(a, FROM + 'CREATE TABLE gone (x int);');
    await sql(b, FROM);
    const blocked = await run(dir, ['diff', '--from', a, '--to', b, '--exit-code']);
    expect(blocked.code).toBe(2);
    expect(blocked.stdout).toBe('');
    expect(blocked.stderr).toMatch(/blocked: .*public\.gone/);
    const allowed = await run(dir, ['diff', '--from', a, '--to', b, '--allow-destructive']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('DROP TABLE public.gone');
    await sql(a, allowed.stdout);
    expect((await run(dir, ['diff', '--from', a, '--to', b, '--exit-code'])).code).toBe(0);
  });

  it('a wrong password or an unreachable host: exit 1, a message naming the redacted URL, never the password', async () => {
    const dir = copyExample();
    const good = await createDatabase('cli');
    const wrongPw = 'wrong-Secret-pw-42';
    const wrong = withPassword(good, wrongPw);
    // A server with trust authentication accepts any password; only then is the exit code not 1.
    const accepted = await connect(wrong).then(async (db) => (await db.close(), true), () => false);
    for (const args of [
      ['diff', '--from', wrong, '--to', good],
      ['diff', '--from', good, '--to', wrong, '--format', 'json'],
      ['status', '--url', wrong],
      ['up', `--url=${wrong}`],
    ]) {
      const r = await run(dir, args);
      expectNoSecret(r, wrongPw, passwordOf(good));
      if (!accepted) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^error: cannot connect to postgres:\/\/[^:]*:\*\*\*@/m);
      }
    }
    const hostPw = 'Unreachable-Secret-7';
    const unreachable = `postgres://someone:${hostPw}@127.0.0.1:1/app`;
    for (const args of [['diff', '--from', unreachable, '--to', good], ['status'], ['check', '--url', unreachable]]) {
      const r = await run(dir, args, { DATABASE_URL: unreachable });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('cannot connect to postgres://someone:***@127.0.0.1:1/app');
      expectNoSecret(r, hostPw);
    }
    // The same through the environment's DATABASE_URL with a wrong password.
    const envRun = await run(dir, ['status'], { DATABASE_URL: wrong });
    expectNoSecret(envRun, wrongPw);
    // The server's own password never shows either (e.g. in `plan --url` output).
    const plan = await run(dir, ['plan', '--url', serverUrl(), '--dry-run']);
    expectNoSecret(plan, passwordOf(serverUrl()));
  });
});
