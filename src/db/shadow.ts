import { randomBytes } from 'node:crypto';
import type { Db } from './types.js';
import { connect } from './connect.js';
import { openPglite } from './pglite.js';
import { quoteIdent } from './quote.js';
import { redactUrl } from './redact.js';
import { startPgServer, type PgServer } from './embedded.js';

/** A scratch database that schema files or migration history are executed in, then introspected. */
export interface Shadow {
  db: Db;
  /** What the shadow is, for messages: `PGlite (PostgreSQL 18, in process)`, `an embedded PostgreSQL 15`, … (no password). */
  description?: string;
  /** Closes the connection and removes the scratch database; never throws. */
  dispose(): Promise<void>;
}

/** A fresh in-memory PGlite (PostgreSQL 18): the zero set-up shadow. ≈1–3 s to start. */
export async function pgliteShadow(): Promise<Shadow> {
  const db = await openPglite();
  return { db, description: 'PGlite (PostgreSQL 18, in process)', dispose: () => db.close().catch(() => undefined) };
}

/**
 * Replaces the database name in a `postgres://` URL, keeping host, port, user, password and query
 * parameters (so a Unix-socket `?host=/dir` URL keeps working).
 */
export function withDatabase(url: string, database: string): string {
  // Not WHATWG URL: it rejects libpq's empty-host form `postgres://user@/db?host=/socket/dir`.
  const m = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/i.exec(url);
  if (!m) throw new Error('not a postgres:// URL');
  return `${m[1]}/${encodeURIComponent(database)}${m[3]}`;
}

/** Drops the current database's subscriptions without connecting to their publishers (an SQL statement). */
export const DROP_SUBSCRIPTIONS = `DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT subname, subenabled, subslotname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()) LOOP
    IF r.subenabled THEN EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', r.subname); END IF;
    IF r.subslotname IS NOT NULL THEN EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', r.subname); END IF;
    EXECUTE format('DROP SUBSCRIPTION %I', r.subname);
  END LOOP;
END $$`;

/**
 * A temporary database on the server behind `url` (same major version as the live side, as the comparison
 * requires): `CREATE DATABASE schemaplan_shadow_<random>`, dropped by `dispose` (`WITH (FORCE)` on
 * PostgreSQL ≥ 13), also when the work in it failed.
 * @throws when the role may not create databases (SQLSTATE 42501): configure `shadow.url` instead.
 */
export async function serverShadow(url: string): Promise<Shadow> {
  const name = `schemaplan_shadow_${randomBytes(6).toString('hex')}`;
  const admin = await connect(url);
  try {
    await admin.exec(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  } catch (e) {
    await admin.close();
    throw e;
  }
  let db: Db;
  try {
    db = await connect(withDatabase(url, name));
  } catch (e) {
    await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`).catch(() => undefined);
    await admin.close();
    throw e;
  }
  return {
    db,
    description: `a temporary database on ${redactUrl(url)}`,
    async dispose() {
      // A database holding a subscription cannot be dropped ("DROP DATABASE"); ours never has a slot
      // to drop on a publisher (schemaplan creates subscriptions with connect = false).
      await db.exec(DROP_SUBSCRIPTIONS).catch(() => undefined);
      await db.close().catch(() => undefined);
      await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() =>
        admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`).catch(() => undefined),
      );
      await admin.close();
    },
  };
}

/** Embedded servers started by `embeddedShadow`, one per major, shared by the shadows of a process. */
const embedded = new Map<number, Promise<PgServer>>();

/**
 * A temporary database on an embedded PostgreSQL server of `major` (db/embedded.ts), started on
 * first use (≈1–3 s) and shared by later shadows of the process until `stopEmbeddedServers`.
 * For a shadow of the live server's major without the right to create databases on it.
 * @throws Error naming the package to install when no embedded PostgreSQL of that major is installed
 */
export async function embeddedShadow(major: number): Promise<Shadow> {
  let server = embedded.get(major);
  if (!server) {
    server = startPgServer({ major, prefix: 'schemaplan-shadow-' });
    embedded.set(major, server);
    server.catch(() => embedded.delete(major));
  }
  return { ...(await serverShadow((await server).url)), description: `an embedded PostgreSQL ${major}` };
}

/** Stops the embedded servers `embeddedShadow` started (each removes its data directory); never throws. */
export async function stopEmbeddedServers(): Promise<void> {
  const all = [...embedded.values()];
  embedded.clear();
  for (const s of all) await s.then((x) => x.stop(), () => undefined).catch(() => undefined);
}

/**
 * Opens the shadow named by configuration: `pglite` (default), `embedded:<major>` (an embedded
 * server of that PostgreSQL major, see `embeddedShadow`), or a server URL on which temporary
 * databases are created.
 */
export async function openShadow(spec: string | undefined): Promise<Shadow> {
  if (!spec || spec === 'pglite') return pgliteShadow();
  const m = /^embedded:(\d+)$/.exec(spec);
  if (m) return embeddedShadow(Number(m[1]));
  return serverShadow(spec);
}
