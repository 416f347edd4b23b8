/**
 * Connection options with libpq's conventions, on top of node-postgres:
 * - a `postgres://`/`postgresql://` URI (PostgreSQL docs, "Connection URIs"); what it leaves out comes
 *   from `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `PGOPTIONS`, `PGAPPNAME`,
 *   `PGCONNECT_TIMEOUT`, `PGSSLMODE` (node-postgres reads most of them itself);
 * - no URL at all but `PGHOST`/`PGDATABASE`/`PGUSER` set: the environment alone is the target;
 * - the password: the URL's, else `PGPASSWORD`, else the matching line of the password file
 *   (`PGPASSFILE`, default `~/.pgpass`, read with the `pgpass` package that node-postgres itself
 *   uses; we pass it as a password callback so no deprecation warning is printed);
 * - `sslmode` with libpq's meaning (`disable`, `allow`, `prefer`, `require`, `verify-ca`,
 *   `verify-full`; node-postgres's own reading makes `require` mean `verify-full`). `prefer` (libpq's
 *   default for TCP) tries TLS without verification and falls back to a plain connection when the
 *   server has no TLS; `allow` connects plainly. Like libpq, sslmode is ignored for Unix sockets;
 * - `connect_timeout` (seconds; default 10) bounds connecting.
 * Every password seen is registered with {@link rememberSecret} so printed text never shows it.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { rememberSecret, redactUrl } from './redact.js';

const require = createRequire(import.meta.url);
const parseConnectionString = require('pg-connection-string').parse as (s: string, o?: { useLibpqCompat?: boolean }) => Record<string, any>;
const pgpass = require('pgpass') as (info: Record<string, unknown>, cb: (pw: string | undefined) => void) => void;

/** libpq's sslmode values. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** The URL standing for "the PG* environment variables alone" (see {@link databaseTarget}). */
export const ENV_TARGET = 'postgres://';

/** Default bound on connecting, in seconds (libpq has none; a black-holed host would hang a deploy). */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;

/**
 * The database to use: the configured URL, else — libpq style — the environment when `PGHOST`,
 * `PGDATABASE` or `PGUSER` is set ({@link ENV_TARGET}).
 * @throws Error (one paragraph) when there is neither.
 */
export function databaseTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (url) return url;
  if (env.PGHOST || env.PGDATABASE || env.PGUSER) return ENV_TARGET;
  throw new Error('no database: pass --url, set DATABASE_URL, set database.url in schemaplan.yaml, or set the libpq variables PGHOST/PGDATABASE/PGUSER (with PGPASSWORD or ~/.pgpass for the password)');
}

/** A printable description of a target, never with its password: the redacted URL, or the PG* variables in use. */
export function targetLabel(url: string, env: NodeJS.ProcessEnv = process.env): string {
  if (url !== ENV_TARGET) return redactUrl(url);
  const parts = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'].filter((k) => env[k]).map((k) => `${k}=${env[k]}`);
  return `the libpq environment (${parts.join(' ') || 'defaults'})`;
}

/**
 * A short name of a target for a status line: the database name of a `postgres://…/name?…` URL,
 * else {@link targetLabel} (never with the password).
 */
