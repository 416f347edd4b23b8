/**
 * Pure parts of the connection layer and the progress display: libpq-style client options (sslmode,
 * password sources, timeouts), URL redaction, and what a terminal and a pipe are shown.
 */
import { describe, expect, it } from 'vitest';
import { clientPlan, databaseLabel, databaseTarget, describeConnectError, ENV_TARGET, targetLabel } from '../../src/db/options.js';
import { redactText, redactUrl, rememberedSecrets } from '../../src/db/redact.js';
import { createProgress } from '../../src/runner/progress.js';

describe('libpq-style client options', () => {
  it('maps sslmode like libpq (ignored on Unix sockets, prefer falls back to plain) and bounds connecting', () => {
    const env = {};
    expect(clientPlan('postgres://u@db.example/app', { env })).toMatchObject({ sslmode: 'prefer', config: { ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 10_000 }, plainFallback: { ssl: false } });
    expect(clientPlan('postgres://u@db.example/app?sslmode=disable', { env }).config.ssl).toBe(false);
    expect(clientPlan('postgres://u@db.example/app?sslmode=require', { env }).config.ssl).toEqual({ rejectUnauthorized: false });
    expect(clientPlan('postgres://u@db.example/app?sslmode=verify-full', { env }).config.ssl).toEqual({});
    expect(clientPlan('postgres://u@db.example/app?connect_timeout=3', { env }).config.connectionTimeoutMillis).toBe(3000);
    expect(clientPlan('postgres://u@/app?host=/run/pg&sslmode=require', { env })).toMatchObject({ config: { ssl: false } });
    expect(clientPlan('postgres://u@db.example/app', { env: { PGSSLMODE: 'require' } }).sslmode).toBe('require');
    expect(() => clientPlan('postgres://u@h/app?sslmode=on', { env })).toThrow(/^unknown sslmode "on"/);
    expect(clientPlan('postgres://u@h/app', { env, applicationName: 'schemaplan up' }).config.application_name).toBe('schemaplan up');
    expect(clientPlan('postgres://u@h/app?application_name=deploy', { env, applicationName: 'schemaplan up' }).config.application_name).toBe('deploy');
  });

  it('takes the password from the URL, else PGPASSWORD, registering it for redaction', async () => {
    const fromUrl = clientPlan('postgres://u:url%20pw@h/app', { env: { PGPASSWORD: 'env-pw' } });
    expect(await (fromUrl.config.password as unknown as (p: object) => Promise<string>)({})).toBe('url pw');
    const fromEnv = clientPlan('postgres://u@h/app', { env: { PGPASSWORD: 'env-pw-123' } });
    expect(await (fromEnv.config.password as unknown as (p: object) => Promise<string>)({})).toBe('env-pw-123');
    expect(rememberedSecrets()).toEqual(expect.arrayContaining(['url pw', 'url%20pw', 'env-pw-123']));
  });

  it('uses the PG* environment without a URL, and labels it without secrets', () => {
    expect(databaseTarget(undefined, { PGDATABASE: 'app' })).toBe(ENV_TARGET);
    expect(() => databaseTarget(undefined, {})).toThrow(/^no database: /);
    expect(targetLabel(ENV_TARGET, { PGHOST: 'db', PGUSER: 'app', PGPASSWORD: 'x' })).toBe('the libpq environment (PGHOST=db PGUSER=app)');
    expect(describeConnectError({ code: 'ECONNREFUSED', address: '10.0.0.1', port: 5432 }, 'L')).toBe('cannot connect to L: connection refused (10.0.0.1:5432): no PostgreSQL server is listening there. Check the host and port, and that the server is running.');
  });

  it('names a target for a status line by its database, never with the password', () => {
    expect(databaseLabel('postgres://app:s3cret@db.example:5432/orders?sslmode=require')).toBe('orders');
    expect(databaseLabel('postgres://app:s3cret@/my%20db?host=%2Ftmp%2Fsock&port=5433')).toBe('my db');
    expect(databaseLabel(ENV_TARGET, { PGHOST: 'db', PGPASSWORD: 'x' })).toBe('the libpq environment (PGHOST=db)');
    expect(databaseLabel('postgres://app:s3cret@db.example')).not.toContain('s3cret');
  });

  it('redacts passwords from URLs, also malformed ones, and from free text', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/prod')).toBe('postgres://app:***@db:5432/prod');
    expect(redactUrl('postgresql://app@db/prod?sslmode=require&password=s3cret')).toBe('postgresql://app@db/prod?sslmode=require&password=***');
    expect(redactUrl('postgres://m1?s3cret@/postgres?host=%2Ftmp')).toBe('postgres://m1?***@/postgres?host=%2Ftmp');
    expect(redactText('failed for postgres://a:b@c/d and PW s3cret!', ['s3cret'])).toBe('failed for postgres://a:***@c/d and PW ***!');
  });
});

describe('progress display', () => {
  const run = (tty: boolean) => {
    const raw: string[] = [];
    const lines: string[] = [];
    let t = 1000;
    const p = createProgress({ tty, write: (s) => raw.push(s), print: (l) => lines.push(l), now: () => t, intervalMs: 0 });
    const ev = { direction: 'up' as const, total: 2, name: 'x' };
    p.onEvent({ type: 'start', index: 1, version: '1', file: 'migrations/1_a.sql', ...ev });
    t += 1500;
    p.line('applied 1_a in 1500 ms');
    p.onEvent({ type: 'done', index: 1, version: '1', file: 'migrations/1_a.sql', ms: 1500, ...ev });
    p.onEvent({ type: 'start', index: 2, version: '2', file: 'migrations/2_b.sql', ...ev });
    t += 200;
    p.onEvent({ type: 'done', index: 2, version: '2', file: 'migrations/2_b.sql', ms: 200, ...ev });
    p.finish();
    return { raw, lines };
  };

  it('on a terminal: a counter with the current file and elapsed times, redrawn under the ordinary lines', () => {
    const { raw, lines } = run(true);
    expect(lines).toEqual(['applied 1_a in 1500 ms']);
    expect(raw).toEqual([
      '\r\x1b[2K[1/2] applying migrations/1_a.sql  0.0s  (total 0.0s)',
      '\r\x1b[2K',
      '\r\x1b[2K[1/2] applying migrations/1_a.sql  1.5s  (total 1.5s)',
      '\r\x1b[2K[2/2] applying migrations/2_b.sql  0.0s  (total 1.5s)',
      '\r\x1b[2K',
    ]);
  });

  it('not on a terminal: only the plain lines', () => {
    const { raw, lines } = run(false);
    expect(raw).toEqual([]);
    expect(lines).toEqual(['applied 1_a in 1500 ms']);
  });
});
