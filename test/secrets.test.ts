/** Secrets in options and connection strings (pure): what is secret, how it is redacted and found. */
import { describe, expect, it } from 'vitest';
import { isSecretOption, redactConninfo, redactOptions, SECRET_PLACEHOLDER, secretValuesOf } from '../src/catalog/secrets.js';
import { loadParser, splitStatements } from '../src/sql/split.js';

const P = SECRET_PLACEHOLDER;

describe('secrets', () => {
  it('knows which option names hold secrets', () => {
    for (const k of ['password', 'sslpassword', 'passfile', 'sslkey', 'aws_secret_access_key', 'api_key', 'token', 'PASSWORD']) expect(isSecretOption(k), k).toBe(true);
    for (const k of ['user', 'host', 'dbname', 'port', 'table_name', 'keep_connections', 'key', 'sslcert', 'fetch_size']) expect(isSecretOption(k), k).toBe(false);
    expect(redactOptions(['user=app', 'password=s3cret', 'host=h'])).toEqual(['user=app', `password=${P}`, 'host=h']);
  });

  it('redacts keyword/value connection strings, quoted values and escapes included', () => {
    expect(redactConninfo("host=h dbname = app password=s3cret")).toBe(`host=h dbname=app password='${P}'`);
    expect(redactConninfo("password='it\\'s secret' user=u")).toBe(`password='${P}' user=u`);
    expect(redactConninfo("host=h sslpassword=x application_name='my app'")).toBe(`host=h sslpassword='${P}' application_name='my app'`);
    expect(redactConninfo("host=h password='unterminated")).toBeNull();
    expect(redactConninfo("host")).toBeNull();
  });

  it('redacts URIs: the user info password and secret parameters', () => {
    const e = encodeURIComponent(P);
    expect(redactConninfo('postgresql://u:s3cret@h:5432/db?sslmode=require&sslpassword=x')).toBe(`postgresql://u:${e}@h:5432/db?sslmode=require&sslpassword=${e}`);
    expect(redactConninfo('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactConninfo('postgresql://u:p@h1:1,h2:2/db')).toBe(`postgresql://u:${e}@h1:1,h2:2/db`);
  });

  it('finds the secrets a statement sets in its parse tree', async () => {
    await loadParser();
    const found = splitStatements(`
      CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'u', password 'pw-1');
      ALTER USER MAPPING FOR PUBLIC SERVER s OPTIONS (SET password 'pw-2');
      CREATE SUBSCRIPTION x CONNECTION 'host=a password=''p w''' PUBLICATION p WITH (connect = false);
      ALTER SUBSCRIPTION x CONNECTION 'postgresql://u:s%40cret@h/d?sslpassword=zz';
      CREATE SERVER t FOREIGN DATA WRAPPER w OPTIONS (host 'h', passfile '/run/pass');
      CREATE USER MAPPING FOR PUBLIC SERVER t OPTIONS (password '${P}');`).map((s) => secretValuesOf(s.node));
    expect(found).toEqual([['pw-1'], ['pw-2'], ['p w'], ['s%40cret', 's@cret', 'zz'], ['/run/pass'], []]);
  });
});