export function databaseLabel(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const dbPath = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '';
  const name = decodeURIComponent(dbPath.replace(/^\//, ''));
  return name && !name.includes('/') ? name : targetLabel(url, env);
}

/** A node-postgres client configuration, and how to retry for `sslmode=prefer`. */
export interface ClientPlan {
  config: pg.ClientConfig;
  /** When TLS is attempted but optional (`prefer`): the configuration to use if the server has no TLS. */
  plainFallback?: pg.ClientConfig;
  sslmode: SslMode;
}

/**
 * Turns a URL (or {@link ENV_TARGET}) into node-postgres client options following libpq (module doc).
 * @param opts.applicationName used when neither the URL nor `PGAPPNAME` names one
 * @throws Error for an sslmode that libpq does not know, or a non-numeric connect_timeout
 */
export function clientPlan(url: string, opts: { applicationName?: string; env?: NodeJS.ProcessEnv } = {}): ClientPlan {
  const env = opts.env ?? process.env;
  const parsed = url === ENV_TARGET ? {} : parseConnectionString(url, { useLibpqCompat: true });
  const raw = (parsed.sslmode as string | undefined) ?? env.PGSSLMODE;
  if (raw !== undefined && !SSL_MODES.includes(raw as SslMode)) {
    throw new Error(`unknown sslmode "${raw}": use one of ${SSL_MODES.join(', ')}`);
  }
  const host: string = parsed.host || env.PGHOST || '';
  const socket = host.startsWith('/'); // node-postgres's default host is localhost over TCP
  const sslmode: SslMode = (raw as SslMode | undefined) ?? (socket ? 'disable' : 'prefer');
  const timeoutS = parsed.connect_timeout ?? env.PGCONNECT_TIMEOUT;
  if (timeoutS !== undefined && !/^\d+$/.test(String(timeoutS))) throw new Error(`connect_timeout must be a whole number of seconds, got "${timeoutS}"`);
  const timeout = timeoutS === undefined || Number(timeoutS) === 0 ? DEFAULT_CONNECT_TIMEOUT_S : Math.max(2, Number(timeoutS));

  const urlPassword: string | undefined = parsed.password || undefined;
  if (urlPassword) rememberSecret(urlPassword);
  if (env.PGPASSWORD) rememberSecret(env.PGPASSWORD);
  const password = async (params: Record<string, any>): Promise<string | undefined> => {
    if (urlPassword) return urlPassword;
    if (env.PGPASSWORD) return env.PGPASSWORD;
    const info = {
      host: params.host || 'localhost',
      port: params.port || 5432,
      database: params.database || params.user,
      user: params.user || os.userInfo().username,
    };
    const found = await new Promise<string | undefined>((resolve) => {
      try {
        pgpass(info, resolve);
      } catch {
        resolve(undefined);
      }
    });
    if (found) rememberSecret(found);
    return found;
  };

  const base: pg.ClientConfig = {};
  for (const k of ['host', 'port', 'user', 'database', 'options'] as const) {
    const v = parsed[k];
    if (v !== undefined && v !== null && v !== '') (base as any)[k] = k === 'port' ? Number(v) : v;
  }
  base.password = password as unknown as string;
  base.application_name = parsed.application_name || env.PGAPPNAME || opts.applicationName || 'schemaplan';
  base.connectionTimeoutMillis = timeout * 1000;

  if (socket || sslmode === 'disable' || sslmode === 'allow') return { config: { ...base, ssl: false }, sslmode };
  if (sslmode === 'prefer') {
    return { config: { ...base, ssl: { rejectUnauthorized: false } }, plainFallback: { ...base, ssl: false }, sslmode };
  }
  // require / verify-ca / verify-full: pg-connection-string's libpq-compatible reading, incl. sslrootcert/sslcert/sslkey.
  return { config: { ...base, ssl: parsed.ssl ?? (sslmode === 'require' ? { rejectUnauthorized: false } : true) }, sslmode };
}

/**
 * One paragraph saying why connecting failed and what to check, naming the target without its
 * password: unknown host, refused or timed out, no socket, wrong password, missing database,
 * role missing, TLS refused — else the driver's message.
 */
export function describeConnectError(e: any, label: string): string {
  const code: string | undefined = e?.code;
  const msg: string = e?.message ? String(e.message) : String(e);
  const head = `cannot connect to ${label}`;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${head}: the host name ${e.hostname ? `"${e.hostname}" ` : ''}could not be resolved (${code}). Check the host in the URL or PGHOST.`;
    case 'ECONNREFUSED':
      return `${head}: connection refused (${e.address ?? ''}${e.port ? `:${e.port}` : ''}): no PostgreSQL server is listening there. Check the host and port, and that the server is running.`;
    case 'ENOENT':
      return `${head}: no PostgreSQL Unix socket at ${e.address ?? 'the given path'}. Check the socket folder (host=…) and port, and that the server is running.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${head}: the host is unreachable (${code}). Check the host, the network and firewalls.`;
    case '28P01':
      return `${head}: ${msg} (SQLSTATE 28P01). Check the password given in the URL, PGPASSWORD or the password file (~/.pgpass / PGPASSFILE).`;
    case '28000':
      return `${head}: ${msg} (SQLSTATE 28000). The server's pg_hba.conf or the role's settings refuse this login.`;
    case '3D000':
      return `${head}: ${msg} (SQLSTATE 3D000). Create the database first (e.g. CREATE DATABASE), or fix the database name in the URL or PGDATABASE.`;
    case '53300':
      return `${head}: ${msg} (SQLSTATE 53300). The server has no free connection slots; try again later.`;
    case '57P03':
      return `${head}: ${msg} (SQLSTATE 57P03). The server is starting up or shutting down; try again in a moment.`;
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(msg)) {
    return `${head}: no answer within the connect timeout (connect_timeout / PGCONNECT_TIMEOUT, default ${DEFAULT_CONNECT_TIMEOUT_S} s). Check the host, the network and firewalls.`;
  }
  if (/does not support SSL/i.test(msg)) {
    return `${head}: the server does not accept TLS connections, but sslmode requires TLS. Use sslmode=prefer or disable, or enable ssl on the server.`;
  }
  if (/password must be a string|SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string|client password must be a string/i.test(msg)) {
    return `${head}: the server asks for a password and none was given. Put it in the URL, PGPASSWORD or the password file (~/.pgpass / PGPASSFILE).`;
  }
  return `${head}: ${msg}${code && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ''}`;
}
